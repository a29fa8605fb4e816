//! Part 2's losses on the GPU (lavapipe, like gpu.rs): the engine against the f64 CPU engine on
//! every variant of Part 2's grid (the shared suite) and on Lovász units beyond one sort block, GPU
//! training steps with Part 2's losses against CPU training's, and a run whose Lovász sort is past
//! the GPU's limits moving to the CPU with the reason.

use crate::cases::{cases, describe_part2, part2_configs};
use crate::gpu::gpu;
use crate::gtrain::{backends, small_config};
use crate::suite;
use dicelab::gpu::{BackendKind, FallbackReason, GpuError, LossEngine};
use dicelab::loss::{Activation, Aggregation, LossConfig, LossKind, Variant};
use dicelab::net::{Dims, NetSpec, OptimConfig};
use dicelab::rng::Mulberry32;
use dicelab::train::{Session, SessionConfig, TrainBackend, TrainError};

#[test]
fn gpu_matches_cpu_on_every_part2_variant() {
    let Some(ctx) = gpu("gpu_matches_cpu_on_every_part2_variant") else {
        return;
    };
    let mut engine = LossEngine::from_context(Ok(ctx));
    let smoothings = [(1.0, 1.0), (0.3, 2.0)];
    let checked = pollster::block_on(suite::gpu_matches_cpu(
        &mut engine,
        part2_configs,
        &smoothings,
        |_| 1,
    ));
    assert_eq!(engine.backend(), BackendKind::Gpu);
    let per_case: usize = smoothings
        .iter()
        .map(|&(a, b)| part2_configs(a, b).len())
        .sum();
    assert_eq!(checked, cases().len() * per_case);
}

/// The Part 2 losses a training step is checked with: one of each kind and variant family.
fn training_losses() -> Vec<LossConfig> {
    let with = |kind, variant| LossConfig {
        kind,
        variant,
        ..LossConfig::default()
    };
    vec![
        with(LossKind::Jaccard, None),
        with(LossKind::Jaccard, Some(Variant::Smp)),
        LossConfig {
            alpha: Some(0.3),
            beta: 0.7,
            ..with(LossKind::Tversky, Some(Variant::Smp))
        },
        with(LossKind::FocalTversky, None),
        with(LossKind::FocalTversky, Some(Variant::Paper)),
        LossConfig {
            log_loss: true,
            ..with(LossKind::Dice, Some(Variant::Smp))
        },
        with(LossKind::Focal, None),
        LossConfig {
            focal_activation: dicelab::loss::Activation::Softmax,
            alpha: Some(0.25),
            ..with(LossKind::Focal, Some(Variant::Monai))
        },
        with(LossKind::DiceFocal, None),
        with(LossKind::Lovasz, None),
        LossConfig {
            aggregation: dicelab::loss::Aggregation::PerImage,
            ..with(LossKind::Lovasz, None)
        },
    ]
}

#[test]
fn gpu_training_steps_match_the_cpu_with_part2_losses() {
    let Some(ctx) = gpu("gpu_training_steps_match_the_cpu_with_part2_losses") else {
        return;
    };
    let spec = NetSpec::new(8, 4).expect("spec");
    let dims = Dims {
        batch: 2,
        height: 16,
        width: 16,
    };
    let mut rng = Mulberry32::new(21);
    let x: Vec<f32> = (0..dims.pixels() * 3).map(|_| rng.next_f32()).collect();
    let mut y: Vec<i32> = (0..dims.pixels()).map(|_| rng.below(4) as i32).collect();
    // A few unlabelled pixels: no sum, no sort, no gradient.
    for n in [3, 40, 300] {
        y[n] = 255;
    }
    for loss in training_losses() {
        let what = describe_part2(&loss);
        let (mut cpu, mut gpu) = backends(ctx.clone(), spec, dims, OptimConfig::default());
        assert_eq!(gpu.refuses(&loss), None, "{what}");
        for step in 1..=3 {
            let c = cpu.train_step(&x, &y, 2, &loss).expect("cpu step");
            let g = gpu.train_step(&x, &y, 2, &loss).expect("gpu step");
            // The first step starts from the same weights: the loss is the engine's comparison;
            // later ones also carry the updates' f32 noise.
            let tol = if step == 1 { 2e-5 } else { 1e-4 };
            assert!(
                (c.loss - g.loss).abs() <= tol * c.loss.abs().max(1e-2),
                "{what}, step {step}: GPU {} vs CPU {}",
                g.loss,
                c.loss
            );
        }
        let (wc, wg) = (cpu.params().expect("cpu"), gpu.params().expect("gpu"));
        let d = wc
            .iter()
            .zip(&wg)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(d < 1e-4, "{what}: weights after 3 steps differ by {d:e}");
    }
}

