//! The training step on the GPU against its CPU twins: each net kernel alone on random inputs, then
//! whole steps (weights after 1 and 20 steps), the loss going down, buffer reuse, and a lost device
//! continuing on the CPU from the same weights. Skipped, with the reason printed, without an adapter.
//!
//! Tolerances (f32 on both sides; only the summation order differs): every kernel within 1e-5 of
//! the largest magnitude of its output (the filter gradients, two-level sums over 286 pixels, within
//! 2e-5); weights after one Adam step within 1e-5 absolute (Adam moves each weight by at most lr =
//! 1e-2, by nearly exactly ±lr where |m̂| ≫ ε·√v̂, so the f32 noise of the gradient shows only in
//! weights whose gradient is ~0); after 20 steps within 5e-5 absolute (measured on lavapipe: Adam
//! 2.5e-6 after 1 and 2.6e-6 after 20 steps; SGD 1.5e-8 and 6e-8).

use crate::gpu::gpu;
use dicelab::gpu::net::{LayerParams, NetPipelines, OptimParams, CHUNK, CONV_WG, ELEM_WG};
use dicelab::gpu::GpuContext;
use dicelab::loss::LossConfig;
use dicelab::net::{
    adam_update, argmax, conv2d_backward_filter, conv2d_backward_input, conv2d_forward,
    init_params, relu, relu_backward, sgd_momentum_update, Conv, Dims, InitKind, NetSpec,
    OptimConfig, OptimKind,
};
use dicelab::rng::Mulberry32;
use dicelab::train::{CpuBackend, GpuBackend, Progress, Session, SessionConfig, TrainBackend};

/// A binding of a test dispatch: its slot and initial contents (raw words).
pub struct Bind {
    slot: u32,
    data: Vec<u32>,
}

/// Buffer `data` bound at `slot` of the kernel's group 0.
pub fn bind(slot: u32, data: Vec<u32>) -> Bind {
    Bind { slot, data }
}

pub fn f32s(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

pub fn floats(w: &[u32]) -> Vec<f32> {
    w.iter().map(|&x| f32::from_bits(x)).collect()
}

fn random(rng: &mut Mulberry32, n: usize, scale: f64) -> Vec<f32> {
    (0..n)
        .map(|_| ((2.0 * rng.next_f64() - 1.0) * scale) as f32)
        .collect()
}

/// Runs `pipeline` once with `binds` and returns every binding's contents afterwards.
pub fn dispatch(
    ctx: &GpuContext,
    pipeline: &wgpu::ComputePipeline,
    binds: &[Bind],
    groups: (u32, u32),
) -> Vec<Vec<u32>> {
    use wgpu::BufferUsages as U;
    let dev = ctx.device();
    let buffers: Vec<wgpu::Buffer> = binds
        .iter()
        .map(|b| {
            let buf = dev.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: 4 * b.data.len().max(1) as u64,
                usage: U::STORAGE | U::COPY_SRC | U::COPY_DST,
                mapped_at_creation: false,
            });
            ctx.queue()
                .write_buffer(&buf, 0, bytemuck::cast_slice(&b.data));
            buf
        })
        .collect();
    let entries: Vec<wgpu::BindGroupEntry<'_>> = binds
        .iter()
        .zip(&buffers)
        .map(|(b, buf)| wgpu::BindGroupEntry {
            binding: b.slot,
            resource: buf.as_entire_binding(),
        })
        .collect();
    let group = dev.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &entries,
    });
    let mut enc = dev.create_command_encoder(&Default::default());
    {
        let mut pass = enc.begin_compute_pass(&Default::default());
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(groups.0, groups.1, 1);
    }
    let staging: Vec<wgpu::Buffer> = buffers
        .iter()
        .map(|b| {
            let s = dev.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: b.size(),
                usage: U::MAP_READ | U::COPY_DST,
                mapped_at_creation: false,
            });
            enc.copy_buffer_to_buffer(b, 0, &s, 0, b.size());
            s
        })
        .collect();
    ctx.queue().submit([enc.finish()]);
    for s in &staging {
        s.map_async(wgpu::MapMode::Read, .., |r| r.unwrap());
    }
    dev.poll(wgpu::PollType::wait_indefinitely()).unwrap();
    staging
        .iter()
        .map(|s| {
            let v = bytemuck::cast_slice::<u8, u32>(&s.get_mapped_range(..).unwrap()).to_vec();
            s.unmap();
            v
        })
        .collect()
}

