//! `NetBuffers`: every buffer and bind group of the training step for one configuration (net shape
//! and batch size), created once; a step only writes into them. The loss's own buffers
//! (`LossBuffers`) are bound directly: the last layer writes the loss's logits buffer and backward
//! reads the loss's gradient buffer, so nothing passes through the CPU.

use super::params::{LayerParams, OptimParams};
use super::pipelines::NetPipelines;
use crate::gpu::buffers::{bind_group, buffer};
use crate::gpu::{GpuContext, LossBuffers};
use crate::net::{Dims, NetSpec, INPUT_CHANNELS, LAYERS};
use wgpu::BufferUsages as U;

/// Bind groups per kernel launch, in the order `encode` records them.
#[derive(Debug)]
pub struct Binds {
    pub(super) forward: [wgpu::BindGroup; LAYERS],
    pub(super) relu: [wgpu::BindGroup; LAYERS - 1],
    pub(super) filter: [wgpu::BindGroup; LAYERS],
    pub(super) combine: [wgpu::BindGroup; LAYERS],
    /// Input gradients of layers 1, 2, 3 (index 0 unused: the image needs none).
    pub(super) input: [Option<wgpu::BindGroup>; LAYERS],
    pub(super) relu_backward: [wgpu::BindGroup; LAYERS - 1],
    pub(super) adam: wgpu::BindGroup,
    pub(super) sgd: wgpu::BindGroup,
    pub(super) argmax: wgpu::BindGroup,
    pub(super) heat: wgpu::BindGroup,
}

/// The buffers of one configuration.
#[derive(Debug)]
pub struct NetBuffers {
    pub(super) spec: NetSpec,
    pub(super) dims: Dims,
    pub(super) layer_params: [LayerParams; LAYERS],
    pub(super) params: wgpu::Buffer,
    pub(super) m: wgpu::Buffer,
    pub(super) v: wgpu::Buffer,
    pub(super) images: wgpu::Buffer,
    pub(super) optim: wgpu::Buffer,
    pub(super) classes: wgpu::Buffer,
    /// Mapped for reading predictions (u32 per pixel).
    pub(super) classes_staging: wgpu::Buffer,
    /// Mapped for reading the parameters on request.
    pub(super) params_staging: wgpu::Buffer,
    /// `Σ_k |∂L/∂z_k|` of the first image's pixels, and its staging buffer (read on request).
    pub(super) heat: wgpu::Buffer,
    pub(super) heat_staging: wgpu::Buffer,
    pub(super) binds: Binds,
    /// Buffers created (constant after `new`).
    pub(super) allocations: usize,
}

