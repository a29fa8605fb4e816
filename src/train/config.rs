//! `SessionConfig`: everything that determines a run. Same config (seed included) → the same
//! result, bit for bit, on the CPU.

use crate::data::{Annotation, DataConfig, IGNORE_LABEL};
use crate::loss::LossConfig;
use crate::net::{Dims, InitKind, NetSpec, OptimConfig};
use serde::{Deserialize, Serialize};

/// Images per training step.
pub const BATCH: std::ops::RangeInclusive<usize> = 1..=32;

/// A run's options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct SessionConfig {
    /// The seed every stream (data, validation, weights, batch order) derives from.
    pub seed: u32,
    /// Images per training step (`BATCH`).
    pub batch: usize,
    /// Hidden channels of TinySegNet: 8, 16 or 32.
    pub width: usize,
    /// Initial weights.
    pub init: InitKind,
    /// The scenes.
    pub data: DataConfig,
    /// The optimiser.
    pub optim: OptimConfig,
    /// The loss (changeable during the run).
    pub loss: LossConfig,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            batch: 4,
            width: 16,
            init: InitKind::He,
            data: DataConfig::default(),
            optim: OptimConfig::default(),
            loss: LossConfig::default(),
        }
    }
}

impl SessionConfig {
    /// The batches a backend must hold for this run: `batch` images of `size × size`.
    pub fn dims(&self) -> Dims {
        Dims {
            batch: self.batch,
            height: self.data.size,
            width: self.data.size,
        }
    }

    /// Checks every option; the message names the offending one.
    pub fn validate(&self) -> Result<NetSpec, String> {
        self.data.validate()?;
        let spec = NetSpec::new(self.width, self.data.classes).map_err(|e| e.to_string())?;
        if !BATCH.contains(&self.batch) {
            return Err(format!(
                "--batch must be between {} and {}, got {}",
                BATCH.start(),
                BATCH.end(),
                self.batch
            ));
        }
        self.optim.validate()?;
        check_loss(&self.loss, &self.data)?;
        Ok(spec)
    }
}

/// Checks a loss configuration against the data it will see.
pub fn check_loss(loss: &LossConfig, data: &DataConfig) -> Result<(), String> {
    loss.validate().map_err(|e| e.to_string())?;
    if data.annotation == Annotation::SparseIgnore && loss.ignore_index != IGNORE_LABEL {
        return Err(format!(
            "--annotation sparse-ignore labels unannotated pixels {IGNORE_LABEL}, so --ignore-index must be {IGNORE_LABEL}, got {}",
            loss.ignore_index
        ));
    }
    Ok(())
}