pub fn layer_words(lp: &LayerParams) -> Vec<u32> {
    bytemuck::cast_slice(bytemuck::bytes_of(lp)).to_vec()
}

/// Largest |a − b| over the largest |b|.
fn rel_err(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1e-30f64, |m, &x| m.max(f64::from(x.abs())));
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (&x, &y)| m.max(f64::from((x - y).abs())));
    diff / scale
}

/// The four layer kinds of TinySegNet (first, hidden, dilated, 1×1) at small widths.
fn convs() -> [Conv; 4] {
    let c = |k, dilation, cin, cout| Conv {
        k,
        dilation,
        cin,
        cout,
    };
    [
        c(3, 1, 3, 8),
        c(3, 1, 8, 16),
        c(3, 2, 16, 16),
        c(1, 1, 16, 6),
    ]
}

/// 2 images of 13×11: 286 pixels, so the filter gradient has two chunks and the convolutions a
/// partial workgroup.
const DIMS: Dims = Dims {
    batch: 2,
    height: 13,
    width: 11,
};

fn conv_groups() -> (u32, u32) {
    (
        ((DIMS.height * DIMS.width) as u32).div_ceil(CONV_WG),
        DIMS.batch as u32,
    )
}

/// The layer's weights and bias at offset 5 of a flat vector (so offsets are exercised).
fn flat_params(rng: &mut Mulberry32, conv: &Conv) -> (Vec<f32>, usize) {
    let off = 5;
    let flat = random(rng, off + conv.weight_len() + conv.cout + 3, 0.5);
    (flat, off)
}

#[test]
fn conv2d_forward_matches_its_cpu_twin() {
    let Some(ctx) = gpu("conv2d_forward_matches_its_cpu_twin") else {
        return;
    };
    let pipes = NetPipelines::new(ctx.device());
    let mut rng = Mulberry32::new(7);
    for conv in convs() {
        let p = DIMS.pixels();
        let x = random(&mut rng, p * conv.cin, 1.0);
        let (flat, off) = flat_params(&mut rng, &conv);
        let (w, b) = flat[off..].split_at(conv.weight_len());
        let mut cpu = vec![0.0; p * conv.cout];
        conv2d_forward(&conv, DIMS, &x, w, &b[..conv.cout], &mut cpu);
        let lp = LayerParams::new(&conv, DIMS, off, 0);
        let out = dispatch(
            &ctx,
            &pipes.conv2d_forward,
            &[
                bind(0, layer_words(&lp)),
                bind(1, f32s(&x)),
                bind(2, f32s(&flat)),
                bind(3, vec![0; cpu.len()]),
            ],
            conv_groups(),
        );
        let err = rel_err(&floats(&out[3]), &cpu);
        assert!(err < 1e-5, "{conv:?}: forward error {err:e}");
    }
}

#[test]
fn conv2d_backward_input_matches_its_cpu_twin() {
    let Some(ctx) = gpu("conv2d_backward_input_matches_its_cpu_twin") else {
        return;
    };
    let pipes = NetPipelines::new(ctx.device());
    let mut rng = Mulberry32::new(8);
    for conv in convs() {
        let p = DIMS.pixels();
        let dout = random(&mut rng, p * conv.cout, 1.0);
        let (flat, off) = flat_params(&mut rng, &conv);
        let w = &flat[off..off + conv.weight_len()];
        let mut cpu = vec![0.0; p * conv.cin];
        conv2d_backward_input(&conv, DIMS, &dout, w, &mut cpu);
        let lp = LayerParams::new(&conv, DIMS, off, 0);
        let out = dispatch(
            &ctx,
            &pipes.conv2d_backward_input,
            &[
                bind(0, layer_words(&lp)),
                bind(1, f32s(&dout)),
                bind(2, f32s(&flat)),
                bind(3, vec![0; cpu.len()]),
            ],
            conv_groups(),
        );
        let err = rel_err(&floats(&out[3]), &cpu);
        assert!(err < 1e-5, "{conv:?}: input gradient error {err:e}");
    }
}

