//! Property tests: for any finite logits, any labels (classes or ignored) and any option, the loss
//! and gradient are finite, and ignored pixels get a gradient of exactly zero.

use crate::cases::describe;
use dicelab::loss::{
    self, Activation, Aggregation, Formula, LossConfig, LossKind, Named, Reduction, Weights,
};
use ndarray::{Array3, Array4};
use proptest::prelude::*;

fn config() -> impl Strategy<Value = LossConfig> {
    part1_config(
        prop_oneof![Just(0.0), Just(1e-5), Just(1.0), 0.0f64..10.0],
        1e-6f64..10.0,
    )
}

/// Any Part 1 configuration, its smoothings drawn from `smooth_nr` and `smooth_dr`.
pub fn part1_config(
    smooth_nr: impl Strategy<Value = f64>,
    smooth_dr: impl Strategy<Value = f64>,
) -> impl Strategy<Value = LossConfig> {
    (
        (0..4usize, 0..2usize, 0..3usize, 0..2usize, 0..2usize),
        (any::<bool>(), any::<bool>(), 0..2usize),
        (smooth_nr, smooth_dr),
    )
        .prop_map(
            |((k, f, w, r, a), (squared, bg, act), (snr, sdr))| LossConfig {
                kind: LossKind::ALL[k],
                formula: Formula::ALL[f],
                weights: Weights::ALL[w],
                reduction: Reduction::ALL[r],
                aggregation: Aggregation::ALL[a],
                squared,
                smooth_nr: snr,
                smooth_dr: sdr,
                activation: Activation::ALL[act],
                ignore_index: 255,
                include_background: bg,
                ..LossConfig::default()
            },
        )
}

/// Any finite f32, with the extremes well represented.
pub fn logit() -> impl Strategy<Value = f32> {
    prop_oneof![
        -5.0f32..5.0,
        prop::num::f32::NORMAL | prop::num::f32::SUBNORMAL | prop::num::f32::ZERO,
        Just(f32::MAX),
        Just(f32::MIN),
    ]
}

/// A small random batch: any finite logits, labels of its classes or ignored (255).
pub fn problem() -> impl Strategy<Value = (Array4<f32>, Array3<i32>)> {
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

/// The loss and its gradient are finite, and an ignored pixel's gradient is exactly 0.
pub fn finite_and_ignored(
    cfg: &LossConfig,
    z: &Array4<f32>,
    y: &Array3<i32>,
    describe: impl Fn(&LossConfig) -> String,
) -> Result<(), TestCaseError> {
    let (r, g) = loss::loss_and_grad(cfg, z.view(), y.view())
        .map_err(|e| TestCaseError::fail(format!("{}: {e}", describe(cfg))))?;
    prop_assert!(r.loss.is_finite(), "{}: loss {}", describe(cfg), r.loss);
    prop_assert!(
        g.iter().all(|v| v.is_finite()),
        "{}: non-finite gradient",
        describe(cfg)
    );
    let c = z.dim().3;
    let g = g.as_slice().expect("contiguous");
    for (n, &label) in y.iter().enumerate() {
        if label == 255 {
            prop_assert!(g[n * c..(n + 1) * c].iter().all(|&v| v == 0.0));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn finite_loss_and_gradient((z, y) in problem(), cfg in config()) {
        finite_and_ignored(&cfg, &z, &y, describe)?;
    }

    #[test]
    fn bad_labels_are_errors_not_panics(
        (z, mut y) in problem(),
        bad in prop_oneof![i32::MIN..0, 8..i32::MAX],
        at in any::<prop::sample::Index>(),
    ) {
        let i = at.index(y.len());
        if bad == 255 { return Ok(()); }
        y.as_slice_mut().expect("contiguous")[i] = bad;
        let r = loss::evaluate(&LossConfig::default(), z.view(), y.view(), None);
        let is_bad_label = matches!(r, Err(loss::LossError::BadLabel { .. }));
        prop_assert!(is_bad_label, "{:?}", r);
    }
}
