//! Part 2's region losses (docs/losses.md 2.1–2.5): Jaccard, Tversky, focal Tversky, log-Dice and
//! SMP's Dice, each a score `S_al(I_al, P_al)`, a term `t_al(S_al)` and a reduction, with the
//! chain rule giving the coefficients `∂L/∂I_al`, `∂L/∂P_al` that the gradient pass
//! (`logit_grad`) turns into `∂L/∂z` exactly as for Part 1's Dice.
//!
//! Scores (`D = I + α·(P − I) + β·(R − I) + s_dr`):
//! - Tversky `(I + s_nr)/D`; `smp` clamps `D` at `eps` (then `∂S/∂P = 0`). SMP's Jaccard and Dice
//!   are this score with `α = β = 1` and `α = β = ½`.
//! - MONAI's Jaccard `(2I + s_nr)/(2(R + P − I) + s_dr)`.
//! - Part 1's Dice as a score, `S = 1 − d` (for `--log-loss` with `--variant monai`).
//!
//! Terms: `1 − S`, `−ln max(S, eps)` (`--log-loss`), `max(1 − S, 0)^(1/γ)` (focal-tversky
//! `paper`). `smp` zeroes the term of a class absent from the unit's truth but still counts it
//! in the mean; focal-tversky `smp` raises the reduced loss to `γ`.
//!
//! CPU twin of `region_loss` in the GPU kernel `loss_terms` (src/gpu/shaders/loss_terms.wgsl).

use super::config::{Formula, LossConfig, LossKind, Reduction, Variant};
use super::dice::dice_term;
use super::sums::Sums;
use super::terms::Terms;
use super::LossError;

/// A score and its partial derivatives (`R` is a constant of the labels).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Score {
    value: f64,
    d_i: f64,
    d_p: f64,
}

/// Which score a configuration computes.
#[derive(Debug, Clone, Copy)]
enum Form {
    Tversky {
        alpha: f64,
        beta: f64,
        clamp: Option<f64>,
    },
    JaccardMonai,
    DiceMonai(Formula),
}

impl Form {
    fn of(cfg: &LossConfig) -> Self {
        let (a, b) = (cfg.tversky_alpha(), cfg.beta);
        let smp = Some(cfg.eps);
        match (cfg.kind, cfg.variant()) {
            (LossKind::Dice | LossKind::DiceFocal, Variant::Smp) => Self::Tversky {
                alpha: 0.5,
                beta: 0.5,
                clamp: smp,
            },
            (LossKind::Jaccard, Variant::Smp) => Self::Tversky {
                alpha: 1.0,
                beta: 1.0,
                clamp: smp,
            },
            (LossKind::Tversky | LossKind::FocalTversky, Variant::Smp) => Self::Tversky {
                alpha: a,
                beta: b,
                clamp: smp,
            },
            (LossKind::Tversky | LossKind::FocalTversky, _) => Self::Tversky {
                alpha: a,
                beta: b,
                clamp: None,
            },
            (LossKind::Jaccard, _) => Self::JaccardMonai,
            _ => Self::DiceMonai(cfg.formula),
        }
    }

    /// The score of one (unit, class); `None` where its denominator is exactly 0.
    fn score(self, i: f64, r: f64, p: f64, s_nr: f64, s_dr: f64) -> Option<Score> {
        match self {
            Self::Tversky { alpha, beta, clamp } => {
                let d = i + alpha * (p - i) + beta * (r - i) + s_dr;
                match clamp {
                    Some(eps) if d < eps => Some(Score {
                        value: (i + s_nr) / eps,
                        d_i: 1.0 / eps,
                        d_p: 0.0,
                    }),
                    _ if d == 0.0 => None,
                    _ => {
                        let s = (i + s_nr) / d;
                        Some(Score {
                            value: s,
                            d_i: (1.0 - (1.0 - alpha - beta) * s) / d,
                            d_p: -alpha * s / d,
                        })
                    }
                }
            }
            Self::JaccardMonai => {
                let d = 2.0 * (r + p - i) + s_dr;
                (d != 0.0).then(|| {
                    let s = (2.0 * i + s_nr) / d;
                    Score {
                        value: s,
                        d_i: 2.0 * (1.0 + s) / d,
                        d_p: -2.0 * s / d,
                    }
                })
            }
            Self::DiceMonai(formula) => dice_term(formula, i, r + p, s_nr, s_dr).map(|d| Score {
                value: 1.0 - d.value,
                d_i: -d.d_i,
                d_p: -d.d_rp,
            }),
        }
    }
}

/// Which term a configuration takes of a score.
#[derive(Debug, Clone, Copy)]
enum Term {
    Plain,
    Log { eps: f64 },
    Paper { gamma: f64 },
}

