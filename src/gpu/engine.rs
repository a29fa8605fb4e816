//! `GpuEngine`: the loss on one device — validation, upload, the kernels in one submission, and
//! reading back only what is asked (the report's scalars and per-class terms; the gradient only when
//! the caller passes a buffer for it). Async, so the same code serves native callers (through
//! `pollster`) and the browser.

use super::buffers::LossBuffers;
use super::layout::{decode, Shape};
use super::readback::{map_read, poll};
use super::{GpuContext, GpuError};
use crate::loss::{self, LossConfig, LossError, LossReport};
use ndarray::{ArrayView3, ArrayView4};

/// The GPU loss engine: a context and the buffers of the last shape seen.
#[derive(Debug)]
pub struct GpuEngine {
    ctx: GpuContext,
    buffers: Option<LossBuffers>,
    allocations: usize,
}

impl GpuEngine {
    /// An engine on `ctx` (no buffers yet: they follow the first batch's shape).
    pub fn new(ctx: GpuContext) -> Self {
        Self {
            ctx,
            buffers: None,
            allocations: 0,
        }
    }

    /// The device this engine runs on.
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// The buffers of the current shape, if any evaluation happened yet.
    pub fn buffers(&self) -> Option<&LossBuffers> {
        self.buffers.as_ref()
    }

    /// GPU buffer sets and staging buffers created so far, over all shapes. Constant across repeated
    /// calls with one shape.
    pub fn allocations(&self) -> usize {
        self.allocations + self.buffers.as_ref().map_or(0, LossBuffers::allocations)
    }

    /// The buffers for `dims`, reusing the current ones when the shape is unchanged.
    pub fn buffers_for(&mut self, dims: [usize; 4]) -> Result<&mut LossBuffers, GpuError> {
        if let Some(b) = self.buffers.take_if(|b| b.shape().dims != dims) {
            self.allocations += b.allocations();
        }
        match &mut self.buffers {
            Some(b) => Ok(b),
            slot => {
                let shape = Shape::new(dims, self.ctx.limits())?;
                Ok(slot.insert(LossBuffers::new(&self.ctx, shape)))
            }
        }
    }

    /// Evaluates the loss of `logits` (B, H, W, C) against `labels` (B, H, W), writing `∂L/∂z` into
    /// `grad` when given (the logits' length, row-major). Refuses exactly what `loss::evaluate`
    /// refuses, with the same errors, and a Lovász batch past its sort's limits
    /// (`GpuError::TooLarge`, see `Shape::lovasz_items`).
    pub async fn evaluate(
        &mut self,
        cfg: &LossConfig,
        logits: ArrayView4<'_, f32>,
        labels: ArrayView3<'_, i32>,
        grad: Option<&mut [f32]>,
    ) -> Result<LossReport, GpuError> {
        let batch = loss::prepare(cfg, logits, labels)?;
        batch.check_finite()?;
        batch.check_labels(cfg.ignore_index)?;
        if let Some(g) = &grad {
            if g.len() != batch.logits.len() {
                return Err(LossError::GradBuffer(vec![g.len()]).into());
            }
        }
        self.ctx.check()?;
        let ctx = self.ctx.clone();
        let with_grad = grad.is_some();
        let buffers = self.buffers_for(batch.shape)?;
        buffers.set_config(&ctx, cfg)?;
        buffers.upload_logits(ctx.queue(), &batch.logits);
        buffers.upload_labels(ctx.queue(), &batch.labels);
        let mut encoder = ctx
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("loss"),
            });
        buffers.encode(&ctx, &mut encoder, with_grad);
        buffers.encode_readback(&ctx, &mut encoder, with_grad);
        ctx.queue().submit([encoder.finish()]);

        let (small, grad_staging) = buffers.staging();
        let small = map_read(small);
        let grad_map = grad_staging.filter(|_| with_grad).map(map_read);
        poll(&ctx)?;
        let words = small
            .read(&ctx, bytemuck::pod_collect_to_vec::<u8, u32>)
            .await?;
        if let (Some(pending), Some(out)) = (grad_map, grad) {
            pending
                .read(&ctx, |bytes| {
                    let dst: &mut [u8] = bytemuck::cast_slice_mut(out);
                    let n = dst.len().min(bytes.len());
                    dst[..n].copy_from_slice(&bytes[..n]);
                })
                .await?;
        }
        ctx.check()?;

        let [sf, su, co, _] = buffers.small_words();
        let (sums_f, rest) = words.split_at(sf.min(words.len()));
        let (sums_u, rest) = rest.split_at(su.min(rest.len()));
        let (coefs, report) = rest.split_at(co.min(rest.len()));
        let units = buffers.units() as usize;
        let (sums, terms) = decode(cfg, buffers.shape(), units, [sums_f, sums_u, coefs, report])?;
        Ok(LossReport::new(cfg, batch.shape, &sums, &terms))
    }
}
