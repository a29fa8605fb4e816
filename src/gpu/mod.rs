//! The loss on the GPU: WGSL compute kernels through wgpu (natively Vulkan or GL, in a browser
//! WebGPU), each the twin of the CPU function of the same name in `loss`, and the backend choice
//! with its CPU fallback.
//!
//! One evaluation is one submission, with nothing read back in between:
//! 1. `class_sums` (class_sums.wgsl): each workgroup tree-reduces 2048 pixels of one image in shared
//!    memory into partial `I`, `R`, `P`, `FP`, `FN`, focal, cross-entropy and count sums;
//! 2. `combine_sums` (same file): adds the partials per aggregation unit — the second level;
//! 3. Lovász only (lovasz.wgsl): the errors, a bitonic sort per (unit, class) and the scan that
//!    gives each `λ` and `∂L/∂p`;
//! 4. `loss_terms` (loss_terms.wgsl): the loss, per-class terms and gradient coefficients;
//! 5. `logit_grad` (logit_grad.wgsl): `∂L/∂z` per logit, left in a GPU buffer.
//!
//! Then only what the caller asks for is copied back: the small report buffers, and the gradient if
//! a buffer is given for it.
//!
//! Accuracy: the GPU works in f32 (WebGPU has no f64). Against the f64 CPU engine on B=8, 512×512,
//! C=8 (2M pixels, softmax, logits in ±4; dice global, dice+ce per-image, gdl global) the two-level
//! reduction keeps every sum within 1.2e-7 relative, the loss within 6.1e-8 relative and the
//! gradient within 8.3e-7 of its largest entry (lavapipe); counts are exact u32. One thread walking
//! the pixels would lose ~1e-4, and Generalized Dice evaluated as `1 − num/den` in f32 lost 8.5e-4
//! (see class_sums.wgsl). Measured by `large_sums_stay_accurate` (B=2) and, on demand,
//! `large_sums_stay_accurate_b8` in tests/native/gpu.rs.
//!
//! Architecture invariant: nothing here decides training policy, and `loss` knows nothing of this
//! module.
//!
//! Without the `gpu` feature only what the CPU engine shares with it remains: why the GPU is not
//! used ([`FallbackReason`], [`GpuError`]), the probes (whether the browser has WebGPU at all, and
//! in the CPU-only page build `cpu_build_reason`: what WebGPU would have offered), and
//! [`ReadySignal`], the future a backend's asynchronous read-backs resolve through.

mod error;
mod probe;
mod signal;

pub use error::{FallbackReason, GpuError};
#[cfg(all(target_arch = "wasm32", not(feature = "gpu")))]
pub use probe::cpu_build_reason;
pub use probe::webgpu_missing;
pub use signal::ReadySignal;

#[cfg(feature = "gpu")]
mod buffers;
#[cfg(feature = "gpu")]
mod consts;
#[cfg(feature = "gpu")]
mod context;
#[cfg(feature = "gpu")]
mod engine;
#[cfg(feature = "gpu")]
mod layout;
#[cfg(feature = "gpu")]
pub mod net;
#[cfg(feature = "gpu")]
mod params;
#[cfg(feature = "gpu")]
mod pipelines;
#[cfg(feature = "gpu")]
mod readback;
#[cfg(feature = "gpu")]
mod select;
#[cfg(feature = "gpu")]
pub mod shaders;

#[cfg(feature = "gpu")]
pub use self::{
    buffers::LossBuffers,
    context::GpuContext,
    engine::GpuEngine,
    layout::Shape,
    net::GpuTrainer,
    pipelines::Pipelines,
    select::{BackendKind, LossEngine},
};
