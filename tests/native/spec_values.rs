//! Every variant against the float64 reference, the MONAI value quoted in the spec, and the original
//! question's TensorFlow code.

use crate::cases::{cases, configs, describe};
use crate::reference;
use dicelab::loss::{self, Aggregation, Formula, LossConfig, LossKind, Reduction};
use ndarray::{Array3, Array4};

#[test]
fn every_variant_matches_the_f64_reference() {
    let mut checked = 0;
    for case in cases() {
        let pr = case.problem();
        for (snr, sdr) in [(1.0, 1.0), (1e-4, 1e-4), (0.3, 2.0)] {
            for cfg in configs(snr, sdr) {
                let got = loss::evaluate(&cfg, case.logits.view(), case.labels.view(), None)
                    .unwrap_or_else(|e| panic!("{}: {}: {e}", case.name, describe(&cfg)));
                let want = reference::loss(&cfg, &pr);
                // The engine is f64 too: only summation order differs.
                assert!(
                    (got.loss - want).abs() <= 1e-10 * want.abs().max(1.0),
                    "{}: {}: {} vs reference {}",
                    case.name,
                    describe(&cfg),
                    got.loss,
                    want
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 3 * 384);
}

#[test]
fn monai_reference_value() {
    // MONAI test_dice_loss.py: channels-first (B=2, C=2, N=3) logits, moved to channels last.
    let cf = [
        [[-1.0f32, 0.0, 1.0], [1.0, 0.0, -1.0]],
        [[0.0; 3], [0.0; 3]],
    ];
    let logits = Array4::from_shape_fn((2, 1, 3, 2), |(b, _, n, c)| cf[b][c][n]);
    let labels = Array3::from_shape_vec((2, 1, 3), vec![1, 0, 0, 1, 1, 0]).expect("shape");
    let cfg = LossConfig {
        aggregation: Aggregation::PerImage,
        smooth_nr: 1e-4,
        smooth_dr: 1e-4,
        ..LossConfig::default()
    };
    let r = loss::evaluate(&cfg, logits.view(), labels.view(), None).expect("valid input");
    assert!((r.loss - 0.383713).abs() < 5e-7, "{}", r.loss);
}

/// The question's TensorFlow code, transcribed op by op on the flattened batch:
/// `num = reduce_sum(onehot * softmax, 0)`, `den = reduce_sum(onehot + softmax, 0)`,
/// `loss = 1 - 2 * (num + 1) / (den + 1)`, and the optimizer minimised `reduce_sum(loss)`.
fn original_question_loss(logits: &Array4<f32>, labels: &Array3<i32>) -> f64 {
    let c = logits.dim().3;
    let z = logits
        .to_shape((logits.len() / c, c))
        .expect("contiguous")
        .mapv(f64::from);
    let m = z.map_axis(ndarray::Axis(1), |r| r.fold(f64::MIN, |a, &b| a.max(b)));
    let e = (&z - &m.insert_axis(ndarray::Axis(1))).mapv(f64::exp);
    let probs = &e / &e.sum_axis(ndarray::Axis(1)).insert_axis(ndarray::Axis(1));
    let y = labels.iter().copied().collect::<Vec<_>>();
    let onehot =
        ndarray::Array2::from_shape_fn(probs.dim(), |(n, k)| f64::from(u8::from(y[n] == k as i32)));
    let num = (&onehot * &probs).sum_axis(ndarray::Axis(0));
    let den = (&onehot + &probs).sum_axis(ndarray::Axis(0));
    let per_class = 1.0 - 2.0 * (num + 1.0) / (den + 1.0);
    per_class.sum()
}

#[test]
fn seed_global_sum_is_the_original_question_code() {
    for case in cases()
        .into_iter()
        .filter(|c| !c.labels.iter().any(|&v| v == 255))
    {
        let cfg = LossConfig {
            kind: LossKind::Dice,
            formula: Formula::Seed,
            reduction: Reduction::Sum,
            ..LossConfig::default()
        };
        let r = loss::evaluate(&cfg, case.logits.view(), case.labels.view(), None).expect("valid");
        let want = original_question_loss(&case.logits, &case.labels);
        assert!(
            (r.loss - want).abs() < 1e-10 * want.abs().max(1.0),
            "{}: {} vs {want}",
            case.name,
            r.loss
        );
    }
}

#[test]
fn seed_formula_scores_an_absent_class_minus_one() {
    // A class absent from truth and (nearly) from the prediction scores 1 − 2 = −1 with the seed
    // formula, and 0 with the corrected one.
    let logits = Array4::from_shape_fn(
        (1, 2, 2, 2),
        |(_, _, _, c)| if c == 0 { 40.0 } else { -40.0 },
    );
    let labels = Array3::zeros((1, 2, 2));
    let seed = LossConfig {
        formula: Formula::Seed,
        ..LossConfig::default()
    };
    let r = loss::evaluate(&seed, logits.view(), labels.view(), None).expect("valid");
    assert!((r.per_class[1].dice.expect("finite") + 1.0).abs() < 1e-12);
    let r =
        loss::evaluate(&LossConfig::default(), logits.view(), labels.view(), None).expect("valid");
    assert!(r.per_class[1].dice.expect("finite").abs() < 1e-12);
}

#[test]
fn report_terms_match_the_sums() {
    let case = &cases()[0];
    let cfg = LossConfig {
        aggregation: Aggregation::PerImage,
        kind: LossKind::Gdl,
        ..LossConfig::default()
    };
    let r = loss::evaluate(&cfg, case.logits.view(), case.labels.view(), None).expect("valid");
    assert_eq!(r.units.len(), 2);
    assert_eq!(r.valid_pixels, 10);
    let truth: f64 = r.per_class.iter().map(|c| c.truth).sum();
    assert_eq!(truth, 10.0);
    // Class 3 is absent: its weight is the largest finite weight of its unit.
    for u in &r.units {
        let max = u
            .classes
            .iter()
            .filter(|c| c.truth > 0.0)
            .map(|c| c.weight)
            .fold(0.0, f64::max);
        assert_eq!(u.classes[3].weight, max);
        assert!(u.gdl.is_some());
    }
}
