//! The comparison every GPU test and every fast-engine test makes, natively and in the browser: a
//! report and gradient against the f64 CPU engine's, within tolerances (the GPU's of issue 3: loss
//! 2e-5 relative, gradient 2e-4 of the largest |g|; the fast CPU engine's: 1e-5 and 1e-5), plus
//! exact counts and exactly-zero gradients on ignored pixels. A loss or Dice term whose parts cancel
//! (the seed formula's terms of both signs, a term `1 − ratio` near 0) is held relative to the size
//! of those parts, the size its rounding scales with.

use dicelab::loss::{LossReport, Reduction};

/// `|a − b| ≤ rel·max(|b|, floor)`.
pub fn close(a: f64, b: f64, rel: f64, floor: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(floor)
}

/// Tolerances of one engine against the oracle: `loss` relative to the largest of |loss|, its
/// terms' scale and 1e-2; `sums` relative to max(|sum|, 1e-3); `grad` of max |g| plus `grad_floor`
/// absolute.
#[derive(Debug, Clone, Copy)]
pub struct Tol {
    pub loss: f64,
    pub sums: f64,
    pub grad: f32,
    pub grad_floor: f32,
}

/// The GPU's acceptance tolerances (issue 3).
pub const GPU: Tol = Tol {
    loss: 2e-5,
    sums: 1e-5,
    grad: 2e-4,
    grad_floor: 1e-12,
};

/// Asserts the GPU report and gradient equal the CPU's within [`GPU`].
pub fn assert_matches(
    what: &str,
    gpu: (&LossReport, &[f32]),
    cpu: (&LossReport, &[f32]),
    y: &[i32],
) {
    assert_within(what, GPU, gpu, cpu, y);
}

/// Asserts a tested report and gradient equal the oracle's within `tol`: counts exact, ignored
/// pixels (label 255) exactly 0.
pub fn assert_within(
    what: &str,
    tol: Tol,
    tested: (&LossReport, &[f32]),
    oracle: (&LossReport, &[f32]),
    y: &[i32],
) {
    let ((g, gg), (c, cg)) = (tested, oracle);
    let floor = term_scale(c).max(1e-2);
    let loss_ok = close(g.loss, c.loss, tol.loss, floor);
    assert!(
        loss_ok,
        "{what}: loss {} (tested) vs {} (oracle)",
        g.loss, c.loss
    );
    for (name, a, b, floor) in [
        ("dice", g.dice, c.dice, floor),
        ("ce", g.ce, c.ce, 1e-2),
        ("focal", g.focal, c.focal, 1e-2),
    ] {
        assert_eq!(a.is_some(), b.is_some(), "{what}: {name}");
        let (a, b) = (a.unwrap_or(0.0), b.unwrap_or(0.0));
        assert!(close(a, b, tol.loss, floor), "{what}: {name} {a} vs {b}");
    }
    assert_eq!(g.valid_pixels, c.valid_pixels, "{what}");
    assert_eq!(g.units.len(), c.units.len(), "{what}");
    for (gu, cu) in g.units.iter().zip(&c.units) {
        assert_eq!(gu.gdl.is_some(), cu.gdl.is_some(), "{what}");
        let (a, b) = (gu.gdl.unwrap_or(0.0), cu.gdl.unwrap_or(0.0));
        assert!(
            close(a, b, tol.loss, ratio(b)),
            "{what}: unit gdl {a} vs {b}"
        );
        assert_optional(&format!("{what}: unit lovasz"), tol, gu.lovasz, cu.lovasz);
        for (gc, cc) in gu.classes.iter().zip(&cu.classes) {
            let at = format!("{what}: unit {} class {}", cu.unit, cc.class);
            assert_eq!(gc.truth, cc.truth, "{at}: R");
            assert_eq!(gc.included, cc.included, "{at}");
            assert!(
                close(gc.intersection, cc.intersection, tol.sums, 1e-3),
                "{at}: I"
            );
            assert!(close(gc.pred, cc.pred, tol.sums, 1e-3), "{at}: P");
            assert!(close(gc.weight, cc.weight, tol.sums, 0.0), "{at}: w");
            let (a, b) = (gc.dice.unwrap_or(9.0), cc.dice.unwrap_or(9.0));
            assert!(close(a, b, tol.loss, ratio(b)), "{at}: dice {a} vs {b}");
            assert_optional(&format!("{at}: score"), tol, gc.score, cc.score);
            assert_optional(&format!("{at}: term"), tol, gc.term, cc.term);
            assert_optional(&format!("{at}: focal"), tol, gc.focal, cc.focal);
        }
    }
    let scale = cg.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let classes = cg.len() / y.len();
    for (i, (&a, &b)) in gg.iter().zip(cg).enumerate() {
        assert!(
            (a - b).abs() <= tol.grad * scale + tol.grad_floor,
            "{what}: logit {i}: ∂L/∂z {a} (tested) vs {b} (oracle), max |g| {scale}"
        );
        if y[i / classes] == 255 {
            assert_eq!(a, 0.0, "{what}: ignored pixel, logit {i}");
        }
    }
}

/// A Dice term `1 − ratio` is rounded as its ratio is: near 0 it keeps `ratio`'s absolute error.
fn ratio(term: f64) -> f64 {
    (1.0 - term).abs().max(1e-2)
}

/// The size a Dice loss's rounding scales with: its terms (each unit's Generalized Dice, or its
/// included classes' Dice) in |·|, reduced as the loss reduces them. Above |loss| where the seed
/// formula's terms of both signs cancel.
fn term_scale(r: &LossReport) -> f64 {
    let terms: Vec<f64> = r
        .units
        .iter()
        .flat_map(|u| match u.gdl {
            Some(gdl) => vec![gdl],
            None => u
                .classes
                .iter()
                .filter(|c| c.included)
                .filter_map(|c| c.dice)
                .collect(),
        })
        .map(f64::abs)
        .collect();
    let sum: f64 = terms.iter().sum();
    match r.config.reduction {
        Reduction::Sum => sum,
        Reduction::Mean => sum / terms.len().max(1) as f64,
    }
}

/// Both present and close (as a loss), or both absent.
fn assert_optional(what: &str, tol: Tol, tested: Option<f64>, oracle: Option<f64>) {
    assert_eq!(
        tested.is_some(),
        oracle.is_some(),
        "{what}: {tested:?} vs {oracle:?}"
    );
    let (a, b) = (tested.unwrap_or(0.0), oracle.unwrap_or(0.0));
    assert!(close(a, b, tol.loss, 1e-2), "{what}: {a} vs {b}");
}
