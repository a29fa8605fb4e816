//! The gradient heatmap on the GPU (`gradient_heat`: Σ_k |∂L/∂z_k| per pixel of the first image of
//! the last step) against the CPU's, from the same weights and batch; read without blocking through
//! a session as the page does; allocating nothing. Skipped, with the reason printed, without an
//! adapter.
//!
//! Tolerance: within 1e-4 of the largest heat value (measured on lavapipe: 3e-7). Both sides are f32
//! ∂L/∂z of f32 logits that differ only by the nets' summation order; the heat adds at most
//! `classes` absolute values per pixel.

use crate::gpu::gpu;
use crate::gtrain::{backends, bind, dispatch, f32s, floats, layer_words};
use dicelab::gpu::net::{LayerParams, NetPipelines};
use dicelab::loss::LossConfig;
use dicelab::net::{gradient_heat, Conv, Dims, NetSpec, OptimConfig};
use dicelab::rng::Mulberry32;
use dicelab::train::{GpuBackend, Progress, Session, SessionConfig, TrainBackend};

fn max_rel_diff(a: &[f32], b: &[f32]) -> f32 {
    let max = b.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let d = a
        .iter()
        .zip(b)
        .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    d / max.max(f32::MIN_POSITIVE)
}

#[test]
fn the_cpu_heat_sums_absolute_gradients_per_pixel() {
    let grad = [1.0, -2.0, 0.5, 0.0, -0.0, 3.0];
    assert_eq!(gradient_heat(&grad, 3), vec![3.5, 3.0]);
    assert_eq!(gradient_heat(&grad, 2), vec![3.0, 0.5, 3.0]);
}

#[test]
fn gpu_heat_matches_the_cpu_for_the_same_weights_and_batch() {
    let Some(ctx) = gpu("gpu_heat_matches_the_cpu_for_the_same_weights_and_batch") else {
        return;
    };
    let spec = NetSpec::new(8, 5).unwrap();
    let dims = Dims {
        batch: 2,
        height: 20,
        width: 12,
    };
    let mut rng = Mulberry32::new(9);
    let x: Vec<f32> = (0..dims.pixels() * 3)
        .map(|_| rng.next_f64() as f32)
        .collect();
    // Some ignored pixels (255): their gradient, and so their heat, is exactly 0.
    let y: Vec<i32> = (0..dims.pixels())
        .map(|i| match i % 7 {
            0 => 255,
            _ => (rng.next_f64() * 5.0) as i32,
        })
        .collect();
    let (mut cpu, mut gpu) = backends(ctx, spec, dims, OptimConfig::default());
    let before = gpu.trainer().allocations();
    // 255 is the default ignore index.
    let cfg = LossConfig::default();
    for step in 1..=3 {
        cpu.train_step(&x, &y, 2, &cfg).unwrap();
        gpu.train_step(&x, &y, 2, &cfg).unwrap();
        let (c, g) = (cpu.gradient_heat().unwrap(), gpu.gradient_heat().unwrap());
        assert_eq!(g.len(), dims.height * dims.width, "one value per pixel");
        assert_eq!(c.len(), g.len());
        let d = max_rel_diff(&g, &c);
        eprintln!("step {step}: GPU heat within {d:e} of the CPU's (relative to its max)");
        assert!(d < 1e-4, "step {step}: GPU heat differs by {d:e} of max");
        assert!(c.iter().any(|&v| v > 0.0), "the heat is not all zero");
        for (i, v) in g.iter().enumerate().filter(|(i, _)| i % 7 == 0) {
            assert_eq!(*v, 0.0, "ignored pixel {i} has heat");
        }
    }
    assert_eq!(gpu.trainer().allocations(), before, "a heat read allocated");
}

#[test]
fn a_gpu_session_reads_the_heat_without_blocking() {
    let Some(ctx) = gpu("a_gpu_session_reads_the_heat_without_blocking") else {
        return;
    };
    let mut cfg = SessionConfig {
        batch: 2,
        width: 8,
        ..SessionConfig::default()
    };
    cfg.data.size = 32;
    cfg.data.classes = 3;
    cfg.data.train_images = 4;
    cfg.data.val_images = 2;
    let spec = cfg.validate().unwrap();
    let dims = Dims {
        batch: 2,
        height: 32,
        width: 32,
    };
    let backend = pollster::block_on(GpuBackend::new(ctx.clone(), spec, dims, cfg.optim)).unwrap();
    let mut session = Session::with_backend(cfg, Box::new(backend)).unwrap();
    let mut cpu = Session::new(cfg).unwrap();
    // The native stand-in for the browser's event loop: poll the device, then await the signal.
    let heat = |s: &mut Session| loop {
        match s.gradient_heat_advance().unwrap() {
            Progress::Wait(signal) => {
                ctx.device()
                    .poll(wgpu::PollType::wait_indefinitely())
                    .unwrap();
                pollster::block_on(signal);
            }
            Progress::Done(h) => break h,
        }
    };
    assert_eq!(heat(&mut session), None, "no heat before the first step");
    let mut left = 3;
    while let Some(signal) = session.advance(&mut left).unwrap() {
        ctx.device()
            .poll(wgpu::PollType::wait_indefinitely())
            .unwrap();
        pollster::block_on(signal);
    }
    cpu.step(3).unwrap();
    let g = heat(&mut session).unwrap();
    let c = cpu.gradient_heat().unwrap().unwrap();
    assert_eq!(session.backend_name(), "gpu");
    let d = max_rel_diff(&g, &c);
    assert!(d < 1e-4, "session heat differs by {d:e} of max");
}

#[test]
fn the_heat_kernel_visits_only_the_first_image() {
    let Some(ctx) = gpu("the_heat_kernel_visits_only_the_first_image") else {
        return;
    };
    // The last layer's parameters for a batch of 3 images of 4×5 with 6 classes.
    let conv = Conv {
        k: 1,
        dilation: 1,
        cin: 8,
        cout: 6,
    };
    let dims = Dims {
        batch: 3,
        height: 4,
        width: 5,
    };
    let lp = LayerParams::new(&conv, dims, 0, dims.pixels());
    let mut rng = Mulberry32::new(4);
    let grad: Vec<f32> = (0..dims.pixels() * 6)
        .map(|_| (2.0 * rng.next_f64() - 1.0) as f32)
        .collect();
    let pipes = NetPipelines::new(ctx.device());
    let out = dispatch(
        &ctx,
        &pipes.gradient_heat,
        &[
            bind(0, layer_words(&lp)),
            bind(1, f32s(&grad)),
            bind(2, vec![u32::MAX; dims.pixels()]),
        ],
        (1, 1),
    );
    let heat = floats(&out[2]);
    let want = gradient_heat(&grad[..20 * 6], 6);
    assert!(max_rel_diff(&heat[..20], &want) < 1e-6);
    // The rest of the buffer (the other images) is left untouched.
    assert!(heat[20..].iter().all(|v| v.is_nan()));
}
