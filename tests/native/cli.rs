//! The `dicelab` binary through real `.npy` files: results equal the library's, every option is
//! accepted, and every kind of bad input gives one line on stderr and exit code 2.

use dicelab::loss::{self, LossConfig};
use ndarray::{Array3, Array4, ArrayD, IxDyn};
use ndarray_npy::{write_npy, ReadNpyExt, WritableElement};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicelab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

pub(crate) fn save<T: WritableElement, D: ndarray::Dimension>(
    name: &str,
    a: &ndarray::Array<T, D>,
) -> PathBuf {
    let p = dir().join(name);
    write_npy(&p, a).expect("write npy");
    p
}

pub(crate) fn dicelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dicelab"))
        .args(args)
        .output()
        .expect("run dicelab")
}

pub(crate) fn sample() -> (Array4<f32>, Array3<i32>) {
    let mut rng = dicelab::rng::Mulberry32::new(3);
    let z = Array4::from_shape_simple_fn((2, 3, 4, 3), || 6.0 * rng.next_f32() - 3.0);
    let mut y = Array3::from_shape_simple_fn((2, 3, 4), || rng.below(3) as i32);
    y[[1, 0, 0]] = 255;
    (z, y)
}

pub(crate) fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

pub(crate) fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

#[test]
fn loss_and_gradient_equal_the_library() {
    let (z, y) = sample();
    let (zp, yp) = (save("z.npy", &z), save("y.npy", &y.mapv(|v| v as u8)));
    let gp = dir().join("g.npy");
    let out = dicelab(&[
        "loss",
        "--logits",
        p(&zp),
        "--labels",
        p(&yp),
        "--loss",
        "gdl",
        "--weights",
        "simple",
        "--per-image",
        "--squared",
        "--smooth-nr",
        "0.5",
        "--smooth-dr",
        "2",
        "--no-background",
        "--reduction",
        "sum",
        "--formula",
        "seed",
        "--grad-out",
        p(&gp),
    ]);
    let v = json(&out);
    let cfg: LossConfig = serde_json::from_value(v["config"].clone()).expect("config echoed");
    assert_eq!(cfg.smooth_nr, 0.5);
    assert!(!cfg.include_background);
    let (r, g) = loss::loss_and_grad(&cfg, z.view(), y.view()).expect("valid");
    assert_eq!(v["loss"].as_f64(), Some(r.loss));
    assert_eq!(v["per_class"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["backend"], "cpu");
    let written =
        Array4::<f32>::read_npy(std::fs::File::open(&gp).expect("grad written")).expect("f32 npy");
    assert_eq!(written, g);
}

#[test]
fn every_input_layout_and_dtype_gives_the_same_loss() {
    let (z, y) = sample();
    let base = json(&dicelab(&[
        "loss",
        "--logits",
        p(&save("a.npy", &z)),
        "--labels",
        p(&save("b.npy", &y)),
    ]));
    let fortran = z.t().as_standard_layout().into_owned().reversed_axes(); // same values, Fortran order
    assert!(!fortran.is_standard_layout());
    let variants = [
        (
            save("zf.npy", &fortran),
            save("y8.npy", &y.mapv(|v| v as u8)),
        ),
        (
            save("z64.npy", &z.mapv(f64::from)),
            save("y64.npy", &y.mapv(i64::from)),
        ),
        (save("z32.npy", &z), save("y16.npy", &y.mapv(|v| v as u16))),
    ];
    for (zp, yp) in &variants {
        let v = json(&dicelab(&["loss", "--logits", p(zp), "--labels", p(yp)]));
        assert_eq!(v["loss"], base["loss"], "{zp:?} {yp:?}");
    }
}

#[test]
fn options_reach_the_engine() {
    let (z, y) = sample();
    // No pixel is ignored here, so that `--ignore-index 0` is a valid choice.
    let (zp, yp) = (save("oz.npy", &z), save("oy.npy", &y.mapv(|v| v % 255)));
    let run = |extra: &[&str]| {
        let mut a = vec!["loss", "--logits", p(&zp), "--labels", p(&yp)];
        a.extend_from_slice(extra);
        json(&dicelab(&a))["loss"].as_f64().expect("number")
    };
    let base = run(&[]);
    for extra in [
        &["--loss", "gdl"][..],
        &["--loss", "ce"],
        &["--loss", "dice+ce"],
        &["--formula", "seed"],
        &["--reduction", "sum"],
        &["--per-image"],
        &["--squared"],
        &["--smooth", "0.01"],
        &["--smooth-nr", "0"],
        &["--smooth-dr", "3"],
        &["--activation", "sigmoid"],
        &["--ignore-index", "0"],
        &["--no-background"],
    ] {
        assert_ne!(run(extra), base, "{extra:?} changed nothing");
    }
    let gdl = run(&["--loss", "gdl"]);
    assert_ne!(run(&["--loss", "gdl", "--weights", "uniform"]), gdl);
    assert_ne!(run(&["--loss", "gdl", "--weights", "simple"]), gdl);
    assert_eq!(run(&["--smooth", "1"]), base);
}

/// Runs `dicelab` and asserts exit code 2 with one line on stderr containing `needle`.
fn refused(args: &[&str], needle: &str) {
    assert_refused(&dicelab(args), args, needle);
}

/// Asserts `out` (of `dicelab args`) is exit code 2 with one line on stderr containing `needle`.
pub(crate) fn assert_refused(out: &Output, args: &[&str], needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {err}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "{args:?}: {err:?} lacks {needle:?}"
    );
    assert!(
        out.stdout.is_empty(),
        "{args:?}: printed {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let (z, y) = sample();
    let (zp, yp) = (save("bz.npy", &z), save("by.npy", &y));
    let (zs, ys) = (p(&zp), p(&yp));
    let d = dir();
    let missing = d.join("missing.npy");
    let text = d.join("text.npy");
    std::fs::write(&text, "hello, not an npy").expect("write");
    let truncated = d.join("trunc.npy");
    let bytes = std::fs::read(&zp).expect("read");
    std::fs::write(&truncated, &bytes[..bytes.len() - 7]).expect("write");
    let huge = d.join("huge.npy");
    let mut h = bytes.clone();
    let hdr =
        String::from_utf8_lossy(&h[..128]).replace("(2, 3, 4, 3)", "(9999999, 99999, 9999, 3)");
    h.splice(..128, hdr.bytes());
    std::fs::write(&huge, &h).expect("write");
    let float_labels = save("fy.npy", &y.mapv(|v| v as f32));
    let int_logits = save("iz.npy", &z.mapv(|v| v as i32));
    let rank3 = save("r3.npy", &Array3::<f32>::zeros((2, 3, 4)));
    let rank4_labels = save("r4.npy", &ArrayD::<i32>::zeros(IxDyn(&[2, 3, 4, 1])));
    let other_shape = save("os.npy", &Array3::<i32>::zeros((2, 4, 3)));
    let mut big = y.clone();
    big[[0, 1, 2]] = 3;
    let big = save("big.npy", &big);
    let mut neg = y.mapv(i64::from);
    neg[[0, 0, 1]] = -1;
    let neg = save("neg.npy", &neg);
    let mut nan = z.clone();
    nan[[1, 2, 3, 0]] = f32::NAN;
    let nan = save("nan.npy", &nan);
    let mut inf = z.clone();
    inf[[0, 0, 0, 2]] = f32::NEG_INFINITY;
    let inf = save("inf.npy", &inf);
    let empty_z = save("ez.npy", &Array4::<f32>::zeros((0, 3, 4, 3)));
    let empty_y = save("ey.npy", &Array3::<i32>::zeros((0, 3, 4)));

    let l = |z: &Path, y: &Path| {
        vec![
            "loss".to_string(),
            "--logits".into(),
            p(z).into(),
            "--labels".into(),
            p(y).into(),
        ]
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (l(&missing, &yp), "cannot read"),
        (l(&zp, &missing), "cannot read"),
        (l(&text, &yp), "not a valid .npy"),
        (l(&truncated, &yp), "truncated"),
        (l(&huge, &yp), "logits"),
        (l(&zp, &float_labels), "dtype"),
        (l(&int_logits, &yp), "dtype"),
        (l(&rank3, &yp), "4 dimensions"),
        (l(&zp, &rank4_labels), "3 dimensions"),
        (l(&zp, &other_shape), "shape"),
        (l(&zp, &big), "label 3"),
        (l(&zp, &neg), "label -1"),
        (l(&nan, &yp), "not finite"),
        (l(&inf, &yp), "not finite"),
        (l(&empty_z, &empty_y), "empty"),
    ];
    for (args, needle) in &cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&a, needle);
    }
    for (opt, needle) in [
        (&["--loss", "dyce"][..], "dyce"),
        (&["--formula", "fixed"], "fixed"),
        (&["--weights", "cubic"], "cubic"),
        (&["--reduction", "max"], "max"),
        (&["--activation", "relu"], "relu"),
        (&["--backend", "tpu"], "tpu"),
        (&["--smooth", "-1"], "smooth"),
        (&["--smooth-nr", "nan"], "smooth-nr"),
        (&["--smooth-dr", "inf"], "smooth-dr"),
        (&["--smooth", "abc"], "abc"),
        (&["--ignore-index", "1e9"], "1e9"),
        (&["--frobnicate"], "frobnicate"),
    ] {
        let mut a = vec!["loss", "--logits", zs, "--labels", ys];
        a.extend_from_slice(opt);
        refused(&a, needle);
    }
    refused(&["loss", "--labels", ys], "--logits");
    let one = save("one.npy", &Array4::<f32>::zeros((1, 1, 1, 1)));
    let zero_y = save("zy.npy", &Array3::<i32>::zeros((1, 1, 1)));
    refused(
        &[
            "loss",
            "--logits",
            p(&one),
            "--labels",
            p(&zero_y),
            "--no-background",
        ],
        "no class",
    );
}

