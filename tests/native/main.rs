//! Native tests, one binary: the loss engine against an independent f64 reference and finite
//! differences, property tests, and the CLI through real `.npy` files.
#![cfg(not(target_arch = "wasm32"))]
#![allow(missing_docs, clippy::unwrap_used)]

mod cases;
mod cli;
mod gradients;
mod properties;
mod reference;
mod spec_values;
