//! `cargo xtask bench`: every benchmark in one run, written to `BENCHMARKS.md` and
//! `target/bench/bench.json`.
//!
//! Order: the release page (Trunk) and the release CLI are built first, so that no build competes
//! with a measurement. Then, each writing JSON under `target/bench/`: `dicelab bench train` (the
//! protocol's TinySegNet natively, Dice and CE), `bench/numpy_loss.py` (`dicelab bench loss` and
//! the same loss in NumPy, alternated in one process), `bench/browser.mjs` (bench.html in headless
//! Chromium: dicelab, on the CPU and on WebGPU, against TensorFlow.js, with and without WebGPU),
//! and finally `bench/report.mjs`, which reads them all, measures the playground bundle and writes
//! the report. The benchmarks print figures and assert nothing, so `cargo xtask test` never runs
//! them.

use crate::run::{cmd, output, root, status};
use crate::setup;
use std::path::Path;
use std::process::Command;

/// Runs `c` and writes its stdout to `file` (its stderr passes through).
fn capture(mut c: Command, file: &Path) -> Result<(), String> {
    let shown = format!("{c:?}").replace('"', "");
    println!("\n==> {shown} > {}", file.display());
    let out = c
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!("failed ({}): {shown}", out.status));
    }
    std::fs::write(file, &out.stdout).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// The NumPy comparison, or a JSON note of why it was skipped.
fn numpy_loss(cli: &Path, file: &Path) -> Result<(), String> {
    if output("python3", &["-c", "import numpy"]).is_none() {
        let note = r#"{"skipped": "python3 with NumPy is not installed"}"#;
        println!("xtask: NumPy comparison skipped: python3 with NumPy is not installed");
        return std::fs::write(file, note).map_err(|e| e.to_string());
    }
    let cli = cli.display().to_string();
    capture(cmd("python3", &["bench/numpy_loss.py", &cli]), file)
}

/// Builds, measures, reports.
pub fn all() -> Result<(), String> {
    setup::all()?;
    status(cmd("trunk", &["build", "--release", "--offline"]))?;
    status(cmd("cargo", &["build", "--release", "--bin", "dicelab"]))?;
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let cli = root().join("target/release/dicelab");
    let cli_str = cli.display().to_string();
    for (preset, file) in [
        ("corrected", "train-dice.json"),
        ("cross-entropy", "train-ce.json"),
    ] {
        let c = cmd(&cli_str, &["bench", "train", "--json", "--preset", preset]);
        capture(c, &out.join(file))?;
    }
    numpy_loss(&cli, &out.join("loss.json"))?;
    let browser = out.join("browser.json").display().to_string();
    status(cmd("node", &["bench/browser.mjs", &browser]))?;
    status(cmd(
        "node",
        &["bench/report.mjs", &out.display().to_string()],
    ))?;
    println!("\nxtask: wrote BENCHMARKS.md and target/bench/bench.json");
    Ok(())
}
