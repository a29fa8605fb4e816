//! `GpuTrainer`: TinySegNet's whole training step on one device. `submit_step` uploads the batch,
//! records forward, loss, backward and update into one command encoder, submits, and starts mapping
//! the step's ring slot; it never waits. Reports are collected later, in order, when their slot has
//! landed (`collect`), or awaited through a [`ReadySignal`]. Predictions and the weights are read
//! back only on request, through their own staging buffers, the same way, and so is the page's
//! gradient heatmap (`submit_heat_read`: one small kernel and copy, never part of a step).
//!
//! Everything is allocated in [`GpuTrainer::new`]; a step, a prediction or a read allocates no
//! buffer (`allocations()` stays constant, which the tests check).

use super::buffers::NetBuffers;
use super::params::OptimParams;
use super::pipelines::NetPipelines;
use super::ring::{Ring, CHECKPOINT_EVERY};
use crate::gpu::layout::{decode, Shape};
use crate::gpu::ReadySignal;
use crate::gpu::{FallbackReason, GpuContext, GpuError, LossBuffers};
use crate::loss::{LossConfig, LossReport};
use crate::net::{Dims, NetSpec, OptimConfig, INPUT_CHANNELS};

/// One collected step: its number and its report (or why the loss refused it).
pub type StepOutcome = (u64, Result<LossReport, GpuError>);

/// The weights at some step, read back (or set from the CPU).
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Steps of this trainer done when they were taken.
    pub step: u64,
    /// The flat parameters.
    pub params: Vec<f32>,
}

/// TinySegNet training on the GPU.
#[derive(Debug)]
pub struct GpuTrainer {
    ctx: GpuContext,
    pipes: NetPipelines,
    loss: LossBuffers,
    net: NetBuffers,
    ring: Ring,
    optim: OptimConfig,
    /// Adam's t: updates since the optimiser state was last reset.
    t: u64,
    loss_cfg: Option<LossConfig>,
    submitted: u64,
    checkpoint: Checkpoint,
    predicting: Option<(ReadySignal, usize)>,
    reading_params: Option<ReadySignal>,
    reading_heat: Option<ReadySignal>,
}

impl GpuTrainer {
    /// Compiles the net kernels and allocates every buffer for `spec` on batches of `dims`. The
    /// weights are zero until [`set_params`](Self::set_params).
    pub async fn new(
        ctx: GpuContext,
        spec: NetSpec,
        dims: Dims,
        optim: OptimConfig,
    ) -> Result<Self, GpuError> {
        ctx.check()?;
        let shape = Shape::new(
            [dims.batch, dims.height, dims.width, spec.classes],
            ctx.limits(),
        )?;
        let hidden_bytes = (dims.pixels() * spec.width * 4) as u64;
        let max = ctx.limits().max_storage_buffer_binding_size;
        if hidden_bytes > max {
            return Err(GpuError::TooLarge(format!(
                "{hidden_bytes} bytes of activations exceed this device's {max}-byte buffers"
            )));
        }
        let scope = ctx.device().push_error_scope(wgpu::ErrorFilter::Validation);
        let pipes = NetPipelines::new(ctx.device());
        let loss = LossBuffers::new(&ctx, shape);
        let net = NetBuffers::new(&ctx, &pipes, spec, dims, &loss);
        let report_bytes = loss.small().iter().map(wgpu::Buffer::size).sum();
        let ring = Ring::new(&ctx, report_bytes, spec.param_count() as u64);
        if let Some(e) = scope.pop().await {
            return Err(GpuError::Fault(FallbackReason::PipelineFailed(
                e.to_string(),
            )));
        }
        Ok(Self {
            ctx,
            pipes,
            loss,
            net,
            ring,
            optim,
            t: 0,
            loss_cfg: None,
            submitted: 0,
            checkpoint: Checkpoint {
                step: 0,
                params: vec![0.0; spec.param_count()],
            },
            predicting: None,
            reading_params: None,
            reading_heat: None,
        })
    }

    /// The device.
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// The net's shape.
    pub fn spec(&self) -> NetSpec {
        self.net.spec
    }

    /// The batch size and image size.
    pub fn dims(&self) -> Dims {
        self.net.dims
    }

    /// The adapter this trainer runs on, as the UI names it.
    pub fn adapter(&self) -> String {
        self.ctx.adapter()
    }

    /// GPU buffers created: constant after [`new`](Self::new).
    pub fn allocations(&self) -> usize {
        self.loss.allocations() + self.net.allocations + super::ring::SLOTS
    }