#[test]
fn a_gpu_session_switched_to_a_part2_loss_stays_on_the_gpu() {
    let Some(ctx) = gpu("a_gpu_session_switched_to_a_part2_loss_stays_on_the_gpu") else {
        return;
    };
    let lovasz = LossConfig {
        kind: LossKind::Lovasz,
        ..LossConfig::default()
    };
    let cfg = small_config();
    let spec = cfg.validate().expect("valid");
    let dims = cfg.dims();
    let backend = pollster::block_on(dicelab::train::GpuBackend::new(
        ctx.clone(),
        spec,
        dims,
        cfg.optim,
    ))
    .expect("backend");
    let mut s = Session::with_backend(cfg, Box::new(backend)).expect("part 1 on the GPU");
    s.step(2).expect("steps");
    s.set_loss(lovasz).expect("taken");
    assert_eq!(s.backend_name(), "gpu");
    assert_eq!(s.fallback_reason(), None);
    s.step(2).expect("Lovász steps on the GPU");
    let mut cpu = Session::new(cfg).expect("cpu");
    cpu.step(2).expect("steps");
    cpu.set_loss(lovasz).expect("taken");
    cpu.step(2).expect("steps");
    for (g, c) in s.curve().iter().zip(cpu.curve()) {
        assert!(
            (g.loss - c.loss).abs() < 1e-4,
            "step {}: {} vs {}",
            g.step,
            g.loss,
            c.loss
        );
    }
}

#[test]
fn lovasz_sorts_units_beyond_one_block_like_the_cpu() {
    let Some(ctx) = gpu("lovasz_sorts_units_beyond_one_block_like_the_cpu") else {
        return;
    };
    let mut engine = dicelab::gpu::GpuEngine::new(ctx);
    // Units of 1600 to 9800 pixels: segments of 2048 to 16384 items, so the sort runs its
    // merges across blocks (every distance from 8192 down to 512) as well as within them.
    for (dims, seed) in [((2, 40, 40, 3), 5), ((2, 70, 70, 4), 6)] {
        let mut rng = Mulberry32::new(seed);
        let z = ndarray::Array4::from_shape_simple_fn(dims, || 6.0 * rng.next_f32() - 3.0);
        let y = ndarray::Array3::from_shape_simple_fn((dims.0, dims.1, dims.2), || {
            match rng.below(50) {
                0 => 255,
                v => (v % dims.3) as i32,
            }
        });
        let labels: Vec<i32> = y.iter().copied().collect();
        for aggregation in [Aggregation::Global, Aggregation::PerImage] {
            for activation in [Activation::Softmax, Activation::Sigmoid] {
                for include_background in [true, false] {
                    let cfg = LossConfig {
                        kind: LossKind::Lovasz,
                        aggregation,
                        activation,
                        include_background,
                        ..LossConfig::default()
                    };
                    let mut g = vec![0.0f32; z.len()];
                    let got =
                        pollster::block_on(engine.evaluate(&cfg, z.view(), y.view(), Some(&mut g)))
                            .expect("valid");
                    let (want, wg) =
                        dicelab::loss::loss_and_grad(&cfg, z.view(), y.view()).expect("valid");
                    let what = format!("{dims:?}: {}", describe_part2(&cfg));
                    let wg = wg.as_slice().expect("contiguous");
                    // Pixels whose error ties another within f32's rounding may take either
                    // place in the order (docs/losses.md 2.7): their gradient is not compared.
                    let c = dims.3;
                    let tied = near_ties(&cfg, &z, &labels);
                    for (n, _) in tied.iter().enumerate().filter(|(_, &t)| t) {
                        g[n * c..(n + 1) * c].copy_from_slice(&wg[n * c..(n + 1) * c]);
                    }
                    let skipped = tied.iter().filter(|&&t| t).count();
                    assert!(skipped * 10 < labels.len(), "{what}: {skipped} tied pixels");
                    crate::compare::assert_matches(&what, (&got, &g), (&want, wg), &labels);
                }
            }
        }
    }
}

