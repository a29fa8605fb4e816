//! The `dicelab` command line (native only): argument handling, `.npy` I/O and output. The math
//! lives in `loss`; this module only converts and reports.
//!
//! Every user error ends as one line on stderr and exit code 2; nothing a user passes can panic.

mod args;
mod bench;
mod experiment;
mod gpu;
pub mod npy;
mod train;
mod train_args;

pub use args::{
    Backend, BenchCmd, BenchTrainCmd, Cli, Command, DataOpts, ExperimentCmd, LossCmd, LossOpts,
    NetOpts, TrainCmd,
};

use crate::loss::{self, LossReport};
use clap::error::ErrorKind;
use clap::Parser;
use ndarray::Array3;
use serde::Serialize;
use std::process::ExitCode;

/// Exit code for bad input of any kind.
pub const EXIT_USAGE: u8 = 2;

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // Help and version go to stdout and are not errors.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("dicelab: {}", one_line(&e.render().to_string()));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            // One line, whatever a library's message looked like (a .npy parser's spans one).
            eprintln!("dicelab: error: {}", one_line(&msg));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Runs a parsed command; the error is a one-line message for the user.
pub fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Loss(cmd) => run_loss(&cmd),
        Command::Bench(BenchCmd::Loss(cmd)) => bench::run_loss(&cmd),
        Command::Bench(BenchCmd::Train(cmd)) => bench::train::run(&cmd),
        Command::Train(cmd) => train::run(&cmd),
        Command::Experiment(cmd) => experiment::run(&cmd),
    }
}

/// Folds a multi-line message (clap's, a parser's) into one line, without clap's "For more
/// information" hint.
fn one_line(rendered: &str) -> String {
    rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The JSON `dicelab loss` prints.
#[derive(Serialize)]
struct LossOutput<'a> {
    backend: &'static str,
    #[serde(flatten)]
    report: &'a LossReport,
}

fn run_loss(cmd: &LossCmd) -> Result<(), String> {
    let cfg = cmd.opts.config()?;
    let mut gpu = match cmd.backend {
        Backend::Gpu => Some(gpu::engine()?),
        Backend::Cpu => None,
    };
    let logits = npy::read_logits(&cmd.logits)?;
    let labels = npy::read_labels(&cmd.labels)?;
    if labels.shape() != &logits.shape()[..3] {
        return Err(format!(
            "labels {} have shape {:?} but logits {} have shape {:?}: labels must be (B, H, W) of logits (B, H, W, C)",
            cmd.labels.display(),
            labels.shape(),
            cmd.logits.display(),
            logits.shape()
        ));
    }
    let labels = narrow_labels(&labels, logits.shape()[3], cfg.ignore_index)
        .map_err(|e| format!("labels {}: {e}", cmd.labels.display()))?;
    let (report, grad) = match &mut gpu {
        Some(engine) => {
            let want_grad = cmd.grad_out.is_some();
            gpu::loss_and_grad(engine, &cfg, logits.view(), labels.view(), want_grad)?
        }
        None => loss::loss_and_grad(&cfg, logits.view(), labels.view())
            .map(|(r, g)| (r, Some(g)))
            .map_err(|e| e.to_string())?,
    };
    if let (Some(path), Some(grad)) = (&cmd.grad_out, &grad) {
        ndarray_npy::write_npy(path, grad)
            .map_err(|e| format!("cannot write gradient to {}: {e}", path.display()))?;
    }
    let out = LossOutput {
        backend: if gpu.is_some() { "gpu" } else { "cpu" },
        report: &report,
    };
    let json = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

/// Checks every label is a class in `0..classes` or the ignore index, and narrows to i32.
fn narrow_labels(labels: &Array3<i64>, classes: usize, ignore: i32) -> Result<Array3<i32>, String> {
    let mut out = Array3::<i32>::zeros(labels.raw_dim());
    for ((idx, &v), o) in labels.indexed_iter().zip(out.iter_mut()) {
        *o = match i32::try_from(v) {
            Ok(x) if x == ignore || usize::try_from(x).is_ok_and(|y| y < classes) => x,
            _ => {
                return Err(format!(
                    "label {v} at (b={}, h={}, w={}) is outside 0..{} and is not the ignore index {ignore}",
                    idx.0,
                    idx.1,
                    idx.2,
                    classes.saturating_sub(1)
                ))
            }
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_fold_to_one_line() {
        let e = Cli::try_parse_from([
            "dicelab", "loss", "--logits", "a", "--labels", "b", "--loss", "nope",
        ]);
        let msg = one_line(&e.err().map(|e| e.render().to_string()).unwrap_or_default());
        assert!(!msg.contains('\n'));
        assert!(msg.contains("nope") && msg.contains("dice+ce"), "{msg}");
    }

    #[test]
    fn labels_are_checked_and_narrowed() {
        let y = Array3::from_shape_vec((1, 1, 3), vec![0i64, 255, 2]).unwrap_or_default();
        assert_eq!(
            narrow_labels(&y, 3, 255).map(|a| a.into_raw_vec_and_offset().0),
            Ok(vec![0, 255, 2])
        );
        assert!(narrow_labels(&y, 2, 255).is_err_and(|e| e.contains("label 2")));
        let neg = Array3::from_shape_vec((1, 1, 1), vec![-1i64]).unwrap_or_default();
        assert!(narrow_labels(&neg, 2, 255).is_err());
        assert!(narrow_labels(&neg, 2, -1).is_ok());
    }
}
