//! Soft Dice per (unit, class), and the smoothed ratio shared with Generalized Dice.
//!
//! `seed`:      `d = 1 − 2·(I + s_nr) / (R + P + s_dr)`
//! `corrected`: `d = 1 − (2·I + s_nr) / (R + P + s_dr)`
//!
//! Both numerators have `∂num/∂I = 2`, so `∂d/∂I = −2/den` and `∂d/∂(R+P) = num/den²`.

use super::config::{Formula, LossConfig, Reduction};
use super::sums::Sums;
use super::terms::Terms;
use super::LossError;

/// One smoothed Dice term and its partial derivatives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiceTerm {
    /// `1 − num/den`.
    pub value: f64,
    /// `∂value/∂I`.
    pub d_i: f64,
    /// `∂value/∂(R + P)` (the derivative by `P` alone, since `R` is constant).
    pub d_rp: f64,
}

/// The smoothed Dice term from an intersection `i` and a denominator sum `rp = R + P`; `None` when
/// the denominator is exactly zero.
#[inline]
pub fn dice_term(formula: Formula, i: f64, rp: f64, s_nr: f64, s_dr: f64) -> Option<DiceTerm> {
    let num = match formula {
        Formula::Seed => 2.0 * (i + s_nr),
        Formula::Corrected => 2.0 * i + s_nr,
    };
    let den = rp + s_dr;
    (den != 0.0).then(|| DiceTerm {
        value: 1.0 - num / den,
        d_i: -2.0 / den,
        d_rp: num / (den * den),
    })
}

/// The per-class Dice of every (unit, class), as shown to users whatever the loss kind; `None` where
/// the denominator is zero.
pub(crate) fn class_dice(cfg: &LossConfig, s: &Sums) -> Vec<Option<DiceTerm>> {
    (0..s.units * s.classes)
        .map(|k| {
            let rp = s.truth[k] + s.pred[k];
            dice_term(
                cfg.formula,
                s.intersection[k],
                rp,
                cfg.smooth_nr,
                cfg.smooth_dr,
            )
        })
        .collect()
}

/// The Dice loss: one term per (unit, included class) of `t.class_dice`, reduced by sum or mean;
/// fills the gradient coefficients of `t`.
pub(crate) fn dice_loss(cfg: &LossConfig, s: &Sums, t: &mut Terms) -> Result<f64, LossError> {
    let first = cfg.first_class();
    let count = s.units * (s.classes - first);
    let scale = match cfg.reduction {
        Reduction::Sum => 1.0,
        Reduction::Mean => 1.0 / count as f64,
    };
    let mut loss = 0.0;
    for a in 0..s.units {
        for l in first..s.classes {
            let k = s.at(a, l);
            let d = t.class_dice[k].ok_or_else(|| LossError::ZeroDenominator {
                unit: a,
                term: format!("class {l}"),
            })?;
            loss += d.value;
            t.coef_i[k] = scale * d.d_i;
            t.coef_p[k] = scale * d.d_rp;
        }
    }
    Ok(scale * loss)
}
