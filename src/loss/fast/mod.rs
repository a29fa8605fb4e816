//! The fast loss: the same losses, options, errors and report as [`crate::loss::evaluate`], with
//! the two per-pixel passes in f32 SIMD-friendly code (blocks of pixels transposed to class rows,
//! a polynomial `exp`), optionally split over threads natively.
//!
//! Only the per-pixel passes are new: the sums go through the oracle's `loss_terms` unchanged. The
//! f64 oracle stays the reference; `tests/native/fast.rs` holds this path to it (loss 1e-5
//! relative, gradient 1e-5 of max |g|) on the whole option grid.
//!
//! Pass 2 recomputes the activation from the logits rather than storing `p` in pass 1: measured
//! faster (see `dicelab bench loss`), as it reads the same bytes and writes none extra.

mod pass1;
mod pass2;

use super::{grad_slice, loss_terms, prepare, Aggregation, LossConfig, LossError, LossReport};
use ndarray::{ArrayView3, ArrayView4, ArrayViewMut4};

/// Pixels `start..end` (flat over the batch), all of unit `unit`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment {
    unit: usize,
    start: usize,
    end: usize,
}

/// The units' pixel ranges cut to `range`: one segment for global sums, one per image otherwise.
fn segments(cfg: &LossConfig, pixels: usize, range: std::ops::Range<usize>) -> Vec<Segment> {
    match cfg.aggregation {
        Aggregation::Global => vec![Segment {
            unit: 0,
            start: range.start,
            end: range.end,
        }],
        Aggregation::PerImage => (range.start / pixels..range.end.div_ceil(pixels))
            .map(|img| Segment {
                unit: img,
                start: range.start.max(img * pixels),
                end: range.end.min((img + 1) * pixels),
            })
            .collect(),
    }
}

/// `threads` contiguous pixel ranges covering `0..n`, cut at multiples of 1024 pixels.
fn split(n: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let per = n.div_ceil(threads.max(1)).next_multiple_of(1024);
    (0..n).step_by(per).map(|a| a..(a + per).min(n)).collect()
}

/// Runs `f` on every item, on its own thread natively when there is more than one.
fn run_all<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    if items.len() > 1 {
        return std::thread::scope(|s| {
            let handles: Vec<_> = items.into_iter().map(|it| s.spawn(|| f(it))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
    }
    items.into_iter().map(f).collect()
}

/// Like [`crate::loss::evaluate`], in f32 SIMD code on `threads` threads (1 on wasm32, where
/// threads cannot be spawned). Errors are the oracle's, reported for the same offending value.
/// The focal and Lovász losses, which are not functions of the sums, are the oracle's itself.
pub fn evaluate(
    cfg: &LossConfig,
    logits: ArrayView4<'_, f32>,
    labels: ArrayView3<'_, i32>,
    grad: Option<ArrayViewMut4<'_, f32>>,
    threads: usize,
) -> Result<LossReport, LossError> {
    if !cfg.from_sums() {
        // The focal and Lovász terms are the oracle's; builds without `part2` refuse those losses
        // first, and leave the oracle's per-pixel passes out of the module.
        if cfg!(feature = "part2") {
            return super::evaluate(cfg, logits, labels, grad);
        }
        cfg.validate()?;
        let what = "the focal and Lovász losses".to_string();
        return Err(super::ConfigError::NotInBuild(what).into());
    }
    let batch = prepare(cfg, logits, labels)?;
    let threads = if cfg!(target_arch = "wasm32") {
        1
    } else {
        threads
    };
    let (c, px) = (batch.classes, batch.pixels);
    let n = batch.images * px;
    let units = super::sums::unit_count(cfg, batch.images);
    let ranges = split(n, threads);
    let parts = run_all(ranges.clone(), |r| {
        let (z, y) = (
            &batch.logits[r.start * c..r.end * c],
            &batch.labels[r.clone()],
        );
        pass1::range_sums(cfg, z, y, r.start, &segments(cfg, px, r), units, c)
    });
    let mut sums = pass1::zero_sums(units, c);
    let mut ok = true;
    for (part, part_ok) in &parts {
        pass1::merge(&mut sums, part);
        ok &= part_ok;
    }
    if !ok {
        // The same checks, in the same order, as the oracle's first pass makes.
        batch.check_finite()?;
        batch.check_labels(cfg.ignore_index)?;
    }
    let terms = loss_terms(cfg, &sums)?;
    if let Some(mut g) = grad {
        let mut out = grad_slice(&mut g, batch.shape)?;
        let mut jobs = Vec::with_capacity(ranges.len());
        for r in &ranges {
            let (head, tail) = out.split_at_mut((r.end - r.start) * c);
            jobs.push((r.clone(), head));
            out = tail;
        }
        run_all(jobs, |(r, dz)| {
            let (z, y) = (
                &batch.logits[r.start * c..r.end * c],
                &batch.labels[r.clone()],
            );
            pass2::range_grad(cfg, &terms, (z, y, dz), r.start, &segments(cfg, px, r), c);
        });
    }
    Ok(LossReport::new(cfg, batch.shape, &sums, &terms))
}
