//! The loss's compute pipelines, compiled once per device from `shaders`.

use super::shaders;
use std::borrow::Cow;

/// One pipeline per kernel. Layouts are derived from the shaders (`layout: None`), so each pipeline's
/// bind group lists exactly the bindings its entry point uses.
#[derive(Debug, Clone)]
pub struct Pipelines {
    /// Level 1 of the reduction.
    pub class_sums: wgpu::ComputePipeline,
    /// Level 2 of the reduction.
    pub combine_sums: wgpu::ComputePipeline,
    /// Sums → loss and coefficients.
    pub loss_terms: wgpu::ComputePipeline,
    /// The element-wise gradient.
    pub logit_grad: wgpu::ComputePipeline,
    /// Lovász: the errors to sort.
    pub lovasz_errors: wgpu::ComputePipeline,
    /// Lovász: the sort within blocks.
    pub lovasz_sort: wgpu::ComputePipeline,
    /// Lovász: a merge's steps within blocks.
    pub lovasz_merge_local: wgpu::ComputePipeline,
    /// Lovász: one merge step across blocks.
    pub lovasz_merge_global: wgpu::ComputePipeline,
    /// Lovász: increments, λ and ∂L/∂p along the order.
    pub lovasz_scan: wgpu::ComputePipeline,
}

impl Pipelines {
    /// Compiles every kernel. Errors surface through the device's error scope (see `GpuContext`).
    pub fn new(device: &wgpu::Device) -> Self {
        let module = |name, source| module(device, name, source);
        let pipeline = |module, entry| compute(device, module, entry);
        let sums = module("class_sums.wgsl", shaders::CLASS_SUMS);
        let terms = module("loss_terms.wgsl", shaders::LOSS_TERMS);
        let grad = module("logit_grad.wgsl", shaders::LOGIT_GRAD);
        let lovasz = module("lovasz.wgsl", shaders::LOVASZ);
        Self {
            class_sums: pipeline(&sums, "class_sums"),
            combine_sums: pipeline(&sums, "combine_sums"),
            loss_terms: pipeline(&terms, "loss_terms"),
            logit_grad: pipeline(&grad, "logit_grad"),
            lovasz_errors: pipeline(&lovasz, "lovasz_errors"),
            lovasz_sort: pipeline(&lovasz, "lovasz_sort"),
            lovasz_merge_local: pipeline(&lovasz, "lovasz_merge_local"),
            lovasz_merge_global: pipeline(&lovasz, "lovasz_merge_global"),
            lovasz_scan: pipeline(&lovasz, "lovasz_scan"),
        }
    }
}

/// Compiles one WGSL module.
pub(crate) fn module(
    device: &wgpu::Device,
    name: &str,
    source: &'static str,
) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(name),
        source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(source)),
    })
}

/// A compute pipeline for `entry` of `module`, its layout derived from the shader.
pub(crate) fn compute(
    device: &wgpu::Device,
    module: &wgpu::ShaderModule,
    entry: &str,
) -> wgpu::ComputePipeline {
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry),
        layout: None,
        module,
        entry_point: Some(entry),
        compilation_options: wgpu::PipelineCompilationOptions::default(),
        cache: None,
    })
}
