//! The training step's compute pipelines, compiled once per device (kept in `GpuContext`, built on
//! first use so that a loss-only caller never compiles them).

use crate::gpu::pipelines::{compute, module};
use crate::gpu::shaders;

/// One pipeline per kernel entry point; layouts derived from the shaders (`layout: None`).
#[derive(Debug, Clone)]
pub struct NetPipelines {
    /// `conv2d_forward`.
    pub conv2d_forward: wgpu::ComputePipeline,
    /// `conv2d_backward_input`.
    pub conv2d_backward_input: wgpu::ComputePipeline,
    /// `conv2d_backward_filter`, level 1 (partials).
    pub conv2d_backward_filter: wgpu::ComputePipeline,
    /// `conv2d_backward_filter_combine`, level 2.
    pub conv2d_backward_filter_combine: wgpu::ComputePipeline,
    /// `relu`.
    pub relu: wgpu::ComputePipeline,
    /// `relu_backward`.
    pub relu_backward: wgpu::ComputePipeline,
    /// `argmax`.
    pub argmax: wgpu::ComputePipeline,
    /// `gradient_heat` (only when the page asks for the heatmap).
    pub gradient_heat: wgpu::ComputePipeline,
    /// `adam_update`.
    pub adam_update: wgpu::ComputePipeline,
    /// `sgd_momentum_update`.
    pub sgd_momentum_update: wgpu::ComputePipeline,
}

impl NetPipelines {
    /// Compiles every net kernel; errors surface through the device's error scope.
    pub fn new(device: &wgpu::Device) -> Self {
        let module = |name, source| module(device, name, source);
        let pipeline = |module, entry| compute(device, module, entry);
        let fwd = module("conv2d_forward.wgsl", shaders::CONV2D_FORWARD);
        let bin = module("conv2d_backward_input.wgsl", shaders::CONV2D_BACKWARD_INPUT);
        let bfl = module(
            "conv2d_backward_filter.wgsl",
            shaders::CONV2D_BACKWARD_FILTER,
        );
        let relu = module("relu.wgsl", shaders::RELU);
        let argmax = module("argmax.wgsl", shaders::ARGMAX);
        let heat = module("gradient_heat.wgsl", shaders::GRADIENT_HEAT);
        let optim = module("optim.wgsl", shaders::OPTIM);
        Self {
            conv2d_forward: pipeline(&fwd, "conv2d_forward"),
            conv2d_backward_input: pipeline(&bin, "conv2d_backward_input"),
            conv2d_backward_filter: pipeline(&bfl, "conv2d_backward_filter"),
            conv2d_backward_filter_combine: pipeline(&bfl, "conv2d_backward_filter_combine"),
            relu: pipeline(&relu, "relu"),
            relu_backward: pipeline(&relu, "relu_backward"),
            argmax: pipeline(&argmax, "argmax"),
            gradient_heat: pipeline(&heat, "gradient_heat"),
            adam_update: pipeline(&optim, "adam_update"),
            sgd_momentum_update: pipeline(&optim, "sgd_momentum_update"),
        }
    }
}
