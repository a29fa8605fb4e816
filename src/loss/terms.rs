//! From the sums to the loss: the loss value, its parts, the per-class terms users see, and the
//! coefficients `∂L/∂I_al`, `∂L/∂P_al`, `∂L/∂ce`, `∂L/∂focal` that the gradient pass needs.
//!
//! CPU twin of the GPU kernel `loss_terms` (src/gpu/shaders/loss_terms.wgsl).

use super::config::{LossConfig, LossKind, Reduction, Variant};
use super::dice::{class_dice, dice_loss, DiceTerm};
use super::focal::Focal;
use super::gdl::gdl_loss;
use super::region::region_loss;
use super::sums::Sums;
use super::LossError;

/// Everything the second pass and the report need, computed from the sums alone (and, for
/// Lovász, from its sort: `lovasz::lovasz_loss`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Terms {
    /// The loss.
    pub loss: f64,
    /// The Dice or Generalized Dice part, if any (unweighted in `dice+focal`).
    pub dice: Option<f64>,
    /// The cross-entropy part, if any.
    pub ce: Option<f64>,
    /// Per-(unit, class) Dice with the configured formula (shown for every kind; `None` where its
    /// denominator is zero).
    pub class_dice: Vec<Option<DiceTerm>>,
    /// Per-(unit, class) Generalized Dice weight (1 for Dice; 0 for excluded classes).
    pub weight: Vec<f64>,
    /// Per-unit Generalized Dice value (empty unless the kind is `gdl`).
    pub unit_gdl: Vec<f64>,
    /// `∂L/∂I_al`.
    pub coef_i: Vec<f64>,
    /// `∂L/∂P_al` (times `2p` per pixel with the squared denominator).
    pub coef_p: Vec<f64>,
    /// `∂L/∂(Σ_n ce_n)`.
    pub ce_scale: f64,
    /// The focal part, if any (unweighted in `dice+focal`).
    pub focal: Option<f64>,
    /// `∂L/∂(Σ f)`: the focal weight over its normaliser (0 with no valid pixel).
    pub focal_scale: f64,
    /// Per-(unit, class) share of the focal part (empty unless the loss has one).
    pub focal_class: Vec<f64>,
    /// Per-(unit, class) score of a Part 2 region loss (docs/losses.md 2.1; empty otherwise).
    pub score: Vec<Option<f64>>,
    /// Per-(unit, class) term before the reduction: a Part 2 region loss's `c_al·t_al`, or
    /// Lovász's `λ_al` (`None` for a class absent from the unit); empty otherwise.
    pub term: Vec<Option<f64>>,
    /// Per-unit Lovász loss, the mean over the unit's present classes (empty unless `lovasz`).
    pub unit_lovasz: Vec<f64>,
    /// Lovász's `∂L/∂p` per logit (empty unless `lovasz`).
    pub pixel_grad: Vec<f64>,
}

/// Reduces the sums to the loss and its gradient coefficients (Lovász's part is added afterwards
/// from the pixels, by `lovasz::lovasz_loss`).
/// GPU twin: the `loss_terms` kernel in src/gpu/shaders/loss_terms.wgsl.
pub fn loss_terms(cfg: &LossConfig, s: &Sums) -> Result<Terms, LossError> {
    let n = s.units * s.classes;
    let class_dice = class_dice(cfg, s);
    let first = cfg.first_class();
    let mut t = Terms {
        class_dice,
        weight: (0..n)
            .map(|k| f64::from(u8::from(k % s.classes >= first)))
            .collect(),
        coef_i: vec![0.0; n],
        coef_p: vec![0.0; n],
        ..Terms::default()
    };
    let region = match cfg.kind {
        LossKind::Ce | LossKind::Focal | LossKind::Lovasz => None,
        LossKind::Gdl => Some(gdl_loss(cfg, s, &mut t)?),
        _ if cfg.part1_dice() => Some(dice_loss(cfg, s, &mut t)?),
        // Unreachable without Part 2 (`validate` refuses): the constant leaves its code out.
        _ if cfg!(feature = "part2") => Some(region_loss(cfg, s, &mut t)?),
        _ => None,
    };
    if let Some(value) = region {
        if cfg.has_dice() {
            t.dice = Some(value);
        }
        if cfg.kind == LossKind::DiceFocal {
            let w = cfg.lambda_dice;
            t.coef_i.iter_mut().for_each(|c| *c *= w);
            t.coef_p.iter_mut().for_each(|c| *c *= w);
            t.loss += w * value;
        } else {
            t.loss += value;
        }
    }
    if cfg.has_ce() {
        // `dice+ce` always takes the mean cross-entropy; `ce` alone follows the reduction. A batch
        // with every pixel ignored has a cross-entropy of 0 and no gradient.
        let mean = cfg.kind == LossKind::DiceCe || cfg.reduction == Reduction::Mean;
        t.ce_scale = match (mean, s.valid) {
            (_, 0) => 0.0,
            (true, v) => 1.0 / v as f64,
            (false, _) => 1.0,
        };
        let ce = t.ce_scale * s.ce_sum;
        t.ce = Some(ce);
        t.loss += ce;
    }
    if cfg.has_focal() {
        focal_part(cfg, s, &mut t);
    }
    Ok(t)
}

/// The focal part from the focal sums: normalised as docs/losses.md 2.6 (and 2.8 for
/// `dice+focal`, whose focal term always averages over every (pixel, class) element).
fn focal_part(cfg: &LossConfig, s: &Sums, t: &mut Terms) {
    let elements = (s.classes - cfg.first_class()) as f64 * s.valid as f64;
    let pixels = s.valid as f64;
    let z = match (cfg.kind, cfg.reduction) {
        (LossKind::DiceFocal, _) => elements,
        (_, Reduction::Sum) => 1.0,
        _ if Focal::new(cfg).softmax() || cfg.variant() == Variant::Monai => pixels,
        _ => elements,
    };
    let inv = if s.valid == 0 { 0.0 } else { 1.0 / z };
    let weight = if cfg.kind == LossKind::DiceFocal {
        cfg.lambda_focal
    } else {
        1.0
    };
    t.focal_class = s.focal.iter().map(|v| v * inv).collect();
    let focal = s.focal.iter().sum::<f64>() * inv;
    t.focal = Some(focal);
    t.focal_scale = weight * inv;
    t.loss += weight * focal;
}
