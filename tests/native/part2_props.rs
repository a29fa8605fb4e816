//! Property tests of Part 2's losses (docs/losses.md): for any finite logits, any labels (classes or
//! ignored) and any valid options, the loss and gradient are finite and ignored pixels get a
//! gradient of exactly zero.

use crate::reference_extra::describe;
use dicelab::loss::{
    self, Activation, Aggregation, Formula, LossConfig, LossKind, Named, Reduction, Variant,
};
use ndarray::{Array3, Array4};
use proptest::prelude::*;

const KINDS: [LossKind; 7] = [
    LossKind::Dice,
    LossKind::Jaccard,
    LossKind::Tversky,
    LossKind::FocalTversky,
    LossKind::Focal,
    LossKind::Lovasz,
    LossKind::DiceFocal,
];

/// The variants of each kind (spec 2.0), Part 1's `monai` Dice left to properties.rs.
fn variants(kind: LossKind) -> &'static [Variant] {
    match kind {
        LossKind::Dice => &[Variant::Smp],
        LossKind::FocalTversky => &[Variant::Smp, Variant::Paper],
        LossKind::Lovasz => &[Variant::Smp],
        _ => &[Variant::Monai, Variant::Smp],
    }
}

/// A valid Part 2 configuration: the options drawn, then dropped where the kind has no form.
fn config() -> impl Strategy<Value = LossConfig> {
    (
        (0..7usize, 0..2usize, 0..2usize, 0..2usize, 0..2usize),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        (
            prop::option::of(0.0f64..=1.0),
            0.0f64..3.0,
            prop::option::of(0.5f64..3.0),
            prop_oneof![Just(1e-7), 1e-10f64..1e-3],
        ),
        (
            prop_oneof![Just(0.0), Just(1.0), 0.0f64..10.0],
            1e-6f64..10.0,
            0.0f64..3.0,
            0.0f64..3.0,
        ),
    )
        .prop_map(
            |(
                (k, v, r, a, act),
                (log, squared, softmax, bg),
                (alpha, beta, gamma, eps),
                (snr, sdr, ld, lf),
            )| {
                let kind = KINDS[k];
                let vs = variants(kind);
                let variant = vs[v % vs.len()];
                let monai = variant == Variant::Monai;
                LossConfig {
                    kind,
                    variant: Some(variant),
                    reduction: Reduction::ALL[r],
                    aggregation: Aggregation::ALL[a],
                    activation: Activation::ALL[act],
                    formula: Formula::Corrected,
                    log_loss: log
                        && match kind {
                            LossKind::Dice | LossKind::Jaccard | LossKind::Tversky => true,
                            LossKind::FocalTversky => !matches!(variant, Variant::Paper),
                            _ => false,
                        },
                    squared: squared
                        && monai
                        && matches!(kind, LossKind::Jaccard | LossKind::DiceFocal),
                    focal_activation: if softmax && bg && kind == LossKind::Focal {
                        Activation::Softmax
                    } else {
                        Activation::Sigmoid
                    },
                    include_background: bg,
                    alpha,
                    beta,
                    gamma,
                    eps,
                    smooth_nr: snr,
                    smooth_dr: sdr,
                    lambda_dice: ld,
                    lambda_focal: lf,
                    ..LossConfig::default()
                }
            },
        )
}

/// Any finite f32, with the extremes well represented.
fn logit() -> impl Strategy<Value = f32> {
    prop_oneof![
        -5.0f32..5.0,
        prop::num::f32::NORMAL | prop::num::f32::SUBNORMAL | prop::num::f32::ZERO,
        Just(f32::MAX),
        Just(f32::MIN),
    ]
}

fn problem() -> impl Strategy<Value = (Array4<f32>, Array3<i32>)> {
    (1..3usize, 1..4usize, 1..4usize, 2..5usize).prop_flat_map(|(b, h, w, c)| {
        let n = b * h * w;
        (
            prop::collection::vec(logit(), n * c),
            prop::collection::vec(prop_oneof![4 => 0..c as i32, 1 => Just(255)], n),
        )
            .prop_map(move |(z, y)| {
                (
                    Array4::from_shape_vec((b, h, w, c), z).expect("sized"),
                    Array3::from_shape_vec((b, h, w), y).expect("sized"),
                )
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn part2_is_finite_and_ignores_ignored_pixels((z, y) in problem(), cfg in config()) {
        prop_assert!(cfg.validate().is_ok(), "{}: {:?}", describe(&cfg), cfg.validate());
        let (r, g) = loss::loss_and_grad(&cfg, z.view(), y.view())
            .map_err(|e| TestCaseError::fail(format!("{}: {e}", describe(&cfg))))?;
        prop_assert!(r.loss.is_finite(), "{}: loss {}", describe(&cfg), r.loss);
        prop_assert!(g.iter().all(|v| v.is_finite()), "{}: non-finite gradient", describe(&cfg));
        let c = z.dim().3;
        let g = g.as_slice().expect("contiguous");
        for (n, &label) in y.iter().enumerate() {
            if label == 255 {
                prop_assert!(g[n * c..(n + 1) * c].iter().all(|&v| v == 0.0));
            }
        }
    }
}
