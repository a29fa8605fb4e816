//! `cargo xtask soak [--steps N] [--backend cpu|gpu|all]`: builds the release page when dist/ is
//! missing or older than its sources, then runs `tests/soak/soak.mjs` (the long runs in headless
//! Chromium, its table and `target/soak/soak.json`); fails when a run breaks a bound. The short
//! version of the same harness runs in `cargo xtask test` (tests/e2e/soak.test.mjs).

use crate::run::{cmd, root, status};
use crate::setup;
use std::path::Path;
use std::time::SystemTime;

/// The newest modification time under `path` (a file or a directory tree).
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| newest(&e.path()))
        .max()
}

/// Whether dist/ must be (re)built: a build missing (each of the three wasm builds counts), or one
/// older than anything the page is built from.
fn page_stale() -> bool {
    let root = root();
    let builds = ["", "cpu/", "bench/"].map(|d| {
        std::fs::metadata(root.join(format!("dist/{d}dicelab_bg.wasm"))).and_then(|m| m.modified())
    });
    let Some(built) = builds
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .ok()
        .and_then(|times| times.into_iter().min())
    else {
        return true;
    };
    [
        "src",
        "www",
        "tools",
        "build.rs",
        "index.html",
        "embed.html",
        "Cargo.toml",
        "Cargo.lock",
        "Trunk.toml",
    ]
    .iter()
    .filter_map(|p| newest(&root.join(p)))
    .any(|t| t > built)
}

/// Checks the arguments (the runner checks them again), builds the page if needed, soaks.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--steps" | "--backend" => {
                it.next()
                    .ok_or_else(|| format!("soak: {flag} needs a value"))?;
            }
            other => return Err(format!("soak: unknown argument '{other}'")),
        }
    }
    setup::all()?;
    if page_stale() {
        status(cmd("trunk", &["build", "--release", "--offline"]))?;
    } else {
        println!("xtask: dist/ is up to date");
    }
    let mut node = vec!["tests/soak/soak.mjs"];
    node.extend(args.iter().map(String::as_str));
    status(cmd("node", &node))
}
