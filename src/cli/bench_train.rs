//! `dicelab bench train`: TinySegNet training steps per second, following the benchmark protocol
//! (`shared/guides/bench-protocol.md`): protocol data (seed 42) and Glorot weights (seed 1234), 5
//! warm-up steps, 3 repetitions of 30 steps, the median repetition. The first step's Dice and CE are
//! printed beside the protocol's check values, so a run also shows that the network is the same.
//!
//! `--backend gpu` times the GPU backend too, beside the CPU, in the same run. A GPU step is timed
//! as the protocol says: until its loss has been read back (the blocking trait call), so the figure
//! includes one submission and one read-back per step.

use super::args::Backend;
use super::gpu::train_backend;
use super::train_args::BenchTrainCmd;
use crate::data::protocol_batch;
use crate::loss::{self, Formula, LossConfig, LossKind, Reduction};
use crate::net::{Dims, InitKind, NetSpec, OptimConfig};
use crate::train::{CpuBackend, TrainBackend};
use ndarray::{ArrayView3, ArrayView4};
use serde::Serialize;
use std::time::Instant;

/// (batch, size, protocol Dice, protocol CE) of each benchmarked shape.
const SHAPES: [(usize, usize, f64, f64); 2] =
    [(4, 48, 0.833099, 1.79388), (8, 64, 0.833398, 1.79459)];
const CLASSES: usize = 6;

/// Figures of one shape.
#[derive(Debug, Serialize)]
struct TrainBench {
    backend: &'static str,
    batch: usize,
    size: usize,
    classes: usize,
    /// Median milliseconds per step.
    ms_per_step: f64,
    steps_per_s: f64,
    /// First-step losses (before any update) and the protocol's values.
    first_dice: f64,
    protocol_dice: f64,
    first_ce: f64,
    protocol_ce: f64,
}

/// The first-step Dice (corrected, mean) and mean CE of the protocol's net and batch.
fn first_losses(
    backend: &mut CpuBackend,
    images: &[f32],
    labels: &[i32],
    dims: Dims,
) -> Result<(f64, f64), String> {
    backend
        .forward(images, dims.batch)
        .map_err(|e| e.to_string())?;
    let z = ArrayView4::from_shape(
        (dims.batch, dims.height, dims.width, CLASSES),
        backend.logits(dims.batch),
    )
    .map_err(|e| e.to_string())?;
    let y = ArrayView3::from_shape((dims.batch, dims.height, dims.width), labels)
        .map_err(|e| e.to_string())?;
    let dice = LossConfig {
        kind: LossKind::Dice,
        formula: Formula::Corrected,
        reduction: Reduction::Mean,
        ..LossConfig::default()
    };
    let ce = LossConfig {
        kind: LossKind::Ce,
        ..dice
    };
    let d = loss::evaluate(&dice, z.view(), y.view(), None).map_err(|e| e.to_string())?;
    let c = loss::evaluate(&ce, z, y, None).map_err(|e| e.to_string())?;
    Ok((d.loss, c.loss))
}

fn bench_shape(
    cmd: &BenchTrainCmd,
    backend_kind: Backend,
    (batch, size, pd, pc): (usize, usize, f64, f64),
) -> Result<TrainBench, String> {
    let spec = NetSpec::new(16, CLASSES).map_err(|e| e.to_string())?;
    let dims = Dims {
        batch,
        height: size,
        width: size,
    };
    let mut cpu = CpuBackend::new(spec, dims, InitKind::Glorot, 1234, OptimConfig::default());
    let (images, labels) = protocol_batch(42, batch, size, size, CLASSES);
    let (first_dice, first_ce) = first_losses(&mut cpu, &images, &labels, dims)?;
    let mut backend: Box<dyn TrainBackend> = match backend_kind {
        Backend::Cpu => Box::new(cpu),
        Backend::Gpu => {
            let mut gpu = train_backend(spec, dims, OptimConfig::default())?;
            gpu.set_params(cpu.net().params())
                .map_err(|e| e.to_string())?;
            Box::new(gpu)
        }
    };
    let cfg = cmd.preset.config();
    let mut step = |n: usize| -> Result<(), String> {
        for _ in 0..n {
            backend
                .train_step(&images, &labels, batch, &cfg)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    step(cmd.warmup)?;
    let mut times = Vec::with_capacity(cmd.reps);
    for _ in 0..cmd.reps {
        let t = Instant::now();
        step(cmd.steps)?;
        times.push(t.elapsed().as_secs_f64() / cmd.steps as f64);
    }
    times.sort_by(f64::total_cmp);
    let s = times[times.len() / 2];
    Ok(TrainBench {
        backend: match backend_kind {
            Backend::Cpu => "cpu",
            Backend::Gpu => "gpu",
        },
        batch,
        size,
        classes: CLASSES,
        ms_per_step: 1e3 * s,
        steps_per_s: 1.0 / s,
        first_dice,
        protocol_dice: pd,
        first_ce,
        protocol_ce: pc,
    })
}

pub(super) fn run(cmd: &BenchTrainCmd) -> Result<(), String> {
    if cmd.reps == 0 || cmd.steps == 0 {
        return Err("--reps and --steps must be at least 1".into());
    }
    let backends: &[Backend] = match cmd.backend {
        Backend::Cpu => &[Backend::Cpu],
        Backend::Gpu => &[Backend::Cpu, Backend::Gpu],
    };
    let results = SHAPES
        .iter()
        .flat_map(|&s| backends.iter().map(move |&b| (s, b)))
        .map(|(s, b)| bench_shape(cmd, b, s))
        .collect::<Result<Vec<_>, _>>()?;
    if cmd.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!(
        "TinySegNet training step (forward + {} loss + backward + Adam), CPU on one thread, median of {} × {} steps",
        cmd.preset, cmd.reps, cmd.steps
    );
    println!("backend  B×H×W×C      ms/step  steps/s  first Dice (protocol)   first CE (protocol)");
    for r in &results {
        println!(
            "{:<7}  {}×{}×{}×{:<3} {:>8.2}  {:>7.1}  {:.6} ({:.6})     {:.5} ({:.5})",
            r.backend,
            r.batch,
            r.size,
            r.size,
            r.classes,
            r.ms_per_step,
            r.steps_per_s,
            r.first_dice,
            r.protocol_dice,
            r.first_ce,
            r.protocol_ce
        );
    }
    Ok(())
}
