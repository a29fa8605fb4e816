//! The fast f32 engine (`loss::fast`) against the f64 oracle (`loss::evaluate`): the whole case ×
//! option grid at three smoothings and 1–3 threads, large images, hostile logits, saturated
//! pixels, every error, and random shapes and options (proptest) — to [`FAST`]: loss 1e-5
//! relative, sums 1e-5, gradient 1e-5 of max |g|, counts exact, ignored pixels exactly 0.

use crate::cases::{cases, configs, describe};
use crate::compare::{assert_within, Tol};
use dicelab::loss::{self, fast, Activation, LossConfig, LossError, LossKind};
use dicelab::rng::Mulberry32;
use ndarray::{Array3, Array4, Axis};
use proptest::prelude::*;

/// The fast engine's tolerances against the oracle.
const FAST: Tol = Tol {
    loss: 1e-5,
    sums: 1e-5,
    grad: 1e-5,
    grad_floor: 1e-30,
};

/// Both engines on one input; the fast one on `threads` threads. Errors must be identical.
fn compare(what: &str, cfg: &LossConfig, z: &Array4<f32>, y: &Array3<i32>, threads: usize) {
    let mut fg = Array4::zeros(z.raw_dim());
    let fast = fast::evaluate(cfg, z.view(), y.view(), Some(fg.view_mut()), threads);
    let oracle = loss::loss_and_grad(cfg, z.view(), y.view());
    let what = format!("{what}, {}, {threads} threads", describe(cfg));
    match (fast, oracle) {
        (Ok(f), Ok((o, og))) => {
            let (fg, og) = (fg.as_slice().unwrap(), og.as_slice().unwrap());
            assert_within(&what, FAST, (&f, fg), (&o, og), y.as_slice().unwrap());
        }
        // By message: a NaN in the error is not equal to itself.
        (Err(f), Err(o)) => assert_eq!(f.to_string(), o.to_string(), "{what}"),
        (f, o) => panic!("{what}: fast {:?} vs oracle {:?}", f.err(), o.err()),
    }
}

fn random(dims: (usize, usize, usize, usize), scale: f32, seed: u32) -> (Array4<f32>, Array3<i32>) {
    let mut r = Mulberry32::new(seed);
    let z = Array4::from_shape_simple_fn(dims, || scale * (2.0 * r.next_f32() - 1.0));
    let y = Array3::from_shape_simple_fn((dims.0, dims.1, dims.2), || r.below(dims.3) as i32);
    (z, y)
}

#[test]
fn grid_matches_the_oracle() {
    for case in cases() {
        for (snr, sdr) in [(1.0, 1.0), (1e-5, 1e-5), (0.5, 2.0)] {
            for cfg in configs(snr, sdr) {
                compare(case.name, &cfg, &case.logits, &case.labels, 1);
            }
        }
    }
}

#[test]
fn threads_and_block_edges_match_the_oracle() {
    // 3 images of 37×29 pixels: blocks of 64 straddle rows, images and the threads' ranges.
    let (z, mut y) = random((3, 37, 29, 5), 4.0, 3);
    y[[1, 3, 4]] = 255;
    y.index_axis_mut(Axis(0), 2)
        .indexed_iter_mut()
        .filter(|((h, _), _)| *h >= 10)
        .for_each(|(_, v)| *v = 255);
    for cfg in configs(1.0, 1.0) {
        for threads in [1, 2, 3] {
            compare("3×37×29", &cfg, &z, &y, threads);
        }
    }
}

#[test]
fn large_image_sums_stay_accurate() {
    // 2^22 pixels in one unit: a plain f32 running sum would be off by ~1e-3 relative here.
    let (z, y) = random((1, 2048, 2048, 3), 3.0, 5);
    for cfg in [
        LossConfig::default(),
        LossConfig {
            kind: LossKind::DiceCe,
            squared: true,
            ..LossConfig::default()
        },
        LossConfig {
            kind: LossKind::Gdl,
            activation: Activation::Sigmoid,
            ..LossConfig::default()
        },
    ] {
        compare("2048×2048", &cfg, &z, &y, 2);
    }
}

/// Logits of ±1e4, ±80 and ±3e38 beside moderate ones, and saturated pixels (`p_y` within 1e-8
/// of 1), where f32 would cancel `p_y − 1` and `g_y − Σ p·g` without the engine's rewriting.
///
/// With every pixel saturated by 20 only the cross-entropy is checked: the Dice sums of f32 `p`
/// cannot resolve a loss within 1e-8 of its optimum, whose gradient is then set by that deviation
/// (the documented limit of the fast engine); with a quarter of the pixels moderate, every loss is.
/// Saturated by 50 under softmax, every loss is again: `p` rounds to 1 in f64 as in f32, both
/// engines see the optimum exactly, and what is left is the softmax's own arithmetic, free of
/// cancellation (a sigmoid's ±25 stays 1e-11 from 1 in f64: the limit above).
#[test]
fn hostile_logits_match_the_oracle() {
    let (mut z, y) = random((2, 5, 7, 4), 1.0, 9);
    let big = [1e4f32, -1e4, 80.0, -80.0, 3e38, -3e38];
    z.iter_mut()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .for_each(|(i, v)| *v = big[i % big.len()] * v.signum());
    // Saturated: the true class 10 above the rest (p_y ≈ 1 − 3·e^−20).
    let (mut sat, ys) = random((2, 4, 4, 4), 2.0, 10);
    let mut mixed = sat.clone();
    let pixels = sat.as_slice_mut().unwrap().chunks_mut(4);
    for (n, (pixel, &label)) in pixels.zip(ys.iter()).enumerate() {
        pixel.fill(-10.0);
        pixel[label as usize] = 10.0;
        if n % 4 != 0 {
            mixed.as_slice_mut().unwrap()[n * 4..(n + 1) * 4].copy_from_slice(pixel);
        }
    }
    // Every pixel saturated by a margin of 50 (softmax: p ≈ 1 − 3·e^−50, the others still normal
    // f32): the whole gradient is of the order of e^−50; only cancellation-free arithmetic agrees.
    let far = sat.mapv(|v| 2.5 * v);
    for smooth in [1.0, 1e-5] {
        for cfg in configs(smooth, smooth) {
            compare("hostile", &cfg, &z, &y, 1);
            compare("mostly saturated", &cfg, &mixed, &ys, 1);
            if cfg.kind == LossKind::Ce {
                compare("saturated", &cfg, &sat, &ys, 1);
            }
            if cfg.kind == LossKind::Ce || cfg.activation == Activation::Softmax {
                compare("far saturated", &cfg, &far, &ys, 1);
            }
        }
    }
}

