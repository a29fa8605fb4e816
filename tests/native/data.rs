//! The scene generator: determinism, seeds, class shares following the imbalance option, the rare
//! class's absence, sparse masks that are exactly the parallelograms, full validation labels, and
//! the protocol's data stream.

use dicelab::data::{
    covered, protocol_batch, scene, Annotation, DataConfig, Dataset, Splits, IGNORE_LABEL,
    RARE_PRESENCE,
};
use dicelab::rng::Mulberry32;

fn small(classes: usize, imbalance: f64, rare_absent: bool) -> DataConfig {
    DataConfig {
        classes,
        size: 32,
        imbalance,
        rare_absent,
        ..DataConfig::default()
    }
}

fn shares(d: &Dataset) -> Vec<f64> {
    let mut n = vec![0usize; d.classes];
    for &c in &d.truth {
        n[c as usize] += 1;
    }
    n.iter().map(|&k| k as f64 / d.truth.len() as f64).collect()
}

#[test]
fn same_seed_same_scene_other_seed_other_scene() {
    let cfg = DataConfig::default();
    let a = scene(&cfg, Annotation::Sparse, 7);
    let b = scene(&cfg, Annotation::Sparse, 7);
    let c = scene(&cfg, Annotation::Sparse, 8);
    assert_eq!(a.image, b.image);
    assert_eq!(a.labels, b.labels);
    assert_ne!(a.image, c.image);
    assert!(a.image.iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(a.image.len(), 48 * 48 * 3);
}

#[test]
fn annotation_mode_changes_labels_not_images() {
    let cfg = DataConfig::default();
    let full = scene(&cfg, Annotation::Full, 3);
    let sparse = scene(&cfg, Annotation::Sparse, 3);
    assert_eq!(full.image, sparse.image);
    assert_eq!(full.truth, sparse.truth);
    assert_eq!(full.labels, full.truth);
    assert!(full.parallelograms.is_empty());
}

#[test]
fn training_and_validation_differ_and_validation_is_fully_labelled() {
    let cfg = DataConfig {
        train_images: 4,
        val_images: 4,
        ..DataConfig::default()
    };
    let s = Splits::new(&cfg, 1);
    assert_ne!(s.train.images, s.validation.images);
    assert_eq!(s.validation.labels, s.validation.truth);
    assert_ne!(
        s.train.labels, s.train.truth,
        "default training labels are sparse"
    );
    let other = Splits::new(&cfg, 2);
    assert_ne!(s.train.images, other.train.images);
    // Scene i does not depend on how many scenes are generated.
    let more = Splits::new(
        &DataConfig {
            train_images: 6,
            ..cfg
        },
        1,
    );
    assert_eq!(
        s.train.images[..],
        more.train.images[..s.train.images.len()]
    );
}

/// Expected pixel share of class l is `imbalance^(−l/(C−1))`, normalised: over 300 images the
/// measured shares are within 0.035 of it and fall with the class index.
#[test]
fn class_shares_follow_the_imbalance_option() {
    for imbalance in [1.0, 8.0, 40.0] {
        let cfg = small(4, imbalance, false);
        let d = Dataset::generate(&cfg, Annotation::Full, 99, 300);
        let got = shares(&d);
        let want = cfg.class_weights();
        for (l, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() < 0.035,
                "imbalance {imbalance}: class {l} share {g:.3}, expected {w:.3} ({got:?})"
            );
        }
        if imbalance > 1.0 {
            assert!(
                got.windows(2).all(|p| p[0] > p[1]),
                "imbalance {imbalance}: {got:?}"
            );
            assert!(
                got[0] / got[3] > imbalance / 3.0,
                "imbalance {imbalance}: {got:?}"
            );
        }
    }
}

#[test]
fn the_rare_class_is_absent_from_most_images() {
    let cfg = small(5, 1.0, true);
    let d = Dataset::generate(&cfg, Annotation::Full, 5, 300);
    let with_rare = (0..d.count).filter(|&i| d.truth(i).contains(&4)).count() as f64 / 300.0;
    assert!(
        (with_rare - RARE_PRESENCE).abs() < 0.07,
        "rare class in {with_rare:.2} of the images"
    );
    // Balanced classes, ~5 regions an image: without the option a class is in most images.
    let without = Dataset::generate(&small(5, 1.0, false), Annotation::Full, 5, 300);
    let plain = (0..300).filter(|&i| without.truth(i).contains(&4)).count() as f64 / 300.0;
    assert!(
        plain > 0.5,
        "without the option the last class is in {plain:.2} of the images"
    );
}

