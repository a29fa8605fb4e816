//! `GpuBackend`: the [`TrainBackend`] on the GPU, over [`GpuTrainer`]. Two ways to drive it:
//!
//! - the blocking trait methods (`train_step`, `predict`, `params`, `gradient_heat`), natively
//!   only: they submit and then wait with `device.poll`, so `dicelab train --backend gpu` and the
//!   benchmark read each step's loss as the CPU backend returns it;
//! - the non-blocking ones (`submit_step`, `poll_reports`, `ready_signal`, `submit_predict`,
//!   `take_predictions`, `submit_heat`, `take_heat`), everywhere: a step is encoded and submitted,
//!   and its report arrives through the trainer's staging ring up to `SLOTS` steps later. In a
//!   browser these are the only ones that work; the blocking ones return an error there rather
//!   than spin. The gradient heatmap is read only on request (its own kernel and staging buffer).

use super::backend::{check_batch, TrainBackend, TrainError};
use crate::gpu::net::{GpuTrainer, StepOutcome};
use crate::gpu::{FallbackReason, GpuContext, GpuError, ReadySignal};
use crate::loss::{LossConfig, LossReport};
use crate::net::{Dims, NetSpec, OptimConfig};
use std::collections::VecDeque;

/// The GPU backend.
#[derive(Debug)]
pub struct GpuBackend {
    trainer: GpuTrainer,
    /// Reports collected but not yet handed out.
    arrived: VecDeque<StepOutcome>,
    scratch: Vec<StepOutcome>,
}

/// A GPU error as the session sees it. A loss refusal keeps its `LossError` (the session fills in
/// the step); a fault is reported by [`TrainBackend::fault`] too.
fn train_error(e: GpuError) -> TrainError {
    match e {
        GpuError::Input(source) => TrainError::Loss { step: 0, source },
        e => TrainError::Gpu(e),
    }
}

impl GpuBackend {
    /// A backend for `spec` on batches of exactly `capacity` on `ctx` (weights zero until set).
    pub async fn new(
        ctx: GpuContext,
        spec: NetSpec,
        capacity: Dims,
        optim: OptimConfig,
    ) -> Result<Self, GpuError> {
        Ok(Self {
            trainer: GpuTrainer::new(ctx, spec, capacity, optim).await?,
            arrived: VecDeque::new(),
            scratch: Vec::new(),
        })
    }

    /// The trainer (for tests and benchmarks).
    pub fn trainer(&self) -> &GpuTrainer {
        &self.trainer
    }

    fn collect(&mut self) -> Result<(), TrainError> {
        self.trainer.poll(false).map_err(train_error)?;
        self.trainer
            .collect(&mut self.scratch)
            .map_err(train_error)?;
        self.arrived.extend(self.scratch.drain(..));
        Ok(())
    }
}

impl TrainBackend for GpuBackend {
    /// Natively: waits until the queue is idle and collects. In a browser waiting is impossible.
    fn wait(&mut self) -> Result<(), TrainError> {
        if cfg!(target_arch = "wasm32") {
            return Err(TrainError::Backend(
                "the GPU backend cannot wait in a browser: use the asynchronous calls".into(),
            ));
        }
        self.trainer.poll(true).map_err(train_error)?;
        // The work is done, but when several threads poll one device (the tests do), another
        // thread's poll may be the one that runs our mapping callback: wait until it has.
        #[cfg(not(target_arch = "wasm32"))]
        {
            let start = std::time::Instant::now();
            while self.trainer.oldest().is_some_and(|s| s.outcome().is_none()) {
                if start.elapsed() > std::time::Duration::from_secs(10) {
                    return Err(TrainError::Backend(
                        "a finished read-back was not handed over within 10 s".into(),
                    ));
                }
                std::thread::yield_now();
                self.trainer.poll(false).map_err(train_error)?;
            }
        }
        self.collect()
    }

