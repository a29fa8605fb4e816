//! Numerics at the edges: logits of ±1e4, single-class batches, every class absent under every
//! weight mode, the seed formula's negative losses, and sums over a 4096×4096 image against their
//! closed form (CPU in f64; GPU in f32 through its two-level reduction).

use crate::cases::{configs, describe};
use crate::gpu::gpu;
use crate::reference;
use dicelab::gpu::GpuEngine;
use dicelab::loss::{self, Activation, Formula, LossConfig, LossKind, Reduction, Weights};
use dicelab::rng::Mulberry32;
use ndarray::{Array3, Array4};

fn random(dims: (usize, usize, usize, usize), scale: f32, seed: u32) -> (Array4<f32>, Array3<i32>) {
    let mut r = Mulberry32::new(seed);
    let z = Array4::from_shape_simple_fn(dims, || scale * (2.0 * r.next_f32() - 1.0));
    let y = Array3::from_shape_simple_fn((dims.0, dims.1, dims.2), || r.below(dims.3) as i32);
    (z, y)
}

fn problem(z: &Array4<f32>, y: &Array3<i32>) -> reference::Problem {
    let (b, h, w, c) = z.dim();
    reference::Problem {
        b,
        h,
        w,
        c,
        z: z.iter().map(|&v| f64::from(v)).collect(),
        y: y.iter().map(|&v| i64::from(v)).collect(),
    }
}

/// Every configuration: finite loss and gradient, and the loss of the f64 reference.
fn all_configs_match(z: &Array4<f32>, y: &Array3<i32>, what: &str) {
    let pr = problem(z, y);
    for cfg in configs(1.0, 1.0).into_iter().chain(configs(1e-5, 1e-5)) {
        let (r, g) = loss::loss_and_grad(&cfg, z.view(), y.view())
            .unwrap_or_else(|e| panic!("{what}: {}: {e}", describe(&cfg)));
        assert!(
            r.loss.is_finite() && g.iter().all(|v| v.is_finite()),
            "{what}: {}",
            describe(&cfg)
        );
        let want = reference::loss(&cfg, &pr);
        assert!(
            (r.loss - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{what}: {}: {} vs {want}",
            describe(&cfg),
            r.loss
        );
    }
}

#[test]
fn logits_of_plus_minus_1e4() {
    let (mut z, y) = random((2, 3, 3, 4), 1.0, 21);
    z.mapv_inplace(|v| if v > 0.0 { 1e4 } else { -1e4 });
    z[[0, 0, 0, 1]] = 9_999.5;
    all_configs_match(&z, &y, "±1e4");
}

#[test]
fn single_class_batches() {
    for class in 0..3 {
        let (z, _) = random((2, 2, 3, 3), 4.0, 22 + class as u32);
        let y = Array3::from_elem((2, 2, 3), class);
        all_configs_match(&z, &y, &format!("every pixel class {class}"));
    }
}

#[test]
fn every_class_absent_under_every_weight_mode() {
    // Every pixel ignored: nothing is true, nothing predicted. Dice terms and Generalized Dice (all
    // weights 0 by MONAI's rule) are 1 − s_nr/s_dr (corrected) or 1 − 2·s_nr/s_dr (seed); the
    // cross-entropy is 0; the gradient is 0 everywhere.
    let (z, _) = random((2, 2, 2, 3), 3.0, 23);
    let y = Array3::from_elem((2, 2, 2), 255);
    for cfg in configs(0.5, 2.0) {
        let (r, g) =
            loss::loss_and_grad(&cfg, z.view(), y.view()).unwrap_or_else(|e| panic!("{e}"));
        let term = match cfg.formula {
            Formula::Corrected => 1.0 - 0.5 / 2.0,
            Formula::Seed => 1.0 - 2.0 * 0.5 / 2.0,
        };
        let units = if cfg.aggregation == loss::Aggregation::Global {
            1.0
        } else {
            2.0
        };
        let terms = match cfg.kind {
            LossKind::Gdl => units,
            LossKind::Ce => 0.0,
            _ => units * if cfg.include_background { 3.0 } else { 2.0 },
        };
        let dice = match (cfg.kind, cfg.reduction) {
            (LossKind::Ce, _) => 0.0,
            (_, Reduction::Sum) => terms * term,
            (_, Reduction::Mean) => term,
        };
        assert!(
            (r.loss - dice).abs() < 1e-12,
            "{}: {} vs {dice}",
            describe(&cfg),
            r.loss
        );
        assert!(g.iter().all(|&v| v == 0.0), "{}", describe(&cfg));
        if cfg.kind == LossKind::Gdl && cfg.weights != Weights::Uniform {
            assert!(r
                .units
                .iter()
                .all(|u| u.classes.iter().all(|c| c.weight == 0.0)));
        }
    }
}

#[test]
fn the_seed_formula_goes_negative() {
    // Confident, correct predictions of 2 of 4 classes; classes 2 and 3 absent and never predicted.
    let z = Array4::from_shape_fn(
        (1, 2, 2, 4),
        |(_, h, _, c)| if c == h { 30.0 } else { -30.0 },
    );
    let y = Array3::from_shape_fn((1, 2, 2), |(_, h, _)| h as i32);
    let seed = LossConfig {
        formula: Formula::Seed,
        reduction: Reduction::Sum,
        ..LossConfig::default()
    };
    let r = loss::evaluate(&seed, z.view(), y.view(), None).unwrap_or_else(|e| panic!("{e}"));
    // Present classes: 1 − 2(2+1)/(2+2+1) = −0.2 each; absent ones 1 − 2·1/1 = −1 each.
    assert!(
        (r.loss - (-0.2 - 0.2 - 1.0 - 1.0)).abs() < 1e-9,
        "{}",
        r.loss
    );
    let fixed = LossConfig {
        reduction: Reduction::Sum,
        ..LossConfig::default()
    };
    let r = loss::evaluate(&fixed, z.view(), y.view(), None).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.loss.abs() < 1e-9 && r.loss >= -1e-12, "{}", r.loss);
}

