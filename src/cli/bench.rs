//! `dicelab bench loss`: loss + gradient throughput, beside the bandwidth of a plain copy of the
//! same bytes measured in the same run, so the ratio to the machine's limit shows.

use super::args::{Backend, BenchLossCmd};
use crate::loss;
use crate::rng::Mulberry32;
use ndarray::{Array3, Array4};
use serde::Serialize;
use std::time::Instant;

/// Figures of one benchmark run.
#[derive(Debug, Serialize)]
struct LossBench {
    backend: &'static str,
    shape: [usize; 4],
    runs: usize,
    /// Median seconds of one loss + gradient evaluation.
    loss_s: f64,
    pixels_per_s: f64,
    /// Logits read + gradient written, per second.
    loss_gb_s: f64,
    /// The same bytes moved by a plain copy, per second.
    copy_gb_s: f64,
    /// `loss_gb_s / copy_gb_s`.
    ratio_to_copy: f64,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median seconds of `runs` calls of `f`, after one warm-up call.
fn time<E>(runs: usize, mut f: impl FnMut() -> Result<(), E>) -> Result<f64, E> {
    f()?;
    let mut ts = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        ts.push(t.elapsed().as_secs_f64());
    }
    Ok(median(ts))
}

pub(super) fn run_loss(cmd: &BenchLossCmd) -> Result<(), String> {
    if cmd.backend == Backend::Gpu {
        return Err("--backend gpu is not available yet: the GPU engine is not built in this version; use --backend cpu".into());
    }
    let (b, s, c) = (cmd.batch, cmd.size, cmd.classes);
    if b == 0 || s == 0 || c == 0 || cmd.runs == 0 {
        return Err("--batch, --size, --classes and --runs must be at least 1".into());
    }
    let n = b
        .checked_mul(s * s)
        .and_then(|p| p.checked_mul(c))
        .filter(|&n| n <= 1 << 30)
        .ok_or("the benchmark shape is too large (at most 2^30 logits)")?;
    let cfg = cmd.opts.config()?;
    let mut rng = Mulberry32::new(42);
    let logits = Array4::from_shape_simple_fn((b, s, s, c), || 4.0 * rng.next_f32() - 2.0);
    let labels = Array3::from_shape_simple_fn((b, s, s), || rng.below(c) as i32);
    let mut grad = Array4::<f32>::zeros((b, s, s, c));

    let loss_s = time(cmd.runs, || {
        loss::evaluate(&cfg, logits.view(), labels.view(), Some(grad.view_mut())).map(|_| ())
    })
    .map_err(|e| e.to_string())?;
    let src = logits.as_slice().ok_or("internal: logits not contiguous")?;
    let mut dst = vec![0.0f32; n];
    let copy_s = time(cmd.runs, || {
        dst.copy_from_slice(std::hint::black_box(src));
        std::hint::black_box(&dst);
        Ok::<(), String>(())
    })?;

    let bytes = 2.0 * n as f64 * 4.0;
    let r = LossBench {
        backend: "cpu",
        shape: [b, s, s, c],
        runs: cmd.runs,
        loss_s,
        pixels_per_s: (b * s * s) as f64 / loss_s,
        loss_gb_s: bytes / loss_s / 1e9,
        copy_gb_s: bytes / copy_s / 1e9,
        ratio_to_copy: copy_s / loss_s,
    };
    if cmd.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "loss+grad {} {:?} ({} {}, {} runs, median)",
            r.backend, r.shape, cfg.kind, cfg.formula, r.runs
        );
        println!("  time        {:>10.3} ms", r.loss_s * 1e3);
        println!("  pixels/s    {:>10.3} M", r.pixels_per_s / 1e6);
        println!(
            "  loss+grad   {:>10.2} GB/s (logits read + gradient written)",
            r.loss_gb_s
        );
        println!(
            "  plain copy  {:>10.2} GB/s (same bytes, same run)",
            r.copy_gb_s
        );
        println!(
            "  ratio       {:>10.1} % of copy bandwidth",
            100.0 * r.ratio_to_copy
        );
    }
    Ok(())
}
