//! `TrainBackend`: what the session needs from whatever runs the net — a training step, predictions,
//! and the weights in and out. The CPU implements it here; the GPU backend implements the same trait,
//! so the session (and the page) never care which one trains.

use crate::gpu::{FallbackReason, ReadySignal};
use crate::loss::{LossConfig, LossError, LossReport};
use crate::net::{Dims, NetSpec, OptimConfig};
use crate::num::Num;

/// Why training could not go on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    /// An option value that cannot be used; the message names it.
    #[error("{0}")]
    Config(String),
    /// The loss refused the step (for example a zero denominator, or logits that diverged).
    #[error("step {step}: {source}")]
    Loss {
        /// The step that failed (counting from 1).
        step: u64,
        /// Why.
        source: LossError,
    },
    /// The loss became NaN or infinite.
    #[error("training diverged at step {step} (loss {}); lower the learning rate", Num(*.loss))]
    Diverged {
        /// The step (counting from 1).
        step: u64,
        /// The loss value.
        loss: f64,
    },
    /// The GPU refused the call or failed (its typed reason).
    #[error(transparent)]
    Gpu(#[from] crate::gpu::GpuError),
    /// The backend was used out of order or failed in a way with no type of its own.
    #[error("{0}")]
    Backend(String),
}

/// How many read-backs a blocking call waits through before its own (the ring's slots, a
/// prediction, the weights, the heat: each `wait` settles one).
const WAITS: usize = 16;

/// A device that trains one TinySegNet on batches of a fixed image size.
pub trait TrainBackend {
    /// `cpu` or `gpu`.
    fn name(&self) -> &'static str;

    /// The GPU adapter, as the UI names it (`None` on the CPU).
    fn adapter(&self) -> Option<String> {
        None
    }

    /// The net's shape.
    fn spec(&self) -> NetSpec;

    /// The image size and the largest batch.
    fn capacity(&self) -> Dims;

    /// The flat parameters (layout of [`NetSpec::offsets`]).
    fn params(&mut self) -> Result<Vec<f32>, TrainError>;

    /// Replaces the parameters (the optimiser state is kept).
    fn set_params(&mut self, params: &[f32]) -> Result<(), TrainError>;

    /// Changes the optimiser settings (switching kind resets its state).
    fn set_optimizer(&mut self, cfg: OptimConfig);

    // Work is submitted and its result taken when it lands: the browser's way, where nothing may
    // wait on the GPU. The blocking forms below (the CLI's and the tests') are submit + `wait`.

    /// Queues one step: forward, loss and `∂L/∂logits` with `loss`, backward, optimiser update.
    /// `images` is (batch, H, W, 3), `labels` (batch, H, W). Returns the step's loss report (of the
    /// forward pass, before the update) if the step is already done (the CPU), `None` if it arrives
    /// later through [`poll_reports`](Self::poll_reports) (the GPU, a step or two later).
    fn submit_step(
        &mut self,
        images: &[f32],
        labels: &[i32],
        batch: usize,
        loss: &LossConfig,
    ) -> Result<Option<LossReport>, TrainError>;

    /// Whether [`submit_step`](Self::submit_step) can take another step now (the GPU's report ring
    /// may be full).
    fn can_submit(&self) -> bool {
        true
    }

    /// Reports of submitted steps that have arrived, oldest first, without waiting. Each entry is
    /// that step's report or the loss's refusal of it.
    fn poll_reports(
        &mut self,
        _out: &mut Vec<Result<LossReport, TrainError>>,
    ) -> Result<(), TrainError> {
        Ok(())
    }

    /// Submitted steps whose report has not arrived.
    fn in_flight(&self) -> usize {
        0
    }

    /// A future that resolves when the oldest outstanding read-back (a report, predictions) lands;
    /// `None` when nothing is outstanding.
    fn ready_signal(&self) -> Option<ReadySignal> {
        None
    }

    /// Blocks until the oldest outstanding read-back has landed (natively; a GPU backend refuses in
    /// a browser). Nothing to wait for on the CPU.
    fn wait(&mut self) -> Result<(), TrainError> {
        Ok(())
    }

    /// Starts predicting the class (argmax of the logits, the lowest class on ties) of every pixel
    /// of `batch` images, into `classes` (batch, H, W). `Ok(true)`: `classes` is filled already;
    /// `Ok(false)`: call [`take_predictions`](Self::take_predictions) once
    /// [`ready_signal`](Self::ready_signal) fires.
    fn submit_predict(
        &mut self,
        images: &[f32],
        batch: usize,
        classes: &mut [u8],
    ) -> Result<bool, TrainError>;

