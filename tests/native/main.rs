//! Native tests, one binary: the loss engine against an independent f64 reference and finite
//! differences, property tests, the CLI through real `.npy` files, and the GPU engine against the CPU
//! engine (skipped, with the reason printed, where no adapter exists).
#![cfg(not(target_arch = "wasm32"))]
#![allow(missing_docs, clippy::unwrap_used)]

mod cases;
mod cli;
mod gpu;
mod gpu_cli;
mod gradients;
mod gtrain;
mod properties;
mod reference;
mod spec_values;
