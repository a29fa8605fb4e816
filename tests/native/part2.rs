//! Part 2's losses (docs/losses.md) in the engine against the independent transcription
//! (reference_extra.rs): the loss to 1e-10 relative and every gradient entry to its f32 rounding
//! (the reference's gradient is exact, by dual numbers), on every case of `cases()` (an absent
//! class, ignored pixels, an all-ignored image, extreme logits, a 1×1 image) and the whole Part 2
//! grid; finite differences; the report's parts; and the fast engine on them.

use crate::cases::cases;
use crate::cases::{describe_part2 as describe, part2_configs as configs};
use crate::compare::{assert_within, Tol};
use crate::reference_extra as reference;
use dicelab::loss::{self, LossConfig, LossKind};

/// Every configuration of the grid on every case, with the smoothings given.
fn each(smoothings: &[(f64, f64)], mut check: impl FnMut(&str, &LossConfig)) -> usize {
    let mut n = 0;
    for case in cases() {
        for &(snr, sdr) in smoothings {
            for cfg in configs(snr, sdr) {
                check(case.name, &cfg);
                n += 1;
            }
        }
    }
    n
}

#[test]
fn every_part2_variant_matches_the_reference() {
    let all = cases();
    let mut grads = 0;
    let checked = each(&[(1.0, 1.0), (0.3, 2.0)], |name, cfg| {
        let case = all.iter().find(|c| c.name == name).expect("case");
        let pr = case.problem();
        let (r, g) = loss::loss_and_grad(cfg, case.logits.view(), case.labels.view())
            .unwrap_or_else(|e| panic!("{name}: {}: {e}", describe(cfg)));
        let want = reference::loss(cfg, &pr);
        assert!(
            (r.loss - want).abs() <= 1e-10 * want.abs().max(1.0),
            "{name}: {}: {} vs reference {want}",
            describe(cfg),
            r.loss
        );
        let g = g.as_slice().expect("contiguous");
        let c = pr.c;
        for (n, &y) in case.labels.iter().enumerate() {
            if y == 255 {
                assert!(g[n * c..(n + 1) * c].iter().all(|&v| v == 0.0), "{name}");
            }
        }
        if reference::near_tie(cfg, &pr, 1e-9) {
            return;
        }
        let exact = reference::grad(cfg, &pr);
        let scale = exact.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (i, (&a, &b)) in g.iter().zip(&exact).enumerate() {
            // The engine's gradient is f32: equal to the exact one up to its rounding.
            assert!(
                (f64::from(a) - b).abs() <= 1e-7 * b.abs() + 1e-13 * scale,
                "{name}: {}: logit {i}: {a} vs exact {b}",
                describe(cfg)
            );
        }
        grads += 1;
    });
    assert!(checked > 3000, "{checked}");
    // Only Lovász on the extreme logits (saturated, tied errors) is left out of the gradients.
    assert!(grads + 32 >= checked, "{grads} of {checked}");
}

#[test]
fn smp_clamps_where_the_denominator_vanishes() {
    // With no smoothing, the all-ignored image's classes have `D = 0 < eps`: SMP's clamp, a score
    // of 0 and no gradient from that term; MONAI's variants refuse the zero denominator.
    let all = cases();
    let case = &all[1];
    let pr = case.problem();
    for cfg in configs(0.0, 0.0) {
        let r = loss::loss_and_grad(&cfg, case.logits.view(), case.labels.view());
        let smp = cfg.variant() == dicelab::loss::Variant::Smp;
        let region = !matches!(cfg.kind, LossKind::Focal | LossKind::Lovasz);
        if region && !smp && cfg.aggregation == dicelab::loss::Aggregation::PerImage {
            assert!(r.is_err(), "{}", describe(&cfg));
            continue;
        }
        // Global sums over the batch's valid pixels keep every MONAI denominator > 0.
        let (r, _) = r.unwrap_or_else(|e| panic!("{}: {e}", describe(&cfg)));
        let want = reference::loss(&cfg, &pr);
        assert!(
            (r.loss - want).abs() <= 1e-10 * want.abs().max(1.0),
            "{}: {} vs {want}",
            describe(&cfg),
            r.loss
        );
    }
}

#[test]
fn part2_gradients_match_finite_differences() {
    let all = cases();
    each(&[(1.0, 1.0)], |name, cfg| {
        let case = all.iter().find(|c| c.name == name).expect("case");
        let pr = case.problem();
        // Lovász is piecewise linear: differences are meaningful only away from ties.
        if reference::near_tie(cfg, &pr, 1e-4) {
            return;
        }
        let (_, g) = loss::loss_and_grad(cfg, case.logits.view(), case.labels.view())
            .unwrap_or_else(|e| panic!("{name}: {}: {e}", describe(cfg)));
        let fd = reference::fd_grad(cfg, &pr);
        let scale = fd.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (i, (&a, &b)) in g.iter().zip(&fd).enumerate() {
            assert!(
                (f64::from(a) - b).abs() <= 1e-4 * scale + 1e-9,
                "{name}: {}: logit {i}: analytic {a} vs finite differences {b}",
                describe(cfg)
            );
        }
    });
}

