//! `dicelab bench loss --backend gpu`: the GPU figures printed beside the CPU's for the same shapes.
//!
//! `loss_s` is the training-step cost: inputs already on the device, the four kernels, the gradient
//! left there. `roundtrip_s` adds the upload and reading everything back (what `dicelab loss` pays).
//! The copy figure is a buffer-to-buffer copy of the same bytes on the same device.

use super::{time, LossBench};
use crate::gpu::GpuEngine;
use crate::loss::LossConfig;
use ndarray::{Array3, Array4};

/// Times the GPU engine on `logits`/`labels`.
pub(super) fn measure(
    engine: &mut GpuEngine,
    cfg: &LossConfig,
    logits: &Array4<f32>,
    labels: &Array3<i32>,
    runs: usize,
) -> Result<LossBench, String> {
    let mut grad = vec![0.0f32; logits.len()];
    let roundtrip_s = time(runs, || {
        pollster::block_on(engine.evaluate(cfg, logits.view(), labels.view(), Some(&mut grad)))
            .map(|_| ())
            .map_err(|e| e.to_string())
    })?;
    let ctx = engine.context().clone();
    let buffers = engine
        .buffers()
        .ok_or("internal: no GPU buffers after an evaluation")?;
    let submit_and_wait = |record: &dyn Fn(&mut wgpu::CommandEncoder)| {
        let mut encoder = ctx.device().create_command_encoder(&Default::default());
        record(&mut encoder);
        ctx.queue().submit([encoder.finish()]);
        ctx.device()
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| e.to_string())?;
        ctx.check().map_err(|e| e.to_string())
    };
    let loss_s = time(runs, || {
        submit_and_wait(&|encoder| buffers.encode(&ctx, encoder, true))
    })?;
    let bytes = buffers.logits().size();
    let copy_s = time(runs, || {
        submit_and_wait(&|encoder| {
            encoder.copy_buffer_to_buffer(buffers.logits(), 0, buffers.grad(), 0, bytes);
        })
    })?;
    let shape = buffers.shape().dims;
    Ok(LossBench::new("gpu", shape, runs, loss_s, copy_s).on_gpu(ctx.adapter(), roundtrip_s))
}
