//! `LossBuffers`: every buffer and bind group the kernels need for one batch shape, created once and
//! reused by every evaluation of that shape, and the recording of the four dispatches.
//!
//! The logits buffer is also a storage buffer, so a network's forward pass can write it in place and
//! the gradient buffer can feed its backward pass: nothing needs to leave the GPU.

use super::layout::{Shape, TILE, WG};
use super::params::Params;
use super::GpuContext;
use crate::loss::LossConfig;

/// Buffers for one shape.
#[derive(Debug)]
pub struct LossBuffers {
    shape: Shape,
    units: u32,
    params: wgpu::Buffer,
    logits: wgpu::Buffer,
    labels: wgpu::Buffer,
    /// `sums_f`, `sums_u`, `coefs`, `report`: what a display reads back.
    small: [wgpu::Buffer; 4],
    grad: wgpu::Buffer,
    /// Mapped for reading: the four small buffers end to end.
    small_staging: wgpu::Buffer,
    /// Mapped for reading the gradient; created on the first call that asks for it.
    grad_staging: Option<wgpu::Buffer>,
    bind: [wgpu::BindGroup; 4],
    allocations: usize,
}

pub(crate) fn buffer(
    ctx: &GpuContext,
    label: &str,
    words: u64,
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        // Zero-length bindings are invalid; every buffer holds at least one word.
        size: 4 * words.max(1),
        usage,
        mapped_at_creation: false,
    })
}

pub(crate) fn bind_group(
    ctx: &GpuContext,
    pipeline: &wgpu::ComputePipeline,
    entries: &[(u32, &wgpu::Buffer)],
) -> wgpu::BindGroup {
    let entries: Vec<wgpu::BindGroupEntry<'_>> = entries
        .iter()
        .map(|&(binding, b)| wgpu::BindGroupEntry {
            binding,
            resource: b.as_entire_binding(),
        })
        .collect();
    ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &entries,
    })
}

