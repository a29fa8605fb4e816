//! The loss engine: every loss of docs/losses.md, its value, per-class terms and analytic gradient
//! with respect to the logits, on the CPU in f64 arithmetic over f32 data.
//!
//! Two passes over the pixels: `class_sums` (sums per unit and class, focal sums included) and
//! `logit_grad` (the gradient from coefficients computed on the sums by `loss_terms`). Nothing is
//! allocated per pixel, except by Lovász (`lovasz`), which sorts each unit's errors in between.

mod activation;
mod batch;
mod config;
pub mod dice;
pub mod fast;
mod focal;
pub mod gdl;
mod grad;
mod lovasz;
mod region;
mod report;
mod sums;
mod terms;
mod validate;

pub use batch::{Batch, LossError};
pub use config::{
    Activation, Aggregation, Formula, LossConfig, LossKind, Named, Reduction, Variant, Weights,
};
pub use grad::logit_grad;
pub use report::{ClassTerms, LossReport, UnitReport};
pub use sums::{class_sums, Sums};
pub use terms::{loss_terms, Terms};
pub use validate::ConfigError;

use ndarray::{Array4, ArrayView3, ArrayView4, ArrayViewMut4};

/// Evaluates the loss of `logits` (B, H, W, C) against `labels` (B, H, W), writing `∂L/∂z` into
/// `grad` when given (it must have the logits' shape and standard layout).
pub fn evaluate(
    cfg: &LossConfig,
    logits: ArrayView4<'_, f32>,
    labels: ArrayView3<'_, i32>,
    grad: Option<ArrayViewMut4<'_, f32>>,
) -> Result<LossReport, LossError> {
    let batch = prepare(cfg, logits, labels)?;
    let sums = class_sums(cfg, &batch)?;
    let mut terms = loss_terms(cfg, &sums)?;
    if cfg!(feature = "part2") && cfg.kind == LossKind::Lovasz {
        lovasz::lovasz_loss(cfg, &batch, &sums, &mut terms);
    }
    if let Some(mut g) = grad {
        logit_grad(cfg, &batch, &terms, grad_slice(&mut g, batch.shape)?);
    }
    Ok(LossReport::new(cfg, batch.shape, &sums, &terms))
}

/// The gradient buffer as a slice, if it has the logits' `shape` and standard layout.
pub(crate) fn grad_slice<'g>(
    g: &'g mut ArrayViewMut4<'_, f32>,
    shape: [usize; 4],
) -> Result<&'g mut [f32], LossError> {
    let have = g.shape().to_vec();
    g.as_slice_mut()
        .filter(|_| have == shape)
        .ok_or(LossError::GradBuffer(have))
}

/// The checks every backend makes before computing: a valid configuration, matching non-empty
/// shapes, and at least one class taking part.
pub fn prepare<'a>(
    cfg: &LossConfig,
    logits: ArrayView4<'a, f32>,
    labels: ArrayView3<'a, i32>,
) -> Result<Batch<'a>, LossError> {
    cfg.validate()?;
    let batch = Batch::new(logits, labels)?;
    if batch.classes <= cfg.first_class() {
        return Err(LossError::NoClasses(batch.classes));
    }
    Ok(batch)
}

/// Like [`evaluate`], returning a newly allocated gradient.
pub fn loss_and_grad(
    cfg: &LossConfig,
    logits: ArrayView4<'_, f32>,
    labels: ArrayView3<'_, i32>,
) -> Result<(LossReport, Array4<f32>), LossError> {
    let mut grad = Array4::zeros(logits.raw_dim());
    let report = evaluate(cfg, logits, labels, Some(grad.view_mut()))?;
    Ok((report, grad))
}
