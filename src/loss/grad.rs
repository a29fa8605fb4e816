//! `logit_grad`: the second pass. Per pixel `n` of unit `a`, with `g = ∂L/∂p`:
//!
//! `g_nk = ∂L/∂I_ak·r_nk + ∂L/∂P_ak·(1, or 2·p_nk when squared)`
//!
//! then through the activation, plus the cross-entropy term taken straight from the logits:
//! - softmax: `∂L/∂z_nk = p_nk·(g_nk − Σ_j p_nj·g_nj) + s_ce·(p_nk − r_nk)`
//! - sigmoid: `∂L/∂z_nk = g_nk·p_nk·(1 − p_nk) + s_ce·r_nk·(p_nk − 1)`
//!
//! Ignored pixels get exactly 0. CPU twin of the GPU kernel `logit_grad`
//! (src/gpu/shaders/logit_grad.wgsl).

use super::activation::activate;
use super::batch::Batch;
use super::config::{Activation, LossConfig};
use super::sums::unit_of;
use super::terms::Terms;

/// Writes `∂L/∂z` for every logit of `batch` into `out` (same length as the logits).
/// GPU twin: the `logit_grad` kernel in src/gpu/shaders/logit_grad.wgsl.
pub fn logit_grad(cfg: &LossConfig, batch: &Batch<'_>, t: &Terms, out: &mut [f32]) {
    let c = batch.classes;
    let mut p = vec![0.0f64; c];
    let mut g = vec![0.0f64; c];
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
        match cfg.activation {
            Activation::Softmax => {
                let pg: f64 = p.iter().zip(&g).map(|(a, b)| a * b).sum();
                for k in 0..c {
                    dz[k] = (p[k] * (g[k] - pg) + t.ce_scale * p[k]) as f32;
                }
                dz[y] = (p[y] * (g[y] - pg) + t.ce_scale * (p[y] - 1.0)) as f32;
            }
            Activation::Sigmoid => {
                for k in 0..c {
                    dz[k] = (g[k] * p[k] * (1.0 - p[k])) as f32;
                }
                dz[y] = (g[y] * p[y] * (1.0 - p[y]) + t.ce_scale * (p[y] - 1.0)) as f32;
            }
        }
    }
}
