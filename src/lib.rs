//! dicelab: Dice and Generalized Dice losses for semantic segmentation, exactly as specified in
//! `shared/spec/losses.md`, with their gradients.
//!
//! - [`loss`]: the engine (CPU, f64 arithmetic over f32 data): the oracle for everything else.
//! - [`gpu`]: the same loss as WGSL kernels through wgpu, and the GPU-or-CPU backend choice
//!   (feature `gpu`, on by default; without it only the fallback reasons remain).
//! - [`data`]: seeded synthetic material scenes with full or sparse annotations.
//! - [`net`]: TinySegNet on the CPU (layers, forward, backward, optimisers).
//! - [`train`]: the training session (data + net + optimiser + loss + metrics) behind a backend trait.
//! - [`num`]: `Num`, a float in a message (JavaScript's printer on wasm32: no core float formatter).
//! - [`bench`]: the side-by-side benchmark protocol's training run (shared with the bench page).
//! - `cli` (native only): the `dicelab` command line.
//! - `web` (wasm32 only): the wasm-bindgen surface the page calls; feature `extras` adds the
//!   benchmark runs and `evaluateLoss` beyond the playground.

pub mod bench;
pub mod data;
pub mod gpu;
pub mod loss;
pub mod net;
pub mod num;
pub mod options;
pub mod rng;
pub mod train;

#[cfg(all(not(target_arch = "wasm32"), feature = "cli"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod web;
