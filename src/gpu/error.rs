//! Why the GPU is not used (`FallbackReason`, kept for the UI to show) and how a GPU evaluation can
//! fail (`GpuError`).

use crate::loss::LossError;
use std::fmt;

/// Why the loss runs on the CPU. `code()` is a stable identifier for the page; `Display` is the
/// sentence to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FallbackReason {
    /// The browser has no `navigator.gpu`.
    NoWebGpu,
    /// WebGPU / the native backends offered no adapter.
    NoAdapter(String),
    /// An adapter exists but refused to give a device with the limits the kernels need.
    DeviceRequestFailed(String),
    /// The device rejected a kernel.
    PipelineFailed(String),
    /// The device was lost while in use (driver reset, browser reclaim, `destroy()`).
    DeviceLost(String),
    /// A GPU operation failed (validation, out of memory, a failed buffer mapping).
    GpuFailed(String),
    /// The only adapter is a software rasteriser (SwiftShader, lavapipe): slower than the CPU
    /// engine, so an automatic choice does not take it.
    SoftwareAdapter(String),
    /// This build has no GPU engine (the page's CPU-only module, built without the `gpu` feature).
    NotBuilt,
}

impl FallbackReason {
    /// A short stable identifier: `no-webgpu`, `no-adapter`, `device-request-failed`,
    /// `pipeline-failed`, `device-lost`, `gpu-failed`, `software-adapter` or `not-built`.
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
        }
    }
}

impl fmt::Display for FallbackReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line each: the CLI prints these after "error:".
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        match self {
            Self::NoWebGpu => f.write_str("WebGPU is not available here (no navigator.gpu)"),
            Self::NoAdapter(e) => write!(f, "no GPU adapter found ({})", one_line(e)),
            Self::DeviceRequestFailed(e) => write!(f, "the GPU refused a device ({})", one_line(e)),
            Self::PipelineFailed(e) => write!(f, "the GPU rejected a kernel ({})", one_line(e)),
            Self::DeviceLost(e) => write!(f, "the GPU device was lost ({})", one_line(e)),
            Self::GpuFailed(e) => write!(f, "a GPU operation failed ({})", one_line(e)),
            Self::SoftwareAdapter(a) => write!(
                f,
                "the only WebGPU adapter is a software one, slower than the CPU engine ({})",
                one_line(a)
            ),
            Self::NotBuilt => f.write_str("this build of dicelab has no WebGPU engine (CPU only)"),
        }
    }
}

/// How a GPU evaluation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuError {
    /// The input or configuration is invalid: the CPU engine refuses it with the same error.
    Input(LossError),
    /// The batch exceeds this device's buffer or dispatch limits; the CPU can still take it.
    TooLarge(String),
    /// The device is unusable from now on.
    Fault(FallbackReason),
}

impl From<LossError> for GpuError {
    fn from(e: LossError) -> Self {
        Self::Input(e)
    }
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(e) => e.fmt(f),
            Self::TooLarge(e) => write!(f, "the batch is too large for this GPU: {e}"),
            Self::Fault(r) => r.fmt(f),
        }
    }
}

impl std::error::Error for GpuError {}
