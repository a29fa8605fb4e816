//! `logit_grad`: the second pass. Per pixel `n` of unit `a`, with `g = ∂L/∂p`:
//!
//! `g_nk = ∂L/∂I_ak·r_nk + ∂L/∂P_ak·(1, or 2·p_nk when squared)` (+ Lovász's `∂L/∂p_nk`)
//!
//! then through the activation, plus the cross-entropy and focal terms taken straight from the
//! logits:
//! - softmax: `∂L/∂z_nk = p_nk·(g_nk − Σ_j p_nj·g_nj) + s_ce·(p_nk − r_nk)`, with `g` shifted by
//!   its value at the largest logit (the sum of `p` is 1, so the result is the same)
//! - sigmoid: `∂L/∂z_nk = g_nk·p_nk·(1 − p_nk) + s_ce·r_nk·(p_nk − 1)`
//! - focal: `+ s_focal·∂f_n/∂z_nk` (src/loss/focal.rs)
//!
//! Every `1 − p` is taken from the other classes' mass (softmax) or as `σ(−z)` (sigmoid), never
//! subtracted from a `p` near 1: a saturated pixel's gradient keeps its digits.
//!
//! Ignored pixels get exactly 0. CPU twin of the GPU kernel `logit_grad`
//! (src/gpu/shaders/logit_grad.wgsl).

use super::activation::{activate, complement, top};
use super::batch::Batch;
use super::config::{Activation, LossConfig};
use super::focal::Focal;
use super::sums::unit_of;
use super::terms::Terms;

/// Writes `∂L/∂z` for every logit of `batch` into `out` (same length as the logits).
/// GPU twin: the `logit_grad` kernel in src/gpu/shaders/logit_grad.wgsl.
pub fn logit_grad(cfg: &LossConfig, batch: &Batch<'_>, t: &Terms, out: &mut [f32]) {
    let c = batch.classes;
    let mut p = vec![0.0f64; c];
    let mut g = vec![0.0f64; c];
    let mut d = vec![0.0f64; c];
    let mut scratch = vec![0.0f64; c];
    // Only the parts a loss has are added, so Part 1's gradients keep their exact bits.
    let focal = (cfg.has_focal() && t.focal_scale != 0.0).then(|| Focal::new(cfg));
    let pixel_grad = (!t.pixel_grad.is_empty()).then_some(&t.pixel_grad[..]);
    let pixels = batch.logits.chunks_exact(c).zip(out.chunks_exact_mut(c));
    for (n, ((z, dz), &label)) in pixels.zip(batch.labels.iter()).enumerate() {
        // Labels were validated by the first pass: anything not a class is the ignore index.
        let Ok(y) = usize::try_from(label) else {
            dz.fill(0.0);
            continue;
        };
        if label == cfg.ignore_index || y >= c {
            dz.fill(0.0);
            continue;
        }
        activate(cfg.activation, z, y, &mut p);
        let base = unit_of(cfg, n / batch.pixels) * c;
        let (ci, cp) = (&t.coef_i[base..base + c], &t.coef_p[base..base + c]);
        for k in 0..c {
            let dp = if cfg.squared { 2.0 * p[k] } else { 1.0 };
            g[k] = cp[k] * dp;
        }
        g[y] += ci[y];
        if let Some(pg) = pixel_grad {
            g.iter_mut()
                .zip(&pg[n * c..(n + 1) * c])
                .for_each(|(a, b)| *a += b);
        }
        match cfg.activation {
            Activation::Softmax => {
                // g shifted by the top class's: with p_a ≈ 1, Σ_j p_j·g_j would be p_a·g_a plus
                // the small classes' terms, which `g_k − Σ` then cancels away.
                let ga = g[top(z)];
                let pg: f64 = p.iter().zip(&g).map(|(a, b)| a * (b - ga)).sum();
                for k in 0..c {
                    d[k] = p[k] * ((g[k] - ga) - pg) + t.ce_scale * p[k];
                }
                d[y] = p[y] * ((g[y] - ga) - pg) - t.ce_scale * complement(cfg.activation, z, y);
            }
            Activation::Sigmoid => {
                for k in 0..c {
                    d[k] = g[k] * p[k] * complement(cfg.activation, z, k);
                }
                d[y] -= t.ce_scale * complement(cfg.activation, z, y);
            }
        }
        if let Some(f) = &focal {
            f.add_grad(z, y, t.focal_scale, &mut scratch, &mut d);
        }
        for (o, &v) in dz.iter_mut().zip(&d) {
            *o = v as f32;
        }
    }
}
