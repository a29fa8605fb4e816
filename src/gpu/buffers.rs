//! `LossBuffers`: every buffer and bind group the kernels need for one batch shape, created once and
//! reused by every evaluation of that shape, and the recording of the dispatches. Lovász's sort
//! buffers (`SortBuffers`, as large as the logits or more) are created the first time a Lovász
//! configuration is set, and kept.
//!
//! The logits buffer is also a storage buffer, so a network's forward pass can write it in place and
//! the gradient buffer can feed its backward pass: nothing needs to leave the GPU.

use super::consts::{SORT_BLOCK, SUMS_PER_CLASS};
use super::layout::{Shape, TILE, WG};
use super::params::Params;
use super::{GpuContext, GpuError};
use crate::loss::{LossConfig, LossKind};

/// Lovász's sort items and the bind groups of its dispatches, for up to `capacity` items and
/// segments of up to `max_len`.
#[derive(Debug)]
struct SortBuffers {
    capacity: u64,
    max_len: u64,
    errors: wgpu::BindGroup,
    sort: wgpu::BindGroup,
    scan: wgpu::BindGroup,
    /// The merge stages beyond one block, in order: `(k, None)` the within-block steps of stage
    /// `k`, `(k, Some(j))` its step at distance `j` across blocks; each with its `step` binding.
    steps: Vec<(u64, Option<u64>, wgpu::BindGroup)>,
}

