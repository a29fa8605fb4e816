//! The comparison every GPU test makes, natively and in the browser: a GPU report and gradient
//! against the CPU engine's, within the acceptance tolerances of issue 3 (loss 2e-5 relative, gradient
//! 2e-4 of the largest |g|), plus exact counts and exactly-zero gradients on ignored pixels.

use dicelab::loss::LossReport;

/// `|a − b| ≤ rel·max(|b|, floor)`.
pub fn close(a: f64, b: f64, rel: f64, floor: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(floor)
}

/// Asserts the GPU report and gradient equal the CPU's within the acceptance tolerances: loss 2e-5
/// relative, gradient 2e-4 of the largest |g|, sums 1e-5 relative, counts exact, ignored pixels 0.
pub fn assert_matches(
    what: &str,
    gpu: (&LossReport, &[f32]),
    cpu: (&LossReport, &[f32]),
    y: &[i32],
) {
    let ((g, gg), (c, cg)) = (gpu, cpu);
    let loss_ok = close(g.loss, c.loss, 2e-5, 1e-2);
    assert!(loss_ok, "{what}: loss {} (GPU) vs {} (CPU)", g.loss, c.loss);
    for (name, a, b) in [("dice", g.dice, c.dice), ("ce", g.ce, c.ce)] {
        assert_eq!(a.is_some(), b.is_some(), "{what}: {name}");
        let (a, b) = (a.unwrap_or(0.0), b.unwrap_or(0.0));
        assert!(close(a, b, 2e-5, 1e-2), "{what}: {name} {a} vs {b}");
    }
    assert_eq!(g.valid_pixels, c.valid_pixels, "{what}");
    assert_eq!(g.units.len(), c.units.len(), "{what}");
    for (gu, cu) in g.units.iter().zip(&c.units) {
        assert_eq!(gu.gdl.is_some(), cu.gdl.is_some(), "{what}");
        let (a, b) = (gu.gdl.unwrap_or(0.0), cu.gdl.unwrap_or(0.0));
        assert!(close(a, b, 2e-5, 1e-2), "{what}: unit gdl {a} vs {b}");
        for (gc, cc) in gu.classes.iter().zip(&cu.classes) {
            let at = format!("{what}: unit {} class {}", cu.unit, cc.class);
            assert_eq!(gc.truth, cc.truth, "{at}: R");
            assert_eq!(gc.included, cc.included, "{at}");
            assert!(
                close(gc.intersection, cc.intersection, 1e-5, 1e-3),
                "{at}: I"
            );
            assert!(close(gc.pred, cc.pred, 1e-5, 1e-3), "{at}: P");
            assert!(close(gc.weight, cc.weight, 1e-5, 0.0), "{at}: w");
            let (a, b) = (gc.dice.unwrap_or(9.0), cc.dice.unwrap_or(9.0));
            assert!(close(a, b, 2e-5, 1e-2), "{at}: dice {a} vs {b}");
        }
    }
    let scale = cg.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let classes = cg.len() / y.len();
    for (i, (&a, &b)) in gg.iter().zip(cg).enumerate() {
        assert!(
            (a - b).abs() <= 2e-4 * scale + 1e-12,
            "{what}: logit {i}: ∂L/∂z {a} (GPU) vs {b} (CPU), max |g| {scale}"
        );
        if y[i / classes] == 255 {
            assert_eq!(a, 0.0, "{what}: ignored pixel, logit {i}");
        }
    }
}