/// Independent inside test: a point is in the parallelogram iff it lies between the two lines
/// parallel to `v` through `centre ± u/2` and between those parallel to `u` through `centre ± v/2`
/// (signed areas by cross products).
fn inside_by_half_planes(p: &dicelab::data::Parallelogram, x: f64, y: f64) -> bool {
    let cross = |a: [f64; 2], b: [f64; 2]| a[0] * b[1] - a[1] * b[0];
    let d = [x - p.centre[0], y - p.centre[1]];
    let (uv, vu) = (cross(p.u, p.v), cross(p.v, p.u));
    // d = s·u + t·v  ⇒  cross(d, v) = s·cross(u, v), cross(d, u) = t·cross(v, u).
    (cross(d, p.v) / uv).abs() <= 0.5 && (cross(d, p.u) / vu).abs() <= 0.5
}

#[test]
fn sparse_masks_are_exactly_the_parallelograms() {
    let cfg = DataConfig::default();
    for seed in 0..20 {
        for mode in [Annotation::Sparse, Annotation::SparseIgnore] {
            let s = scene(&cfg, mode, seed);
            assert_eq!(s.parallelograms.len(), cfg.polygons);
            for p in &s.parallelograms {
                let (lu, lv) = (p.u[0].hypot(p.u[1]), p.v[0].hypot(p.v[1]));
                let cos = (p.u[0] * p.v[0] + p.u[1] * p.v[1]) / (lu * lv);
                assert!(
                    (4.8..=9.6).contains(&lu) && (4.8..=9.6).contains(&lv),
                    "edges {lu} {lv}"
                );
                assert!(cos.abs() <= 0.5 + 1e-9, "angle between edges: cos {cos}");
            }
            let n = cfg.size;
            let mut labelled = 0;
            for i in 0..n * n {
                let (x, y) = (i % n, i / n);
                let inside = s
                    .parallelograms
                    .iter()
                    .any(|p| inside_by_half_planes(p, x as f64, y as f64));
                assert_eq!(
                    inside,
                    covered(&s.parallelograms, x, y),
                    "seed {seed} pixel ({x}, {y})"
                );
                let outside_label = if mode == Annotation::Sparse {
                    0
                } else {
                    IGNORE_LABEL
                };
                let want = if inside { s.truth[i] } else { outside_label };
                assert_eq!(s.labels[i], want, "seed {seed} {mode} pixel ({x}, {y})");
                labelled += usize::from(inside);
            }
            let share = labelled as f64 / (n * n) as f64;
            assert!(
                share > 0.02 && share < 0.5,
                "seed {seed}: {share:.3} of pixels annotated"
            );
        }
    }
}

/// Classes 1, 2 and 5 share one palette and differ only in pattern: their mean colours are close,
/// so a single pixel does not tell them apart.
#[test]
fn some_classes_share_colours_and_differ_only_in_texture() {
    let cfg = DataConfig {
        classes: 6,
        rare_absent: false,
        imbalance: 1.0,
        noise: 0.0,
        ..DataConfig::default()
    };
    let d = Dataset::generate(&cfg, Annotation::Full, 4, 40);
    let mean = |class: i32| {
        let mut s = [0.0f64; 3];
        let mut n = 0.0;
        for (p, &c) in d.truth.iter().enumerate() {
            if c == class {
                for (k, v) in s.iter_mut().enumerate() {
                    *v += f64::from(d.images[p * 3 + k]);
                }
                n += 1.0;
            }
        }
        s.map(|v| v / n)
    };
    let (m1, m2, m5) = (mean(1), mean(2), mean(5));
    for k in 0..3 {
        assert!(
            (m1[k] - m2[k]).abs() < 0.05 && (m1[k] - m5[k]).abs() < 0.05,
            "{m1:?} {m2:?} {m5:?}"
        );
    }
}

#[test]
fn protocol_batch_is_the_stream_in_protocol_order() {
    let (x, y) = protocol_batch(42, 1, 2, 2, 6);
    let mut r = Mulberry32::new(42);
    let xs: Vec<f32> = (0..12).map(|_| r.next_f32()).collect();
    let ys: Vec<i32> = (0..4)
        .map(|_| (6.0 * r.next_f64()).floor() as i32)
        .collect();
    assert_eq!(x, xs);
    assert_eq!(y, ys);
}

#[test]
fn bad_options_are_refused_with_the_option_name() {
    for (cfg, name) in [
        (
            DataConfig {
                classes: 9,
                ..DataConfig::default()
            },
            "--classes",
        ),
        (
            DataConfig {
                size: 16,
                ..DataConfig::default()
            },
            "--size",
        ),
        (
            DataConfig {
                imbalance: 0.5,
                ..DataConfig::default()
            },
            "--imbalance",
        ),
        (
            DataConfig {
                noise: f64::NAN,
                ..DataConfig::default()
            },
            "--noise",
        ),
        (
            DataConfig {
                polygons: 0,
                ..DataConfig::default()
            },
            "--polygons",
        ),
    ] {
        let e = cfg.validate().expect_err("refused");
        assert!(e.contains(name), "{e}");
    }
}
