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
    /// The score of a Part 2 region loss (Jaccard, Tversky or Dice index of the variant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// This class's term before the reduction: a Part 2 region loss's (0 where `smp` masks an
    /// absent class), or Lovász's `λ` (absent where the class is not in the unit's truth).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<f64>,
    /// This class's share of the focal part (its elements' sum over the normaliser).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focal: Option<f64>,
}

/// One aggregation unit (the whole batch, or one image).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitReport {
    /// Unit index (image index with per-image aggregation).
    pub unit: usize,
    /// The unit's Generalized Dice value (only for `gdl`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gdl: Option<f64>,
    /// The unit's Lovász loss, the mean over its present classes (only for `lovasz`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lovasz: Option<f64>,
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
    /// The focal part (`loss = lambda-dice·dice + lambda-focal·focal` for `dice+focal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focal: Option<f64>,
    /// Logits shape `[B, H, W, C]`.
    pub shape: [usize; 4],
    /// Pixels not carrying the ignore index.
    pub valid_pixels: u64,
    /// The options used.
    pub config: LossConfig,
    /// Per class: sums over units of the sums and `focal`, the mean over units of `dice` and
    /// `weight`, and of `score` and `term` over the units where they are defined.
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
                score: t.score.get(k).copied().flatten(),
                term: t.term.get(k).copied().flatten(),
                focal: t.focal_class.get(k).copied(),
            }
        };
        let units: Vec<UnitReport> = (0..s.units)
            .map(|a| UnitReport {
                unit: a,
                gdl: t.unit_gdl.get(a).copied(),
                lovasz: t.unit_lovasz.get(a).copied(),
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
                    sum.focal = sum.focal.zip(x.focal).map(|(a, b)| a + b);
                }
                let n = units.len() as f64;
                sum.weight /= n;
                sum.dice = sum.dice.map(|d| d / n);
                sum.score = defined_mean(units.iter().map(|u| u.classes[l].score));
                sum.term = defined_mean(units.iter().map(|u| u.classes[l].term));
                sum
            })
            .collect();
        Self {
            loss: t.loss,
            dice: t.dice,
            ce: t.ce,
            focal: t.focal,
            shape,
            valid_pixels: s.valid,
            config: *cfg,
            per_class,
            units,
        }
    }
}

/// The mean of the values that are defined (`None` if none is).
fn defined_mean(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let (sum, n) = values
        .flatten()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}