impl Term {
    fn of(cfg: &LossConfig) -> Self {
        match (cfg.kind, cfg.variant()) {
            (LossKind::FocalTversky, Variant::Paper) => Self::Paper { gamma: cfg.gamma() },
            _ if cfg.log_loss => Self::Log { eps: cfg.eps },
            _ => Self::Plain,
        }
    }

    /// `(t(S), ∂t/∂S)`.
    fn at(self, s: f64) -> (f64, f64) {
        match self {
            Self::Plain => (1.0 - s, -1.0),
            Self::Log { eps } if s >= eps => (-s.ln(), -1.0 / s),
            Self::Log { eps } => (-eps.ln(), 0.0),
            Self::Paper { gamma } if s < 1.0 => {
                let d = 1.0 - s;
                (d.powf(1.0 / gamma), -d.powf(1.0 / gamma - 1.0) / gamma)
            }
            Self::Paper { .. } => (0.0, 0.0),
        }
    }
}

/// The region loss of `cfg` reduced over (unit, class ∈ K); fills the per-(unit, class) scores and
/// terms and the gradient coefficients of `t`.
pub(crate) fn region_loss(cfg: &LossConfig, s: &Sums, t: &mut Terms) -> Result<f64, LossError> {
    let (form, term) = (Form::of(cfg), Term::of(cfg));
    let masked = cfg.variant() == Variant::Smp;
    let first = cfg.first_class();
    let z = match cfg.reduction {
        Reduction::Sum => 1.0,
        Reduction::Mean => (s.units * (s.classes - first)) as f64,
    };
    t.score = vec![None; s.units * s.classes];
    t.term = vec![None; s.units * s.classes];
    let mut total = 0.0;
    for a in 0..s.units {
        for l in first..s.classes {
            let k = s.at(a, l);
            let sc = form
                .score(
                    s.intersection[k],
                    s.truth[k],
                    s.pred[k],
                    cfg.smooth_nr,
                    cfg.smooth_dr,
                )
                .ok_or(LossError::ZeroScoreDenominator {
                    loss: cfg.kind,
                    unit: a,
                    class: l,
                })?;
            t.score[k] = Some(sc.value);
            // `smp`: a class absent from the unit's truth keeps its place in `z` but has no term.
            if masked && s.truth[k] == 0.0 {
                t.term[k] = Some(0.0);
                continue;
            }
            let (value, slope) = term.at(sc.value);
            t.term[k] = Some(value);
            total += value;
            t.coef_i[k] = slope * sc.d_i / z;
            t.coef_p[k] = slope * sc.d_p / z;
        }
    }
    let l0 = total / z;
    if cfg.kind != LossKind::FocalTversky || cfg.variant() != Variant::Smp {
        return Ok(l0);
    }
    // SMP raises the class mean, once. A mean below 0 can only be rounding (every term is ≥ 0).
    let g = cfg.gamma();
    let outer = if l0 > 0.0 { g * l0.powf(g - 1.0) } else { 0.0 };
    for c in t.coef_i.iter_mut().chain(t.coef_p.iter_mut()) {
        *c *= outer;
    }
    Ok(l0.max(0.0).powf(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tversky_partials_match_differences() {
        for form in [
            Form::Tversky {
                alpha: 0.3,
                beta: 0.7,
                clamp: Some(1e-7),
            },
            Form::JaccardMonai,
            Form::DiceMonai(Formula::Seed),
        ] {
            let (i, r, p) = (2.5, 4.0, 3.5);
            let sc = form.score(i, r, p, 0.3, 0.7).unwrap_or(Score {
                value: f64::NAN,
                d_i: 0.0,
                d_p: 0.0,
            });
            let h = 1e-6;
            let at = |i: f64, p: f64| form.score(i, r, p, 0.3, 0.7).map_or(f64::NAN, |s| s.value);
            let di = (at(i + h, p) - at(i - h, p)) / (2.0 * h);
            let dp = (at(i, p + h) - at(i, p - h)) / (2.0 * h);
            assert!((sc.d_i - di).abs() < 1e-8, "{form:?}: {} vs {di}", sc.d_i);
            assert!((sc.d_p - dp).abs() < 1e-8, "{form:?}: {} vs {dp}", sc.d_p);
        }
    }

    #[test]
    fn the_clamp_makes_the_denominator_constant() {
        let f = Form::Tversky {
            alpha: 1.0,
            beta: 1.0,
            clamp: Some(0.5),
        };
        let sc = f.score(0.0, 0.0, 0.25, 0.0, 0.0);
        assert_eq!(
            sc,
            Some(Score {
                value: 0.0,
                d_i: 2.0,
                d_p: 0.0
            })
        );
    }
}