    /// The last weights known on the CPU: set, or read back with a step's report.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Replaces the weights (the optimiser state is kept); they also become the checkpoint.
    pub fn set_params(&mut self, params: &[f32]) -> Result<(), GpuError> {
        if params.len() != self.net.spec.param_count() {
            return Err(GpuError::ParamCount {
                expected: self.net.spec.param_count(),
                got: params.len(),
            });
        }
        self.ctx.check()?;
        let q = self.ctx.queue();
        q.write_buffer(&self.net.params, 0, bytemuck::cast_slice(params));
        self.checkpoint = Checkpoint {
            step: self.submitted,
            params: params.to_vec(),
        };
        Ok(())
    }

    /// Changes the optimiser; switching kind zeroes the moments (as `Optimizer::reconfigure`).
    pub fn set_optimizer(&mut self, cfg: OptimConfig) {
        if cfg.kind != self.optim.kind {
            let mut encoder = self.encoder("reset optimiser");
            encoder.clear_buffer(&self.net.m, 0, None);
            encoder.clear_buffer(&self.net.v, 0, None);
            self.ctx.queue().submit([encoder.finish()]);
            self.t = 0;
        }
        self.optim = cfg;
    }

    fn encoder(&self, label: &str) -> wgpu::CommandEncoder {
        self.ctx
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
    }

    /// Why this trainer cannot compute `loss` (the CPU can): a Lovász sort past this device's
    /// limits on the trainer's shape. Every other loss has kernels.
    pub fn refuses(&self, loss: &LossConfig) -> Option<FallbackReason> {
        match self.loss.check(&self.ctx, loss) {
            Err(GpuError::TooLarge(why)) => Some(FallbackReason::TooLarge(why)),
            _ => None,
        }
    }

    /// Whether a ring slot is free, i.e. [`submit_step`](Self::submit_step) will not refuse.
    pub fn has_room(&self) -> bool {
        self.ring.has_room()
    }

    /// Steps whose report has not been collected.
    pub fn in_flight(&self) -> usize {
        self.ring.in_flight()
    }

    /// Queues one training step on `images` (B, H, W, 3) and `labels` (B, H, W) of the full batch:
    /// one encoder, one submission, the report's slot mapping started. Never waits. Refuses when the
    /// ring is full (collect first), and a Lovász loss past the sort's limits on this shape
    /// (`GpuError::NoKernel`, with the reason [`refuses`](Self::refuses) gives).
    pub fn submit_step(
        &mut self,
        images: &[f32],
        labels: &[i32],
        loss: &LossConfig,
    ) -> Result<(), GpuError> {
        self.ctx.check()?;
        if let Some(reason) = self.refuses(loss) {
            return Err(GpuError::NoKernel(reason));
        }
        let d = self.net.dims;
        if images.len() != d.pixels() * INPUT_CHANNELS || labels.len() != d.pixels() {
            return Err(GpuError::BatchShape(format!(
                "a step takes exactly {} images of {}×{}",
                d.batch, d.height, d.width
            )));
        }
        let Some((slot, staging)) = self.ring.next() else {
            return Err(GpuError::RingFull);
        };
        let q = self.ctx.queue();
        if self.loss_cfg.as_ref() != Some(loss) {
            // Lovász's sort buffers are created here the first time, once, and kept.
            self.loss.set_config(&self.ctx, loss)?;
            self.loss_cfg = Some(*loss);
        }
        q.write_buffer(&self.net.images, 0, bytemuck::cast_slice(images));
        q.write_buffer(self.loss.labels(), 0, bytemuck::cast_slice(labels));
        self.t += 1;
        let n = self.net.spec.param_count();
        let optim = OptimParams::new(&self.optim, n, self.t);
        q.write_buffer(&self.net.optim, 0, bytemuck::bytes_of(&optim));

        let mut encoder = self.encoder("training step");
        self.net.encode_forward(&self.pipes, &mut encoder);
        self.loss.encode(&self.ctx, &mut encoder, true);
        self.net
            .encode_backward(&self.pipes, &mut encoder, self.optim.kind);
        let mut offset = 0;
        for b in self.loss.small() {
            encoder.copy_buffer_to_buffer(b, 0, staging, offset, b.size());
            offset += b.size();
        }
        let step = self.submitted + 1;
        let checkpoint = step.is_multiple_of(CHECKPOINT_EVERY);
        if checkpoint {
            let size = self.net.params.size();
            encoder.copy_buffer_to_buffer(&self.net.params, 0, staging, offset, size);
        }
        q.submit([encoder.finish()]);
        self.ring.launch(slot, step, *loss, checkpoint);
        self.submitted = step;
        Ok(())
    }