    fn name(&self) -> &'static str {
        "gpu"
    }

    fn adapter(&self) -> Option<String> {
        Some(self.trainer.adapter())
    }

    fn spec(&self) -> NetSpec {
        self.trainer.spec()
    }

    fn capacity(&self) -> Dims {
        self.trainer.dims()
    }

    fn params(&mut self) -> Result<Vec<f32>, TrainError> {
        self.trainer.submit_params_read().map_err(train_error)?;
        // Steps in flight land first: wait until the weights have too.
        for _ in 0..16 {
            self.wait()?;
            if let Some(params) = self.trainer.take_params().map_err(train_error)? {
                return Ok(params);
            }
        }
        Err(TrainError::Backend("the weights did not arrive".into()))
    }

    fn set_params(&mut self, params: &[f32]) -> Result<(), TrainError> {
        self.trainer.set_params(params).map_err(train_error)
    }

    fn set_optimizer(&mut self, cfg: OptimConfig) {
        self.trainer.set_optimizer(cfg);
    }

    fn submit_step(
        &mut self,
        images: &[f32],
        labels: &[i32],
        batch: usize,
        loss: &LossConfig,
    ) -> Result<Option<LossReport>, TrainError> {
        let cap = self.trainer.dims();
        check_batch(cap, batch, images.len(), Some(labels.len()))?;
        if batch != cap.batch {
            return Err(TrainError::Backend(format!(
                "the GPU backend trains batches of exactly {}",
                cap.batch
            )));
        }
        self.trainer
            .submit_step(images, labels, loss)
            .map_err(train_error)?;
        Ok(None)
    }

    fn can_submit(&self) -> bool {
        self.trainer.has_room()
    }

    fn poll_reports(
        &mut self,
        out: &mut Vec<Result<LossReport, TrainError>>,
    ) -> Result<(), TrainError> {
        self.collect()?;
        out.extend(self.arrived.drain(..).map(|(_, r)| r.map_err(train_error)));
        Ok(())
    }

    fn in_flight(&self) -> usize {
        self.trainer.in_flight() + self.arrived.len()
    }

    fn ready_signal(&self) -> Option<ReadySignal> {
        self.trainer.oldest()
    }

    fn submit_predict(
        &mut self,
        images: &[f32],
        batch: usize,
        classes: &mut [u8],
    ) -> Result<bool, TrainError> {
        check_batch(
            self.trainer.dims(),
            batch,
            images.len(),
            Some(classes.len()),
        )?;
        self.trainer
            .submit_predict(images, batch)
            .map_err(train_error)?;
        Ok(false)
    }

    fn take_predictions(&mut self, classes: &mut [u8]) -> Result<bool, TrainError> {
        self.trainer.poll(false).map_err(train_error)?;
        self.trainer.take_predictions(classes).map_err(train_error)
    }

    fn refuses(&self, loss: &LossConfig) -> Option<FallbackReason> {
        self.trainer.refuses(loss)
    }

    fn fault(&self) -> Option<FallbackReason> {
        match self.trainer.context().check() {
            Err(GpuError::Fault(r)) => Some(r),
            _ => None,
        }
    }

    fn checkpoint(&self) -> Option<(u64, Vec<f32>)> {
        let c = self.trainer.checkpoint();
        Some((c.step, c.params.clone()))
    }

    fn lose_device(&self) {
        self.trainer.context().destroy();
    }

    fn submit_heat(&mut self) -> Result<Option<ReadySignal>, TrainError> {
        self.trainer
            .submit_heat_read()
            .map(Some)
            .map_err(train_error)
    }

    fn take_heat(&mut self) -> Result<Option<Vec<f32>>, TrainError> {
        self.trainer.poll(false).map_err(train_error)?;
        self.trainer.take_heat().map_err(train_error)
    }

    fn gpu_buffers(&self) -> Option<usize> {
        Some(self.trainer.allocations())
    }
}
