//! `dicelab loss --backend gpu` and `dicelab bench loss --backend gpu` through the binary: the same
//! JSON fields as the CPU with `"backend": "gpu"`, values within the acceptance tolerances, and a
//! machine without an adapter refused in one line with exit code 2.

use crate::cli::{assert_refused, dicelab, dir, json, p, sample, save};
use crate::gpu::gpu;
use ndarray::Array4;
use ndarray_npy::ReadNpyExt;
use std::process::Command;

#[test]
fn loss_backend_gpu_matches_the_cpu() {
    if gpu("loss_backend_gpu_matches_the_cpu").is_none() {
        return;
    }
    let (z, y) = sample();
    let (zp, yp) = (save("gz.npy", &z), save("gy.npy", &y));
    let gp = dir().join("gg.npy");
    let cpu_grad = dir().join("gc.npy");
    // Part 1's and, through the same kernels' Part 2 branches, Part 2's losses.
    for loss in [
        &["--loss", "dice+ce", "--per-image"][..],
        &["--loss", "lovasz"],
        &[
            "--loss",
            "tversky",
            "--variant",
            "smp",
            "--alpha",
            "0.3",
            "--beta",
            "0.7",
        ],
        &["--loss", "focal", "--focal-activation", "softmax"],
    ] {
        let args = |backend: &str, grad: &str| {
            let mut a = vec!["loss", "--logits", p(&zp), "--labels", p(&yp)];
            a.extend(loss);
            a.extend(["--backend", backend, "--grad-out", grad]);
            a.into_iter().map(String::from).collect::<Vec<_>>()
        };
        let run =
            |a: Vec<String>| json(&dicelab(&a.iter().map(String::as_str).collect::<Vec<_>>()));
        let gpu_out = run(args("gpu", p(&gp)));
        let cpu_out = run(args("cpu", p(&cpu_grad)));
        assert_eq!(gpu_out["backend"], "gpu", "{loss:?}");
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v
                .as_object()
                .map_or(vec![], |o| o.keys().cloned().collect());
            k.sort();
            k
        };
        assert_eq!(keys(&gpu_out), keys(&cpu_out), "{loss:?}: same fields");
        assert_eq!(gpu_out["config"], cpu_out["config"]);
        assert_eq!(gpu_out["valid_pixels"], cpu_out["valid_pixels"]);
        let (a, b) = (gpu_out["loss"].as_f64(), cpu_out["loss"].as_f64());
        let (a, b) = (a.expect("loss"), b.expect("loss"));
        assert!((a - b).abs() <= 2e-5 * b.abs(), "{loss:?}: {a} vs {b}");
        let read = |path| Array4::<f32>::read_npy(std::fs::File::open(path).expect("written"));
        let (g, c) = (
            read(&gp).expect("f32 npy"),
            read(&cpu_grad).expect("f32 npy"),
        );
        let scale = c.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let err = g
            .iter()
            .zip(&c)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            err <= 2e-4 * scale,
            "{loss:?}: gradient error {err} of {scale}"
        );
    }
}

#[test]
fn backend_gpu_without_an_adapter_is_one_line_and_exit_2() {
    let (z, y) = sample();
    let (zp, yp) = (save("nz.npy", &z), save("ny.npy", &y));
    let loss = [
        "loss",
        "--logits",
        p(&zp),
        "--labels",
        p(&yp),
        "--backend",
        "gpu",
    ];
    let bench = [
        "bench",
        "loss",
        "--size",
        "8",
        "--runs",
        "1",
        "--backend",
        "gpu",
    ];
    for args in [&loss[..], &bench[..]] {
        // Metal does not exist off Apple platforms: no adapter at all.
        let out = Command::new(env!("CARGO_BIN_EXE_dicelab"))
            .args(args)
            .env("WGPU_BACKEND", "metal")
            .output()
            .expect("run dicelab");
        assert_refused(&out, args, "no GPU adapter");
    }
}

#[test]
fn bench_backend_gpu_reports_cpu_and_gpu() {
    if gpu("bench_backend_gpu_reports_cpu_and_gpu").is_none() {
        return;
    }
    let out = dicelab(&[
        "bench",
        "loss",
        "--batch",
        "1",
        "--size",
        "32",
        "--runs",
        "2",
        "--json",
        "--backend",
        "gpu",
    ]);
    let v = json(&out);
    let runs = v.as_array().expect("one object per backend");
    let names: Vec<&str> = runs.iter().filter_map(|r| r["backend"].as_str()).collect();
    assert_eq!(names, ["cpu", "cpu-fast", "cpu-fast-2t", "gpu"]);
    for r in runs {
        assert_eq!(r["shape"], serde_json::json!([1, 32, 32, 6]));
        for key in ["pixels_per_s", "loss_gb_s", "copy_gb_s", "ratio_to_copy"] {
            assert!(r[key].as_f64().is_some_and(|x| x > 0.0), "{key}: {r}");
        }
    }
    assert!(runs[3]["roundtrip_s"].as_f64().is_some_and(|x| x > 0.0));
    assert!(runs[3]["adapter"].is_string());
}
