//! `LossReport`: what an evaluation tells its caller — the loss, its parts and the per-class terms —
//! in the shape the CLI prints as JSON and the page displays.

use super::config::LossConfig;
use super::sums::Sums;
use super::terms::Terms;
use serde::Serialize;

/// One (unit, class) term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassTerms {
    /// Class index.
    pub class: usize,
    /// `I = Σ r·p`.
    pub intersection: f64,
    /// `R = Σ r`.
    pub truth: f64,
    /// `P = Σ p` (or `Σ p²`).
    pub pred: f64,
    /// Generalized Dice weight (1 for plain Dice, 0 for an excluded class).
    pub weight: f64,
    /// This class's Dice loss term with the configured formula (`null` if its denominator is 0).
    pub dice: Option<f64>,
    /// Whether this class takes part in the loss.
    pub included: bool,
}

/// One aggregation unit (the whole batch, or one image).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitReport {
    /// Unit index (image index with per-image aggregation).
    pub unit: usize,
    /// The unit's Generalized Dice value (only for `gdl`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gdl: Option<f64>,
    /// Per-class terms.
    pub classes: Vec<ClassTerms>,
}

/// The result of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossReport {
    /// The loss.
    pub loss: f64,
    /// The Dice / Generalized Dice part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dice: Option<f64>,
    /// The cross-entropy part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ce: Option<f64>,
    /// Logits shape `[B, H, W, C]`.
    pub shape: [usize; 4],
    /// Pixels not carrying the ignore index.
    pub valid_pixels: u64,
    /// The options used.
    pub config: LossConfig,
    /// Per class: sums over units, and the mean over units of `dice` and `weight`.
    pub per_class: Vec<ClassTerms>,
    /// Per unit and class.
    pub units: Vec<UnitReport>,
}

impl LossReport {
    pub(crate) fn new(cfg: &LossConfig, shape: [usize; 4], s: &Sums, t: &Terms) -> Self {
        let first = cfg.first_class();
        let term = |a: usize, l: usize| {
            let k = s.at(a, l);
            ClassTerms {
                class: l,
                intersection: s.intersection[k],
                truth: s.truth[k],
                pred: s.pred[k],
                weight: t.weight[k],
                dice: t.class_dice[k].map(|d| d.value),
                included: l >= first,
            }
        };
        let units: Vec<UnitReport> = (0..s.units)
            .map(|a| UnitReport {
                unit: a,
                gdl: t.unit_gdl.get(a).copied(),
                classes: (0..s.classes).map(|l| term(a, l)).collect(),
            })
            .collect();
        let per_class = (0..s.classes)
            .map(|l| {
                let mut sum = term(0, l);
                for u in &units[1..] {
                    let x = &u.classes[l];
                    sum.intersection += x.intersection;
                    sum.truth += x.truth;
                    sum.pred += x.pred;
                    sum.weight += x.weight;
                    sum.dice = sum.dice.zip(x.dice).map(|(a, b)| a + b);
                }
                let n = units.len() as f64;
                sum.weight /= n;
                sum.dice = sum.dice.map(|d| d / n);
                sum
            })
            .collect();
        Self {
            loss: t.loss,
            dice: t.dice,
            ce: t.ce,
            shape,
            valid_pixels: s.valid,
            config: *cfg,
            per_class,
            units,
        }
    }
}