/// `b` images of `n`×`n` pixels, 2 classes, one logit pattern per class: every sum has a closed form.
fn big(b: usize, n: usize) -> (Array4<f32>, Array3<i32>, [f64; 2], f64) {
    // Class 1 on every pixel with (h + w) % 3 == 0; logits (0, 1) there, (0.5, −0.25) elsewhere.
    let on = |h: usize, w: usize| (h + w).is_multiple_of(3);
    let z = Array4::from_shape_fn((b, n, n, 2), |(_, h, w, c)| match (on(h, w), c) {
        (true, 0) => 0.0,
        (true, _) => 1.0,
        (false, 0) => 0.5,
        (false, _) => -0.25,
    });
    let y = Array3::from_shape_fn((b, n, n), |(_, h, w)| i32::from(on(h, w)));
    let ones = (b
        * (0..n)
            .map(|h| (0..n).filter(|&w| on(h, w)).count())
            .sum::<usize>()) as f64;
    let total = (b * n * n) as f64;
    (z, y, [total - ones, ones], total)
}

/// I and P of `big`'s pattern, in closed form.
fn closed_form(counts: [f64; 2]) -> ([f64; 2], [f64; 2]) {
    let s = |a: f64, b: f64| 1.0 / (1.0 + (b - a).exp()); // softmax of class 0 for logits (a, b)
    let p_on = [s(0.0, 1.0), 1.0 - s(0.0, 1.0)];
    let p_off = [s(0.5, -0.25), 1.0 - s(0.5, -0.25)];
    let i = [counts[0] * p_off[0], counts[1] * p_on[1]];
    let p = [
        counts[1] * p_on[0] + counts[0] * p_off[0],
        counts[1] * p_on[1] + counts[0] * p_off[1],
    ];
    (i, p)
}

fn gdl() -> LossConfig {
    LossConfig {
        kind: LossKind::Gdl,
        weights: Weights::Simple,
        ..LossConfig::default()
    }
}

#[test]
fn cpu_sums_over_4096_by_4096_match_their_closed_form() {
    let (z, y, counts, total) = big(1, 4096);
    let (want_i, want_p) = closed_form(counts);
    let cpu = loss::evaluate(&gdl(), z.view(), y.view(), None).unwrap_or_else(|e| panic!("{e}"));
    for l in 0..2 {
        let c = &cpu.per_class[l];
        assert_eq!(c.truth, counts[l]);
        assert!(
            (c.intersection - want_i[l]).abs() <= 1e-9 * want_i[l],
            "I_{l}: {} vs {}",
            c.intersection,
            want_i[l]
        );
        assert!(
            (c.pred - want_p[l]).abs() <= 1e-9 * want_p[l],
            "P_{l}: {} vs {}",
            c.pred,
            want_p[l]
        );
    }
    assert_eq!(cpu.valid_pixels as f64, total);
}

