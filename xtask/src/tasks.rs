//! The `test` and `serve` tasks. `test` runs, in order: fmt, clippy natively and for wasm32, the
//! native tests, the browser tests (wasm-bindgen-test), the release page build, and the end-to-end
//! tests of that build (node's test runner driving Chromium through playwright-core).

use crate::run::{cmd, root, status};
use crate::setup;
use std::process::Command;

const WASM: &str = "wasm32-unknown-unknown";

/// A cargo command with the environment every task wants: warnings are errors in CI, and a private
/// runtime dir keeps lavapipe from warning.
fn cargo(args: &[&str]) -> Command {
    let mut c = cmd("cargo", args);
    let runtime = std::env::temp_dir().join("dicelab-xdg-runtime");
    if std::fs::create_dir_all(&runtime).is_ok() {
        set_private(&runtime);
        c.env("XDG_RUNTIME_DIR", &runtime);
    }
    c
}

#[cfg(unix)]
fn set_private(dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
}

#[cfg(not(unix))]
fn set_private(_: &std::path::Path) {}

/// wasm-bindgen-test in headless Chromium, with the browser flags of `tests/webdriver/<config>`,
/// built with `features` (see ARCHITECTURE.md, "The three wasm builds"). `expect` names the backend a GPU test must see (`gpu` with WebGPU on, `cpu` without), read at
/// build time, so that a run meant for WebGPU cannot pass on the fallback.
fn browser_tests(
    test: &str,
    features: &str,
    config: &str,
    expect: Option<&str>,
) -> Result<(), String> {
    let features = format!("--features={features}");
    let mut c = cargo(&[
        "test",
        "--target",
        WASM,
        "--no-default-features",
        &features,
        "--test",
        test,
    ]);
    c.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env(
        "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
        root().join("tests/webdriver").join(config),
    )
    .env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    if let Some(backend) = expect {
        c.env("DICELAB_WEB_BACKEND", backend);
    }
    status(c)
}

/// Release build of the page with Trunk, offline.
fn trunk_build() -> Result<(), String> {
    status(cmd("trunk", &["build", "--release", "--offline"]))
}

/// Every check CI runs.
pub fn test() -> Result<(), String> {
    setup::all()?;
    status(cargo(&["fmt", "--all", "--", "--check"]))?;
    status(cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The page's three wasm builds: CPU only, WebGPU (the library alone: no test needs just
    // `gpu`), and bench (`extras`, which the browser tests use).
    for features in [
        "--all-targets",
        "--lib --features=gpu",
        "--all-targets --features=extras",
    ] {
        let mut args = vec!["clippy", "--no-default-features", "--target", WASM];
        args.extend(features.split(' '));
        args.extend(["--", "-D", "warnings"]);
        status(cargo(&args))?;
    }
    // The kernels' wasm32 lanes (v128), plain and in the relaxed-SIMD build's form (its own target
    // directory: the target feature changes every crate's artifacts).
    let kernels = [
        "clippy",
        "-p",
        "dicelab-kernels",
        "--target",
        WASM,
        "--",
        "-D",
        "warnings",
    ];
    status(cargo(&kernels))?;
    let mut relaxed = cargo(&kernels);
    let fma_dir = root().join("target/fma");
    relaxed.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
        "-C target-feature=+simd128,+relaxed-simd",
    );
    relaxed.env("CARGO_TARGET_DIR", &fma_dir);
    status(relaxed)?;
    // One test at a time: the GPU tests share a software device, and two of them destroy theirs on
    // purpose; side by side they made others fall back to the CPU now and then.
    let mut native = cargo(&["test", "--workspace", "--", "--test-threads=1"]);
    // Setup installed lavapipe: a GPU test that finds no adapter is a failure here, not a skip.
    native.env("DICELAB_REQUIRE_GPU", "1");
    // CI runs fewer property cases than a developer's default, still thousands in all.
    if std::env::var_os("PROPTEST_CASES").is_none() {
        native.env("PROPTEST_CASES", "1000");
    }
    status(native)?;
    browser_tests("web", "extras", "nowebgpu.json", None)?;
    browser_tests("web_convert", "extras", "nowebgpu.json", None)?;
    // The CPU-only build, as the page loads it where WebGPU is missing.
    browser_tests("web_train", "", "nowebgpu.json", Some("cpu"))?;
    browser_tests("web_train", "", "webgpu.json", Some("gpu"))?;
    browser_tests("web_gpu", "extras", "webgpu.json", Some("gpu"))?;
    browser_tests("web_gpu", "extras", "nowebgpu.json", Some("cpu"))?;
    browser_tests("web_gtrain", "extras", "webgpu.json", Some("gpu"))?;
    browser_tests("web_gtrain", "extras", "nowebgpu.json", Some("cpu"))?;
    trunk_build()?;
    // Node's test runner: the generated code against the CLI built above, the URL state, then the
    // page end to end.
    let mut node = cmd(
        "node",
        &["--test", "--test-concurrency=1", "tests/js/", "tests/e2e/"],
    );
    node.env("DICELAB_BIN", root().join("target/debug/dicelab"));
    status(node)?;
    println!("\nxtask: all checks passed");
    Ok(())
}

/// Measures every story of www/stories.js with the release CLI and writes www/story_figures.js.
pub fn stories() -> Result<(), String> {
    status(cargo(&["build", "--release", "--bin", "dicelab"]))?;
    status(cmd("node", &["tools/stories.mjs"]))
}

/// Rewrites the files generated from the option schema: the native test that checks them, told to
/// write them instead.
pub fn codegen() -> Result<(), String> {
    let mut c = cargo(&["test", "--test", "native", "generated_files_are_fresh"]);
    c.env("DICELAB_UPDATE_GENERATED", "1");
    status(c)
}

/// Builds the page and serves it on localhost until interrupted.
pub fn serve() -> Result<(), String> {
    setup::page_tools()?;
    println!("xtask: serving the playground at http://127.0.0.1:8080/ (Ctrl-C stops)");
    status(cmd("trunk", &["serve", "--release", "--offline"]))
}
