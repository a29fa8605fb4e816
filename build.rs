//! Build script: copies the WGSL kernels into `OUT_DIR` without comments and indentation, for
//! `src/gpu/shaders.rs` to embed. The comments document the kernels in the source tree; the page's
//! wasm need not carry them (about half the WGSL bytes). WGSL has no string literals, so every `//`
//! starts a comment. It also writes `shared.wgsl`: the constants of `src/gpu/shared.rs` (the
//! same file the crate includes as Rust constants) as WGSL `const`s.

use std::{env, fs, path::PathBuf};

/// Each entry as the line `const NAME: u32 = value;`, its value computed here.
macro_rules! shared {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {{
        let mut wgsl = String::new();
        $(
            const $name: u32 = $value;
            wgsl.push_str(&format!("const {}: u32 = {}u;\n", stringify!($name), $name));
        )*
        wgsl
    }};
}

fn main() {
    let src = PathBuf::from("src/gpu/shaders");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=src/gpu/shared.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let shared: String = include!("src/gpu/shared.rs");
    fs::write(out.join("shared.wgsl"), shared).expect("OUT_DIR is writable");
    let entries = fs::read_dir(&src).expect("src/gpu/shaders is readable");
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "wgsl") {
            let text = fs::read_to_string(&path).expect("WGSL is UTF-8 text");
            let name = path.file_name().expect("a file name");
            fs::write(out.join(name), minify(&text)).expect("OUT_DIR is writable");
        }
    }
}

/// The source without `//` comments, leading or trailing blanks, or empty lines.
fn minify(wgsl: &str) -> String {
    let mut out = String::with_capacity(wgsl.len() / 2);
    for line in wgsl.lines() {
        let code = line.split("//").next().unwrap_or("").trim();
        if !code.is_empty() {
            out.push_str(code);
            out.push('\n');
        }
    }
    out
}
