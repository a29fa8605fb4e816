//! `dicelab bench train`: TinySegNet training steps per second, following the benchmark protocol
//! (`shared/guides/bench-protocol.md`, `bench::ProtocolRun`: its data, weights and shapes), 5
//! warm-up steps, 3 repetitions of 30 steps, the median repetition. The first step's Dice and CE are
//! printed beside the protocol's check values, so a run also shows that the network is the same.
//!
//! `--backend gpu` times the GPU backend too, beside the CPU, in the same run. A GPU step is timed
//! as the protocol says: until its loss has been read back (the blocking trait call), so the figure
//! includes one submission and one read-back per step.

use crate::bench::{ProtocolLoss, ProtocolRun, CHECK_VALUES, CLASSES};
use crate::cli::args::Backend;
use crate::cli::train_args::BenchTrainCmd;
use crate::gpu::GpuContext;
use serde::Serialize;
use std::time::Instant;

/// Figures of one shape.
#[derive(Debug, Serialize)]
struct TrainBench {
    backend: &'static str,
    /// The GPU adapter (GPU runs only), so a software one (lavapipe) is told from hardware.
    #[serde(skip_serializing_if = "Option::is_none")]
    adapter: Option<String>,
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

/// The protocol's run of `batch` × `size`² on `backend`, from the protocol's weights, and the GPU
/// adapter's description.
fn protocol_run(
    backend: Backend,
    batch: usize,
    size: usize,
) -> Result<(ProtocolRun, Option<String>), String> {
    match backend {
        Backend::Cpu => Ok((ProtocolRun::new(batch, size, ProtocolLoss::Dice)?, None)),
        Backend::Gpu => {
            let ctx =
                pollster::block_on(GpuContext::new()).map_err(|r| format!("--backend gpu: {r}"))?;
            let adapter = ctx.adapter();
            let run = pollster::block_on(ProtocolRun::on_gpu(ctx, batch, size, ProtocolLoss::Dice))
                .map_err(|e| format!("--backend gpu: {e}"))?;
            Ok((run, Some(adapter)))
        }
    }
}

fn bench_shape(
    cmd: &BenchTrainCmd,
    backend: Backend,
    (batch, size, protocol_dice, protocol_ce): (usize, usize, f64, f64),
) -> Result<TrainBench, String> {
    // The first step's loss is taken before the update: the protocol's check values.
    let first = |loss| -> Result<f64, String> {
        ProtocolRun::new(batch, size, loss)?
            .step()
            .map_err(|e| e.to_string())
    };
    let (first_dice, first_ce) = (first(ProtocolLoss::Dice)?, first(ProtocolLoss::Ce)?);
    let (run, adapter) = protocol_run(backend, batch, size)?;
    let mut run = run.with_loss(cmd.preset.config());
    let mut step = |n: usize| -> Result<(), String> {
        for _ in 0..n {
            run.step().map_err(|e| e.to_string())?;
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
        backend: run.backend(),
        adapter,
        batch,
        size,
        classes: CLASSES,
        ms_per_step: 1e3 * s,
        steps_per_s: 1.0 / s,
        first_dice,
        protocol_dice,
        first_ce,
        protocol_ce,
    })
}

pub(in crate::cli) fn run(cmd: &BenchTrainCmd) -> Result<(), String> {
    if cmd.reps == 0 || cmd.steps == 0 {
        return Err("--reps and --steps must be at least 1".into());
    }
    let backends: &[Backend] = match cmd.backend {
        Backend::Cpu => &[Backend::Cpu],
        Backend::Gpu => &[Backend::Cpu, Backend::Gpu],
    };
    let results = CHECK_VALUES
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
