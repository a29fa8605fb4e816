//! Why the GPU is not used (`FallbackReason`, kept for the UI to show) and how a GPU evaluation can
//! fail (`GpuError`).

use crate::loss::LossError;

/// Why the loss runs on the CPU. `code()` is a stable identifier for the page; `Display` is the
/// sentence to show, on one line (the CLI prints it after "error:").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FallbackReason {
    /// The browser has no `navigator.gpu`.
    #[error("WebGPU is not available here (no navigator.gpu)")]
    NoWebGpu,
    /// WebGPU / the native backends offered no adapter.
    #[error("no GPU adapter found ({})", one_line(.0))]
    NoAdapter(String),
    /// An adapter exists but refused to give a device with the limits the kernels need.
    #[error("the GPU refused a device ({})", one_line(.0))]
    DeviceRequestFailed(String),
    /// The device rejected a kernel.
    #[error("the GPU rejected a kernel ({})", one_line(.0))]
    PipelineFailed(String),
    /// The device was lost while in use (driver reset, browser reclaim, `destroy()`).
    #[error("the GPU device was lost ({})", one_line(.0))]
    DeviceLost(String),
    /// A GPU operation failed (validation, out of memory, a failed buffer mapping).
    #[error("a GPU operation failed ({})", one_line(.0))]
    GpuFailed(String),
    /// The only adapter is a software rasteriser (SwiftShader, lavapipe): slower than the CPU
    /// engine, so an automatic choice does not take it.
    #[error(
        "the only WebGPU adapter is a software one, slower than the CPU engine ({})",
        one_line(.0)
    )]
    SoftwareAdapter(String),
    /// This build has no GPU engine (the page's CPU-only module, built without the `gpu` feature).
    #[error("this build of dicelab has no WebGPU engine (CPU only)")]
    NotBuilt,
    /// The batch is past a kernel's limits for this loss (Lovász's sort): why.
    #[error("the batch is too large for the GPU ({})", one_line(.0))]
    TooLarge(String),
}

/// Driver messages span lines; a reason is shown on one.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl FallbackReason {
    /// A short stable identifier: `no-webgpu`, `no-adapter`, `device-request-failed`,
    /// `pipeline-failed`, `device-lost`, `gpu-failed`, `software-adapter`, `not-built` or
    /// `too-large`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoWebGpu => "no-webgpu",
            Self::NoAdapter(_) => "no-adapter",
            Self::DeviceRequestFailed(_) => "device-request-failed",
            Self::PipelineFailed(_) => "pipeline-failed",
            Self::DeviceLost(_) => "device-lost",
            Self::GpuFailed(_) => "gpu-failed",
            Self::SoftwareAdapter(_) => "software-adapter",
            Self::NotBuilt => "not-built",
            Self::TooLarge(_) => "too-large",
        }
    }
}

/// How a GPU evaluation or training call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GpuError {
    /// The input or configuration is invalid: the CPU engine refuses it with the same error.
    #[error(transparent)]
    Input(#[from] LossError),
    /// The batch exceeds this device's buffer or dispatch limits; the CPU can still take it.
    #[error("the batch is too large for this GPU: {0}")]
    TooLarge(String),
    /// Weights of the wrong length for this net.
    #[error("expected {expected} parameters, got {got}")]
    ParamCount {
        /// The net's parameter count.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// Images or labels that do not fit the batch shape the buffers were made for.
    #[error("{0}")]
    BatchShape(String),
    /// A result was taken that was never requested.
    #[error("no {0} read-back in flight")]
    NothingInFlight(&'static str),
    /// A second read-back of a kind was requested before the first was taken.
    #[error("a {0} read-back is already in flight")]
    AlreadyInFlight(&'static str),
    /// Every report slot holds a step whose report has not been collected.
    #[error("every report slot is in flight: collect the reports first")]
    RingFull,
    /// The device is unusable from now on.
    #[error(transparent)]
    Fault(FallbackReason),
    /// The kernels cannot compute this loss here (a Lovász sort past the device's limits,
    /// [`FallbackReason::TooLarge`]); the CPU can. The device is fine.
    #[error(transparent)]
    NoKernel(FallbackReason),
}
