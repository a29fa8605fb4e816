//! `dicelab experiment`: every preset (or each named configuration of `--runs`) × several seeds on
//! (by default) the page's default data — the original question's setting — then mIoU per run
//! (mean ± sample standard deviation over seeds), the classes never predicted, and the mean IoU of
//! each class.
//!
//! Runs are independent sessions, spread over `--jobs` threads (native only; the library has none).
//! Each result lands in its own slot, so the output does not depend on scheduling.

use super::train::{describe_loss, MAX_STEPS};
use super::train_args::ExperimentCmd;
use crate::loss::Named as _;
use crate::num::Num;
use crate::train::{Evaluation, Preset, Session, SessionConfig};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A named configuration to train over the seeds: a preset, or one of `--runs`.
#[derive(Debug, Clone, Deserialize)]
struct Named {
    name: String,
    config: SessionConfig,
}

/// One run's outcome.
#[derive(Debug, Clone, Serialize)]
struct Run {
    name: String,
    seed: u32,
    /// Mean loss of the last 20 steps.
    final_loss: Option<f64>,
    /// The validation metrics, or why the run stopped.
    result: Result<Evaluation, String>,
}

/// One configuration's summary.
#[derive(Debug, Serialize)]
struct Summary {
    name: String,
    loss: String,
    runs: usize,
    failed: usize,
    miou_mean: f64,
    miou_sd: f64,
    miou_min: f64,
    miou_max: f64,
    /// (class, seeds in which no validation pixel was predicted as it).
    never_predicted: Vec<(usize, usize)>,
    /// Mean IoU per class over the runs where it is defined.
    class_iou: Vec<Option<f64>>,
}

fn train_one(cfg: SessionConfig, steps: u64, name: &str) -> Run {
    let mut final_loss = None;
    let result = Session::new(cfg)
        .map_err(|e| e.to_string())
        .and_then(|mut s| {
            s.step(steps).map_err(|e| e.to_string())?;
            let tail = &s.curve()[s.curve().len().saturating_sub(20)..];
            final_loss = (!tail.is_empty())
                .then(|| tail.iter().map(|r| r.loss).sum::<f64>() / tail.len() as f64);
            s.evaluate().map_err(|e| e.to_string())
        });
    Run {
        name: name.to_string(),
        seed: cfg.seed,
        final_loss,
        result,
    }
}

fn summarise(named: &Named, runs: &[&Run]) -> Summary {
    let classes = named.config.data.classes;
    let evals: Vec<&Evaluation> = runs.iter().filter_map(|r| r.result.as_ref().ok()).collect();
    let m: Vec<f64> = evals.iter().map(|e| e.miou).collect();
    let n = m.len() as f64;
    let mean = if m.is_empty() {
        f64::NAN
    } else {
        m.iter().sum::<f64>() / n
    };
    let sd = if m.len() > 1 {
        (m.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let never_predicted = (0..classes)
        .map(|c| {
            (
                c,
                evals
                    .iter()
                    .filter(|e| e.never_predicted.contains(&c))
                    .count(),
            )
        })
        .filter(|&(_, k)| k > 0)
        .collect();
    let class_iou = (0..classes)
        .map(|c| {
            let v: Vec<f64> = evals.iter().filter_map(|e| e.classes[c].iou).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        })
        .collect();
    Summary {
        name: named.name.clone(),
        loss: describe_loss(&named.config.loss),
        runs: runs.len(),
        failed: runs.len() - evals.len(),
        miou_mean: mean,
        miou_sd: sd,
        miou_min: m.iter().copied().fold(f64::INFINITY, f64::min),
        miou_max: m.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        never_predicted,
        class_iou,
    }
}

pub(super) fn run(cmd: &ExperimentCmd) -> Result<(), String> {
    if !(1..=100).contains(&cmd.seeds) {
        return Err(format!(
            "--seeds must be between 1 and 100, got {}",
            cmd.seeds
        ));
    }
    if cmd.steps > MAX_STEPS {
        return Err(format!(
            "--steps must be at most {MAX_STEPS}, got {}",
            cmd.steps
        ));
    }
    let named = configurations(cmd)?;
    let mut jobs = Vec::new();
    for (i, n) in named.iter().enumerate() {
        for k in 0..cmd.seeds {
            let seed = cmd
                .first_seed
                .checked_add(k)
                .ok_or("--first-seed + --seeds overflows a 32-bit seed")?;
            let cfg = SessionConfig { seed, ..n.config };
            cfg.validate().map_err(|e| format!("{}: {e}", n.name))?;
            jobs.push((i, cfg));
        }
    }
    let threads = cmd
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, jobs.len());
    let slots: Vec<Mutex<Option<Run>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(k, cfg)) = jobs.get(i) else {
                    break;
                };
                let run = train_one(cfg, cmd.steps, &named[k].name);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(run);
                }
            });
        }
    });
    let runs: Vec<Run> = slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .ok()
                .flatten()
                .ok_or("internal: a run produced no result")
        })
        .collect::<Result<_, _>>()?;
    let summaries: Vec<Summary> = named
        .iter()
        .map(|n| {
            summarise(
                n,
                &runs.iter().filter(|r| r.name == n.name).collect::<Vec<_>>(),
            )
        })
        .collect();

    if cmd.json {
        #[derive(Serialize)]
        struct Out<'a> {
            steps: u64,
            seeds: Vec<u32>,
            summaries: &'a [Summary],
            runs: &'a [Run],
        }
        let out = Out {
            steps: cmd.steps,
            seeds: (0..cmd.seeds).map(|k| cmd.first_seed + k).collect(),
            summaries: &summaries,
            runs: &runs,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    print_tables(cmd, &named, &summaries);
    for r in runs.iter().filter(|r| r.result.is_err()) {
        if let Err(e) = &r.result {
            println!("run {} seed {} stopped: {e}", r.name, r.seed);
        }
    }
    Ok(())
}

