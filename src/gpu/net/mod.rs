//! TinySegNet's whole training step on the GPU: WGSL twins of `net`'s layer functions
//! (`conv2d_forward`, `conv2d_backward_input`, `conv2d_backward_filter`, `relu`, `relu_backward`,
//! `adam_update`, `sgd_momentum_update`, `argmax`), wired to the loss's buffers so that logits and
//! `∂L/∂z` never leave the GPU, with a staging ring through which the loss reports come back
//! asynchronously.
//!
//! Accuracy: f32 throughout, as the CPU net (whose kernels also accumulate in f32); only the summation
//! order differs, and the filter gradients reduce in two levels (`CHUNK` pixels, then the chunks).
//! The tests in tests/native/gtrain.rs state the tolerances reached.
//!
//! Architecture invariant: no training policy here (no data, no sessions, no fallback decisions):
//! `train::GpuBackend` owns those.

mod buffers;
mod encode;
mod params;
mod pipelines;
mod ring;
mod trainer;

pub use params::{LayerParams, OptimParams, CHUNK, CONV_WG, ELEM_WG};
pub use pipelines::NetPipelines;
pub use ring::{CHECKPOINT_EVERY, SLOTS};
pub use trainer::{Checkpoint, GpuTrainer, StepOutcome};
