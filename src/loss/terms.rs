//! From the sums to the loss: the loss value, its parts, the per-class terms users see, and the
//! coefficients `∂L/∂I_al`, `∂L/∂P_al`, `∂L/∂ce` that the gradient pass needs.
//!
//! CPU twin of the GPU kernel `loss_terms` (src/gpu/shaders/loss_terms.wgsl).

use super::config::{LossConfig, LossKind, Reduction};
use super::dice::{class_dice, dice_loss, DiceTerm};
use super::gdl::gdl_loss;
use super::sums::Sums;
use super::LossError;

/// Everything the second pass and the report need, computed from the sums alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    /// The loss.
    pub loss: f64,
    /// The Dice or Generalized Dice part, if any.
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
}

/// Reduces the sums to the loss and its gradient coefficients.
/// GPU twin: the `loss_terms` kernel in src/gpu/shaders/loss_terms.wgsl.
pub fn loss_terms(cfg: &LossConfig, s: &Sums) -> Result<Terms, LossError> {
    let n = s.units * s.classes;
    let class_dice = class_dice(cfg, s);
    let first = cfg.first_class();
    let mut t = Terms {
        loss: 0.0,
        dice: None,
        ce: None,
        class_dice,
        weight: (0..n)
            .map(|k| f64::from(u8::from(k % s.classes >= first)))
            .collect(),
        unit_gdl: Vec::new(),
        coef_i: vec![0.0; n],
        coef_p: vec![0.0; n],
        ce_scale: 0.0,
    };
    if cfg.has_dice() {
        let dice = match cfg.kind {
            LossKind::Gdl => gdl_loss(cfg, s, &mut t)?,
            _ => dice_loss(cfg, s, &mut t)?,
        };
        t.dice = Some(dice);
        t.loss += dice;
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
    Ok(t)
}