/// The presets on the command line's data and net options, or the configurations of `--runs`.
fn configurations(cmd: &ExperimentCmd) -> Result<Vec<Named>, String> {
    if let Some(path) = &cmd.runs {
        let text = if path.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(path)
        }
        .map_err(|e| format!("--runs {}: {e}", path.display()))?;
        let named: Vec<Named> =
            serde_json::from_str(&text).map_err(|e| format!("--runs {}: {e}", path.display()))?;
        if named.is_empty() {
            return Err(format!("--runs {}: no configuration", path.display()));
        }
        for (i, n) in named.iter().enumerate() {
            if named[..i].iter().any(|m| m.name == n.name) {
                return Err(format!(
                    "--runs {}: the name '{}' is used twice",
                    path.display(),
                    n.name
                ));
            }
        }
        return Ok(named);
    }
    let presets: Vec<Preset> = if cmd.presets.is_empty() {
        Preset::ALL.to_vec()
    } else {
        cmd.presets.clone()
    };
    let data = cmd.data.config();
    Ok(presets
        .into_iter()
        .map(|p| Named {
            name: p.name().to_string(),
            config: SessionConfig {
                loss: p.config(),
                ..cmd.net.session(data, 0)
            },
        })
        .collect())
}

fn print_tables(cmd: &ExperimentCmd, named: &[Named], summaries: &[Summary]) {
    println!(
        "dicelab experiment · {} steps · seeds {}–{}",
        cmd.steps,
        cmd.first_seed,
        cmd.first_seed + cmd.seeds - 1,
    );
    // One data line when every run trains on the same data, else one per run.
    let describe = |d: &crate::data::DataConfig| {
        format!(
            "{} labels, {} classes, {s}×{s}, imbalance {}, rare class absent from most images: {}, {} parallelograms per image",
            d.annotation,
            d.classes,
            Num(d.imbalance),
            d.rare_absent,
            d.polygons,
            s = d.size
        )
    };
    let first = named[0].config.data;
    if named.iter().all(|n| n.config.data == first) {
        let default = if first == crate::data::DataConfig::default() {
            " (the page's default data)"
        } else {
            ""
        };
        println!("data: {}{default}", describe(&first));
    } else {
        for n in named {
            println!("data of {}: {}", n.name, describe(&n.config.data));
        }
    }
    let width = named
        .iter()
        .map(|n| n.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(14);
    println!();
    println!(
        "{:<width$}  mIoU mean ± sd     min – max      never predicted: class (seeds)",
        "run"
    );
    for s in summaries {
        let never = if s.never_predicted.is_empty() {
            "-".to_string()
        } else {
            s.never_predicted
                .iter()
                .map(|(c, k)| format!("{c} ({k}/{})", s.runs))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let failed = if s.failed > 0 {
            format!("  [{} of {} runs failed]", s.failed, s.runs)
        } else {
            String::new()
        };
        println!(
            "{:<width$}  {:.3} ± {:.3}      {:.3} – {:.3}  {never}{failed}",
            s.name, s.miou_mean, s.miou_sd, s.miou_min, s.miou_max
        );
    }
    println!();
    let classes = named
        .iter()
        .map(|n| n.config.data.classes)
        .max()
        .unwrap_or(0);
    let header: String = (0..classes).map(|c| format!("  class {c}")).collect();
    println!("mean IoU per class");
    println!("{:<width$}{header}", "run");
    for s in summaries {
        let cells: String = s
            .class_iou
            .iter()
            .map(|v| v.map_or("        -".into(), |x| format!("  {x:>7.3}")))
            .collect();
        println!("{:<width$}{cells}", s.name);
    }
}
