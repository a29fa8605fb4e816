//! `Session`: a training run — data, a backend holding net and optimiser, the loss configuration,
//! the loss curve, and validation metrics on demand. No threads, clocks or files, so it runs as is
//! in the browser.

use super::backend::{TrainBackend, TrainError};
use super::config::{check_loss, SessionConfig};
use super::cpu::CpuBackend;
use super::metrics::{Confusion, Evaluation};
use super::source::{EvalView, Source};
use crate::data::OwnImage;
use crate::gpu::{FallbackReason, GpuError, ReadySignal};
use crate::loss::{LossConfig, LossReport};
use crate::net::{init_params, NetSpec, OptimConfig};
use crate::rng::derive_seed;
use serde::Serialize;
use std::collections::VecDeque;

/// Salt of the initial-weights stream.
const WEIGHTS: u32 = 3;

/// One point of the loss curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepRecord {
    /// Step number, from 1.
    pub step: u64,
    /// The loss of that step's batch, before its update.
    pub loss: f64,
    /// Its Dice / Generalized Dice part.
    pub dice: Option<f64>,
    /// Its cross-entropy part.
    pub ce: Option<f64>,
}

/// A loss configuration in force from step `from_step + 1` on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LossChange {
    /// Steps done when it took effect.
    pub from_step: u64,
    /// The configuration.
    pub loss: LossConfig,
}

/// A training run.
pub struct Session {
    config: SessionConfig,
    source: Source,
    backend: Box<dyn TrainBackend>,
    images: Vec<f32>,
    labels: Vec<i32>,
    steps: u64,
    curve: Vec<StepRecord>,
    loss_changes: Vec<LossChange>,
    last_report: Option<LossReport>,
    predictions: Vec<u8>,
    /// Evaluation inputs gathered (your image's tiles) and their predictions, one chunk.
    eval_images: Vec<f32>,
    eval_chunk: Vec<u8>,
    /// Steps submitted whose reports have not arrived (the GPU's ring), oldest first.
    queued: VecDeque<u64>,
    /// Why the session runs on the CPU, if it was meant for the GPU.
    fallback: Option<FallbackReason>,
    eval: Option<EvalCursor>,
}

/// An evaluation in progress on the non-blocking path.
struct EvalCursor {
    start: usize,
    /// Images of the prediction in flight, if one is.
    waiting: Option<usize>,
}

/// What a non-blocking call ([`Session::advance`], [`Session::evaluate_advance`],
/// [`Session::gradient_heat_advance`]) reached.
pub enum Progress<T> {
    /// Await this, then call again.
    Wait(ReadySignal),
    /// The result.
    Done(T),
}

impl Session {
    /// A session on the CPU backend.
    pub fn new(config: SessionConfig) -> Result<Self, TrainError> {
        Self::new_on(config, None)
    }

    /// A session on the CPU backend, on the synthetic scenes or on `own` image.
    pub fn new_on(config: SessionConfig, own: Option<OwnImage>) -> Result<Self, TrainError> {
        let spec = config.validate().map_err(TrainError::Config)?;
        let cap = config.dims();
        let backend = CpuBackend::new(spec, cap, config.init, 0, config.optim);
        Self::with_backend_on(config, Box::new(backend), own)
    }

    /// A session on `backend`, which must have the config's net shape and hold batches of
    /// `config.batch` images of `config.data.size`, and compute its loss (a GPU backend refuses
    /// a Lovász sort past its limits, `GpuError::NoKernel`). Its weights are replaced by the
    /// session's initial weights, so every backend starts from the same ones.
    pub fn with_backend(
        config: SessionConfig,
        backend: Box<dyn TrainBackend>,
    ) -> Result<Self, TrainError> {
        Self::with_backend_on(config, backend, None)
    }

    /// [`with_backend`](Self::with_backend), on the synthetic scenes or on `own` image (which
    /// must have the config's classes, room for its crops, and `--ignore-index 255`).
    pub fn with_backend_on(
        config: SessionConfig,
        mut backend: Box<dyn TrainBackend>,
        own: Option<OwnImage>,
    ) -> Result<Self, TrainError> {
        let spec = config.validate().map_err(TrainError::Config)?;
        refused(backend.as_ref(), &config.loss)?;
        let cap = backend.capacity();
        let size = config.data.size;
        if backend.spec() != spec
            || cap.batch < config.batch
            || cap.height != size
            || cap.width != size
        {
            return Err(TrainError::Backend(format!(
                "the {} backend holds {:?} for {:?}, the config needs {spec:?} for batches of {} at {size}×{size}",
                backend.name(),
                backend.spec(),
                cap,
                config.batch
            )));
        }
        backend.set_params(&init_params(
            &spec,
            config.init,
            derive_seed(config.seed, WEIGHTS),
        ))?;
        backend.set_optimizer(config.optim);
        let source = Source::new(&config, spec.radius(), own).map_err(TrainError::Config)?;
        let pixels = size * size;
        let view = source.view();
        let shown = view.count * view.pixels();
        Ok(Self {
            images: vec![0.0; config.batch * pixels * 3],
            labels: vec![0; config.batch * pixels],
            predictions: vec![0; shown],
            eval_images: vec![0.0; cap.batch * pixels * 3],
            eval_chunk: vec![0; cap.batch * pixels],
            source,
            backend,
            steps: 0,
            curve: Vec::new(),
            loss_changes: vec![LossChange {
                from_step: 0,
                loss: config.loss,
            }],
            last_report: None,
            queued: VecDeque::new(),
            fallback: None,
            eval: None,
            config,
        })
    }

