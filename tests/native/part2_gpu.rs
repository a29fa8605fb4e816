//! The GPU has no kernels for Part 2's losses yet: the engine refuses them with a typed reason
//! before any upload, the backend choice computes them on the CPU, and GPU training refuses to
//! start with them or to switch to them (never a wrong number). Runs on lavapipe like gpu.rs.

use crate::cases::cases;
use crate::gpu::gpu;
use dicelab::gpu::{FallbackReason, GpuEngine, GpuError, LossEngine};
use dicelab::loss::{self, LossConfig, LossKind, Named};
use dicelab::net::Dims;
use dicelab::train::{GpuBackend, Session, SessionConfig, TrainError};

fn part2() -> impl Iterator<Item = LossConfig> {
    LossKind::ALL
        .iter()
        .filter(|k| !crate::cases::PART1.contains(k))
        .map(|&kind| LossConfig {
            kind,
            ..LossConfig::default()
        })
        .chain([LossConfig {
            log_loss: true,
            ..LossConfig::default()
        }])
}

#[test]
fn the_gpu_engine_refuses_part2_with_a_reason() {
    let Some(ctx) = gpu("the_gpu_engine_refuses_part2_with_a_reason") else {
        return;
    };
    let case = &cases()[0];
    let mut engine = GpuEngine::new(ctx.clone());
    for cfg in part2() {
        let r =
            pollster::block_on(engine.evaluate(&cfg, case.logits.view(), case.labels.view(), None));
        match r {
            Err(GpuError::NoKernel(reason)) => {
                assert_eq!(reason.code(), "no-kernel");
                assert!(reason
                    .to_string()
                    .starts_with("the GPU has no kernel for --"));
            }
            other => panic!("{}: {other:?}", cfg.kind),
        }
    }
    // An invalid configuration is the CPU's error first, as for every GPU call.
    let bad = LossConfig {
        kind: LossKind::Tversky,
        beta: -1.0,
        ..LossConfig::default()
    };
    let r = pollster::block_on(engine.evaluate(&bad, case.logits.view(), case.labels.view(), None));
    assert!(matches!(r, Err(GpuError::Input(_))), "{r:?}");

    // The backend choice answers them on the CPU, with the oracle's numbers.
    let mut choice = LossEngine::from_context(Ok(ctx));
    for cfg in part2() {
        let got =
            pollster::block_on(choice.evaluate(&cfg, case.logits.view(), case.labels.view(), None))
                .expect("valid");
        let want =
            loss::evaluate(&cfg, case.logits.view(), case.labels.view(), None).expect("valid");
        assert_eq!(got, want, "{}", cfg.kind);
    }
    assert_eq!(choice.backend().name(), "gpu");
}

/// `gtrain`'s small run with `loss`.
fn small(loss: LossConfig) -> SessionConfig {
    SessionConfig {
        loss,
        ..crate::gtrain::small_config()
    }
}

fn gpu_backend(cfg: &SessionConfig) -> Option<GpuBackend> {
    let ctx = gpu("gpu_training_refuses_part2")?;
    let dims = Dims {
        batch: cfg.batch,
        height: cfg.data.size,
        width: cfg.data.size,
    };
    let spec = cfg.validate().ok()?;
    pollster::block_on(GpuBackend::new(ctx, spec, dims, cfg.optim)).ok()
}

#[test]
fn gpu_training_refuses_part2() {
    let lovasz = LossConfig {
        kind: LossKind::Lovasz,
        ..LossConfig::default()
    };
    let Some(backend) = gpu_backend(&small(lovasz)) else {
        return;
    };
    let refused = Session::with_backend(small(lovasz), Box::new(backend)).err();
    let Some(TrainError::Gpu(GpuError::NoKernel(reason))) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!(
        Some(reason),
        FallbackReason::no_kernel(&lovasz),
        "the reason names the loss"
    );

    // A Part 1 run on the GPU asked to switch to a Part 2 loss goes on on the CPU with it, from the
    // last weights read back (the start: no checkpoint has come back after 2 steps), and says why.
    let cfg = small(LossConfig::default());
    let Some(backend) = gpu_backend(&cfg) else {
        return;
    };
    let mut s = Session::with_backend(cfg, Box::new(backend)).expect("part 1 on the GPU");
    s.step(2).expect("steps");
    assert_eq!(s.backend_name(), "gpu");
    s.set_loss(lovasz).expect("taken, on the CPU");
    assert_eq!(s.backend_name(), "cpu");
    assert_eq!(s.config().loss, lovasz);
    let reason = s.fallback_reason().expect("a reason");
    assert_eq!(reason.code(), "no-kernel");
    assert_eq!(
        reason.to_string(),
        "the GPU has no kernel for --loss lovasz yet"
    );
    assert_eq!(s.steps(), 0, "from the checkpoint");
    s.step(1).expect("a Lovász step on the CPU");
    assert_eq!(s.steps(), 1);
    // On the CPU the same switch is taken.
    let mut cpu = Session::new(small(LossConfig::default())).expect("cpu");
    cpu.set_loss(lovasz).expect("the CPU computes every loss");
    cpu.step(1).expect("a Lovász step");
}
