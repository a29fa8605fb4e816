//! `LossEngine`: the backend choice, made once — the GPU when an adapter and a device exist, else the
//! CPU with the reason kept for the UI. A device lost (or failing) at run time switches the engine to
//! the CPU for good, and the call that met the loss is answered by the CPU from the caller's inputs,
//! so the caller loses nothing.

use super::{FallbackReason, GpuContext, GpuEngine, GpuError};
use crate::loss::{self, LossConfig, LossError, LossReport};
use ndarray::{ArrayView3, ArrayView4, ArrayViewMut4};

/// Where the math runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// WGSL kernels through wgpu.
    Gpu,
    /// The f64 CPU engine.
    Cpu,
}

impl BackendKind {
    /// `"gpu"` or `"cpu"`, as in the CLI's JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gpu => "gpu",
            Self::Cpu => "cpu",
        }
    }
}

/// A loss engine on the GPU or, failing that, the CPU.
#[derive(Debug)]
pub struct LossEngine {
    gpu: Option<GpuEngine>,
    fallback: Option<FallbackReason>,
}

impl LossEngine {
    /// Acquires the GPU if there is one.
    pub async fn new() -> Self {
        Self::from_context(GpuContext::new().await)
    }

    /// The GPU engine on `ctx`, or the CPU with the reason `ctx` could not be had.
    pub fn from_context(ctx: Result<GpuContext, FallbackReason>) -> Self {
        match ctx {
            Ok(ctx) => Self {
                gpu: Some(GpuEngine::new(ctx)),
                fallback: None,
            },
            Err(reason) => Self::cpu(reason),
        }
    }

    /// The CPU engine, for `reason`.
    pub fn cpu(reason: FallbackReason) -> Self {
        Self {
            gpu: None,
            fallback: Some(reason),
        }
    }

    /// Where the next evaluation runs.
    pub fn backend(&self) -> BackendKind {
        match self.gpu {
            Some(_) => BackendKind::Gpu,
            None => BackendKind::Cpu,
        }
    }

    /// Why the engine runs on the CPU (`None` while on the GPU).
    pub fn fallback_reason(&self) -> Option<&FallbackReason> {
        self.fallback.as_ref()
    }

    /// The GPU engine, while the GPU is in use.
    pub fn gpu(&self) -> Option<&GpuEngine> {
        self.gpu.as_ref()
    }

    /// Evaluates like [`loss::evaluate`] on the current backend. A batch beyond the GPU's limits is
    /// computed on the CPU for this call only; a lost or failing device moves the engine to the CPU
    /// for good (see [`fallback_reason`](Self::fallback_reason)).
    pub async fn evaluate(
        &mut self,
        cfg: &LossConfig,
        logits: ArrayView4<'_, f32>,
        labels: ArrayView3<'_, i32>,
        mut grad: Option<ArrayViewMut4<'_, f32>>,
    ) -> Result<LossReport, LossError> {
        if let Some(gpu) = &mut self.gpu {
            let out = match grad.as_mut() {
                Some(g) if g.shape() == logits.shape() => match g.as_slice_mut() {
                    Some(s) => Some(s),
                    None => return Err(LossError::GradBuffer(g.shape().to_vec())),
                },
                Some(g) => return Err(LossError::GradBuffer(g.shape().to_vec())),
                None => None,
            };
            match gpu.evaluate(cfg, logits, labels, out).await {
                Ok(report) => return Ok(report),
                Err(GpuError::Input(e)) => return Err(e),
                Err(GpuError::Fault(reason)) => {
                    self.gpu = None;
                    self.fallback = Some(reason);
                }
                // Too large for this device (a Lovász sort past its limits included; the
                // trainer's refusals cannot arise here): this call runs on the CPU, the next tries
                // the GPU again.
                Err(_) => {}
            }
        }
        loss::evaluate(cfg, logits, labels, grad)
    }
}