    /// Natively, runs the mapping callbacks of finished work without blocking (`wait`: blocks until
    /// the queue is idle). A no-op in a browser, whose event loop runs them.
    pub fn poll(&self, wait: bool) -> Result<(), GpuError> {
        let how = if wait {
            wgpu::PollType::wait_indefinitely()
        } else {
            wgpu::PollType::Poll
        };
        self.ctx
            .device()
            .poll(how)
            .map(|_| ())
            .map_err(|e| self.ctx.fail(FallbackReason::GpuFailed(e.to_string())))?;
        self.ctx.check()
    }

    /// Decodes the reports whose slots have landed, oldest first, into `out`; stops at the first
    /// still in flight. A failed mapping is a device fault.
    pub fn collect(&mut self, out: &mut Vec<StepOutcome>) -> Result<(), GpuError> {
        while let Some(f) = self.ring.pop_ready() {
            let shape = *self.loss.shape();
            let [sf, su, co, re] = self
                .loss
                .small()
                .each_ref()
                .map(|b| (b.size() / 4) as usize);
            let n = self.net.spec.param_count();
            let mut ckpt = None;
            let words = self
                .ring
                .read(&f, |bytes| {
                    let (small, params) = bytes.split_at(4 * (sf + su + co + re));
                    let words: Vec<u32> = bytemuck::pod_collect_to_vec(small);
                    if f.checkpoint {
                        ckpt = Some(bytemuck::pod_collect_to_vec(&params[..4 * n]));
                    }
                    words
                })
                .map_err(|e| self.ctx.fail(FallbackReason::GpuFailed(e)))?;
            if let Some(params) = ckpt {
                self.checkpoint = Checkpoint {
                    step: f.step,
                    params,
                };
            }
            let (sums_f, rest) = words.split_at(sf);
            let (sums_u, rest) = rest.split_at(su);
            let (coefs, report) = rest.split_at(co);
            let units = shape.units(&f.loss) as usize;
            let report = decode(&f.loss, &shape, units, [sums_f, sums_u, coefs, report])
                .map(|(sums, terms)| LossReport::new(&f.loss, shape.dims, &sums, &terms));
            out.push((f.step, report));
        }
        Ok(())
    }

    /// Fires when the oldest read-back in flight that has not landed yet lands: a step's report
    /// first, else the prediction, else the weights, else the heat; when every one has landed, the
    /// oldest (it fires at once); `None` when nothing is in flight. Never a landed signal while
    /// another is pending: a caller waiting for its prediction behind reports it does not collect
    /// would otherwise await a fired signal again and again, never yielding to the browser's event
    /// loop that runs the prediction's mapping callback.
    pub fn oldest(&self) -> Option<ReadySignal> {
        let mut all = self
            .ring
            .signals()
            .chain(self.predicting.iter().map(|(s, _)| s.clone()))
            .chain(self.reading_params.iter().cloned())
            .chain(self.reading_heat.iter().cloned());
        let first = all.next()?;
        if first.outcome().is_none() {
            return Some(first);
        }
        Some(all.find(|s| s.outcome().is_none()).unwrap_or(first))
    }

    /// Starts predicting the classes of `batch` images (B, H, W, 3), `batch` ≤ the configured batch
    /// (the rest of the batch holds stale images, predicted and ignored). Read the result with
    /// [`take_predictions`](Self::take_predictions) once the signal fires.
    pub fn submit_predict(
        &mut self,
        images: &[f32],
        batch: usize,
    ) -> Result<ReadySignal, GpuError> {
        self.ctx.check()?;
        let d = self.net.dims;
        let pixels = batch * d.height * d.width;
        if batch == 0 || batch > d.batch || images.len() != pixels * INPUT_CHANNELS {
            return Err(GpuError::BatchShape(format!(
                "predict takes 1 to {} images of {}×{}",
                d.batch, d.height, d.width
            )));
        }
        if self.predicting.is_some() {
            return Err(GpuError::AlreadyInFlight("prediction"));
        }
        let q = self.ctx.queue();
        q.write_buffer(&self.net.images, 0, bytemuck::cast_slice(images));
        let mut encoder = self.encoder("predict");
        self.net.encode_forward(&self.pipes, &mut encoder);
        self.net.encode_argmax(&self.pipes, &mut encoder);
        let bytes = 4 * pixels as u64;
        let staging = &self.net.classes_staging;
        encoder.copy_buffer_to_buffer(&self.net.classes, 0, staging, 0, bytes);
        q.submit([encoder.finish()]);
        let signal = ReadySignal::map_read(staging, 0..bytes);
        self.predicting = Some((signal.clone(), pixels));
        Ok(signal)
    }

