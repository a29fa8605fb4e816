//! Part 2's options through the binary: every flag reaches the engine, `--help` names the library
//! call of each variant, bad values are one line and exit 2, and the new presets train and run in
//! `experiment` on the CPU (and with `--backend gpu` on the GPU).

use crate::cli::{assert_refused, dicelab, json, p, sample, save};
use dicelab::loss::{self, LossConfig};
use ndarray::Array4;
use ndarray_npy::ReadNpyExt;

fn files() -> (String, String) {
    let (z, y) = sample();
    let (zp, yp) = (save("p2z.npy", &z), save("p2y.npy", &y));
    (p(&zp).to_owned(), p(&yp).to_owned())
}

fn run(extra: &[&str]) -> std::process::Output {
    let (z, y) = files();
    let mut a = vec!["loss", "--logits", &z, "--labels", &y];
    a.extend_from_slice(extra);
    dicelab(&a)
}

#[test]
fn every_part2_option_reaches_the_engine() {
    let (z, y) = sample();
    let grad = crate::cli::dir().join("p2g.npy");
    let loss_of = |extra: &[&str]| json(&run(extra))["loss"].as_f64().expect("number");
    for (base, options) in [
        (
            &["--loss", "jaccard"][..],
            &[&["--variant", "smp"][..], &["--log-loss"]][..],
        ),
        (
            &["--loss", "tversky"],
            // (its variants differ only where a class is absent or the clamp acts)
            &[&["--alpha", "0.3"], &["--beta", "0.9"]],
        ),
        (
            &["--loss", "focal-tversky", "--smooth", "0"],
            &[
                &["--gamma", "1.5"],
                &["--variant", "paper"],
                &["--eps", "50"],
            ],
        ),
        (
            &["--loss", "focal"],
            &[
                &["--gamma", "0.5"],
                &["--alpha", "0.25"],
                &["--variant", "monai"],
                &["--focal-activation", "softmax"],
            ],
        ),
        (
            &["--loss", "lovasz"],
            &[&["--per-image"], &["--activation", "sigmoid"]],
        ),
        (
            &["--loss", "dice+focal"],
            &[
                &["--lambda-dice", "0.5"],
                &["--lambda-focal", "2"],
                &["--variant", "smp"],
            ],
        ),
    ] {
        let reference = loss_of(base);
        for extra in options {
            let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
            assert_ne!(loss_of(&args), reference, "{args:?} changed nothing");
        }
    }
    // The JSON echoes the options, and loss and gradient are the library's.
    let g = grad.to_str().expect("utf-8");
    let v = json(&run(&[
        "--loss",
        "tversky",
        "--alpha",
        "0.3",
        "--beta",
        "0.7",
        "--variant",
        "smp",
        "--grad-out",
        g,
    ]));
    let cfg: LossConfig = serde_json::from_value(v["config"].clone()).expect("config echoed");
    assert_eq!((cfg.alpha, cfg.beta), (Some(0.3), 0.7));
    let (r, want) = loss::loss_and_grad(&cfg, z.view(), y.view()).expect("valid");
    assert_eq!(v["loss"].as_f64(), Some(r.loss));
    assert!(v["per_class"][1]["score"].is_number());
    let written =
        Array4::<f32>::read_npy(std::fs::File::open(&grad).expect("written")).expect("npy");
    assert_eq!(written, want);
}