#[test]
fn conv2d_backward_filter_matches_its_cpu_twin() {
    let Some(ctx) = gpu("conv2d_backward_filter_matches_its_cpu_twin") else {
        return;
    };
    let pipes = NetPipelines::new(ctx.device());
    let mut rng = Mulberry32::new(9);
    for conv in convs() {
        let p = DIMS.pixels();
        let x = random(&mut rng, p * conv.cin, 1.0);
        let dout = random(&mut rng, p * conv.cout, 1.0);
        let mut dw = vec![0.0; conv.weight_len()];
        let mut db = vec![0.0; conv.cout];
        conv2d_backward_filter(&conv, DIMS, &x, &dout, &mut dw, &mut db);
        let off = 3;
        let lp = LayerParams::new(&conv, DIMS, off, 0);
        let n = (conv.weight_len() + conv.cout) as u32;
        assert_eq!(lp.chunks(), (p as u32).div_ceil(CHUNK));
        assert!(lp.chunks() > 1, "the test must cover the second level");
        let partial = vec![0; (n * lp.chunks()) as usize];
        let out = dispatch(
            &ctx,
            &pipes.conv2d_backward_filter,
            &[
                bind(0, layer_words(&lp)),
                bind(1, f32s(&x)),
                bind(2, f32s(&dout)),
                bind(3, partial),
            ],
            (n.div_ceil(CONV_WG), lp.chunks()),
        );
        let grads = vec![0; off + n as usize + 2];
        let out = dispatch(
            &ctx,
            &pipes.conv2d_backward_filter_combine,
            &[
                bind(0, layer_words(&lp)),
                bind(3, out[3].clone()),
                bind(4, grads),
            ],
            (n.div_ceil(CONV_WG), 1),
        );
        let g = floats(&out[2]);
        let (gw, rest) = g[off..].split_at(conv.weight_len());
        let err_w = rel_err(gw, &dw);
        let err_b = rel_err(&rest[..conv.cout], &db);
        assert!(err_w < 2e-5, "{conv:?}: weight gradient error {err_w:e}");
        assert!(err_b < 2e-5, "{conv:?}: bias gradient error {err_b:e}");
        assert!(g[..off].iter().chain(&rest[conv.cout..]).all(|&v| v == 0.0));
    }
}

