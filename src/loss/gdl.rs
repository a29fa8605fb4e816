//! Generalized Dice (Sudre et al. 2017): per unit `a`,
//! `g_a = 1 − (2·Σ_l w_al·I_al + s_nr) / (Σ_l w_al·(R_al + P_al) + s_dr)` (corrected), or
//! `g_a = 1 − 2·(Σ_l w_al·I_al + s_nr) / (Σ_l w_al·(R_al + P_al) + s_dr)` (seed).
//!
//! The weights multiply the sums before the division and are constants: `∂g_a/∂I_al = w_al·∂g/∂I`,
//! `∂g_a/∂P_al = w_al·∂g/∂(R+P)` with `∂g/∂I`, `∂g/∂(R+P)` those of the plain smoothed ratio.

use super::config::{LossConfig, Reduction, Weights};
use super::dice::dice_term;
use super::sums::Sums;
use super::terms::Terms;
use super::LossError;

/// Class weights of unit `a` for the included classes (0 for excluded ones). A class absent from
/// the unit's truth gets the largest finite weight of the unit, or 0 when all are absent (MONAI's
/// convention).
pub fn class_weights(cfg: &LossConfig, s: &Sums, a: usize) -> Vec<f64> {
    let first = cfg.first_class();
    let mut w: Vec<f64> = (0..s.classes)
        .map(|l| {
            let r = s.truth[s.at(a, l)];
            match cfg.weights {
                _ if l < first => 0.0,
                Weights::Uniform => 1.0,
                _ if r == 0.0 => f64::INFINITY,
                Weights::Simple => 1.0 / r,
                Weights::Square => 1.0 / (r * r),
            }
        })
        .collect();
    let max = w
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    w.iter_mut()
        .filter(|v| v.is_infinite())
        .for_each(|v| *v = max);
    w
}

/// The Generalized Dice loss reduced over units; fills the weights and gradient coefficients.
pub(crate) fn gdl_loss(cfg: &LossConfig, s: &Sums, terms: &mut Terms) -> Result<f64, LossError> {
    let scale = match cfg.reduction {
        Reduction::Sum => 1.0,
        Reduction::Mean => 1.0 / s.units as f64,
    };
    let mut loss = 0.0;
    for a in 0..s.units {
        let w = class_weights(cfg, s, a);
        let (mut wi, mut wrp) = (0.0, 0.0);
        for (l, &wl) in w.iter().enumerate() {
            let k = s.at(a, l);
            wi += wl * s.intersection[k];
            wrp += wl * (s.truth[k] + s.pred[k]);
        }
        let g = dice_term(cfg.formula, wi, wrp, cfg.smooth_nr, cfg.smooth_dr).ok_or_else(|| {
            LossError::ZeroDenominator {
                unit: a,
                term: "all classes (generalized)".into(),
            }
        })?;
        loss += g.value;
        terms.unit_gdl.push(g.value);
        for (l, &wl) in w.iter().enumerate() {
            let k = s.at(a, l);
            terms.weight[k] = wl;
            terms.coef_i[k] = scale * wl * g.d_i;
            terms.coef_p[k] = scale * wl * g.d_rp;
        }
    }
    Ok(scale * loss)
}
