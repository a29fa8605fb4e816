//! Native tests, one binary: the loss engine against an independent f64 reference and finite
//! differences, property tests, the CLI through real `.npy` files, and the GPU engine against the CPU
//! engine (skipped, with the reason printed, where no adapter exists); the scene generator, the
//! net's layers against finite differences, and the training session and its CLI.
#![cfg(not(target_arch = "wasm32"))]
#![allow(missing_docs, clippy::unwrap_used)]

mod bench;
mod cases;
mod cli;
mod compare;
mod data;
mod dual;
mod fast;
mod fuzz;
mod generated;
mod gheat;
mod gpu;
mod gpu_cli;
mod gradients;
mod gtrain;
mod net;
mod net_reference;
mod numerics;
mod own;
mod part2;
mod part2_cli;
mod part2_gpu;
mod part2_props;
mod part2_values;
mod properties;
mod reference;
mod reference_extra;
mod spec_values;
mod suite;
mod train;
mod train_cli;