#[test]
fn relu_argmax_and_optimisers_match_their_cpu_twins() {
    let Some(ctx) = gpu("relu_argmax_and_optimisers_match_their_cpu_twins") else {
        return;
    };
    let pipes = NetPipelines::new(ctx.device());
    let mut rng = Mulberry32::new(10);
    let n = 1000;
    let groups = ((n as u32).div_ceil(ELEM_WG), 1);
    let conv = Conv {
        k: 1,
        dilation: 1,
        cin: 4,
        cout: 5,
    };
    let lp = LayerParams::new(&conv, DIMS, 0, n);
    // ReLU and its gradient: exact.
    let x = random(&mut rng, n, 1.0);
    let mut cpu = x.clone();
    relu(&mut cpu);
    let out = dispatch(
        &ctx,
        &pipes.relu,
        &[bind(0, layer_words(&lp)), bind(1, f32s(&x))],
        groups,
    );
    assert_eq!(floats(&out[1]), cpu, "relu");
    let dy = random(&mut rng, n, 1.0);
    let mut cpu = dy.clone();
    relu_backward(&floats(&out[1]), &mut cpu);
    let out = dispatch(
        &ctx,
        &pipes.relu_backward,
        &[
            bind(0, layer_words(&lp)),
            bind(2, out[1].clone()),
            bind(3, f32s(&dy)),
        ],
        groups,
    );
    assert_eq!(floats(&out[2]), cpu, "relu_backward");
    // argmax over 5 classes, with ties (rounded logits): exact.
    let z: Vec<f32> = random(&mut rng, n * 5, 2.0)
        .iter()
        .map(|v| v.round())
        .collect();
    let mut cpu = vec![0u8; n];
    argmax(&z, 5, &mut cpu);
    let out = dispatch(
        &ctx,
        &pipes.argmax,
        &[
            bind(0, layer_words(&lp)),
            bind(1, f32s(&z)),
            bind(2, vec![0; n]),
        ],
        groups,
    );
    let gpu_classes: Vec<u8> = out[2].iter().map(|&c| c as u8).collect();
    assert_eq!(gpu_classes, cpu, "argmax");
    // Adam at t = 3 and SGD with momentum, from non-zero state: within 1e-6 relative.
    for kind in [OptimKind::Adam, OptimKind::Sgd] {
        let cfg = OptimConfig {
            kind,
            ..OptimConfig::default()
        };
        let (p, g) = (random(&mut rng, n, 1.0), random(&mut rng, n, 0.1));
        let m = random(&mut rng, n, 0.01);
        let v: Vec<f32> = random(&mut rng, n, 1e-3).iter().map(|x| x.abs()).collect();
        let (mut cp, mut cm, mut cv) = (p.clone(), m.clone(), v.clone());
        let pipeline = match kind {
            OptimKind::Adam => {
                adam_update(
                    &mut cp,
                    &g,
                    &mut cm,
                    &mut cv,
                    cfg.lr,
                    cfg.beta1,
                    cfg.beta2,
                    cfg.epsilon,
                    3,
                );
                &pipes.adam_update
            }
            OptimKind::Sgd => {
                sgd_momentum_update(&mut cp, &g, &mut cm, cfg.lr, cfg.momentum);
                &pipes.sgd_momentum_update
            }
        };
        let op = OptimParams::new(&cfg, n, 3);
        let mut binds = vec![
            bind(0, bytemuck::cast_slice(bytemuck::bytes_of(&op)).to_vec()),
            bind(1, f32s(&p)),
            bind(2, f32s(&g)),
            bind(3, f32s(&m)),
        ];
        if kind == OptimKind::Adam {
            binds.push(bind(4, f32s(&v)));
        }
        let out = dispatch(&ctx, pipeline, &binds, groups);
        assert!(rel_err(&floats(&out[1]), &cp) < 1e-6, "{kind:?} parameters");
        assert!(
            rel_err(&floats(&out[3]), &cm) < 1e-6,
            "{kind:?} first moment"
        );
        if kind == OptimKind::Adam {
            assert!(
                rel_err(&floats(&out[4]), &cv) < 1e-6,
                "{kind:?} second moment"
            );
        }
    }
}

/// Random images and labels for `dims` with `classes`.
fn batch(dims: Dims, classes: usize, seed: u32) -> (Vec<f32>, Vec<i32>) {
    let mut rng = Mulberry32::new(seed);
    let x = (0..dims.pixels() * 3)
        .map(|_| rng.next_f64() as f32)
        .collect();
    let y = (0..dims.pixels())
        .map(|_| (rng.next_f64() * classes as f64) as i32)
        .collect();
    (x, y)
}

