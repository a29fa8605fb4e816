//! The command line's grammar (clap derive). Option names and values are a public contract:
//! users and tests script against them.

use crate::loss::{
    Activation, Aggregation, Formula, LossConfig, LossKind, Named, Reduction, Variant, Weights,
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
    /// The CPU: the loss in the f64 reference engine; training in f32 kernels (its loss in
    /// `loss::fast`, held to the reference).
    Cpu,
    /// WGSL compute shaders through wgpu.
    Gpu,
}

/// The library calls each variant equals (docs/losses.md 2.11), for `dicelab loss --help`. Labels
/// use 255 for unlabelled pixels (the libraries' `ignore_index=255`); MONAI takes them (B, 1, H, W).
const LIBRARY_CALLS: &str = "\
Library calls and the options that equal them (docs/losses.md 2.11; ignore_index=255 throughout):
  smp.losses.JaccardLoss(\"multiclass\", smooth=s)
      --loss jaccard --variant smp --smooth s     (log_loss=True: --log-loss)
  monai.losses.DiceLoss(softmax=True, to_onehot_y=True, jaccard=True, smooth_nr=a, smooth_dr=b)
      --loss jaccard --variant monai --smooth-nr a --smooth-dr b --per-image
      (batch=True: drop --per-image; reduction=\"sum\": --reduction sum; squared_pred=True: --squared)
  smp.losses.TverskyLoss(\"multiclass\", alpha=0.3, beta=0.7, gamma=1.0, smooth=s)
      --loss tversky --variant smp --alpha 0.3 --beta 0.7 --smooth s
  monai.losses.TverskyLoss(softmax=True, to_onehot_y=True, alpha=0.3, beta=0.7,
                           smooth_nr=a, smooth_dr=b)
      --loss tversky --variant monai --alpha 0.3 --beta 0.7 --smooth-nr a --smooth-dr b --per-image
  smp.losses.TverskyLoss(\"multiclass\", alpha=0.3, beta=0.7, gamma=g, smooth=s)
      --loss focal-tversky --variant smp --alpha 0.3 --beta 0.7 --gamma g --smooth s
  Abraham & Khan's focal Tversky (their alpha=0.7 on false negatives, gamma=4/3), no library twin
      --loss focal-tversky --variant paper --alpha 0.3 --beta 0.7 --gamma 1.3333333333333333
  smp.losses.DiceLoss(\"multiclass\", smooth=s)   (log_loss=True: add --log-loss)
      --loss dice --variant smp --smooth s
  smp.losses.FocalLoss(\"multiclass\", gamma=g, alpha=a)   (alpha=None: omit --alpha)
      --loss focal --variant smp --gamma g --alpha a
  monai.losses.FocalLoss(to_onehot_y=True, gamma=g, alpha=a)
      --loss focal --variant monai --gamma g --alpha a
      (use_softmax=True: --focal-activation softmax)
  smp.losses.LovaszLoss(\"multiclass\", per_image=False)   (per_image=True: --per-image)
      --loss lovasz
  monai.losses.DiceFocalLoss(softmax=True, to_onehot_y=True, gamma=g, smooth_nr=a, smooth_dr=b,
                             lambda_dice=x, lambda_focal=w)   (labels without 255)
      --loss dice+focal --variant monai --gamma g --smooth-nr a --smooth-dr b
      --lambda-dice x --lambda-focal w --per-image
  smp DiceLoss(\"multiclass\", smooth=s) + FocalLoss(\"multiclass\", gamma=g)
      --loss dice+focal --variant smp --smooth s --gamma g
Not on the GPU yet: every loss above (--backend gpu refuses them).";

/// `dicelab loss`.
#[derive(Debug, Args)]
#[command(after_long_help = LIBRARY_CALLS)]
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
    /// Whose version of a Part 2 loss [default: monai; smp for focal-tversky, lovasz, focal]
    /// (the library calls are listed at the end of --help).
    #[arg(long, value_parser = named::<Variant>())]
    pub variant: Option<Variant>,
    /// Tversky: weight of the false positives [default: 0.5]; focal: weight of the positive
    /// class, in [0, 1] [default: unweighted].
    #[arg(long, allow_negative_numbers = true)]
    pub alpha: Option<f64>,
    /// Tversky: weight of the false negatives.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub beta: f64,
    /// Focal exponent [default: focal, dice+focal 2; focal-tversky 0.75 (smp), 4/3 (paper)].
    #[arg(long, allow_negative_numbers = true)]
    pub gamma: Option<f64>,
    /// −ln max(S, eps) instead of 1 − S (SMP's log_loss): dice, jaccard, tversky,
    /// focal-tversky smp.
    #[arg(long)]
    pub log_loss: bool,
    /// SMP's clamp of the Tversky denominator and of the --log-loss argument.
    #[arg(long, default_value_t = 1e-7, allow_negative_numbers = true)]
    pub eps: f64,
    /// The focal loss's activation (softmax needs the background class).
    #[arg(long, default_value = "sigmoid", value_parser = named::<Activation>())]
    pub focal_activation: Activation,
    /// dice+focal: weight of the Dice term.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub lambda_dice: f64,
    /// dice+focal: weight of the focal term.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub lambda_focal: f64,
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
            variant: self.variant,
            alpha: self.alpha,
            beta: self.beta,
            gamma: self.gamma,
            log_loss: self.log_loss,
            eps: self.eps,
            focal_activation: self.focal_activation,
            lambda_dice: self.lambda_dice,
            lambda_focal: self.lambda_focal,
        };
        cfg.validate().map_err(|e| e.to_string())?;
        Ok(cfg)
    }
}