#[test]
fn help_names_the_library_call_of_each_variant() {
    let out = dicelab(&["loss", "--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "smp.losses.JaccardLoss(\"multiclass\", smooth=s)",
        "jaccard=True",
        "--loss tversky --variant smp --alpha 0.3 --beta 0.7",
        "monai.losses.TverskyLoss",
        "--loss focal-tversky --variant paper",
        "log_loss=True",
        "smp.losses.FocalLoss",
        "use_softmax=True: --focal-activation softmax",
        "smp.losses.LovaszLoss",
        "monai.losses.DiceFocalLoss",
        "--lambda-focal",
        "--eps",
    ] {
        assert!(text.contains(needle), "--help lacks {needle:?}:\n{text}");
    }
    let table = text.split("Library calls").nth(1).unwrap_or_default();
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
}

#[test]
fn bad_part2_values_are_one_line_and_exit_2() {
    let (z, y) = files();
    for (extra, needle) in [
        (&["--loss", "tversky", "--alpha", "-1"][..], "--alpha"),
        (&["--loss", "tversky", "--beta", "-0.5"], "--beta"),
        (&["--loss", "focal", "--gamma", "-2"], "--gamma"),
        (&["--loss", "focal-tversky", "--gamma", "0"], "--gamma"),
        (&["--loss", "tversky", "--alpha", "NaN"], "--alpha"),
        (&["--loss", "tversky", "--beta", "nan"], "--beta"),
        (&["--loss", "focal", "--gamma", "inf"], "--gamma"),
        (&["--loss", "focal", "--alpha", "1.5"], "--alpha"),
        (&["--loss", "jaccard", "--eps", "0"], "--eps"),
        (
            &["--loss", "dice+focal", "--lambda-focal", "-1"],
            "--lambda-focal",
        ),
        (
            &["--loss", "dice+focal", "--lambda-dice", "NaN"],
            "--lambda-dice",
        ),
        (
            &["--loss", "lovasz", "--variant", "monai"],
            "--variant monai",
        ),
        (
            &["--loss", "focal", "--variant", "paper"],
            "--variant paper",
        ),
        (&["--variant", "mmseg"], "mmseg"),
        (&["--loss", "focal", "--log-loss"], "--log-loss"),
        (&["--loss", "tversky", "--squared"], "--squared"),
        (&["--variant", "smp", "--formula", "seed"], "--formula seed"),
        (
            &[
                "--loss",
                "focal",
                "--focal-activation",
                "softmax",
                "--no-background",
            ],
            "--focal-activation",
        ),
    ] {
        let mut args = vec!["loss", "--logits", &z, "--labels", &y];
        args.extend_from_slice(extra);
        assert_refused(&dicelab(&args), &args, needle);
    }
}

use crate::train_cli::SMALL;

#[test]
fn the_new_presets_train_and_run_in_experiment() {
    for preset in ["tversky-fn", "focal", "lovasz", "dice+focal"] {
        let mut args = vec!["train", "--preset", preset, "--steps", "2", "--json"];
        args.extend(SMALL);
        let v = json(&dicelab(&args));
        assert_eq!(v["backend"], "cpu", "{preset}");
        assert_eq!(v["curve"].as_array().map(Vec::len), Some(2), "{preset}");
    }
    let mut args = vec!["train", "--preset", "tversky-fn", "--steps", "1"];
    args.extend(SMALL);
    let out = dicelab(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("preset tversky-fn: tversky, monai, alpha 0.3, beta 0.7"),
        "{text}"
    );
    let mut args = vec![
        "experiment",
        "--seeds",
        "1",
        "--steps",
        "2",
        "--presets",
        "tversky-fn,focal,lovasz,dice+focal",
    ];
    args.extend(SMALL);
    let out = dicelab(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for preset in ["tversky-fn", "focal", "lovasz", "dice+focal"] {
        assert!(text.lines().any(|l| l.starts_with(preset)), "{text}");
    }
}

#[test]
fn training_refuses_what_it_cannot_do() {
    for (args, needle) in [
        (
            vec!["train", "--loss", "focal", "--alpha", "-0.5"],
            "--alpha",
        ),
        (
            vec!["train", "--preset", "focal", "--gamma", "3"],
            "cannot be used with",
        ),
    ] {
        assert_refused(&dicelab(&args), &args, needle);
    }
}

#[test]
fn the_new_presets_train_on_the_gpu() {
    if crate::gpu::gpu("the_new_presets_train_on_the_gpu").is_none() {
        return;
    }
    for preset in ["tversky-fn", "focal", "lovasz", "dice+focal"] {
        let mut args = vec!["train", "--preset", preset, "--steps", "2", "--json"];
        args.extend(SMALL);
        args.extend(["--backend", "gpu"]);
        let v = json(&dicelab(&args));
        assert_eq!(v["backend"], "gpu", "{preset}");
        assert_eq!(v["curve"].as_array().map(Vec::len), Some(2), "{preset}");
    }
}