/// The merge steps of a bitonic sort of segments of `len` items after the within-block sort.
fn merge_steps(len: u64) -> Vec<(u64, Option<u64>)> {
    let block = u64::from(SORT_BLOCK);
    let mut out = Vec::new();
    let mut k = 2 * block;
    while k <= len {
        let mut j = k / 2;
        while j >= block {
            out.push((k, Some(j)));
            j /= 2;
        }
        out.push((k, None));
        k *= 2;
    }
    out
}

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
    /// `λ_al` of Lovász, from `lovasz_scan` to `loss_terms`.
    lovasz: wgpu::Buffer,
    sort: Option<SortBuffers>,
    /// The configuration last written: Lovász's segments (units·C) and their length, when it is
    /// Lovász.
    lovasz_run: Option<(u64, u64)>,
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
        let [pf, pu, sf, su, co, re, lv] = shape.small_lengths();
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
        let lovasz = buffer(ctx, "lovasz", lv, U::STORAGE);
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
                    (10, &lovasz),
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
            lovasz,
            sort: None,
            lovasz_run: None,
            allocations: 1,
        }
    }

    /// Lovász's sort buffers for `items` items in segments of `len`, with their bind groups.
    fn sort_buffers(&self, ctx: &GpuContext, items: u64, len: u64) -> SortBuffers {
        use wgpu::BufferUsages as U;
        let p = ctx.pipelines();
        let keys = buffer(ctx, "lovasz_items", 2 * items, U::STORAGE);
        let plan = merge_steps(len);
        // One 16-byte (k, j) entry per merge step, each at an offset a binding may start at.
        let stride = u64::from(ctx.limits().min_storage_buffer_offset_alignment).max(16);
        let mut words = vec![0u32; (stride / 4) as usize * plan.len().max(1)];
        for (i, &(k, j)) in plan.iter().enumerate() {
            let at = i * (stride / 4) as usize;
            words[at] = k as u32;
            words[at + 1] = j.unwrap_or(0) as u32;
        }
        let steps = ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("lovasz_steps"),
            size: 4 * words.len() as u64,
            usage: U::STORAGE | U::COPY_DST,
            mapped_at_creation: false,
        });
        ctx.queue()
            .write_buffer(&steps, 0, bytemuck::cast_slice(&words));
        let [_, sums_u, ..] = &self.small;
        let step_bind = |pipeline: &wgpu::ComputePipeline, i: usize| {
            ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &pipeline.get_bind_group_layout(0),
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: self.params.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 11,
                        resource: keys.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 12,
                        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: &steps,
                            offset: i as u64 * stride,
                            size: wgpu::BufferSize::new(16),
                        }),
                    },
                ],
            })
        };
        let steps_bound = plan
            .iter()
            .enumerate()
            .map(|(i, &(k, j))| {
                let pipeline = match j {
                    Some(_) => &p.lovasz_merge_global,
                    None => &p.lovasz_merge_local,
                };
                (k, j, step_bind(pipeline, i))
            })
            .collect();
        SortBuffers {
            capacity: items,
            max_len: len,
            errors: bind_group(
                ctx,
                &p.lovasz_errors,
                &[
                    (0, &self.params),
                    (1, &self.logits),
                    (2, &self.labels),
                    (11, &keys),
                ],
            ),
            sort: bind_group(ctx, &p.lovasz_sort, &[(0, &self.params), (11, &keys)]),
            scan: bind_group(
                ctx,
                &p.lovasz_scan,
                &[
                    (0, &self.params),
                    (2, &self.labels),
                    (6, sums_u),
                    (9, &self.grad),
                    (10, &self.lovasz),
                    (11, &keys),
                ],
            ),
            steps: steps_bound,
        }
    }

    /// Whether this device can sort `cfg`'s Lovász errors on this shape (`Ok` for other losses).
    pub fn check(&self, ctx: &GpuContext, cfg: &LossConfig) -> Result<(), GpuError> {
        if cfg.kind == LossKind::Lovasz {
            self.shape.lovasz_items(cfg, ctx.limits())?;
        }
        Ok(())
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

    /// Writes the configuration. No allocation, except Lovász's sort buffers the first time a
    /// Lovász configuration needs them (or more of them), which are kept; refused past the sort's
    /// limits (`Shape::lovasz_items`).
    pub fn set_config(&mut self, ctx: &GpuContext, cfg: &LossConfig) -> Result<(), GpuError> {
        let params = Params::new(cfg, &self.shape);
        self.lovasz_run = None;
        if cfg.kind == LossKind::Lovasz {
            let items = self.shape.lovasz_items(cfg, ctx.limits())?;
            let len = u64::from(self.shape.unit_pixels(cfg)).next_power_of_two();
            let fits = self
                .sort
                .as_ref()
                .is_some_and(|s| s.capacity >= items && s.max_len >= len);
            if !fits {
                let (have_items, have_len) = self
                    .sort
                    .as_ref()
                    .map_or((0, 0), |s| (s.capacity, s.max_len));
                self.sort = Some(self.sort_buffers(ctx, items.max(have_items), len.max(have_len)));
                self.allocations += 1;
            }
            self.lovasz_run = Some((items / len, len));
        }
        self.units = params.units();
        ctx.queue()
            .write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        Ok(())
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

    /// Records the loss into `encoder`: `class_sums`, `combine_sums`, Lovász's sort (lovasz.wgsl)
    /// when the configuration is Lovász, `loss_terms` and, when `with_grad`, `logit_grad`. Each
    /// dispatch sees the previous one's writes (WebGPU orders dispatches of a pass), so nothing is
    /// read back between them.
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
        dispatch(
            &p.combine_sums,
            1,
            SUMS_PER_CLASS * s.classes + 1,
            self.units,
        );
        if let (Some((segments, len)), Some(sort)) = (self.lovasz_run, &self.sort) {
            let mut run =
                |pipeline: &wgpu::ComputePipeline, bind: &wgpu::BindGroup, x: u64, y: u64| {
                    pass.set_pipeline(pipeline);
                    pass.set_bind_group(0, bind, &[]);
                    // Within the limits `Shape::lovasz_items` checked.
                    pass.dispatch_workgroups(x as u32, y as u32, 1);
                };
            let (wg, block) = (u64::from(WG), u64::from(SORT_BLOCK));
            let items = segments * len;
            run(&p.lovasz_errors, &sort.errors, len.div_ceil(wg), segments);
            run(&p.lovasz_sort, &sort.sort, items.div_ceil(block), 1);
            for (_, j, bind) in sort.steps.iter().take_while(|s| s.0 <= len) {
                match j {
                    Some(_) => run(&p.lovasz_merge_global, bind, (items / 2).div_ceil(wg), 1),
                    None => run(&p.lovasz_merge_local, bind, items.div_ceil(block), 1),
                }
            }
            run(&p.lovasz_scan, &sort.scan, segments, 1);
        }
        pass.set_pipeline(&p.loss_terms);
        pass.set_bind_group(0, &self.bind[2], &[]);
        pass.dispatch_workgroups(1, 1, 1);
        if with_grad {
            pass.set_pipeline(&p.logit_grad);
            pass.set_bind_group(0, &self.bind[3], &[]);
            pass.dispatch_workgroups(s.pixels.div_ceil(WG), s.images, 1);
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
