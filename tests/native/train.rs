//! The training session: bit-identical reruns, cross-entropy convergence on full labels, recorded
//! loss changes, metrics from a hand-made confusion matrix, and errors instead of panics.

use dicelab::data::{Annotation, DataConfig};
use dicelab::loss::{LossConfig, LossKind};
use dicelab::net::{Dims, InitKind, NetSpec, OptimConfig, OptimKind};
use dicelab::train::{
    Confusion, CpuBackend, Evaluation, Preset, Sampler, Session, SessionConfig, TrainBackend,
    TrainError,
};

fn quick(seed: u32) -> SessionConfig {
    SessionConfig {
        seed,
        width: 8,
        data: DataConfig {
            size: 32,
            train_images: 6,
            val_images: 3,
            ..DataConfig::default()
        },
        loss: Preset::DiceCe.config(),
        ..SessionConfig::default()
    }
}

#[test]
fn same_seed_and_config_give_bit_identical_runs() {
    let run = |cfg: SessionConfig| {
        let mut s = Session::new(cfg).expect("session");
        s.step(6).expect("steps");
        let e = s.evaluate().expect("evaluate");
        let bits: Vec<u64> = s.curve().iter().map(|r| r.loss.to_bits()).collect();
        (
            bits,
            s.params().expect("params"),
            e,
            s.predictions().to_vec(),
        )
    };
    let a = run(quick(3));
    let b = run(quick(3));
    assert_eq!(a.0, b.0);
    assert_eq!(
        a.1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        b.1.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(a.2, b.2);
    assert_eq!(a.3, b.3);
    let c = run(quick(4));
    assert_ne!(a.0, c.0);
}

/// Cross-entropy on fully labelled scenes (6 classes, 32×32, batch 4, width 16, Adam 1e-2): 300
/// steps reach a validation mIoU of 0.70 with seed 1 (chance — predicting every class at its share —
/// is about 0.13; predicting background everywhere 0.07). The bound leaves room.
#[test]
fn cross_entropy_on_full_labels_learns_the_materials() {
    let cfg = SessionConfig {
        seed: 1,
        data: DataConfig {
            size: 32,
            annotation: Annotation::Full,
            ..DataConfig::default()
        },
        loss: Preset::CrossEntropy.config(),
        ..SessionConfig::default()
    };
    let mut s = Session::new(cfg).expect("session");
    let before = s.evaluate().expect("evaluate").miou;
    s.step(300).expect("steps");
    let e = s.evaluate().expect("evaluate");
    eprintln!(
        "validation mIoU {before:.3} → {:.3} after 300 steps",
        e.miou
    );
    assert!(e.miou > 0.5, "mIoU {:.3}", e.miou);
    let c = s.curve();
    let mean =
        |r: &[dicelab::train::StepRecord]| r.iter().map(|x| x.loss).sum::<f64>() / r.len() as f64;
    assert!(
        mean(&c[280..]) < 0.5 * mean(&c[..20]),
        "loss did not fall enough"
    );
}

#[test]
fn loss_changes_take_effect_and_are_recorded() {
    let mut s = Session::new(quick(1)).expect("session");
    s.step(2).expect("steps");
    assert!(s.curve()[1].ce.is_some() && s.curve()[1].dice.is_some());
    let ce = LossConfig {
        kind: LossKind::Ce,
        ..LossConfig::default()
    };
    s.set_loss(ce).expect("set loss");
    s.step(1).expect("steps");
    assert!(s.curve()[2].dice.is_none());
    let changes = s.loss_changes();
    assert_eq!(changes.len(), 2);
    assert_eq!(
        (changes[0].from_step, changes[0].loss),
        (0, Preset::DiceCe.config())
    );
    assert_eq!((changes[1].from_step, changes[1].loss), (2, ce));
    assert_eq!(s.last_report().map(|r| r.config.kind), Some(LossKind::Ce));
}

#[test]
fn a_loss_that_cannot_see_the_ignore_label_is_refused() {
    let mut cfg = quick(1);
    cfg.data.annotation = Annotation::SparseIgnore;
    let mut s = Session::new(cfg).expect("session");
    let bad = LossConfig {
        ignore_index: 0,
        ..LossConfig::default()
    };
    assert!(matches!(s.set_loss(bad), Err(TrainError::Config(m)) if m.contains("--ignore-index")));
    cfg.loss = bad;
    assert!(Session::new(cfg).is_err());
    s.step(2).expect("sparse-ignore trains");
}

#[test]
fn divergence_and_loss_errors_are_errors_not_panics() {
    let cfg = SessionConfig {
        optim: OptimConfig {
            kind: OptimKind::Sgd,
            lr: 10.0,
            ..OptimConfig::default()
        },
        loss: Preset::CrossEntropy.config(),
        ..quick(1)
    };
    let mut s = Session::new(cfg).expect("session");
    // An absurd learning rate either stops with a typed error or goes on with finite losses.
    match s.step(50) {
        Ok(()) => assert!(s.curve().iter().all(|r| r.loss.is_finite())),
        Err(e) => assert!(
            matches!(e, TrainError::Diverged { .. } | TrainError::Loss { .. }),
            "{e:?}"
        ),
    }
    let zero = LossConfig {
        smooth_nr: 0.0,
        smooth_dr: 0.0,
        include_background: false,
        ..LossConfig::default()
    };
    let mut s = Session::new(SessionConfig {
        loss: zero,
        ..quick(1)
    })
    .expect("session");
    // With no smoothing, a class absent from a batch and from the predictions can give 0/0; whether
    // it happens here or not, nothing panics.
    let _ = s.step(3);
}

#[test]
fn backend_checks_buffers() {
    let spec = NetSpec::new(8, 3).expect("spec");
    let cap = Dims {
        batch: 2,
        height: 4,
        width: 4,
    };
    let mut b = CpuBackend::new(spec, cap, InitKind::He, 1, OptimConfig::default());
    let cfg = LossConfig::default();
    let x = vec![0.5; 2 * 16 * 3];
    assert!(b.train_step(&x, &[0; 31], 2, &cfg).is_err());
    assert!(b.train_step(&x, &[0; 32], 3, &cfg).is_err());
    assert!(b.train_step(&x[1..], &[0; 32], 2, &cfg).is_err());
    assert!(matches!(
        b.train_step(&x, &[7; 32], 2, &cfg),
        Err(TrainError::Loss { .. })
    ));
    assert!(b.train_step(&x, &[1; 32], 2, &cfg).is_ok());
    assert!(b.set_params(&[0.0; 3]).is_err());
    let mut classes = [9u8; 16];
    b.predict(&x[..48], 1, &mut classes).expect("predict");
    assert!(classes.iter().all(|&c| c < 3));
    // A session refuses a backend of another shape.
    assert!(Session::with_backend(SessionConfig::default(), Box::new(b)).is_err());
}

/// Truth 0 0 0 1 1 2, predicted 0 0 1 1 1 1: class 0 TP 2 FN 1 → IoU 2/3, precision 1, recall 2/3;
/// class 1 TP 2 FP 2 → IoU 1/2, precision 1/2, recall 1; class 2 TP 0 FN 1 → IoU 0, never predicted.
#[test]
fn metrics_follow_their_definitions() {
    let mut m = Confusion::new(4);
    m.add(&[0, 0, 0, 1, 1, 2], &[0, 0, 1, 1, 1, 1]);
    let e = Evaluation::from_confusion(5, m);
    let c = &e.classes;
    assert_eq!(
        (c[0].iou, c[0].precision, c[0].recall),
        (Some(2.0 / 3.0), Some(1.0), Some(2.0 / 3.0))
    );
    assert_eq!(
        (c[1].iou, c[1].precision, c[1].recall),
        (Some(0.5), Some(0.5), Some(1.0))
    );
    assert_eq!(
        (c[2].iou, c[2].precision, c[2].recall),
        (Some(0.0), None, Some(0.0))
    );
    assert_eq!((c[3].iou, c[3].precision, c[3].recall), (None, None, None));
    assert!(
        (c[1].predicted_share - 4.0 / 6.0).abs() < 1e-12
            && (c[2].pixel_share - 1.0 / 6.0).abs() < 1e-12
    );
    assert!((e.miou - (2.0 / 3.0 + 0.5 + 0.0) / 3.0).abs() < 1e-12);
    assert_eq!(e.never_predicted, vec![2, 3]);
    assert!((e.pixel_accuracy - 4.0 / 6.0).abs() < 1e-12);
}

#[test]
fn every_epoch_is_a_permutation() {
    let mut s = Sampler::new(5, 9);
    let mut got = [0usize; 15];
    s.fill(&mut got);
    for epoch in got.chunks(5) {
        let mut e = epoch.to_vec();
        e.sort_unstable();
        assert_eq!(e, vec![0, 1, 2, 3, 4]);
    }
    assert_ne!(got[..5], got[5..10]);
}

#[test]
fn presets_are_named_and_configured_as_the_issue_says() {
    use dicelab::loss::{Aggregation, Formula, Named, Reduction, Weights};
    assert_eq!(
        Preset::names(),
        vec![
            "seed-bug",
            "corrected",
            "gdl",
            "cross-entropy",
            "dice+ce",
            "tversky-fn",
            "focal",
            "lovasz",
            "dice+focal"
        ]
    );
    let s = Preset::SeedBug.config();
    assert_eq!(
        (s.kind, s.formula, s.aggregation, s.reduction),
        (
            LossKind::Dice,
            Formula::Seed,
            Aggregation::Global,
            Reduction::Sum
        )
    );
    let c = Preset::Corrected.config();
    assert_eq!(
        (c.kind, c.formula, c.reduction),
        (LossKind::Dice, Formula::Corrected, Reduction::Mean)
    );
    let g = Preset::Gdl.config();
    assert_eq!((g.kind, g.weights), (LossKind::Gdl, Weights::Square));
    assert_eq!(Preset::CrossEntropy.config().kind, LossKind::Ce);
    assert_eq!(Preset::DiceCe.config().kind, LossKind::DiceCe);
    // Issue 16's: Tversky with beta > alpha (recall), focal with gamma 2, Lovász, Dice + focal.
    let t = Preset::TverskyFn.config();
    assert_eq!(
        (t.kind, t.tversky_alpha(), t.beta),
        (LossKind::Tversky, 0.3, 0.7)
    );
    let f = Preset::Focal.config();
    assert_eq!((f.kind, f.gamma()), (LossKind::Focal, 2.0));
    assert_eq!(Preset::Lovasz.config().kind, LossKind::Lovasz);
    let df = Preset::DiceFocal.config();
    assert_eq!((df.kind, df.gamma()), (LossKind::DiceFocal, 2.0));
    for p in Preset::ALL {
        assert_eq!(p.config().validate(), Ok(()), "{p}");
    }
}
