//! `dicelab train`, `experiment` and `bench train` through the binary: the table and the JSON, and
//! one stderr line with exit code 2 for every bad option.

use serde_json::Value;
use std::process::{Command, Output};

fn dicelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dicelab"))
        .args(args)
        .output()
        .expect("run dicelab")
}

/// Small and fast: 32×32, width 8, few images.
pub const SMALL: [&str; 8] = [
    "--size",
    "32",
    "--width",
    "8",
    "--train-images",
    "4",
    "--val-images",
    "2",
];

fn with_small<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().copied().chain(SMALL).collect()
}

#[test]
fn train_prints_the_per_class_table() {
    let out = dicelab(&with_small(&[
        "train", "--preset", "seed-bug", "--steps", "3",
    ]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("preset seed-bug"), "{text}");
    assert!(
        text.contains("class  pixel share    IoU  precision  recall  predicted share"),
        "{text}"
    );
    assert!(text.contains("mIoU "), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .count(),
        6,
        "{text}"
    );
}

#[test]
fn train_json_carries_config_curve_and_metrics() {
    let args = with_small(&[
        "train",
        "--loss",
        "gdl",
        "--weights",
        "simple",
        "--steps",
        "4",
        "--seed",
        "9",
        "--json",
        "--classes",
        "3",
    ]);
    let out = dicelab(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["config"]["loss"]["kind"], "gdl");
    assert_eq!(v["config"]["loss"]["weights"], "simple");
    assert_eq!(v["config"]["seed"], 9);
    assert_eq!(v["curve"].as_array().map(Vec::len), Some(4));
    assert_eq!(v["evaluation"]["classes"].as_array().map(Vec::len), Some(3));
    assert!(v["evaluation"]["miou"].is_number());
    // The same command twice gives the same bytes.
    assert_eq!(out.stdout, dicelab(&args).stdout);
}

#[test]
fn bad_train_options_are_one_line_and_exit_2() {
    for (args, needle) in [
        (vec!["train", "--backend", "tpu"], "tpu"),
        (vec!["train", "--preset", "nope"], "seed-bug"),
        (
            vec!["train", "--preset", "gdl", "--formula", "seed"],
            "cannot be used with",
        ),
        (vec!["train", "--classes", "9"], "--classes"),
        (vec!["train", "--size", "20"], "--size"),
        (vec!["train", "--width", "12"], "width"),
        (vec!["train", "--annotation", "dense"], "sparse-ignore"),
        (
            vec![
                "train",
                "--annotation",
                "sparse-ignore",
                "--ignore-index",
                "0",
            ],
            "--ignore-index",
        ),
        (vec!["train", "--lr", "-1"], "learning rate"),
        (vec!["train", "--noise", "2"], "--noise"),
        (vec!["train", "--batch", "0"], "--batch"),
        (vec!["train", "--steps", "99999999"], "--steps"),
        (vec!["train", "--rare-absent", "maybe"], "maybe"),
        (vec!["train", "--smooth", "-1"], "smooth"),
        (vec!["experiment", "--seeds", "0"], "--seeds"),
        (vec!["experiment", "--presets", "corrected,nope"], "nope"),
        (vec!["bench", "train", "--reps", "0"], "--reps"),
        (vec!["bench", "train", "--backend", "tpu"], "tpu"),
    ] {
        let out = dicelab(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn experiment_prints_the_preset_table() {
    let run = |jobs: &'static str| {
        dicelab(&with_small(&[
            "experiment",
            "--seeds",
            "2",
            "--steps",
            "2",
            "--presets",
            "seed-bug,cross-entropy",
            "--jobs",
            jobs,
        ]))
    };
    let out = run("2");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("mIoU mean ± sd"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("seed-bug")), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("cross-entropy")),
        "{text}"
    );
    assert!(text.contains("mean IoU per class"), "{text}");
    // Parallel runs do not change the results.
    assert_eq!(out.stdout, run("1").stdout);
}

/// Runs `dicelab experiment --runs -` on `runs` (JSON) with the given extra arguments.
fn experiment_runs(runs: &str, extra: &[&str]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dicelab"))
        .args(["experiment", "--runs", "-"])
        .args(extra)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run dicelab");
    if let Some(mut stdin) = child.stdin.take() {
        // A refused flag ends the process before it reads its input: a closed pipe is no failure.
        if let Err(e) = stdin.write_all(runs.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    child.wait_with_output().expect("wait for dicelab")
}

#[test]
fn experiment_runs_named_configurations() {
    // The configurations as the page sends them: partial, the rest at the defaults.
    let data = r#"{"size": 32, "train-images": 4, "val-images": 2, "annotation": "sparse"}"#;
    let runs = format!(
        r#"[{{"name": "seed dice", "config": {{"width": 8, "data": {data}, "loss": {{"kind": "dice", "formula": "seed"}}}}}},
            {{"name": "ce", "config": {{"width": 8, "data": {data}, "loss": {{"kind": "ce"}}}}}}]"#
    );
    let out = experiment_runs(&runs, &["--seeds", "2", "--steps", "2", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names: Vec<&str> = v["summaries"]
        .as_array()
        .expect("summaries")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["seed dice", "ce"]);
    let runs_out = v["runs"].as_array().expect("runs");
    assert_eq!(runs_out.len(), 4);
    assert_eq!(runs_out[1]["seed"], 2);
    // The table says which data the runs trained on.
    let text = experiment_runs(&runs, &["--seeds", "1", "--steps", "1"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("data: sparse labels"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("seed dice")), "{text}");
    // Bad input: one line, exit 2.
    for (runs, extra, needle) in [
        ("[]", vec![], "no configuration"),
        ("{", vec![], "--runs"),
        (
            r#"[{"name": "x", "config": {"batch": 0}}]"#,
            vec![],
            "x: --batch",
        ),
        (
            r#"[{"name": "x", "config": {}}, {"name": "x", "config": {}}]"#,
            vec![],
            "used twice",
        ),
        ("[]", vec!["--lr", "0.1"], "--lr"),
    ] {
        let out = experiment_runs(runs, &extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{runs}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{runs}: {err}");
        assert!(err.contains(needle), "{runs}: {err}");
    }
}