    /// Fills `classes` from the prediction in flight; `Ok(false)` while it has not landed.
    fn take_predictions(&mut self, _classes: &mut [u8]) -> Result<bool, TrainError> {
        Ok(true)
    }

    /// Starts reading `Σ_k |∂L/∂z_k|` per pixel of the first image of the last training step,
    /// (H, W), for the page's heatmap (zeros before the first step). `None`:
    /// [`take_heat`](Self::take_heat) has it now (the CPU); `Some(signal)`: call it once the signal
    /// fires.
    fn submit_heat(&mut self) -> Result<Option<ReadySignal>, TrainError> {
        Ok(None)
    }

    /// The heat started by [`submit_heat`](Self::submit_heat); `None` while it has not landed.
    fn take_heat(&mut self) -> Result<Option<Vec<f32>>, TrainError>;

    /// One step, waited for: [`submit_step`](Self::submit_step) and its report. Refused while
    /// earlier steps are in flight (their reports come first).
    fn train_step(
        &mut self,
        images: &[f32],
        labels: &[i32],
        batch: usize,
        loss: &LossConfig,
    ) -> Result<LossReport, TrainError> {
        if self.in_flight() > 0 {
            return Err(TrainError::Backend(
                "steps are still in flight: collect their reports first".into(),
            ));
        }
        if let Some(report) = self.submit_step(images, labels, batch, loss)? {
            return Ok(report);
        }
        self.wait()?;
        let mut out = Vec::with_capacity(1);
        self.poll_reports(&mut out)?;
        out.pop().unwrap_or_else(|| {
            Err(TrainError::Backend(
                "the step's report did not arrive".into(),
            ))
        })
    }

    /// The predictions of [`submit_predict`](Self::submit_predict), waited for.
    fn predict(
        &mut self,
        images: &[f32],
        batch: usize,
        classes: &mut [u8],
    ) -> Result<(), TrainError> {
        if self.submit_predict(images, batch, classes)? {
            return Ok(());
        }
        // `wait` settles the oldest read-back; steps in flight may come before this one.
        for _ in 0..WAITS {
            self.wait()?;
            if self.take_predictions(classes)? {
                return Ok(());
            }
        }
        Err(TrainError::Backend("the predictions did not arrive".into()))
    }

    /// The heat of [`submit_heat`](Self::submit_heat), waited for.
    fn gradient_heat(&mut self) -> Result<Vec<f32>, TrainError> {
        if self.submit_heat()?.is_none() {
            return self
                .take_heat()?
                .ok_or_else(|| TrainError::Backend("no gradient heat".into()));
        }
        for _ in 0..WAITS {
            self.wait()?;
            if let Some(heat) = self.take_heat()? {
                return Ok(heat);
            }
        }
        Err(TrainError::Backend(
            "the gradient heat did not arrive".into(),
        ))
    }

    /// Why this backend cannot train with `loss` (a Lovász sort past the GPU's limits), if so.
    fn refuses(&self, _loss: &LossConfig) -> Option<FallbackReason> {
        None
    }

    /// Why this backend can no longer run (a lost or failing device), if so.
    fn fault(&self) -> Option<FallbackReason> {
        None
    }

    /// The last weights known on the CPU and the backend step they belong to, for continuing
    /// elsewhere after a [`fault`](Self::fault).
    fn checkpoint(&self) -> Option<(u64, Vec<f32>)> {
        None
    }

    /// Destroys the device, as a driver reset would (a test hook: the session must go on on the
    /// CPU). Nothing to do on the CPU.
    fn lose_device(&self) {}

    /// GPU buffers this backend has created, `None` on the CPU. Constant once training runs: the
    /// soak (`cargo xtask soak`) checks that 20,000 steps create none.
    fn gpu_buffers(&self) -> Option<usize> {
        None
    }
}

/// Checks a batch's buffers against a backend's capacity; the error names what is wrong.
pub fn check_batch(
    cap: Dims,
    batch: usize,
    images: usize,
    labels: Option<usize>,
) -> Result<(), TrainError> {
    if batch == 0 || batch > cap.batch {
        return Err(TrainError::Backend(format!(
            "batch {batch} is outside 1..={} of this backend",
            cap.batch
        )));
    }
    let pixels = batch * cap.height * cap.width;
    if images != pixels * 3 || labels.is_some_and(|l| l != pixels) {
        return Err(TrainError::Backend(format!(
            "a batch of {batch} images of {}×{} needs {} image values and {pixels} labels",
            cap.height,
            cap.width,
            pixels * 3
        )));
    }
    Ok(())
}
