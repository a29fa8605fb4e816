//! Idempotent installs of everything the build and tests need on a fresh Debian 12 machine: the
//! wasm32 target, Chromium + ChromeDriver and lavapipe (apt), wasm-bindgen-cli and Trunk (cargo
//! install, pinned), wasm-opt, playwright-core and TensorFlow.js for the benchmark page (npm, pinned
//! in package.json).

use crate::run::{cmd, output, status};

/// Must equal the `wasm-bindgen` version in Cargo.lock.
pub const WASM_BINDGEN: &str = "0.2.130";
/// 0.22 needs a newer rustc than this project's.
pub const TRUNK: &str = "0.21.14";
const APT: &[&str] = &["chromium", "chromium-driver", "mesa-vulkan-drivers"];

/// Everything.
pub fn all() -> Result<(), String> {
    page_tools()?;
    test_tools()
}

/// What `trunk build` needs.
pub fn page_tools() -> Result<(), String> {
    wasm_target()?;
    cargo_tool("wasm-bindgen", "wasm-bindgen-cli", WASM_BINDGEN, false)?;
    cargo_tool("trunk", "trunk", TRUNK, true)?;
    npm_tools()
}

/// What the browser, GPU and generated-code tests need beyond the page tools.
pub fn test_tools() -> Result<(), String> {
    apt_packages()?;
    numpy()
}

/// NumPy runs the page's generated code in a test. A machine without Python skips that test (it
/// says why); one with Python gets NumPy.
fn numpy() -> Result<(), String> {
    if output("python3", &["--version"]).is_none()
        || output("python3", &["-c", "import numpy"]).is_some()
    {
        return Ok(());
    }
    status(cmd(
        "python3",
        &["-m", "pip", "install", "--quiet", "numpy==2.2.6"],
    ))
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    status(cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]))
}

/// `cargo install krate --version v` unless `bin --version` already ends in `v`.
fn cargo_tool(bin: &str, krate: &str, version: &str, locked: bool) -> Result<(), String> {
    let have = output(bin, &["--version"]).unwrap_or_default();
    if have.split_whitespace().last() == Some(version) {
        println!("xtask: {bin} {version} present");
        return Ok(());
    }
    println!("xtask: installing {krate} {version} (takes minutes on a fresh machine)");
    let mut args = vec!["install", krate, "--version", version];
    // wasm-bindgen-cli's lockfile pins a crate version the registry lacks: install it unlocked.
    if locked {
        args.push("--locked");
    }
    status(cmd("cargo", &args))
}

fn npm_tools() -> Result<(), String> {
    let want = "version_132";
    let have = output("wasm-opt", &["--version"]).unwrap_or_default();
    let modules = crate::run::root().join("node_modules");
    // esbuild minifies the page (Trunk hook); playwright-core for the browser tests; TensorFlow.js for bench.html (benchmark only).
    let present = [
        "playwright-core",
        "esbuild",
        "@tensorflow/tfjs-backend-wasm",
    ]
    .iter()
    .all(|p| modules.join(p).join("package.json").exists());
    if have.contains(want) && present {
        return Ok(());
    }
    status(cmd("npm", &["ci", "--no-audit", "--no-fund"]))
}

fn apt_packages() -> Result<(), String> {
    let missing: Vec<&str> = APT
        .iter()
        .copied()
        .filter(|p| {
            output("dpkg-query", &["-W", "-f=${Status}", p])
                .is_none_or(|s| !s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing {}", missing.join(" "));
    status(cmd("apt-get", &["update", "-q"]))?;
    let mut args = vec!["install", "-y", "-q"];
    args.extend(&missing);
    let mut c = cmd("apt-get", &args);
    c.env("DEBIAN_FRONTEND", "noninteractive");
    status(c)
}