    /// Advances `n` training steps and waits for their reports: [`advance`](Self::advance) run to
    /// completion (natively; in a browser a GPU session must be driven by `advance`). On an error
    /// the session stays at the last good step. A lost device moves the session to the CPU from
    /// the last checkpoint (see [`fallback_reason`]).
    ///
    /// [`fallback_reason`]: Self::fallback_reason
    pub fn step(&mut self, n: u64) -> Result<(), TrainError> {
        let mut left = n;
        self.finish(|s| {
            Ok(match s.advance(&mut left)? {
                Some(signal) => Progress::Wait(signal),
                None => Progress::Done(()),
            })
        })
    }

    /// Runs a non-blocking call until it is done, waiting for the backend in between: the one
    /// blocking loop (the CLI's and the tests'; the page awaits the signals instead).
    fn finish<T>(
        &mut self,
        mut call: impl FnMut(&mut Self) -> Result<Progress<T>, TrainError>,
    ) -> Result<T, TrainError> {
        loop {
            match call(self)? {
                Progress::Done(t) => return Ok(t),
                Progress::Wait(_) => {
                    if let Err(e) = self.backend.wait() {
                        if !self.fall_back()? {
                            return Err(e);
                        }
                    }
                }
            }
        }
    }

    /// The non-blocking step: collects the reports that arrived, submits up to `left` more steps
    /// while the backend has room (decrementing `left`), and returns what to await before calling
    /// again — `None` once `left` is 0 and every report is in. On the CPU every step completes
    /// inside the call. On the GPU the curve lags the submitted steps by up to `gpu::net::SLOTS`
    /// until the reports land; a diverged or refused step is reported when its report arrives.
    pub fn advance(&mut self, left: &mut u64) -> Result<Option<ReadySignal>, TrainError> {
        // A read-back can land between the checks below (freeing a slot with nothing left to
        // await): go round again rather than report done early.
        for _ in 0..3 {
            self.submit_some(left)?;
            if *left == 0 && self.queued.is_empty() {
                return Ok(None);
            }
            if let Some(signal) = self.backend.ready_signal() {
                return Ok(Some(signal));
            }
        }
        Err(TrainError::Backend(format!(
            "internal: {} steps left and {} reports due, with nothing in flight",
            left,
            self.queued.len()
        )))
    }

    /// Collects the reports that arrived and submits up to `left` steps while there is room.
    fn submit_some(&mut self, left: &mut u64) -> Result<(), TrainError> {
        self.collect()?;
        while *left > 0 && self.backend.can_submit() {
            self.next_batch();
            let step = self.steps + 1;
            let cfg = self.config.loss;
            match self
                .backend
                .submit_step(&self.images, &self.labels, self.config.batch, &cfg)
            {
                Ok(report) => {
                    self.steps = step;
                    *left -= 1;
                    match report {
                        Some(r) => self.record(step, r)?,
                        None => self.queued.push_back(step),
                    }
                }
                Err(e) => {
                    if !self.fall_back()? {
                        return Err(at_step(e, step));
                    }
                }
            }
        }
        self.collect()
    }

