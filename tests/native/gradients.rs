//! The analytic gradient against central finite differences of the f64 reference, over every
//! combination of options and every special input.

use crate::cases::{cases, configs, describe};
use crate::reference;
use dicelab::loss;

#[test]
fn analytic_gradient_matches_finite_differences() {
    let mut checked = 0;
    for case in cases() {
        let pr = case.problem();
        for (snr, sdr) in [(1.0, 1.0), (0.3, 2.0)] {
            for cfg in configs(snr, sdr) {
                let (_, grad) = loss::loss_and_grad(&cfg, case.logits.view(), case.labels.view())
                    .unwrap_or_else(|e| panic!("{}: {e}", describe(&cfg)));
                let fd = reference::fd_grad(&cfg, &pr);
                let scale = fd.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                for (i, (&g, &want)) in grad.iter().zip(&fd).enumerate() {
                    assert!(
                        (f64::from(g) - want).abs() <= 1e-4 * scale + 1e-9,
                        "{}: {}: logit {i}: analytic {g} vs finite differences {want} (max |g| {scale})",
                        case.name,
                        describe(&cfg)
                    );
                }
                // Ignored pixels get exactly zero.
                let c = case.logits.dim().3;
                for (n, &y) in case.labels.iter().enumerate() {
                    if y == 255 {
                        assert!(grad.as_slice().expect("contiguous")[n * c..(n + 1) * c]
                            .iter()
                            .all(|&v| v == 0.0));
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 2 * 384);
}
