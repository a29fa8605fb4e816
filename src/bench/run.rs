//! `ProtocolRun`: the protocol's network, data, optimiser and loss, stepping on the CPU backend.

use crate::data::protocol_batch;
use crate::loss::{Formula, LossConfig, LossKind, Reduction};
use crate::net::{Dims, InitKind, NetSpec, OptimConfig};
use crate::train::{CpuBackend, TrainBackend, TrainError};

/// Classes of the protocol's labels and logits.
pub const CLASSES: usize = 6;
/// Width of the hidden layers.
const WIDTH: usize = 16;
/// Seed of the data stream.
pub const DATA_SEED: u32 = 42;
/// Seed of the weight stream.
pub const WEIGHT_SEED: u32 = 1234;

/// The protocol's first-step losses: (batch, size, Dice, CE).
pub const CHECK_VALUES: [(usize, usize, f64, f64); 2] =
    [(4, 48, 0.833099, 1.79388), (8, 64, 0.833398, 1.79459)];

/// The protocol's two losses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolLoss {
    /// Soft Dice on softmax, corrected smoothing 1, global, mean over classes.
    Dice,
    /// Mean softmax cross-entropy.
    Ce,
}

impl ProtocolLoss {
    /// `dice` or `ce`.
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "dice" => Ok(Self::Dice),
            "ce" => Ok(Self::Ce),
            other => Err(format!("protocol loss must be dice or ce, got {other:?}")),
        }
    }

    /// The engine's configuration of this loss.
    pub fn config(self) -> LossConfig {
        let dice = LossConfig {
            kind: LossKind::Dice,
            formula: Formula::Corrected,
            reduction: Reduction::Mean,
            ..LossConfig::default()
        };
        match self {
            Self::Dice => dice,
            Self::Ce => LossConfig {
                kind: LossKind::Ce,
                ..dice
            },
        }
    }
}

/// The protocol's first-step value of `loss` at `batch` × `size`², if the protocol lists that shape.
pub fn check_value(batch: usize, size: usize, loss: ProtocolLoss) -> Option<f64> {
    CHECK_VALUES
        .iter()
        .find(|c| c.0 == batch && c.1 == size)
        .map(|c| match loss {
            ProtocolLoss::Dice => c.2,
            ProtocolLoss::Ce => c.3,
        })
}

/// One protocol training run: the same batch every step.
#[derive(Debug, Clone)]
pub struct ProtocolRun {
    backend: CpuBackend,
    images: Vec<f32>,
    labels: Vec<i32>,
    batch: usize,
    loss: LossConfig,
}

impl ProtocolRun {
    /// A fresh run of `batch` images of `size × size` with `loss`.
    pub fn new(batch: usize, size: usize, loss: ProtocolLoss) -> Result<Self, String> {
        if batch == 0 || size == 0 || batch.saturating_mul(size).saturating_mul(size) > 1 << 22 {
            return Err(format!(
                "batch {batch} of {size}×{size} is outside the benchmark's range"
            ));
        }
        let spec = NetSpec::new(WIDTH, CLASSES).map_err(|e| e.to_string())?;
        let dims = Dims {
            batch,
            height: size,
            width: size,
        };
        let backend = CpuBackend::new(
            spec,
            dims,
            InitKind::Glorot,
            WEIGHT_SEED,
            OptimConfig::default(),
        );
        let (images, labels) = protocol_batch(DATA_SEED, batch, size, size, CLASSES);
        Ok(Self {
            backend,
            images,
            labels,
            batch,
            loss: loss.config(),
        })
    }

    /// One step (forward, loss, backward, Adam); returns the loss before the update.
    pub fn step(&mut self) -> Result<f64, TrainError> {
        let report = self
            .backend
            .train_step(&self.images, &self.labels, self.batch, &self.loss)?;
        Ok(report.loss)
    }
}
