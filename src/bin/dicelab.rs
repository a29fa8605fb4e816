//! The `dicelab` command line: a thin entry point over `dicelab::cli`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    dicelab::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