/// The same 16.8M pixels on the GPU, as 4 images of 2048×2048 (one image may hold at most
/// 65535·256 pixels, the dispatch limit of `logit_grad`), summed in f32 by the two-level reduction.
#[test]
fn gpu_sums_over_16m_pixels_match_their_closed_form() {
    let Some(ctx) = gpu("gpu_sums_over_16m_pixels_match_their_closed_form") else {
        return;
    };
    let (z, y, counts, _) = big(4, 2048);
    let (want_i, want_p) = closed_form(counts);
    let mut engine = GpuEngine::new(ctx);
    let g = pollster::block_on(engine.evaluate(&gdl(), z.view(), y.view(), None))
        .unwrap_or_else(|e| panic!("{e}"));
    let cpu = loss::evaluate(&gdl(), z.view(), y.view(), None).unwrap_or_else(|e| panic!("{e}"));
    let mut worst: f64 = 0.0;
    for l in 0..2 {
        let c = &g.per_class[l];
        assert_eq!(c.truth, counts[l], "counts are exact on the GPU");
        worst = worst
            .max((c.intersection - want_i[l]).abs() / want_i[l])
            .max((c.pred - want_p[l]).abs() / want_p[l]);
    }
    eprintln!(
        "GPU f32 sums over 16.8M pixels: worst relative error {worst:.2e}; loss {} vs CPU {}",
        g.loss, cpu.loss
    );
    assert!(worst < 1e-6, "GPU sums relative error {worst:e}");
    assert!((g.loss - cpu.loss).abs() <= 2e-5 * cpu.loss.abs().max(1e-3));
}

/// Every pixel saturated: one class 50 above the others (p ≈ 1 − 4·e^−50), the label on most pixels
/// but not all; two pixels ignored.
fn saturated() -> (Array4<f32>, Array3<i32>) {
    let (mut z, mut y) = random((2, 4, 5, 5), 3.0, 24);
    let mut r = Mulberry32::new(25);
    let pixels = z.as_slice_mut().expect("standard layout").chunks_mut(5);
    for (pixel, &label) in pixels.zip(y.iter()) {
        let top = if r.below(4) == 0 {
            r.below(5)
        } else {
            label as usize
        };
        pixel.iter_mut().for_each(|v| *v -= 25.0);
        pixel[top] += 50.0;
    }
    y[[0, 1, 2]] = 255;
    y[[1, 3, 4]] = 255;
    (z, y)
}

/// Softmax's gradient sums to 0 over each pixel's classes: asserts it does to `rel` of the pixel's
/// largest |∂L/∂z| (plus f32's smallest normal: subnormal outputs keep few digits). Where p ≈ 1 a `1 − p` or `g − Σ p·g` taken by subtraction leaves the top class
/// rounding noise many orders above the others' true values, and this fails.
fn sums_to_zero_per_pixel(what: &str, g: &[f32], classes: usize, rel: f64) {
    for (n, d) in g.chunks_exact(classes).enumerate() {
        let sum: f64 = d.iter().map(|&v| f64::from(v)).sum();
        let max = d.iter().fold(0.0f64, |m, &v| m.max(f64::from(v).abs()));
        assert!(
            sum.abs() <= rel * max + f64::from(f32::MIN_POSITIVE),
            "{what}: pixel {n}: Σ_k ∂L/∂z_k = {sum:e}, max |∂L/∂z_k| {max:e}: {d:?}"
        );
    }
}

#[test]
fn saturated_pixels_keep_the_digits_of_their_gradients() {
    let (z, y) = saturated();
    let softmax = || {
        configs(1.0, 1.0)
            .into_iter()
            .chain(configs(1e-5, 1e-5))
            .filter(|c| c.activation == Activation::Softmax)
    };
    for cfg in softmax() {
        let (_, g) = loss::loss_and_grad(&cfg, z.view(), y.view())
            .unwrap_or_else(|e| panic!("{}: {e}", describe(&cfg)));
        let what = format!("CPU, {}", describe(&cfg));
        sums_to_zero_per_pixel(&what, g.as_slice().expect("standard layout"), 5, 1e-6);
    }
    let Some(ctx) = gpu("saturated_pixels_keep_the_digits_of_their_gradients") else {
        return;
    };
    let mut engine = GpuEngine::new(ctx);
    for cfg in softmax() {
        let mut g = vec![0.0f32; z.len()];
        pollster::block_on(engine.evaluate(&cfg, z.view(), y.view(), Some(&mut g)))
            .unwrap_or_else(|e| panic!("{}: {e}", describe(&cfg)));
        sums_to_zero_per_pixel(&format!("GPU, {}", describe(&cfg)), &g, 5, 1e-4);
    }
}
