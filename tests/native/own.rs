//! Your own image: its checks (one line each), crops that always hold a painted pixel, the tiles that
//! predict it whole (equal to one prediction of the whole image), evaluation on the painted pixels
//! only, and a run that learns them.

use dicelab::data::{scene, Annotation, DataConfig, OwnImage, IGNORE_LABEL};
use dicelab::net::{Dims, NetSpec};
use dicelab::train::{CpuBackend, Preset, Session, SessionConfig, TrainBackend};

/// A 96×64 (W×H) picture cut from a scene, painted with its sparse parallelograms (4 classes).
fn painted() -> (usize, usize, Vec<f32>, Vec<u8>) {
    let cfg = DataConfig {
        classes: 4,
        size: 96,
        polygons: 6,
        imbalance: 4.0,
        rare_absent: false,
        ..DataConfig::default()
    };
    let s = scene(&cfg, Annotation::SparseIgnore, 11);
    let (h, w) = (64, 96);
    let image = s.image[..h * w * 3]
        .iter()
        .map(|v| v.clamp(0.0, 1.0))
        .collect();
    let labels = s.labels[..h * w].iter().map(|&l| l as u8).collect();
    (h, w, image, labels)
}

fn own() -> OwnImage {
    let (h, w, image, labels) = painted();
    OwnImage::new(h, w, 4, image, &labels).expect("a valid painting")
}

fn config(size: usize) -> SessionConfig {
    SessionConfig {
        seed: 5,
        width: 8,
        data: DataConfig {
            classes: 4,
            size,
            ..DataConfig::default()
        },
        loss: Preset::CrossEntropy.config(),
        ..SessionConfig::default()
    }
}

#[test]
fn bad_paintings_are_refused_in_one_line() {
    let (h, w, image, labels) = painted();
    let refused = |h, w, classes, image: Vec<f32>, labels: &[u8], says: &str| {
        let e = OwnImage::new(h, w, classes, image, labels).expect_err(says);
        assert!(e.contains(says), "{e}");
        assert!(!e.contains('\n'), "{e}");
    };
    refused(
        20,
        w,
        4,
        image[..20 * w * 3].to_vec(),
        &labels[..20 * w],
        "between 32 and 256",
    );
    refused(h, w, 9, image.clone(), &labels, "between 2 and 8");
    refused(h, w, 4, image[1..].to_vec(), &labels, "colour values");
    let mut bright = image.clone();
    bright[7] = 1.5;
    refused(h, w, 4, bright, &labels, "in 0–1, found 1.5");
    let mut nan = image.clone();
    nan[0] = f32::NAN;
    refused(h, w, 4, nan, &labels, "in 0–1");
    let mut five = labels.clone();
    five[3] = 5;
    refused(h, w, 4, image.clone(), &five, "class 5");
    refused(
        h,
        w,
        4,
        image.clone(),
        &vec![255; h * w],
        "nothing is painted",
    );

    // The run's checks: crops that do not fit, classes that differ, another ignore index.
    let e = Session::new_on(config(80), Some(own()))
        .err()
        .expect("too big");
    assert!(
        e.to_string().contains("set the image size to 64 or less"),
        "{e}"
    );
    let mut six = config(32);
    six.data.classes = 6;
    let e = Session::new_on(six, Some(own())).err().expect("classes");
    assert!(e.to_string().contains("has 4 classes"), "{e}");
    let mut ignore = config(32);
    ignore.loss.ignore_index = -1;
    let e = Session::new_on(ignore, Some(own())).err().expect("ignore");
    assert!(e.to_string().contains("--ignore-index must be 255"), "{e}");
}

#[test]
fn every_crop_holds_painted_pixels_and_sparse_paints_the_rest_background() {
    let mut s = Session::new_on(config(32), Some(own())).expect("session");
    for _ in 0..20 {
        s.step(1).expect("step");
        let (_, labels) = s.last_batch_first();
        assert!(labels.iter().any(|&l| l != IGNORE_LABEL));
    }
    let o = own();
    let sparse = o.training_labels(Annotation::Sparse);
    for (&painted, &seen) in o.labels().iter().zip(&sparse) {
        assert_eq!(seen, if painted == IGNORE_LABEL { 0 } else { painted });
    }
    assert_eq!(o.training_labels(Annotation::SparseIgnore), o.labels());
}

