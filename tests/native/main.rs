//! Native tests, one binary: the loss engine against an independent f64 reference and finite
//! differences, property tests, and the CLI through real `.npy` files; the scene generator, the
//! net's layers against finite differences, and the training session and its CLI.
#![cfg(not(target_arch = "wasm32"))]
#![allow(missing_docs, clippy::unwrap_used)]

mod cases;
mod cli;
mod data;
mod gradients;
mod net;
mod net_reference;
mod properties;
mod reference;
mod spec_values;
mod train;
mod train_cli;