impl LossBuffers {
    /// Allocates everything for `shape`.
    pub fn new(ctx: &GpuContext, shape: Shape) -> Self {
        use wgpu::BufferUsages as U;
        let [pf, pu, sf, su, co, re] = shape.small_lengths();
        let n = shape.logit_count();
        let params = ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("params"),
            size: std::mem::size_of::<Params>() as u64,
            usage: U::STORAGE | U::COPY_DST,
            mapped_at_creation: false,
        });
        let logits = buffer(ctx, "logits", n, U::STORAGE | U::COPY_DST | U::COPY_SRC);
        let labels = buffer(
            ctx,
            "labels",
            n / u64::from(shape.classes),
            U::STORAGE | U::COPY_DST,
        );
        let partial_f = buffer(ctx, "partial_f", pf, U::STORAGE);
        let partial_u = buffer(ctx, "partial_u", pu, U::STORAGE);
        let out = U::STORAGE | U::COPY_SRC;
        let small = [
            buffer(ctx, "sums_f", sf, out),
            buffer(ctx, "sums_u", su, out),
            buffer(ctx, "coefs", co, out),
            buffer(ctx, "report", re, out),
        ];
        let grad = buffer(ctx, "grad", n, out | U::COPY_DST);
        let small_words: u64 = small.iter().map(|b| b.size() / 4).sum();
        let small_staging = buffer(ctx, "small_staging", small_words, U::MAP_READ | U::COPY_DST);
        let p = ctx.pipelines();
        let [sums_f, sums_u, coefs, report] = &small;
        let bind = [
            bind_group(
                ctx,
                &p.class_sums,
                &[
                    (0, &params),
                    (1, &logits),
                    (2, &labels),
                    (3, &partial_f),
                    (4, &partial_u),
                ],
            ),
            bind_group(
                ctx,
                &p.combine_sums,
                &[
                    (0, &params),
                    (3, &partial_f),
                    (4, &partial_u),
                    (5, sums_f),
                    (6, sums_u),
                ],
            ),
            bind_group(
                ctx,
                &p.loss_terms,
                &[
                    (0, &params),
                    (5, sums_f),
                    (6, sums_u),
                    (7, coefs),
                    (8, report),
                ],
            ),
            bind_group(
                ctx,
                &p.logit_grad,
                &[
                    (0, &params),
                    (1, &logits),
                    (2, &labels),
                    (7, coefs),
                    (9, &grad),
                ],
            ),
        ];
        Self {
            shape,
            units: 1,
            params,
            logits,
            labels,
            small,
            grad,
            small_staging,
            grad_staging: None,
            bind,
            allocations: 1,
        }
    }

    /// The shape these buffers serve.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Logits, `[B·H·W][C]` f32 (storage, copy destination).
    pub fn logits(&self) -> &wgpu::Buffer {
        &self.logits
    }

    /// Labels, `[B·H·W]` i32.
    pub fn labels(&self) -> &wgpu::Buffer {
        &self.labels
    }

    /// The gradient `∂L/∂z`, `[B·H·W][C]` f32, written by `logit_grad`.
    pub fn grad(&self) -> &wgpu::Buffer {
        &self.grad
    }

    /// How many times buffer sets or staging buffers were created (1, or 2 once a gradient was read
    /// back): a repeated call must not change it.
    pub fn allocations(&self) -> usize {
        self.allocations
    }

    /// Writes the configuration (no allocation: the buffer is reused).
    pub fn set_config(&mut self, queue: &wgpu::Queue, cfg: &LossConfig) {
        let params = Params::new(cfg, &self.shape);
        self.units = params.units();
        queue.write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
    }

    /// Uploads logits (`B·H·W·C` values, checked by the caller). A training step skips this: its
    /// forward pass writes [`logits`](Self::logits) on the GPU.
    pub fn upload_logits(&self, queue: &wgpu::Queue, logits: &[f32]) {
        queue.write_buffer(&self.logits, 0, bytemuck::cast_slice(logits));
    }

    /// Uploads labels (`B·H·W` values, checked by the caller).
    pub fn upload_labels(&self, queue: &wgpu::Queue, labels: &[i32]) {
        queue.write_buffer(&self.labels, 0, bytemuck::cast_slice(labels));
    }

    /// Records the loss into `encoder`: `class_sums`, `combine_sums`, `loss_terms` and, when
    /// `with_grad`, `logit_grad`. Each dispatch sees the previous one's writes (WebGPU orders
    /// dispatches of a pass), so nothing is read back between them.
    pub fn encode(&self, ctx: &GpuContext, encoder: &mut wgpu::CommandEncoder, with_grad: bool) {
        let p = ctx.pipelines();
        let s = &self.shape;
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("loss"),
            timestamp_writes: None,
        });
        let mut dispatch = |pipeline: &wgpu::ComputePipeline, i: usize, x: u32, y: u32| {
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &self.bind[i], &[]);
            pass.dispatch_workgroups(x, y, 1);
        };
        dispatch(&p.class_sums, 0, s.pixels.div_ceil(TILE), s.images);
        dispatch(&p.combine_sums, 1, 3 * s.classes + 1, self.units);
        dispatch(&p.loss_terms, 2, 1, 1);
        if with_grad {
            dispatch(&p.logit_grad, 3, s.pixels.div_ceil(WG), s.images);
        }
    }

    /// Records copies of the small results (and the gradient) into the staging buffers.
    pub(crate) fn encode_readback(
        &mut self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        with_grad: bool,
    ) {
        let mut offset = 0;
        for b in &self.small {
            encoder.copy_buffer_to_buffer(b, 0, &self.small_staging, offset, b.size());
            offset += b.size();
        }
        if with_grad {
            let size = self.grad.size();
            let staging = self.grad_staging.get_or_insert_with(|| {
                self.allocations += 1;
                buffer(
                    ctx,
                    "grad_staging",
                    size / 4,
                    wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                )
            });
            encoder.copy_buffer_to_buffer(&self.grad, 0, staging, 0, size);
        }
    }

    /// `sums_f`, `sums_u`, `coefs` and `report`: what a caller copies into its own staging buffer
    /// to decode a report later (the training step's ring does).
    pub(crate) fn small(&self) -> &[wgpu::Buffer; 4] {
        &self.small
    }

    /// The staging buffers: the small results, and the gradient if one was recorded.
    pub(crate) fn staging(&self) -> (&wgpu::Buffer, Option<&wgpu::Buffer>) {
        (&self.small_staging, self.grad_staging.as_ref())
    }

    /// Word counts of `sums_f`, `sums_u`, `coefs` and `report` in the small staging buffer.
    pub(crate) fn small_words(&self) -> [usize; 4] {
        self.small.each_ref().map(|b| (b.size() / 4) as usize)
    }

    /// Units of the configuration last written.
    pub fn units(&self) -> u32 {
        self.units
    }
}