#[test]
fn the_report_carries_the_parts_and_the_per_class_terms() {
    let case = &cases()[0];
    let eval = |cfg: &LossConfig| {
        loss::evaluate(cfg, case.logits.view(), case.labels.view(), None).expect("valid")
    };
    for cfg in configs(1.0, 1.0) {
        let r = eval(&cfg);
        let has_focal = matches!(cfg.kind, LossKind::Focal | LossKind::DiceFocal);
        assert_eq!(r.focal.is_some(), has_focal, "{}", describe(&cfg));
        assert_eq!(
            r.dice.is_some(),
            matches!(cfg.kind, LossKind::Dice | LossKind::DiceFocal),
            "{}",
            describe(&cfg)
        );
        assert!(r.ce.is_none());
        if cfg.kind == LossKind::DiceFocal {
            let (d, f) = (r.dice.unwrap_or(f64::NAN), r.focal.unwrap_or(f64::NAN));
            let parts = cfg.lambda_dice * d + cfg.lambda_focal * f;
            assert!((r.loss - parts).abs() < 1e-12, "{}", describe(&cfg));
        }
        if has_focal {
            // The per-class shares add up to the focal part.
            let sum: f64 = r.per_class.iter().filter_map(|c| c.focal).sum();
            assert!((sum - r.focal.unwrap_or(f64::NAN)).abs() < 1e-12);
        }
        if cfg.kind == LossKind::Lovasz {
            // Class 3 is absent from every unit: no λ. Each unit's loss is its classes' mean.
            assert!(r.per_class[3].term.is_none());
            for u in &r.units {
                let terms: Vec<f64> = u.classes.iter().filter_map(|c| c.term).collect();
                let mean = terms.iter().sum::<f64>() / terms.len() as f64;
                assert!((u.lovasz.unwrap_or(f64::NAN) - mean).abs() < 1e-12);
            }
        }
        if matches!(cfg.kind, LossKind::Jaccard | LossKind::Tversky) {
            assert!(r
                .per_class
                .iter()
                .filter(|c| c.included)
                .all(|c| c.score.is_some()));
        }
    }
    // Part 1's reports keep their exact shape: none of the new fields.
    let json = serde_json::to_value(eval(&LossConfig::default())).expect("json");
    for key in ["focal", "score", "term", "lovasz"] {
        assert!(!json.to_string().contains(&format!("\"{key}\"")), "{key}");
    }
}

#[test]
fn the_fast_engine_computes_part2_too() {
    // Region losses go through the fast passes and the oracle's `loss_terms`; focal and Lovász
    // are the oracle's own.
    let tol = Tol {
        loss: 1e-5,
        sums: 1e-5,
        grad: 1e-5,
        grad_floor: 1e-12,
    };
    for case in cases() {
        for cfg in configs(1.0, 1.0) {
            let (want, wg) =
                loss::loss_and_grad(&cfg, case.logits.view(), case.labels.view()).expect("valid");
            let mut g = ndarray::Array4::zeros(case.logits.raw_dim());
            let got = loss::fast::evaluate(
                &cfg,
                case.logits.view(),
                case.labels.view(),
                Some(g.view_mut()),
                2,
            )
            .expect("valid");
            let y: Vec<i32> = case.labels.iter().copied().collect();
            let what = format!("{}: {}", case.name, describe(&cfg));
            assert_within(
                &what,
                tol,
                (&got, g.as_slice().expect("contiguous")),
                (&want, wg.as_slice().expect("contiguous")),
                &y,
            );
        }
    }
}

#[test]
fn lovasz_ties_follow_the_pixel_order() {
    // Identical logits everywhere: each class's errors tie exactly within its foreground and
    // within its background. The gradient is then the one of the order error-descending,
    // pixel-ascending (spec 2.7), which the reference sorts by as well.
    let z = ndarray::Array4::from_shape_fn((1, 2, 3, 3), |(.., c)| [0.5f32, -0.25, 1.0][c]);
    let y = ndarray::Array3::from_shape_vec((1, 2, 3), vec![0, 1, 0, 2, 1, 0]).expect("shape");
    let case = crate::cases::Case {
        name: "ties",
        logits: z,
        labels: y,
    };
    let pr = case.problem();
    for sigmoid in [false, true] {
        let cfg = LossConfig {
            kind: LossKind::Lovasz,
            activation: if sigmoid {
                dicelab::loss::Activation::Sigmoid
            } else {
                dicelab::loss::Activation::Softmax
            },
            ..LossConfig::default()
        };
        let (r, g) =
            loss::loss_and_grad(&cfg, case.logits.view(), case.labels.view()).expect("valid");
        assert!((r.loss - reference::loss(&cfg, &pr)).abs() < 1e-12);
        let exact = reference::grad(&cfg, &pr);
        for (i, (&a, &b)) in g.iter().zip(&exact).enumerate() {
            assert!(
                (f64::from(a) - b).abs() <= 1e-7 * b.abs() + 1e-15,
                "logit {i}: {a} vs {b}"
            );
        }
    }
}