#[test]
fn absent_classes_and_ignored_pixels() {
    let (z, mut y) = random((2, 9, 9, 6), 3.0, 12);
    // Classes 4 and 5 never in the truth; image 1 entirely ignored but for one pixel.
    y.mapv_inplace(|v| v % 4);
    y.index_axis_mut(Axis(0), 1).fill(255);
    y[[1, 8, 8]] = 0;
    for cfg in configs(1.0, 1.0) {
        compare("absent classes", &cfg, &z, &y, 2);
    }
    let ignore_zero = LossConfig {
        ignore_index: 0,
        ..LossConfig::default()
    };
    compare("ignore index 0", &ignore_zero, &z, &y.mapv(|v| v % 4), 1);
}

#[test]
fn errors_are_the_oracles() {
    let (z, y) = random((2, 4, 4, 3), 2.0, 14);
    let cfg = LossConfig::default();
    for (at, bad) in [
        ((0, 0, 0), -1),
        ((1, 2, 3), 3),
        ((1, 3, 3), 254),
        ((0, 1, 2), i32::MIN),
    ] {
        let mut yb = y.clone();
        yb[at] = bad;
        compare("bad label", &cfg, &z, &yb, 2);
        let r = fast::evaluate(&cfg, z.view(), yb.view(), None, 1);
        assert!(matches!(r, Err(LossError::BadLabel { .. })), "{r:?}");
    }
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut zb = z.clone();
        zb[[1, 3, 2, 1]] = bad;
        // Non-finite in an ignored pixel, and together with a bad label earlier: still reported.
        let mut yb = y.clone();
        yb[[1, 3, 2]] = 255;
        yb[[0, 0, 1]] = 7;
        compare("non-finite", &cfg, &zb, &yb, 2);
        let r = fast::evaluate(&cfg, zb.view(), yb.view(), None, 1);
        assert!(matches!(r, Err(LossError::NonFinite { .. })), "{r:?}");
    }
    let zero = LossConfig {
        smooth_dr: 0.0,
        smooth_nr: 0.0,
        ..LossConfig::default()
    };
    let mut sparse = y.clone();
    sparse.fill(255);
    compare("zero denominator", &zero, &z, &sparse, 1);
    let bg = LossConfig {
        include_background: false,
        ..LossConfig::default()
    };
    let one = Array4::from_shape_fn((2, 4, 4, 1), |(b, h, w, _)| z[[b, h, w, 0]]);
    compare("no class", &bg, &one, &y.mapv(|_| 0), 1);
    let mut wrong = Array4::<f32>::zeros((2, 4, 4, 2));
    let r = fast::evaluate(&cfg, z.view(), y.view(), Some(wrong.view_mut()), 1);
    assert_eq!(r.err(), Some(LossError::GradBuffer(vec![2, 4, 4, 2])));
}

#[test]
fn non_contiguous_views_match() {
    let (z, y) = random((2, 6, 5, 3), 2.0, 15);
    let (mut zt, mut yt) = (z.view(), y.view());
    zt.invert_axis(Axis(1));
    yt.invert_axis(Axis(1));
    let (zs, ys) = (
        zt.as_standard_layout().into_owned(),
        yt.as_standard_layout().into_owned(),
    );
    compare("reversed rows", &LossConfig::default(), &zs, &ys, 1);
    let mut fg = Array4::zeros(z.raw_dim());
    let f = fast::evaluate(&LossConfig::default(), zt, yt, Some(fg.view_mut()), 2).unwrap();
    let o = loss::evaluate(&LossConfig::default(), zt, yt, None).unwrap();
    assert!((f.loss - o.loss).abs() <= 1e-6, "{} vs {}", f.loss, o.loss);
}

fn config() -> impl Strategy<Value = LossConfig> {
    crate::properties::part1_config(
        prop_oneof![Just(0.0), Just(1.0), 0.0f64..10.0],
        1e-3f64..10.0,
    )
}

fn problem() -> impl Strategy<Value = (Array4<f32>, Array3<i32>)> {
    (1..4usize, 1..20usize, 1..20usize, 1..9usize).prop_flat_map(|(b, h, w, c)| {
        let n = b * h * w;
        (
            prop::collection::vec(prop_oneof![8 => -6.0f32..6.0, 1 => -100.0f32..100.0], n * c),
            prop::collection::vec(prop_oneof![6 => 0..c as i32, 1 => Just(255)], n),
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
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(300)
    ))]

    #[test]
    fn random_shapes_and_options_match((z, y) in problem(), cfg in config(), threads in 1..4usize) {
        compare("random", &cfg, &z, &y, threads);
    }
}