/// The pixels whose Lovász error, in some (unit, class) they are sorted in, is within 1e-6
/// (relative) of another pixel's: f32 may order them either way.
fn near_ties(cfg: &LossConfig, z: &ndarray::Array4<f32>, labels: &[i32]) -> Vec<bool> {
    let (b, h, w, c) = z.dim();
    let z = z.as_slice().expect("contiguous");
    let per_unit = match cfg.aggregation {
        Aggregation::Global => b * h * w,
        Aggregation::PerImage => h * w,
    };
    let prob = |n: usize, l: usize| -> f64 {
        let zs = &z[n * c..(n + 1) * c];
        match cfg.activation {
            Activation::Sigmoid => 1.0 / (1.0 + (-f64::from(zs[l])).exp()),
            Activation::Softmax => {
                let m = zs.iter().fold(f64::MIN, |m, &v| m.max(f64::from(v)));
                let s: f64 = zs.iter().map(|&v| (f64::from(v) - m).exp()).sum();
                (f64::from(zs[l]) - m).exp() / s
            }
        }
    };
    let mut tied = vec![false; labels.len()];
    for unit in (0..labels.len()).step_by(per_unit) {
        for l in 0..c {
            let mut errors: Vec<(f64, usize)> = (unit..unit + per_unit)
                .filter(|&n| labels[n] != 255)
                .map(|n| {
                    let p = prob(n, l);
                    (if labels[n] == l as i32 { 1.0 - p } else { p }, n)
                })
                .collect();
            errors.sort_by(|a, b| a.0.total_cmp(&b.0));
            for pair in errors.windows(2) {
                if pair[1].0 - pair[0].0 <= 1e-6 * pair[1].0 {
                    tied[pair[0].1] = true;
                    tied[pair[1].1] = true;
                }
            }
        }
    }
    tied
}

/// A CPU backend standing in for a GPU whose Lovász sort is too small for the run (the page's
/// batches never are): it refuses Lovász with the reason a GPU backend gives, and keeps the
/// weights it was given as its checkpoint.
struct SmallGpu {
    cpu: dicelab::train::CpuBackend,
    checkpoint: Vec<f32>,
}

impl TrainBackend for SmallGpu {
    fn name(&self) -> &'static str {
        "gpu"
    }
    fn spec(&self) -> NetSpec {
        self.cpu.spec()
    }
    fn capacity(&self) -> Dims {
        self.cpu.capacity()
    }
    fn params(&mut self) -> Result<Vec<f32>, TrainError> {
        self.cpu.params()
    }
    fn set_params(&mut self, params: &[f32]) -> Result<(), TrainError> {
        self.checkpoint = params.to_vec();
        self.cpu.set_params(params)
    }
    fn set_optimizer(&mut self, cfg: OptimConfig) {
        self.cpu.set_optimizer(cfg);
    }
    fn submit_step(
        &mut self,
        images: &[f32],
        labels: &[i32],
        batch: usize,
        loss: &LossConfig,
    ) -> Result<Option<dicelab::loss::LossReport>, TrainError> {
        self.cpu.submit_step(images, labels, batch, loss)
    }
    fn take_heat(&mut self) -> Result<Option<Vec<f32>>, TrainError> {
        self.cpu.take_heat()
    }
    fn submit_predict(
        &mut self,
        images: &[f32],
        batch: usize,
        classes: &mut [u8],
    ) -> Result<bool, TrainError> {
        self.cpu.submit_predict(images, batch, classes)
    }
    fn refuses(&self, loss: &LossConfig) -> Option<FallbackReason> {
        (loss.kind == LossKind::Lovasz).then(|| FallbackReason::TooLarge("a test".into()))
    }
    fn checkpoint(&self) -> Option<(u64, Vec<f32>)> {
        Some((0, self.checkpoint.clone()))
    }
}

#[test]
fn a_lovasz_sort_past_the_gpu_limits_moves_the_run_to_the_cpu_saying_why() {
    let lovasz = LossConfig {
        kind: LossKind::Lovasz,
        ..LossConfig::default()
    };
    let cfg = small_config();
    let spec = cfg.validate().expect("valid");
    let dims = cfg.dims();
    let backend = || SmallGpu {
        cpu: dicelab::train::CpuBackend::new(spec, dims, cfg.init, 0, cfg.optim),
        checkpoint: Vec::new(),
    };
    // Started with it: refused, with the reason (the page then trains on the CPU, saying why).
    let refused = Session::with_backend(
        SessionConfig {
            loss: lovasz,
            ..cfg
        },
        Box::new(backend()),
    )
    .err();
    assert!(
        matches!(&refused, Some(TrainError::Gpu(GpuError::NoKernel(r))) if r.code() == "too-large"),
        "{refused:?}"
    );
    // Switched to mid-run: the run goes on on the CPU from the checkpoint, and says why.
    let mut s = Session::with_backend(cfg, Box::new(backend())).expect("dice on the stand-in");
    s.step(2).expect("steps");
    s.set_loss(lovasz).expect("taken, on the CPU");
    assert_eq!(s.backend_name(), "cpu");
    let reason = s.fallback_reason().expect("a reason");
    assert_eq!(reason.code(), "too-large");
    assert_eq!(
        reason.to_string(),
        "the batch is too large for the GPU (a test)"
    );
    assert_eq!(s.steps(), 0, "from the checkpoint");
    s.step(1).expect("a Lovász step on the CPU");
}
