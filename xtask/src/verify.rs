//! `cargo xtask verify-exports`: the page's exported loss code (NumPy, a PyTorch `nn.Module`, a
//! Keras 3 loss on the TensorFlow, JAX and PyTorch backends) run in the real frameworks against
//! `dicelab loss`, by `tools/verify_exports.py`.
//!
//! It creates a virtual environment in `target/verify-venv` and installs the pinned frameworks of
//! `tools/verify_exports/requirements.txt`, then PyTorch (`requirements-torch.txt`) on its own:
//! where PyTorch cannot be installed, the rest is still checked and the summary says what was not.
//! The installs are large (~7 GB with PyTorch's CUDA libraries), so `cargo xtask test` does not
//! run this. The CLI is `$DICELAB_BIN`, else `target/release/dicelab` (built beforehand).

use crate::run::{cmd, root, status};
use std::path::PathBuf;

/// Sets up the environment, then verifies; fails when any check fails or any form went unchecked.
pub fn run() -> Result<(), String> {
    let cli = std::env::var_os("DICELAB_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/release/dicelab"));
    if !cli.is_file() {
        return Err(format!(
            "no dicelab binary at {} (cargo build --release, or set DICELAB_BIN)",
            cli.display()
        ));
    }
    let venv = root().join("target/verify-venv");
    let python = venv.join("bin/python");
    let python = python.to_str().ok_or("the workspace path is not UTF-8")?;
    if !venv.join("bin/python").is_file() {
        let dir = venv.to_str().ok_or("the workspace path is not UTF-8")?;
        status(cmd("python3", &["-m", "venv", dir]))?;
    }
    // pip leaves what is already installed at the pinned version alone: a second run is quick.
    let pip = |file: &str| {
        let req = format!("tools/verify_exports/{file}");
        status(cmd(
            python,
            &["-m", "pip", "install", "--quiet", "-r", &req],
        ))
    };
    pip("requirements.txt")?;
    if let Err(e) = pip("requirements-torch.txt") {
        eprintln!("xtask: PyTorch did not install ({e}); its forms will be reported unchecked");
    }
    let cli = cli.to_str().ok_or("the dicelab path is not UTF-8")?;
    status(cmd(python, &["tools/verify_exports.py", "--cli", cli]))
}
