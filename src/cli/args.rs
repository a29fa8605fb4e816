//! The command line's grammar (clap derive). Option names and values are a public contract:
//! users and tests script against them.

use crate::loss::{
    Activation, Aggregation, Formula, LossConfig, LossKind, Named, Reduction, Weights,
};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub use super::train_args::{BenchTrainCmd, DataOpts, ExperimentCmd, NetOpts, TrainCmd};

/// Dice and Generalized Dice losses for semantic segmentation, exactly.
#[derive(Debug, Parser)]
#[command(name = "dicelab", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Loss and gradient of logits (.npy) against labels (.npy), printed as JSON.
    Loss(LossCmd),
    /// Throughput benchmarks.
    #[command(subcommand)]
    Bench(BenchCmd),
    /// Trains TinySegNet on synthetic scenes and prints the per-class validation table.
    Train(TrainCmd),
    /// Every preset × several seeds on sparse data: mIoU per preset and classes never predicted.
    Experiment(ExperimentCmd),
}

/// Where the math runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The f64 reference engine.
    Cpu,
    /// WGSL compute shaders through wgpu.
    Gpu,
}

/// `dicelab loss`.
#[derive(Debug, Args)]
pub struct LossCmd {
    /// Logits, float32 or float64, shape (B, H, W, C).
    #[arg(long, value_name = "L.npy")]
    pub logits: PathBuf,
    /// Labels, any integer type, shape (B, H, W).
    #[arg(long, value_name = "Y.npy")]
    pub labels: PathBuf,
    /// Also write the gradient with respect to the logits, float32, the logits' shape.
    #[arg(long, value_name = "G.npy")]
    pub grad_out: Option<PathBuf>,
    /// Where the math runs.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub opts: LossOpts,
}

/// `dicelab bench ...`.
#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Loss + gradient throughput beside a plain copy of the same bytes.
    Loss(BenchLossCmd),
    /// TinySegNet training steps per second (B=4 48×48 and B=8 64×64, C=6).
    Train(BenchTrainCmd),
}

/// `dicelab bench loss`.
#[derive(Debug, Args)]
pub struct BenchLossCmd {
    /// Where the math runs.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Images per batch.
    #[arg(long, default_value_t = 8)]
    pub batch: usize,
    /// Image height and width.
    #[arg(long, default_value_t = 256)]
    pub size: usize,
    /// Classes.
    #[arg(long, default_value_t = 6)]
    pub classes: usize,
    /// Timed runs (the median is reported).
    #[arg(long, default_value_t = 9)]
    pub runs: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub opts: LossOpts,
}

/// A parser for a `Named` option enum, listing its values in `--help` and in errors.
pub(super) fn named<T: Named + Send + Sync + Clone>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(T::names()).try_map(|s| T::from_name(&s))
}

/// The loss options shared by every subcommand that evaluates a loss.
#[derive(Debug, Clone, Args)]
pub struct LossOpts {
    /// Loss kind.
    #[arg(long = "loss", default_value = "dice", value_parser = named::<LossKind>())]
    pub kind: LossKind,
    /// Where the smoothing sits: seed = 1 − 2(I+s)/(R+P+s), corrected = 1 − (2I+s)/(R+P+s).
    #[arg(long, default_value = "corrected", value_parser = named::<Formula>())]
    pub formula: Formula,
    /// Generalized Dice class weights: 1/R², 1/R or 1.
    #[arg(long, default_value = "square", value_parser = named::<Weights>())]
    pub weights: Weights,
    /// Sum or mean of the terms.
    #[arg(long, default_value = "mean", value_parser = named::<Reduction>())]
    pub reduction: Reduction,
    /// One set of sums per image (default: one over the whole batch).
    #[arg(long)]
    pub per_image: bool,
    /// Squared denominator Σp² (V-Net).
    #[arg(long)]
    pub squared: bool,
    /// Smoothing of numerator and denominator.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub smooth: f64,
    /// Numerator smoothing (overrides --smooth).
    #[arg(long, allow_negative_numbers = true)]
    pub smooth_nr: Option<f64>,
    /// Denominator smoothing (overrides --smooth).
    #[arg(long, allow_negative_numbers = true)]
    pub smooth_dr: Option<f64>,
    /// Activation over the channels.
    #[arg(long, default_value = "softmax", value_parser = named::<Activation>())]
    pub activation: Activation,
    /// Label value of unlabelled pixels.
    #[arg(long, default_value_t = 255, allow_negative_numbers = true)]
    pub ignore_index: i32,
    /// Leave class 0 out of the loss terms.
    #[arg(long)]
    pub no_background: bool,
}

impl LossOpts {
    /// The validated configuration these options describe.
    pub fn config(&self) -> Result<LossConfig, String> {
        let cfg = LossConfig {
            kind: self.kind,
            formula: self.formula,
            weights: self.weights,
            reduction: self.reduction,
            aggregation: if self.per_image {
                Aggregation::PerImage
            } else {
                Aggregation::Global
            },
            squared: self.squared,
            smooth_nr: self.smooth_nr.unwrap_or(self.smooth),
            smooth_dr: self.smooth_dr.unwrap_or(self.smooth),
            activation: self.activation,
            ignore_index: self.ignore_index,
            include_background: !self.no_background,
        };
        cfg.validate().map_err(|e| e.to_string())?;
        Ok(cfg)
    }
}
