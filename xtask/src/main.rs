//! `cargo xtask`: the project's two everyday commands and their helpers.
//!
//! - `cargo xtask serve`: install what the page build needs, build it, serve it on localhost.
//! - `cargo xtask test`: install what the tests need, then run every check CI runs.
//! - `cargo xtask bench`: every benchmark (native, NumPy, the browser against TensorFlow.js), written
//!   to BENCHMARKS.md and target/bench/bench.json.
//! - `cargo xtask soak [--steps N] [--backend cpu|gpu|all]`: long training runs of the page in
//!   headless Chromium; fails if the heap, the wasm memory or the GPU buffers grow, or steps/s
//!   decays. Writes target/soak/soak.json.
//! - `cargo xtask stories`: measures the page's stories with the release CLI (`dicelab experiment
//!   --runs`, 5 seeds) and writes www/story_figures.js, which their texts quote.
//! - `cargo xtask verify-exports`: the page's exported NumPy, PyTorch and Keras code run in those
//!   frameworks against `dicelab loss` (a virtual environment in target/verify-venv, ~7 GB).
//! - `cargo xtask codegen`: rewrites the files generated from the option schema (www/schema.js,
//!   src/web/convert/fields.rs); the native tests fail while they are stale.
//! - `cargo xtask setup`: only the installs.
//!
//! Every install is skipped when the right version is already present, so a second run is fast.
//! Standard library only: this crate compiles in seconds on a fresh machine.

mod bench;
mod run;
mod setup;
mod soak;
mod tasks;
mod verify;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <serve|test|bench|soak|stories|verify-exports|codegen|setup>
  serve   build the page (release) and serve it on http://127.0.0.1:8080
  test    fmt, clippy (native + wasm32), native tests, browser tests, release page build
  bench   benchmarks against NumPy and TensorFlow.js; writes BENCHMARKS.md (~10 min)
  soak    [--steps N] [--backend cpu|gpu|all] long runs of the page: heap, wasm memory and GPU
          buffers stay flat, steps/s does not decay; writes target/soak/soak.json (~45 min)
  stories measure the page's stories over 5 seeds; writes www/story_figures.js (~4 min)
  verify-exports  the page's exported loss code in NumPy, PyTorch and Keras (TensorFlow, JAX,
          torch backends) against `dicelab loss` (DICELAB_BIN or target/release/dicelab; ~3 min
          once installed, ~7 GB of downloads the first time)
  codegen rewrite the files generated from src/options/schema.rs (www/schema.js, the web
          layer's field lists)
  setup   install the tools the other commands need (skips what is present)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => tasks::serve(),
        Some("test") => tasks::test(),
        Some("bench") => bench::all(),
        Some("soak") => soak::run(&args[1..]),
        Some("stories") => tasks::stories(),
        Some("verify-exports") => verify::run(),
        Some("codegen") => tasks::codegen(),
        Some("setup") => setup::all(),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
