//! `ProtocolRun`: the protocol's network, data, optimiser and loss, stepping on the CPU backend or,
//! for the bench page's `dicelab-gpu` engine, on the GPU backend from the same initial weights.

use crate::data::protocol_batch;
use crate::gpu::ReadySignal;
use crate::loss::LossConfig;
use crate::net::{Dims, InitKind, NetSpec, OptimConfig};
use crate::train::{CpuBackend, Preset, TrainBackend, TrainError};
#[cfg(feature = "gpu")]
use crate::{gpu::GpuContext, net::init_params, train::GpuBackend};

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

    /// The engine's configuration of this loss: the `corrected` and `cross-entropy` presets.
    pub fn config(self) -> LossConfig {
        match self {
            Self::Dice => Preset::Corrected.config(),
            Self::Ce => Preset::CrossEntropy.config(),
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

/// One protocol training run: the same batch every step, on the CPU or the GPU backend.
pub struct ProtocolRun {
    backend: Box<dyn TrainBackend>,
    images: Vec<f32>,
    labels: Vec<i32>,
    batch: usize,
    loss: LossConfig,
}

impl std::fmt::Debug for ProtocolRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtocolRun")
            .field("backend", &self.backend.name())
            .field("batch", &self.batch)
            .field("loss", &self.loss.kind)
            .finish_non_exhaustive()
    }
}

/// The protocol's net and batch dimensions, or why `batch` × `size`² is out of range.
fn shape(batch: usize, size: usize) -> Result<(NetSpec, Dims), String> {
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
    Ok((spec, dims))
}

impl ProtocolRun {
    /// A fresh run of `batch` images of `size × size` with `loss`, on the CPU.
    pub fn new(batch: usize, size: usize, loss: ProtocolLoss) -> Result<Self, String> {
        let (spec, dims) = shape(batch, size)?;
        let backend = CpuBackend::new(
            spec,
            dims,
            InitKind::Glorot,
            WEIGHT_SEED,
            OptimConfig::default(),
        );
        Ok(Self::with_backend(Box::new(backend), batch, size, loss))
    }

    /// The same run on the GPU of `ctx`: the same Glorot weights (seed 1234), Adam settings, data
    /// and loss; only the device differs.
    #[cfg(feature = "gpu")]
    pub async fn on_gpu(
        ctx: GpuContext,
        batch: usize,
        size: usize,
        loss: ProtocolLoss,
    ) -> Result<Self, String> {
        let (spec, dims) = shape(batch, size)?;
        let mut backend = GpuBackend::new(ctx, spec, dims, OptimConfig::default())
            .await
            .map_err(|e| e.to_string())?;
        let weights = init_params(&spec, InitKind::Glorot, WEIGHT_SEED);
        backend.set_params(&weights).map_err(|e| e.to_string())?;
        Ok(Self::with_backend(Box::new(backend), batch, size, loss))
    }

    fn with_backend(
        backend: Box<dyn TrainBackend>,
        batch: usize,
        size: usize,
        loss: ProtocolLoss,
    ) -> Self {
        let (images, labels) = protocol_batch(DATA_SEED, batch, size, size, CLASSES);
        Self {
            backend,
            images,
            labels,
            batch,
            loss: loss.config(),
        }
    }

    /// The same run with another loss (`dicelab bench train --preset`).
    pub fn with_loss(mut self, loss: LossConfig) -> Self {
        self.loss = loss;
        self
    }

    /// `cpu` or `gpu`.
    pub fn backend(&self) -> &'static str {
        self.backend.name()
    }

    /// One step (forward, loss, backward, Adam), waited for; returns the loss before the update.
    /// Natively on either backend; in a browser on the CPU only (use [`submit`](Self::submit)).
    pub fn step(&mut self) -> Result<f64, TrainError> {
        let report = self
            .backend
            .train_step(&self.images, &self.labels, self.batch, &self.loss)?;
        Ok(report.loss)
    }

    /// Starts one step without waiting: the loss if the step is done already (the CPU), else
    /// `None` — await [`ready_signal`](Self::ready_signal), then [`collect`](Self::collect).
    pub fn submit(&mut self) -> Result<Option<f64>, TrainError> {
        let report =
            self.backend
                .submit_step(&self.images, &self.labels, self.batch, &self.loss)?;
        Ok(report.map(|r| r.loss))
    }

    /// The loss of the oldest submitted step whose report has been read back, without waiting.
    pub fn collect(&mut self) -> Result<Option<f64>, TrainError> {
        let mut out = Vec::new();
        self.backend.poll_reports(&mut out)?;
        match out.into_iter().next() {
            Some(r) => r.map(|r| Some(r.loss)),
            None => Ok(None),
        }
    }

    /// What to await before [`collect`](Self::collect) can return the step (`None`: nothing in
    /// flight).
    pub fn ready_signal(&self) -> Option<ReadySignal> {
        self.backend.ready_signal()
    }
}
