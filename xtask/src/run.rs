//! Running commands: echo each one, fail with its name when it fails, and put the project's tools
//! (`~/.cargo/bin`, `node_modules/.bin`) first on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// PATH with the cargo bin directory and the npm tools in front.
pub fn path_env() -> String {
    let mut dirs = vec![root().join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo").into_os_string()))
    {
        dirs.push(PathBuf::from(home).join("bin"));
    }
    let old = std::env::var("PATH").unwrap_or_default();
    let mut parts: Vec<String> = dirs
        .iter()
        .map(|d| d.display().to_string())
        .filter(|d| !old.split(':').any(|p| p == d))
        .collect();
    parts.push(old);
    parts.join(":")
}

/// A command rooted at the workspace, with the tool PATH.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root()).env("PATH", path_env());
    c
}

/// Runs `c`, echoing it; an error names the command and its status.
pub fn status(mut c: Command) -> Result<(), String> {
    let shown = format!("{c:?}").replace('"', "");
    println!("\n==> {shown}");
    let st = c
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("failed ({st}): {shown}"))
    }
}

/// Runs `program args` and returns its trimmed stdout, or `None` if it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program, args).stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
