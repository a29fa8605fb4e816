//! The GPU-vs-CPU suite, defined once and run by each backend: natively on lavapipe
//! (`tests/native/gpu.rs`, `tests/native/part2_gpu.rs`) and in headless Chromium on SwiftShader
//! (`tests/web_gpu.rs`). Every configuration of a grid (Part 1's `configs`, Part 2's
//! `part2_configs`) on every case, against the f64 CPU engine: within the GPU's tolerances while
//! the engine is on the GPU, equal to the CPU's numbers once it has fallen back.

use crate::cases::{cases, describe, describe_part2};
use crate::compare::assert_matches;
use dicelab::gpu::{BackendKind, LossEngine};
use dicelab::loss::{self, LossConfig};
use ndarray::Array4;

/// Runs `grid` with each `(s_nr, s_dr)` of `smoothings`, every `every(case)`-th configuration of
/// case number `case`; returns the evaluations checked. Fails if the engine changed backend.
pub async fn gpu_matches_cpu(
    engine: &mut LossEngine,
    grid: fn(f64, f64) -> Vec<LossConfig>,
    smoothings: &[(f64, f64)],
    every: fn(usize) -> usize,
) -> usize {
    let on_gpu = engine.backend() == BackendKind::Gpu;
    let mut checked = 0;
    for (n, case) in cases().into_iter().enumerate() {
        let y = case.labels.as_slice().expect("standard layout");
        for &(snr, sdr) in smoothings {
            for cfg in grid(snr, sdr).into_iter().step_by(every(n)) {
                let describe = |c: &LossConfig| match c.part2_feature() {
                    Some(_) => describe_part2(c),
                    None => describe(c),
                };
                let (z, labels) = (case.logits.view(), case.labels.view());
                let mut grad = Array4::zeros(case.logits.raw_dim());
                let got = engine
                    .evaluate(&cfg, z, labels, Some(grad.view_mut()))
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e}", describe(&cfg)));
                let (want, want_grad) = loss::loss_and_grad(&cfg, z, labels)
                    .unwrap_or_else(|e| panic!("{}: {e}", describe(&cfg)));
                let what = format!("{}: {}", case.name, describe(&cfg));
                let g = grad.as_slice().expect("standard layout");
                let w = want_grad.as_slice().expect("standard layout");
                if on_gpu {
                    assert_matches(&what, (&got, g), (&want, w), y);
                } else {
                    assert_eq!(
                        (&got, g),
                        (&want, w),
                        "{what}: the fallback is the CPU engine"
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(
        engine.backend() == BackendKind::Gpu,
        on_gpu,
        "no fallback mid-run"
    );
    checked
}