    /// Records the reports that have arrived, without waiting.
    fn collect(&mut self) -> Result<(), TrainError> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let mut out = Vec::new();
        if let Err(e) = self.backend.poll_reports(&mut out) {
            return match self.fall_back()? {
                true => Ok(()),
                false => Err(e),
            };
        }
        // Every arrived report consumes its step, also after a refused one, so that the steps
        // still queued stay matched to the reports still to come.
        let mut first_error = None;
        for report in out {
            let step = self.queued.pop_front().unwrap_or(self.steps);
            let recorded = report
                .map_err(|e| at_step(e, step))
                .and_then(|r| self.record(step, r));
            if let Err(e) = recorded {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn next_batch(&mut self) {
        let size = self.config.data.size;
        self.source
            .fill_batch(size, &mut self.images, &mut self.labels);
    }

    fn record(&mut self, step: u64, report: LossReport) -> Result<(), TrainError> {
        if !report.loss.is_finite() {
            return Err(TrainError::Diverged {
                step,
                loss: report.loss,
            });
        }
        self.curve.push(StepRecord {
            step,
            loss: report.loss,
            dice: report.dice,
            ce: report.ce,
        });
        self.last_report = Some(report);
        Ok(())
    }

    /// If the backend has a fault (a lost device), continues on a CPU backend from the backend's
    /// last checkpoint: the steps after it are dropped from the count and the curve, and the
    /// optimiser's moments restart. `Ok(false)` when there is no fault to recover from.
    fn fall_back(&mut self) -> Result<bool, TrainError> {
        match self.backend.fault() {
            Some(reason) => self.move_to_cpu(reason),
            None => Ok(false),
        }
    }

    /// Continues on a CPU backend from the backend's last checkpoint, for `reason`; `Ok(false)`
    /// when the backend has no checkpoint to continue from.
    fn move_to_cpu(&mut self, reason: FallbackReason) -> Result<bool, TrainError> {
        let Some((step, params)) = self.backend.checkpoint() else {
            return Ok(false);
        };
        let mut cpu = CpuBackend::new(
            self.backend.spec(),
            self.backend.capacity(),
            self.config.init,
            0,
            self.config.optim,
        );
        cpu.set_params(&params)?;
        self.backend = Box::new(cpu);
        self.steps = step;
        self.curve.retain(|r| r.step <= step);
        self.queued.clear();
        self.eval = None;
        self.fallback = Some(reason);
        Ok(true)
    }

    /// Marks a session started on the CPU because the GPU could not be had.
    pub fn set_fallback_reason(&mut self, reason: FallbackReason) {
        self.fallback = Some(reason);
    }

    /// Why this session runs on the CPU although the GPU was asked for (`None` otherwise).
    pub fn fallback_reason(&self) -> Option<&FallbackReason> {
        self.fallback.as_ref()
    }

    /// The non-blocking evaluation: call until it returns [`Progress::Done`], awaiting each
    /// [`Progress::Wait`] in between. Same result as [`evaluate`](Self::evaluate).
    pub fn evaluate_advance(&mut self) -> Result<Progress<Evaluation>, TrainError> {
        loop {
            match self.evaluate_once() {
                Ok(p) => return Ok(p),
                Err(e) => {
                    if !self.fall_back()? {
                        self.eval = None;
                        return Err(e);
                    }
                }
            }
        }
    }

    fn evaluate_once(&mut self) -> Result<Progress<Evaluation>, TrainError> {
        let size = self.config.data.size;
        let pixels = size * size;
        let chunk = self.backend.capacity().batch;
        let inputs = self.source.inputs();
        let cur = self.eval.get_or_insert(EvalCursor {
            start: 0,
            waiting: None,
        });
        loop {
            if let Some(n) = cur.waiting {
                let pred = &mut self.eval_chunk[..n * pixels];
                if !self.backend.take_predictions(pred)? {
                    return match self.backend.ready_signal() {
                        Some(s) => Ok(Progress::Wait(s)),
                        None => Err(TrainError::Backend("a prediction was lost".into())),
                    };
                }
                self.source
                    .accept(cur.start, n, size, pred, &mut self.predictions);
                cur.start += n;
                cur.waiting = None;
            }
            if cur.start >= inputs {
                self.eval = None;
                let view = self.source.view();
                let mut confusion = Confusion::new(view.classes);
                confusion.add(view.truth, &self.predictions);
                return Ok(Progress::Done(Evaluation::from_confusion(
                    self.steps, confusion,
                )));
            }
            let n = chunk.min(inputs - cur.start);
            let images = self.source.input(cur.start, n, size, &mut self.eval_images);
            let pred = &mut self.eval_chunk[..n * pixels];
            if self.backend.submit_predict(images, n, pred)? {
                self.source
                    .accept(cur.start, n, size, pred, &mut self.predictions);
                cur.start += n;
            } else {
                cur.waiting = Some(n);
            }
        }
    }

    /// Predicts the evaluation set and returns the metrics against its truth:
    /// [`evaluate_advance`](Self::evaluate_advance) run to completion.
    pub fn evaluate(&mut self) -> Result<Evaluation, TrainError> {
        self.finish(Self::evaluate_advance)
    }

    /// Changes the loss from the next step on; the change is recorded. A loss the GPU cannot
    /// compute here (a Lovász sort past its limits) moves the session to the CPU from the last
    /// checkpoint (see [`fallback_reason`]); refused (`GpuError::NoKernel`) only if there is none.
    ///
    /// [`fallback_reason`]: Self::fallback_reason
    pub fn set_loss(&mut self, loss: LossConfig) -> Result<(), TrainError> {
        check_loss(&loss, &self.config.data).map_err(TrainError::Config)?;
        if let Some(reason) = self.backend.refuses(&loss) {
            // The GPU cannot compute it here: the run goes on on the CPU, from the last weights read
            // back, rather than refuse the visitor's change.
            if !self.move_to_cpu(reason.clone())? {
                return Err(TrainError::Gpu(GpuError::NoKernel(reason)));
            }
        }
        self.config.loss = loss;
        self.loss_changes.push(LossChange {
            from_step: self.steps,
            loss,
        });
        Ok(())
    }

    /// Changes the optimiser settings from the next step on.
    pub fn set_optimizer(&mut self, optim: OptimConfig) -> Result<(), TrainError> {
        optim.validate().map_err(TrainError::Config)?;
        self.config.optim = optim;
        self.backend.set_optimizer(optim);
        Ok(())
    }

    /// Steps done.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The configuration in force.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The net's shape.
    pub fn spec(&self) -> NetSpec {
        self.backend.spec()
    }

    /// The backend's name.
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// The GPU adapter training runs on, if any.
    pub fn adapter(&self) -> Option<String> {
        self.backend.adapter()
    }

    /// GPU buffers the backend has created (`None` on the CPU).
    pub fn gpu_buffers(&self) -> Option<usize> {
        self.backend.gpu_buffers()
    }

    /// The loss of every step so far.
    pub fn curve(&self) -> &[StepRecord] {
        &self.curve
    }

    /// Every loss configuration used, with the step it took effect.
    pub fn loss_changes(&self) -> &[LossChange] {
        &self.loss_changes
    }

    /// The last step's loss report (per-class terms and weights), if a step was taken.
    pub fn last_report(&self) -> Option<&LossReport> {
        self.last_report.as_ref()
    }

    /// The evaluation set: the validation scenes, or your image whole.
    pub fn view(&self) -> EvalView<'_> {
        self.source.view()
    }

    /// Predicted classes of every evaluation image, (N, H, W) of [`view`](Self::view), as of the
    /// last [`evaluate`](Self::evaluate) (zeros before the first).
    pub fn predictions(&self) -> &[u8] {
        &self.predictions
    }

    /// `Σ_k |∂L/∂z_k|` per pixel of the first image of the last step's batch, (H, W): where the loss
    /// pushes. `None` before the first step, and after a lost device moved the session to the CPU
    /// (whose fresh backend has no gradient yet): [`gradient_heat_advance`] run to completion.
    ///
    /// [`gradient_heat_advance`]: Self::gradient_heat_advance
    pub fn gradient_heat(&mut self) -> Result<Option<Vec<f32>>, TrainError> {
        self.finish(Self::gradient_heat_advance)
    }

    /// The non-blocking [`gradient_heat`](Self::gradient_heat): call until it returns
    /// [`Progress::Done`], awaiting each [`Progress::Wait`] in between. On the GPU the heat
    /// is of the last step submitted when the read started.
    pub fn gradient_heat_advance(&mut self) -> Result<Progress<Option<Vec<f32>>>, TrainError> {
        if self.steps == 0 {
            return Ok(Progress::Done(None));
        }
        match self.heat_once() {
            Ok(p) => Ok(p),
            Err(e) => match self.fall_back()? {
                true => Ok(Progress::Done(None)),
                false => Err(e),
            },
        }
    }

    fn heat_once(&mut self) -> Result<Progress<Option<Vec<f32>>>, TrainError> {
        if let Some(signal) = self.backend.submit_heat()? {
            if signal.outcome().is_none() {
                return Ok(Progress::Wait(signal));
            }
        }
        match self.backend.take_heat()? {
            Some(h) => Ok(Progress::Done(Some(h))),
            None => Err(TrainError::Backend("the gradient heat was lost".into())),
        }
    }

    /// The first image of the last step's batch, (H, W, 3), and its training labels (H, W).
    pub fn last_batch_first(&self) -> (&[f32], &[i32]) {
        let pixels = self.config.data.size * self.config.data.size;
        (&self.images[..pixels * 3], &self.labels[..pixels])
    }

    /// Destroys the backend's device (a test hook for the device-loss fallback).
    pub fn lose_device(&self) {
        self.backend.lose_device();
    }

    /// The current weights.
    pub fn params(&mut self) -> Result<Vec<f32>, TrainError> {
        self.backend.params()
    }
}

/// `Err` when `backend` cannot train with `loss`.
fn refused(backend: &dyn TrainBackend, loss: &LossConfig) -> Result<(), TrainError> {
    match backend.refuses(loss) {
        Some(reason) => Err(TrainError::Gpu(GpuError::NoKernel(reason))),
        None => Ok(()),
    }
}

/// The step an error belongs to, for errors the backend reported without one.
fn at_step(e: TrainError, step: u64) -> TrainError {
    match e {
        TrainError::Loss { source, .. } => TrainError::Loss { step, source },
        e => e,
    }
}