#[test]
fn the_tiles_predict_the_image_whole() {
    for size in [32, 48, 64] {
        let mut s = Session::new_on(config(size), Some(own())).expect("session");
        s.step(5).expect("steps");
        s.evaluate().expect("evaluate");
        let params = s.params().expect("params");
        let o = own();
        let dims = Dims {
            batch: 1,
            height: o.height(),
            width: o.width(),
        };
        let spec = NetSpec::new(8, 4).expect("spec");
        let mut whole = CpuBackend::new(spec, dims, config(size).init, 0, config(size).optim);
        whole.set_params(&params).expect("params");
        let mut want = vec![0; o.height() * o.width()];
        whole.predict(o.image(), 1, &mut want).expect("predict");
        assert_eq!(s.predictions(), want.as_slice(), "crops of {size}");
    }
}

#[test]
fn a_run_learns_the_painted_pixels_and_is_scored_on_them_only() {
    let o = own();
    let painted: u64 = o.painted().iter().sum();
    let mut s = Session::new_on(config(48), Some(o)).expect("session");
    s.step(100).expect("steps");
    let e = s.evaluate().expect("evaluate");
    assert_eq!(e.confusion.counts.iter().sum::<u64>(), painted);
    let curve = s.curve();
    let mean =
        |r: &[dicelab::train::StepRecord]| r.iter().map(|r| r.loss).sum::<f64>() / r.len() as f64;
    let (first, last) = (mean(&curve[..10]), mean(&curve[90..]));
    assert!(last < 0.6 * first, "loss {first} → {last}");
    assert!(e.pixel_accuracy > 0.6, "{e:?}");

    // Same seed, same run.
    let mut again = Session::new_on(config(48), Some(own())).expect("session");
    again.step(100).expect("steps");
    let bits = |s: &Session| {
        s.curve()
            .iter()
            .map(|r| r.loss.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&s), bits(&again));
}

/// On the GPU (lavapipe here) a run on your image takes the same crops and reaches the CPU's losses,
/// and its tiles predict the same image.
#[test]
fn gpu_training_on_your_image_matches_the_cpu() {
    let Some(ctx) = crate::gpu::gpu("gpu_training_on_your_image_matches_the_cpu") else {
        return;
    };
    let cfg = config(32);
    let spec = cfg.validate().expect("valid");
    let backend = pollster::block_on(dicelab::train::GpuBackend::new(
        ctx,
        spec,
        cfg.dims(),
        cfg.optim,
    ))
    .expect("a GPU backend");
    let mut gpu = Session::with_backend_on(cfg, Box::new(backend), Some(own())).expect("session");
    let mut cpu = Session::new_on(cfg, Some(own())).expect("session");
    gpu.step(5).expect("GPU steps");
    cpu.step(5).expect("CPU steps");
    for (g, c) in gpu.curve().iter().zip(cpu.curve()) {
        assert!(
            (g.loss - c.loss).abs() <= 1e-4 * c.loss.abs(),
            "step {}: {} vs {}",
            c.step,
            g.loss,
            c.loss
        );
    }
    let (eg, ec) = (
        gpu.evaluate().expect("evaluate"),
        cpu.evaluate().expect("evaluate"),
    );
    let same = gpu
        .predictions()
        .iter()
        .zip(cpu.predictions())
        .filter(|(a, b)| a == b)
        .count();
    assert!(
        same as f64 >= 0.99 * cpu.predictions().len() as f64,
        "{same} of {}",
        cpu.predictions().len()
    );
    assert_eq!(
        eg.confusion.counts.iter().sum::<u64>(),
        ec.confusion.counts.iter().sum::<u64>()
    );
}