    /// The classes of the prediction in flight into `classes` (its pixels); `Ok(false)` while the
    /// mapping has not landed.
    pub fn take_predictions(&mut self, classes: &mut [u8]) -> Result<bool, GpuError> {
        let Some((signal, pixels)) = &self.predicting else {
            return Err(GpuError::NothingInFlight("prediction"));
        };
        let pixels = *pixels;
        let Some(outcome) = signal.outcome() else {
            return Ok(false);
        };
        self.predicting = None;
        let fail = |e: String| self.ctx.fail(FallbackReason::GpuFailed(e));
        outcome.map_err(fail)?;
        let staging = &self.net.classes_staging;
        {
            let view = staging
                .get_mapped_range(0..4 * pixels as u64)
                .map_err(|e| fail(e.to_string()))?;
            for (o, w) in classes.iter_mut().zip(view.chunks_exact(4)) {
                *o = u32::from_le_bytes([w[0], w[1], w[2], w[3]]).min(255) as u8;
            }
        }
        staging.unmap();
        Ok(true)
    }

    /// Starts reading the current weights back (after every step submitted so far).
    pub fn submit_params_read(&mut self) -> Result<ReadySignal, GpuError> {
        self.ctx.check()?;
        if let Some(s) = &self.reading_params {
            return Ok(s.clone());
        }
        let net = &self.net;
        let signal = self.start_read("read weights", |_| {}, &net.params, &net.params_staging);
        self.reading_params = Some(signal.clone());
        Ok(signal)
    }

    /// The weights of the read in flight (they also become the checkpoint); `None` while pending.
    pub fn take_params(&mut self) -> Result<Option<Vec<f32>>, GpuError> {
        let staging = &self.net.params_staging;
        let Some(params) = finish_read(&self.ctx, &mut self.reading_params, staging, "weight")?
        else {
            return Ok(None);
        };
        self.checkpoint = Checkpoint {
            step: self.submitted,
            params: params.clone(),
        };
        Ok(Some(params))
    }

    /// Starts reading `Σ_k |∂L/∂z_k|` per pixel of the first image of the last step submitted
    /// (the loss's gradient buffer holds it until the next step). A kernel and a copy of H·W
    /// values, recorded only on request: the training steps themselves never pay for the heatmap.
    pub fn submit_heat_read(&mut self) -> Result<ReadySignal, GpuError> {
        self.ctx.check()?;
        if let Some(s) = &self.reading_heat {
            return Ok(s.clone());
        }
        let (net, pipes) = (&self.net, &self.pipes);
        let record = |e: &mut wgpu::CommandEncoder| net.encode_heat(pipes, e);
        let signal = self.start_read("read gradient heat", record, &net.heat, &net.heat_staging);
        self.reading_heat = Some(signal.clone());
        Ok(signal)
    }

    /// The heat of the read in flight, (H, W); `None` while pending.
    pub fn take_heat(&mut self) -> Result<Option<Vec<f32>>, GpuError> {
        let staging = &self.net.heat_staging;
        finish_read(&self.ctx, &mut self.reading_heat, staging, "gradient heat")
    }

    /// Records `record`, then a copy of `src` into `staging`, submits, and starts mapping `staging`.
    fn start_read(
        &self,
        label: &str,
        record: impl FnOnce(&mut wgpu::CommandEncoder),
        src: &wgpu::Buffer,
        staging: &wgpu::Buffer,
    ) -> ReadySignal {
        let mut encoder = self.encoder(label);
        record(&mut encoder);
        encoder.copy_buffer_to_buffer(src, 0, staging, 0, src.size());
        self.ctx.queue().submit([encoder.finish()]);
        ReadySignal::map_read(staging, 0..src.size())
    }
}

/// The floats of the read whose signal `slot` holds, once mapped (then unmapped and the slot
/// emptied); `None` while pending. A failed mapping is a device fault.
fn finish_read(
    ctx: &GpuContext,
    slot: &mut Option<ReadySignal>,
    staging: &wgpu::Buffer,
    what: &'static str,
) -> Result<Option<Vec<f32>>, GpuError> {
    let Some(signal) = slot else {
        return Err(GpuError::NothingInFlight(what));
    };
    let Some(outcome) = signal.outcome() else {
        return Ok(None);
    };
    *slot = None;
    let fail = |e: String| ctx.fail(FallbackReason::GpuFailed(e));
    outcome.map_err(fail)?;
    let values = {
        let view = staging
            .get_mapped_range(..)
            .map_err(|e| fail(e.to_string()))?;
        bytemuck::pod_collect_to_vec(&view)
    };
    staging.unmap();
    Ok(Some(values))
}