#[test]
fn help_and_version_exit_0() {
    for a in [&["--help"][..], &["--version"], &["loss", "--help"]] {
        let out = dicelab(a);
        assert!(out.status.success(), "{a:?}");
        assert!(!out.stdout.is_empty());
    }
}

#[test]
fn bench_prints_its_figures() {
    let out = dicelab(&[
        "bench", "loss", "--batch", "1", "--size", "16", "--runs", "3", "--json",
    ]);
    let v = json(&out);
    let runs = v.as_array().expect("one object per engine");
    let names: Vec<&str> = runs.iter().filter_map(|r| r["backend"].as_str()).collect();
    assert_eq!(names, ["cpu", "cpu-fast", "cpu-fast-2t"]);
    for r in runs {
        for key in ["pixels_per_s", "loss_gb_s", "copy_gb_s", "ratio_to_copy"] {
            assert!(r[key].as_f64().is_some_and(|x| x > 0.0), "{key}: {r}");
        }
    }
}

#[test]
fn bench_refuses_a_shape_beyond_its_memory_cap() {
    // 2^28 logits (8 × 4096² × 2) would take ~3 GiB; a size whose square overflows must not wrap.
    for args in [
        &[
            "bench",
            "loss",
            "--batch",
            "8",
            "--size",
            "4096",
            "--classes",
            "2",
        ][..],
        &[
            "bench",
            "loss",
            "--batch",
            "2",
            "--size",
            "4294967296",
            "--classes",
            "6",
        ],
        &["bench", "loss", "--size", "4294967296", "--backend", "gpu"],
    ] {
        refused(args, "at most 2^27 (134217728) logits");
    }
}