impl NetBuffers {
    /// Allocates everything for `spec` on batches of `dims`, wired to `loss`'s logits and gradient.
    pub fn new(
        ctx: &GpuContext,
        pipes: &NetPipelines,
        spec: NetSpec,
        dims: Dims,
        loss: &LossBuffers,
    ) -> Self {
        let p = dims.pixels();
        let n = spec.param_count() as u64;
        let hidden = (p * spec.width) as u64;
        let mut allocations = 0;
        let mut make = |label: &str, words: u64, usage: U| {
            allocations += 1;
            buffer(ctx, label, words, usage)
        };
        let params = make("params", n, U::STORAGE | U::COPY_DST | U::COPY_SRC);
        let grads = make("grads", n, U::STORAGE);
        let m = make("m", n, U::STORAGE | U::COPY_DST);
        let v = make("v", n, U::STORAGE | U::COPY_DST);
        let images = make(
            "images",
            (p * INPUT_CHANNELS) as u64,
            U::STORAGE | U::COPY_DST,
        );
        let acts = [0, 1, 2].map(|_| make("act", hidden, U::STORAGE));
        let dacts = [0, 1].map(|_| make("dact", hidden, U::STORAGE));
        let layers = spec.layers();
        let offsets = spec.offsets();
        let layer_params: [LayerParams; LAYERS] = std::array::from_fn(|l| {
            let count = if l + 1 == LAYERS {
                p
            } else {
                p * layers[l].cout
            };
            LayerParams::new(&layers[l], dims, offsets[l].0.start, count)
        });
        let partial_words = layers
            .iter()
            .zip(&layer_params)
            .map(|(c, lp)| (c.weight_len() + c.cout) as u64 * u64::from(lp.chunks()))
            .max()
            .unwrap_or(1);
        let partial = make("filter_partial", partial_words, U::STORAGE);
        let layer_buf = layer_params.map(|lp| {
            let b = make("layer", 12, U::STORAGE | U::COPY_DST);
            ctx.queue().write_buffer(&b, 0, bytemuck::bytes_of(&lp));
            b
        });
        let optim = make("optim", 12, U::STORAGE | U::COPY_DST);
        ctx.queue().write_buffer(
            &optim,
            0,
            bytemuck::bytes_of(&OptimParams::new(&Default::default(), n as usize, 1)),
        );
        let classes = make("classes", p as u64, U::STORAGE | U::COPY_SRC);
        let classes_staging = make("classes_staging", p as u64, U::MAP_READ | U::COPY_DST);
        let params_staging = make("params_staging", n, U::MAP_READ | U::COPY_DST);
        let image_pixels = (dims.height * dims.width) as u64;
        let heat = make("heat", image_pixels, U::STORAGE | U::COPY_SRC);
        let heat_staging = make("heat_staging", image_pixels, U::MAP_READ | U::COPY_DST);

        let (logits, dz) = (loss.logits(), loss.grad());
        let [a0, a1, a2] = &acts;
        let [da, db] = &dacts;
        let inputs: [&wgpu::Buffer; LAYERS] = [&images, a0, a1, a2];
        let outputs: [&wgpu::Buffer; LAYERS] = [a0, a1, a2, logits];
        // ∂L/∂(layer output, before its ReLU) as backward leaves it for each layer's filter kernel.
        let douts: [&wgpu::Buffer; LAYERS] = [da, db, da, dz];
        // Where each layer's input gradient goes (layer 0 has none).
        let dins: [Option<&wgpu::Buffer>; LAYERS] = [None, Some(da), Some(db), Some(da)];
        let lb = &layer_buf;
        let binds = Binds {
            forward: std::array::from_fn(|l| {
                let e = [(0, &lb[l]), (1, inputs[l]), (2, &params), (3, outputs[l])];
                bind_group(ctx, &pipes.conv2d_forward, &e)
            }),
            relu: std::array::from_fn(|l| {
                bind_group(ctx, &pipes.relu, &[(0, &lb[l]), (1, outputs[l])])
            }),
            filter: std::array::from_fn(|l| {
                let e = [(0, &lb[l]), (1, inputs[l]), (2, douts[l]), (3, &partial)];
                bind_group(ctx, &pipes.conv2d_backward_filter, &e)
            }),
            combine: std::array::from_fn(|l| {
                let e = [(0, &lb[l]), (3, &partial), (4, &grads)];
                bind_group(ctx, &pipes.conv2d_backward_filter_combine, &e)
            }),
            input: std::array::from_fn(|l| {
                dins[l].map(|din| {
                    let e = [(0, &lb[l]), (1, douts[l]), (2, &params), (3, din)];
                    bind_group(ctx, &pipes.conv2d_backward_input, &e)
                })
            }),
            // ReLU of layer l's output, applied to ∂L/∂(that output) = the next layer's input
            // gradient, which is where `douts[l]` already points.
            relu_backward: std::array::from_fn(|l| {
                let e = [(0, &lb[l]), (2, outputs[l]), (3, douts[l])];
                bind_group(ctx, &pipes.relu_backward, &e)
            }),
            adam: bind_group(
                ctx,
                &pipes.adam_update,
                &[(0, &optim), (1, &params), (2, &grads), (3, &m), (4, &v)],
            ),
            sgd: bind_group(
                ctx,
                &pipes.sgd_momentum_update,
                &[(0, &optim), (1, &params), (2, &grads), (3, &m)],
            ),
            argmax: bind_group(
                ctx,
                &pipes.argmax,
                &[(0, &lb[LAYERS - 1]), (1, logits), (2, &classes)],
            ),
            heat: bind_group(
                ctx,
                &pipes.gradient_heat,
                &[(0, &lb[LAYERS - 1]), (1, dz), (2, &heat)],
            ),
        };
        Self {
            spec,
            dims,
            layer_params,
            params,
            m,
            v,
            images,
            optim,
            classes,
            classes_staging,
            params_staging,
            heat,
            heat_staging,
            binds,
            allocations,
        }
    }
}
