//! Property tests of Part 2's losses (docs/losses.md): for any finite logits, any labels (classes or
//! ignored) and any valid options, the loss and gradient are finite and ignored pixels get a
//! gradient of exactly zero.

use crate::cases::describe_part2 as describe;
use crate::properties::{finite_and_ignored, problem};
use dicelab::loss::{
    Activation, Aggregation, Formula, LossConfig, LossKind, Named, Reduction, Variant,
};
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn part2_is_finite_and_ignores_ignored_pixels((z, y) in problem(), cfg in config()) {
        prop_assert!(cfg.validate().is_ok(), "{}: {:?}", describe(&cfg), cfg.validate());
        finite_and_ignored(&cfg, &z, &y, describe)?;
    }
}
