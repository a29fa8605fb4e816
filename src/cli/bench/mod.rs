//! `dicelab bench loss`: loss + gradient throughput, beside the bandwidth of a plain copy of the
//! same bytes measured in the same run, so the ratio to the machine's limit shows. With
//! `--backend gpu` the GPU's figures (loss_gpu.rs) follow the CPU's for the same inputs.

mod loss_gpu;
pub(super) mod train;

use super::args::{Backend, BenchLossCmd};
use crate::loss;
use crate::rng::Mulberry32;
use ndarray::{Array3, Array4};
use serde::Serialize;
use std::time::Instant;

/// Figures of one benchmark run.
#[derive(Debug, Serialize)]
pub(super) struct LossBench {
    backend: &'static str,
    /// The GPU adapter (GPU runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    adapter: Option<String>,
    shape: [usize; 4],
    runs: usize,
    /// Median seconds of one loss + gradient evaluation (on the GPU: inputs resident, gradient left
    /// on the device, as in a training step).
    loss_s: f64,
    /// GPU only: median seconds including the upload and reading the gradient back.
    #[serde(skip_serializing_if = "Option::is_none")]
    roundtrip_s: Option<f64>,
    pixels_per_s: f64,
    /// Logits read + gradient written, per second.
    loss_gb_s: f64,
    /// The same bytes moved by a plain copy (on the GPU: a buffer-to-buffer copy), per second.
    copy_gb_s: f64,
    /// `loss_gb_s / copy_gb_s`.
    ratio_to_copy: f64,
}

impl LossBench {
    /// The derived figures of a run that took `loss_s` against a copy taking `copy_s`.
    pub(super) fn new(
        backend: &'static str,
        shape: [usize; 4],
        runs: usize,
        loss_s: f64,
        copy_s: f64,
    ) -> Self {
        let bytes = 2.0 * shape.iter().product::<usize>() as f64 * 4.0;
        Self {
            backend,
            adapter: None,
            shape,
            runs,
            loss_s,
            roundtrip_s: None,
            pixels_per_s: (shape[0] * shape[1] * shape[2]) as f64 / loss_s,
            loss_gb_s: bytes / loss_s / 1e9,
            copy_gb_s: bytes / copy_s / 1e9,
            ratio_to_copy: copy_s / loss_s,
        }
    }

    /// Adds the GPU-only figures.
    pub(super) fn on_gpu(self, adapter: String, roundtrip_s: f64) -> Self {
        Self {
            adapter: Some(adapter),
            roundtrip_s: Some(roundtrip_s),
            ..self
        }
    }

    fn print(&self, cfg: &crate::loss::LossConfig) {
        let r = self;
        println!(
            "loss+grad {} {:?} ({} {}, {} runs, median)",
            r.backend, r.shape, cfg.kind, cfg.formula, r.runs
        );
        if let Some(a) = &r.adapter {
            println!("  adapter     {a}");
        }
        println!("  time        {:>10.3} ms", r.loss_s * 1e3);
        if let Some(t) = r.roundtrip_s {
            println!(
                "  round trip  {:>10.3} ms (upload + gradient read back)",
                t * 1e3
            );
        }
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
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median seconds of `runs` calls of `f`, after one warm-up call.
pub(super) fn time<E>(runs: usize, mut f: impl FnMut() -> Result<(), E>) -> Result<f64, E> {
    f()?;
    let mut ts = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        ts.push(t.elapsed().as_secs_f64());
    }
    Ok(median(ts))
}

/// Threads of the fast engine's runs, reported separately: `cpu-fast` and `cpu-fast-2t`.
const FAST_THREADS: [usize; 2] = [1, 2];

/// The most logits `bench loss` takes: 2^27. It holds the logits, the gradient and a copy (f32 each)
/// and the labels (i32 per pixel): 1.5–2 GiB at the cap, which a normal machine has; the former cap
/// of 2^30 needed 12–16 GiB.
const MAX_BENCH_LOGITS: usize = 1 << 27;

pub(super) fn run_loss(cmd: &BenchLossCmd) -> Result<(), String> {
    let (b, s, c) = (cmd.batch, cmd.size, cmd.classes);
    if b == 0 || s == 0 || c == 0 || cmd.runs == 0 {
        return Err("--batch, --size, --classes and --runs must be at least 1".into());
    }
    let n = s
        .checked_mul(s)
        .and_then(|p| p.checked_mul(b))
        .and_then(|p| p.checked_mul(c))
        .filter(|&n| n <= MAX_BENCH_LOGITS)
        .ok_or_else(|| {
            format!(
                "the benchmark shape is too large: batch × size² × classes must be at most 2^27 ({MAX_BENCH_LOGITS}) logits"
            )
        })?;
    let cfg = cmd.opts.config()?;
    // Acquired before the CPU run, so a missing GPU fails fast.
    let mut gpu = match cmd.backend {
        Backend::Gpu => Some(super::gpu::engine()?),
        Backend::Cpu => None,
    };
    let mut rng = Mulberry32::new(42);
    let logits = Array4::from_shape_simple_fn((b, s, s, c), || 4.0 * rng.next_f32() - 2.0);
    let labels = Array3::from_shape_simple_fn((b, s, s), || rng.below(c) as i32);
    let mut grad = Array4::<f32>::zeros((b, s, s, c));

    let loss_s = time(cmd.runs, || {
        loss::evaluate(&cfg, logits.view(), labels.view(), Some(grad.view_mut())).map(|_| ())
    })
    .map_err(|e| e.to_string())?;
    let mut fast_s = Vec::new();
    for threads in FAST_THREADS {
        fast_s.push(
            time(cmd.runs, || {
                let g = Some(grad.view_mut());
                loss::fast::evaluate(&cfg, logits.view(), labels.view(), g, threads).map(|_| ())
            })
            .map_err(|e| e.to_string())?,
        );
    }
    let src = logits.as_slice().ok_or("internal: logits not contiguous")?;
    let mut dst = vec![0.0f32; n];
    let copy_s = time(cmd.runs, || {
        dst.copy_from_slice(std::hint::black_box(src));
        std::hint::black_box(&dst);
        Ok::<(), String>(())
    })?;

    let shape = [b, s, s, c];
    let mut runs = vec![LossBench::new("cpu", shape, cmd.runs, loss_s, copy_s)];
    for (name, t) in ["cpu-fast", "cpu-fast-2t"].into_iter().zip(fast_s) {
        runs.push(LossBench::new(name, shape, cmd.runs, t, copy_s));
    }
    if let Some(engine) = &mut gpu {
        runs.push(loss_gpu::measure(engine, &cfg, &logits, &labels, cmd.runs)?);
    }
    if cmd.json {
        let json = match &runs[..] {
            [one] => serde_json::to_string_pretty(one),
            all => serde_json::to_string_pretty(all),
        };
        println!("{}", json.map_err(|e| e.to_string())?);
    } else {
        runs.iter().for_each(|r| r.print(&cfg));
    }
    Ok(())
}
