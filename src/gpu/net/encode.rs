//! Recording the training step into one command encoder: forward (conv + ReLU per layer, the last
//! layer into the loss's logits), the loss and `∂L/∂z` (`LossBuffers::encode`), backward (per layer
//! the filter gradient in two levels, the input gradient, the ReLU mask) and the optimiser update.
//! WebGPU orders the dispatches of a pass and makes each see the previous one's writes, so the whole
//! chain runs without a round trip.

use super::buffers::NetBuffers;
use super::params::{elem_groups, CONV_WG};
use super::pipelines::NetPipelines;
use crate::net::{OptimKind, LAYERS};

fn dispatch(
    pass: &mut wgpu::ComputePass<'_>,
    pipeline: &wgpu::ComputePipeline,
    bind: &wgpu::BindGroup,
    groups: (u32, u32),
) {
    pass.set_pipeline(pipeline);
    pass.set_bind_group(0, bind, &[]);
    pass.dispatch_workgroups(groups.0, groups.1, 1);
}

impl NetBuffers {
    fn conv_groups(&self) -> (u32, u32) {
        let hw = (self.dims.height * self.dims.width) as u32;
        (hw.div_ceil(CONV_WG), self.dims.batch as u32)
    }

    /// Forward through all four layers: the logits land in the loss's logits buffer.
    pub fn encode_forward(&self, pipes: &NetPipelines, encoder: &mut wgpu::CommandEncoder) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("forward"),
            timestamp_writes: None,
        });
        let b = &self.binds;
        for l in 0..LAYERS {
            dispatch(
                &mut pass,
                &pipes.conv2d_forward,
                &b.forward[l],
                self.conv_groups(),
            );
            if l + 1 < LAYERS {
                let n = self.dims.pixels() * self.spec.width;
                dispatch(&mut pass, &pipes.relu, &b.relu[l], (elem_groups(n), 1));
            }
        }
    }

    /// Backward from the loss's `∂L/∂z`, then the update of `kind`.
    pub fn encode_backward(
        &self,
        pipes: &NetPipelines,
        encoder: &mut wgpu::CommandEncoder,
        kind: OptimKind,
    ) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("backward"),
            timestamp_writes: None,
        });
        let b = &self.binds;
        let layers = self.spec.layers();
        let hidden = self.dims.pixels() * self.spec.width;
        for l in (0..LAYERS).rev() {
            let n = (layers[l].weight_len() + layers[l].cout) as u32;
            let chunks = self.layer_params[l].chunks();
            let groups = n.div_ceil(CONV_WG);
            dispatch(
                &mut pass,
                &pipes.conv2d_backward_filter,
                &b.filter[l],
                (groups, chunks),
            );
            dispatch(
                &mut pass,
                &pipes.conv2d_backward_filter_combine,
                &b.combine[l],
                (groups, 1),
            );
            if let Some(input) = &b.input[l] {
                let g = self.conv_groups();
                dispatch(&mut pass, &pipes.conv2d_backward_input, input, g);
                // The input of layer l is the ReLU output of layer l − 1.
                let mask = &b.relu_backward[l - 1];
                dispatch(
                    &mut pass,
                    &pipes.relu_backward,
                    mask,
                    (elem_groups(hidden), 1),
                );
            }
        }
        let n = self.spec.param_count();
        let (pipeline, bind) = match kind {
            OptimKind::Adam => (&pipes.adam_update, &b.adam),
            OptimKind::Sgd => (&pipes.sgd_momentum_update, &b.sgd),
        };
        dispatch(&mut pass, pipeline, bind, (elem_groups(n), 1));
    }

    /// The predicted class of every pixel of the last forward pass, into `classes`.
    pub fn encode_argmax(&self, pipes: &NetPipelines, encoder: &mut wgpu::CommandEncoder) {
        let n = self.dims.pixels();
        element_pass(encoder, "argmax", &pipes.argmax, &self.binds.argmax, n);
    }

    /// `Σ_k |∂L/∂z_k|` per pixel of the first image, from the loss's gradient buffer as the last
    /// step left it, into `heat`.
    pub fn encode_heat(&self, pipes: &NetPipelines, encoder: &mut wgpu::CommandEncoder) {
        let n = self.dims.height * self.dims.width;
        element_pass(
            encoder,
            "gradient heat",
            &pipes.gradient_heat,
            &self.binds.heat,
            n,
        );
    }
}

/// A pass of its own holding one element-wise dispatch over `n` values.
fn element_pass(
    encoder: &mut wgpu::CommandEncoder,
    label: &str,
    pipeline: &wgpu::ComputePipeline,
    bind: &wgpu::BindGroup,
    n: usize,
) {
    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some(label),
        timestamp_writes: None,
    });
    dispatch(&mut pass, pipeline, bind, (elem_groups(n), 1));
}
