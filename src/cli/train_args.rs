//! The grammar of `dicelab train`, `dicelab experiment` and `dicelab bench train`: data, net and
//! optimiser options, shared by the three. Defaults equal `DataConfig::default()` and
//! `SessionConfig::default()` (a unit test holds them together).

use super::args::{named, Backend, LossOpts};
use crate::data::{Annotation, DataConfig};
use crate::net::{InitKind, OptimConfig, OptimKind};
use crate::train::{Preset, SessionConfig};
use clap::{ArgAction, Args};

/// The loss options a preset replaces (clap ids of `LossOpts`' fields).
const LOSS_ARGS: [&str; 20] = [
    "kind",
    "formula",
    "weights",
    "reduction",
    "per_image",
    "squared",
    "smooth",
    "smooth_nr",
    "smooth_dr",
    "activation",
    "no_background",
    "variant",
    "alpha",
    "beta",
    "gamma",
    "log_loss",
    "eps",
    "focal_activation",
    "lambda_dice",
    "lambda_focal",
];

/// The options a `--runs` configuration carries itself (clap ids of `DataOpts`' and `NetOpts`'
/// fields, and the presets).
const RUN_ARGS: [&str; 16] = [
    "presets",
    "classes",
    "size",
    "imbalance",
    "rare_absent",
    "noise",
    "annotation",
    "polygons",
    "train_images",
    "val_images",
    "batch",
    "width",
    "init",
    "optimizer",
    "lr",
    "momentum",
];

/// Options of the synthetic scenes.
#[derive(Debug, Clone, Args)]
pub struct DataOpts {
    /// Classes (2–8); class 0 is the background.
    #[arg(long, default_value_t = 6)]
    pub classes: usize,
    /// Image height and width (32–128).
    #[arg(long, default_value_t = 48)]
    pub size: usize,
    /// Expected pixel share of class 0 over that of the last class (1–1000).
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    pub imbalance: f64,
    /// Whether the last class is absent from most images.
    #[arg(long, default_value_t = true, action = ArgAction::Set, value_name = "BOOL")]
    pub rare_absent: bool,
    /// Pixel noise standard deviation (0–0.5).
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub noise: f64,
    /// Training labels: every pixel, or a few parallelograms with the rest background or ignored.
    #[arg(long, default_value = "sparse-ignore", value_parser = named::<Annotation>())]
    pub annotation: Annotation,
    /// Parallelograms per image in the sparse modes (1–32).
    #[arg(long, default_value_t = 4)]
    pub polygons: usize,
    /// Training images (1–4096).
    #[arg(long, default_value_t = 32)]
    pub train_images: usize,
    /// Validation images, fully labelled (1–256).
    #[arg(long, default_value_t = 16)]
    pub val_images: usize,
}

impl DataOpts {
    /// The scenes' configuration (validated by the session).
    pub fn config(&self) -> DataConfig {
        DataConfig {
            classes: self.classes,
            size: self.size,
            imbalance: self.imbalance,
            rare_absent: self.rare_absent,
            noise: self.noise,
            annotation: self.annotation,
            polygons: self.polygons,
            train_images: self.train_images,
            val_images: self.val_images,
        }
    }
}

/// Options of the net and the optimiser.
#[derive(Debug, Clone, Args)]
pub struct NetOpts {
    /// Images per step (1–32).
    #[arg(long, default_value_t = 4)]
    pub batch: usize,
    /// Hidden channels of TinySegNet (8, 16 or 32).
    #[arg(long, default_value_t = 16)]
    pub width: usize,
    /// Initial weights: He uniform, or Glorot uniform as in the benchmark protocol.
    #[arg(long, default_value = "he", value_parser = named::<InitKind>())]
    pub init: InitKind,
    /// Optimiser.
    #[arg(long, default_value = "adam", value_parser = named::<OptimKind>())]
    pub optimizer: OptimKind,
    /// Learning rate.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    pub lr: f64,
    /// SGD momentum.
    #[arg(long, default_value_t = 0.9, allow_negative_numbers = true)]
    pub momentum: f64,
}

impl NetOpts {
    /// A session configuration with these net options, `data` and `seed` (loss at its default).
    pub fn session(&self, data: DataConfig, seed: u32) -> SessionConfig {
        SessionConfig {
            seed,
            batch: self.batch,
            width: self.width,
            init: self.init,
            data,
            optim: OptimConfig {
                kind: self.optimizer,
                lr: self.lr,
                momentum: self.momentum,
                ..OptimConfig::default()
            },
            ..SessionConfig::default()
        }
    }
}

/// `dicelab train`.
#[derive(Debug, Args)]
pub struct TrainCmd {
    /// A named loss configuration (instead of the loss options).
    #[arg(long, value_parser = named::<Preset>(), conflicts_with_all = LOSS_ARGS)]
    pub preset: Option<Preset>,
    /// Training steps.
    #[arg(long, default_value_t = 300)]
    pub steps: u64,
    /// Seed of data, weights and batch order.
    #[arg(long, default_value_t = 1)]
    pub seed: u32,
    /// Where the net trains.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub data: DataOpts,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub net: NetOpts,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub loss: LossOpts,
}

/// `dicelab experiment`.
#[derive(Debug, Args)]
pub struct ExperimentCmd {
    /// Seeds per preset (first-seed, first-seed + 1, ...).
    #[arg(long, default_value_t = 5)]
    pub seeds: u32,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    pub first_seed: u32,
    /// Training steps per run.
    #[arg(long, default_value_t = 300)]
    pub steps: u64,
    /// Presets to compare, comma separated (default: all of them).
    #[arg(long, value_delimiter = ',', value_parser = named::<Preset>())]
    pub presets: Vec<Preset>,
    /// Named run configurations to compare instead of the presets: a JSON file (`-`: standard
    /// input) holding `[{"name": "...", "config": <session configuration>}]`, the configuration
    /// as the page sends it to the engine; its seed is replaced by each of the experiment's seeds.
    /// The page's stories are measured this way (`cargo xtask stories`).
    #[arg(long, value_name = "FILE", conflicts_with_all = RUN_ARGS)]
    pub runs: Option<std::path::PathBuf>,
    /// Runs at once (default: the machine's cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub data: DataOpts,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub net: NetOpts,
}

/// `dicelab bench train`.
#[derive(Debug, Args)]
pub struct BenchTrainCmd {
    /// Where the net trains.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// The loss of the timed steps.
    #[arg(long, default_value = "corrected", value_parser = named::<Preset>())]
    pub preset: Preset,
    /// Timed repetitions (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    /// Steps per repetition.
    #[arg(long, default_value_t = 30)]
    pub steps: usize,
    /// Untimed steps first.
    #[arg(long, default_value_t = 5)]
    pub warmup: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        data: DataOpts,
        #[command(flatten)]
        net: NetOpts,
    }

    #[test]
    fn cli_defaults_are_the_library_defaults() {
        let t = T::try_parse_from(["t"]).map_err(|e| e.to_string());
        let t = t.as_ref().map_err(String::as_str);
        let (data, net) = match t {
            Ok(t) => (t.data.config(), t.net.session(t.data.config(), 1)),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(data, DataConfig::default());
        assert_eq!(net, SessionConfig::default());
    }
}
