//! `dicelab train`: one training run on the CPU or (`--backend gpu`) the GPU, then the per-class validation table (or JSON).

use super::args::Backend;
use super::train_args::TrainCmd;
use crate::loss::{LossConfig, LossKind};
use crate::train::{Evaluation, Preset, Session, SessionConfig, StepRecord};
use serde::Serialize;

/// The most steps one command runs.
pub(super) const MAX_STEPS: u64 = 1_000_000;

/// The session configuration a `train` command describes.
pub(super) fn session_config(cmd: &TrainCmd) -> Result<SessionConfig, String> {
    let loss = match cmd.preset {
        Some(p) => LossConfig {
            ignore_index: cmd.loss.ignore_index,
            ..p.config()
        },
        None => cmd.loss.config()?,
    };
    let cfg = SessionConfig {
        loss,
        ..cmd.net.session(cmd.data.config(), cmd.seed)
    };
    cfg.validate()?;
    Ok(cfg)
}

/// One line describing a loss configuration.
pub(super) fn describe_loss(cfg: &LossConfig) -> String {
    if cfg.part2_feature().is_some() {
        return describe_part2(cfg);
    }
    let mut s = cfg.kind.to_string();
    if cfg.has_dice() {
        s += &format!(
            ", {} formula, {}, {}",
            cfg.formula, cfg.reduction, cfg.aggregation
        );
        if cfg.kind == LossKind::Gdl {
            s += &format!(", {} weights", cfg.weights);
        }
    }
    s
}

/// One line describing a Part 2 loss (docs/losses.md): its variant and the options it uses.
fn describe_part2(cfg: &LossConfig) -> String {
    let mut s = format!("{}, {}", cfg.kind, cfg.variant());
    let focal = matches!(cfg.kind, LossKind::Focal | LossKind::DiceFocal);
    if matches!(cfg.kind, LossKind::Tversky | LossKind::FocalTversky) {
        s += &format!(", alpha {}, beta {}", cfg.tversky_alpha(), cfg.beta);
    }
    if focal || cfg.kind == LossKind::FocalTversky {
        s += &format!(", gamma {}", cfg.gamma());
    }
    if let (true, Some(a)) = (focal, cfg.alpha) {
        s += &format!(", alpha {a}");
    }
    if cfg.log_loss {
        s += ", log";
    }
    if cfg.kind == LossKind::DiceFocal {
        s += &format!(", lambdas {} + {}", cfg.lambda_dice, cfg.lambda_focal);
    }
    format!("{s}, {}, {}", cfg.reduction, cfg.aggregation)
}

/// Mean loss of the last `n` steps.
fn tail_mean(curve: &[StepRecord], n: usize) -> Option<f64> {
    let tail = &curve[curve.len().saturating_sub(n)..];
    (!tail.is_empty()).then(|| tail.iter().map(|r| r.loss).sum::<f64>() / tail.len() as f64)
}

/// What `--json` prints.
#[derive(Serialize)]
struct TrainOutput<'a> {
    backend: &'static str,
    preset: Option<Preset>,
    config: &'a SessionConfig,
    steps: u64,
    /// Loss per step.
    curve: Vec<f64>,
    evaluation: &'a Evaluation,
}

pub(super) fn run(cmd: &TrainCmd) -> Result<(), String> {
    if cmd.steps > MAX_STEPS {
        return Err(format!(
            "--steps must be at most {MAX_STEPS}, got {}",
            cmd.steps
        ));
    }
    let cfg = session_config(cmd)?;
    let mut session = match cmd.backend {
        Backend::Cpu => Session::new(cfg),
        Backend::Gpu => {
            let spec = cfg.validate()?;
            let dims = cfg.dims();
            let gpu = super::gpu::train_backend(spec, dims, cfg.optim)?;
            Session::with_backend(cfg, Box::new(gpu))
        }
    }
    .map_err(|e| e.to_string())?;
    session.step(cmd.steps).map_err(|e| e.to_string())?;
    let eval = session.evaluate().map_err(|e| e.to_string())?;
    if cmd.json {
        let out = TrainOutput {
            backend: session.backend_name(),
            preset: cmd.preset,
            config: &cfg,
            steps: session.steps(),
            curve: session.curve().iter().map(|r| r.loss).collect(),
            evaluation: &eval,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    let d = &cfg.data;
    println!(
        "dicelab train · {} · {} steps · seed {} · {}{}",
        session.backend_name(),
        session.steps(),
        cfg.seed,
        cmd.preset
            .map(|p| format!("preset {p}: "))
            .unwrap_or_default(),
        describe_loss(&cfg.loss)
    );
    println!(
        "data: {} classes, {s}×{s}, {} labels, imbalance {}, {} training / {} validation images",
        d.classes,
        d.annotation,
        d.imbalance,
        d.train_images,
        d.val_images,
        s = d.size
    );
    let curve = session.curve();
    if let (Some(first), Some(last), Some(tail)) =
        (curve.first(), curve.last(), tail_mean(curve, 20))
    {
        println!(
            "loss: step {} {:.4} → step {} {:.4} (mean of the last 20: {tail:.4})",
            first.step, first.loss, last.step, last.loss
        );
    }
    println!();
    print_table(&eval);
    Ok(())
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.3}"))
}

/// The per-class table of the original question, then mIoU.
pub(super) fn print_table(eval: &Evaluation) {
    println!("class  pixel share    IoU  precision  recall  predicted share");
    for c in &eval.classes {
        println!(
            "{:>5}  {:>9.1} %  {:>5}  {:>9}  {:>6}  {:>13.1} %{}",
            c.class,
            100.0 * c.pixel_share,
            opt(c.iou),
            opt(c.precision),
            opt(c.recall),
            100.0 * c.predicted_share,
            if c.predicted_share == 0.0 {
                "  never predicted"
            } else {
                ""
            }
        );
    }
    println!(
        "mIoU {:.3} (over the {} classes with a defined IoU) · pixel accuracy {:.3}",
        eval.miou,
        eval.classes.iter().filter(|c| c.iou.is_some()).count(),
        eval.pixel_accuracy
    );
}
