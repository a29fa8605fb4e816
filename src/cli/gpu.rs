//! `--backend gpu` on the command line: the GPU engine, driven synchronously through `pollster`.
//! No silent fallback here: a user who asked for the GPU gets an error when there is none.

use crate::gpu::{GpuContext, GpuEngine};
use crate::loss::{LossConfig, LossReport};
use crate::net::{Dims, NetSpec, OptimConfig};
use crate::train::GpuBackend;
use ndarray::{Array4, ArrayView3, ArrayView4};

/// Acquires the GPU, or says in one line why there is none.
pub(super) fn engine() -> Result<GpuEngine, String> {
    pollster::block_on(GpuContext::new())
        .map(GpuEngine::new)
        .map_err(|reason| format!("--backend gpu: {reason}"))
}

/// The GPU training backend for `spec` on batches of `dims`, or one line saying why there is none.
pub(super) fn train_backend(
    spec: NetSpec,
    dims: Dims,
    optim: OptimConfig,
) -> Result<GpuBackend, String> {
    let ctx = pollster::block_on(GpuContext::new()).map_err(|r| format!("--backend gpu: {r}"))?;
    pollster::block_on(GpuBackend::new(ctx, spec, dims, optim))
        .map_err(|e| format!("--backend gpu: {e}"))
}

/// The report, and the gradient only when `want_grad` (otherwise it is not read back).
pub(super) fn loss_and_grad(
    engine: &mut GpuEngine,
    cfg: &LossConfig,
    logits: ArrayView4<'_, f32>,
    labels: ArrayView3<'_, i32>,
    want_grad: bool,
) -> Result<(LossReport, Option<Array4<f32>>), String> {
    let mut grad = want_grad.then(|| Array4::zeros(logits.raw_dim()));
    let out = grad.as_mut().and_then(|g| g.as_slice_mut());
    let report =
        pollster::block_on(engine.evaluate(cfg, logits, labels, out)).map_err(|e| e.to_string())?;
    Ok((report, grad))
}