/// The CPU and GPU backends from the same weights.
pub fn backends(
    ctx: GpuContext,
    spec: NetSpec,
    dims: Dims,
    optim: OptimConfig,
) -> (CpuBackend, GpuBackend) {
    let cpu = CpuBackend::new(spec, dims, InitKind::He, 11, optim);
    let mut gpu = pollster::block_on(GpuBackend::new(ctx, spec, dims, optim)).unwrap();
    gpu.set_params(&init_params(&spec, InitKind::He, 11))
        .unwrap();
    (cpu, gpu)
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

#[test]
fn whole_steps_match_the_cpu_and_the_loss_decreases() {
    let Some(ctx) = gpu("whole_steps_match_the_cpu_and_the_loss_decreases") else {
        return;
    };
    let spec = NetSpec::new(16, 4).unwrap();
    let dims = Dims {
        batch: 2,
        height: 16,
        width: 16,
    };
    let (x, y) = batch(dims, 4, 5);
    for kind in [OptimKind::Adam, OptimKind::Sgd] {
        let optim = OptimConfig {
            kind,
            lr: if kind == OptimKind::Sgd { 0.1 } else { 1e-2 },
            ..Default::default()
        };
        let (mut cpu, mut gpu) = backends(ctx.clone(), spec, dims, optim);
        let cfg = LossConfig::default();
        let mut losses = Vec::new();
        for step in 1..=20 {
            let c = cpu.train_step(&x, &y, 2, &cfg).unwrap();
            let g = gpu.train_step(&x, &y, 2, &cfg).unwrap();
            assert!(
                (c.loss - g.loss).abs() < 1e-3,
                "{kind:?} step {step}: loss {} vs {}",
                g.loss,
                c.loss
            );
            losses.push(g.loss);
            if step == 1 || step == 20 {
                let d = max_abs_diff(&gpu.params().unwrap(), &cpu.params().unwrap());
                let tol = if step == 1 { 1e-5 } else { 5e-5 };
                eprintln!("{kind:?}: weights after {step} steps within {d:e} of the CPU's");
                assert!(
                    d < tol,
                    "{kind:?}: weights after {step} steps differ by {d:e}"
                );
            }
        }
        assert!(
            losses[19] < losses[0],
            "{kind:?}: GPU loss {losses:?} did not decrease"
        );
        // Predictions agree with the CPU's (allowing a few ties broken differently by rounding).
        let (mut pc, mut pg) = (vec![0u8; dims.pixels()], vec![0u8; dims.pixels()]);
        cpu.predict(&x, 2, &mut pc).unwrap();
        gpu.predict(&x, 2, &mut pg).unwrap();
        let differ = pc.iter().zip(&pg).filter(|(a, b)| a != b).count();
        assert!(differ <= dims.pixels() / 100, "{differ} predictions differ");
    }
}

#[test]
fn steps_allocate_nothing_and_reports_arrive_through_the_ring() {
    let Some(ctx) = gpu("steps_allocate_nothing_and_reports_arrive_through_the_ring") else {
        return;
    };
    let spec = NetSpec::new(8, 3).unwrap();
    let dims = Dims {
        batch: 1,
        height: 12,
        width: 12,
    };
    let (x, y) = batch(dims, 3, 6);
    let (_, mut gpu) = backends(ctx, spec, dims, OptimConfig::default());
    let before = gpu.trainer().allocations();
    let cfg = LossConfig::default();
    gpu.train_step(&x, &y, 1, &cfg).unwrap();
    // Fill the ring without waiting, then collect: three reports, in order, nothing allocated.
    let mut n = 0;
    while gpu.can_submit() {
        assert!(gpu.submit_step(&x, &y, 1, &cfg).unwrap().is_none());
        n += 1;
    }
    assert_eq!(n, dicelab::gpu::net::SLOTS);
    assert!(
        gpu.submit_step(&x, &y, 1, &cfg).is_err(),
        "a full ring refuses"
    );
    let mut out = Vec::new();
    while out.len() < n {
        // Natively the mapping callbacks run inside `poll`: drive them before awaiting.
        gpu.trainer()
            .context()
            .device()
            .poll(wgpu::PollType::wait_indefinitely())
            .unwrap();
        pollster::block_on(gpu.ready_signal().unwrap());
        gpu.poll_reports(&mut out).unwrap();
    }
    assert_eq!(gpu.in_flight(), 0);
    assert!(out
        .iter()
        .all(|r| r.as_ref().is_ok_and(|r| r.loss.is_finite())));
    let mut classes = vec![0u8; dims.pixels()];
    gpu.predict(&x, 1, &mut classes).unwrap();
    gpu.params().unwrap();
    assert_eq!(
        gpu.trainer().allocations(),
        before,
        "a step or read allocated"
    );
}

/// A small run: 2 images of 32×32 per step, width 8, 3 classes.
pub fn small_config() -> SessionConfig {
    let mut cfg = SessionConfig {
        batch: 2,
        width: 8,
        ..SessionConfig::default()
    };
    cfg.data.size = 32;
    cfg.data.classes = 3;
    cfg.data.train_images = 4;
    cfg.data.val_images = 2;
    cfg
}

fn gpu_session(ctx: GpuContext, cfg: SessionConfig) -> Session {
    let spec = cfg.validate().unwrap();
    let dims = cfg.dims();
    let backend = pollster::block_on(GpuBackend::new(ctx, spec, dims, cfg.optim)).unwrap();
    Session::with_backend(cfg, Box::new(backend)).unwrap()
}

#[test]
fn a_gpu_session_advances_without_blocking_like_the_cpu() {
    let Some(ctx) = gpu("a_gpu_session_advances_without_blocking_like_the_cpu") else {
        return;
    };
    let mut cpu = Session::new(small_config()).unwrap();
    cpu.step(5).unwrap();
    let mut session = gpu_session(ctx.clone(), small_config());
    // The count the page's soak watches: set at creation, untouched by steps and predictions.
    let buffers = session.gpu_buffers();
    assert!(buffers.is_some_and(|n| n > 0), "{buffers:?}");
    assert_eq!(cpu.gpu_buffers(), None);
    let mut left = 5;
    // The native stand-in for the browser's event loop: poll the device, then await the signal.
    while let Some(signal) = session.advance(&mut left).unwrap() {
        ctx.device()
            .poll(wgpu::PollType::wait_indefinitely())
            .unwrap();
        pollster::block_on(signal);
    }
    assert_eq!(
        session.fallback_reason().map(ToString::to_string),
        None,
        "fell back to the CPU"
    );
    assert_eq!(session.steps(), 5);
    assert_eq!(session.curve().len(), 5);
    for (g, c) in session.curve().iter().zip(cpu.curve()) {
        assert_eq!(g.step, c.step);
        assert!(
            (g.loss - c.loss).abs() < 1e-4,
            "step {}: {} vs {}",
            g.step,
            g.loss,
            c.loss
        );
    }
    let eval = loop {
        match session.evaluate_advance().unwrap() {
            Progress::Wait(s) => {
                ctx.device()
                    .poll(wgpu::PollType::wait_indefinitely())
                    .unwrap();
                pollster::block_on(s);
            }
            Progress::Done(e) => break e,
        }
    };
    let cpu_eval = cpu.evaluate().unwrap();
    assert!((eval.pixel_accuracy - cpu_eval.pixel_accuracy).abs() < 0.01);
    assert_eq!(session.gpu_buffers(), buffers);
}

#[test]
fn a_lost_device_continues_on_the_cpu_from_the_same_weights() {
    // A device of its own: destroying the shared one would fail the other tests.
    let Some(_) = gpu("a_lost_device_continues_on_the_cpu_from_the_same_weights") else {
        return;
    };
    let ctx = pollster::block_on(GpuContext::new()).unwrap();
    let mut session = gpu_session(ctx.clone(), small_config());
    session.step(6).unwrap();
    let weights = session.params().unwrap();
    ctx.destroy();
    // The evaluation meets the lost device and moves the session to the CPU from those weights.
    session.evaluate().unwrap();
    assert_eq!(session.backend_name(), "cpu");
    assert_eq!(
        session.fallback_reason().map(|r| r.code()),
        Some("device-lost")
    );
    assert_eq!(session.steps(), 6);
    assert_eq!(session.params().unwrap(), weights, "weights re-initialised");
    session.step(2).unwrap();
    assert_eq!(session.curve().len(), 8);
}
