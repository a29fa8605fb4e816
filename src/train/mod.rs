//! The training session: data, a backend (net + optimiser), the loss configuration and metrics.
//!
//! [`Session`] drives a [`TrainBackend`]; [`CpuBackend`] is the CPU one, the GPU backend implements
//! the same trait. Same [`SessionConfig`] (seed included) → bit-identical results on the CPU.

mod backend;
mod config;
mod cpu;
#[cfg(feature = "gpu")]
mod gpu;
mod metrics;
mod preset;
mod sampler;
mod session;
mod source;

pub use backend::{check_batch, TrainBackend, TrainError};
pub use config::{check_loss, SessionConfig, BATCH};
pub use cpu::CpuBackend;
#[cfg(feature = "gpu")]
pub use gpu::GpuBackend;
pub use metrics::{ClassMetrics, Confusion, Evaluation};
pub use preset::Preset;
pub use sampler::Sampler;
pub use session::{LossChange, Progress, Session, StepRecord};
pub use source::EvalView;
