//! The fast second pass: `∂L/∂z` over a range of pixels from the coefficients of `loss_terms`,
//! recomputing the activation per block (the formulas are those of `loss::grad`, in f32).

use super::block::{Block, W};
use super::Segment;
use crate::loss::{Activation, LossConfig, Terms};

/// Writes the gradient of `segments` (pixels of `logits`/`labels`/`out`, which start at pixel
/// `offset`).
pub(super) fn range_grad(
    cfg: &LossConfig,
    t: &Terms,
    (logits, labels, out): (&[f32], &[i32], &mut [f32]),
    offset: usize,
    segments: &[Segment],
    c: usize,
) {
    let mut b = Block::new(c);
    let ce = t.ce_scale as f32;
    let softmax = cfg.activation == Activation::Softmax;
    for seg in segments {
        let k = Coef::new(cfg, t, seg.unit * c, c);
        for start in (seg.start..seg.end).step_by(W) {
            let end = (start + W).min(seg.end);
            let (lo, hi) = (start - offset, end - offset);
            b.load(&logits[lo * c..hi * c], &labels[lo..hi], cfg.ignore_index);
            if softmax {
                b.softmax();
                softmax_grad(&mut b, &k, ce);
            } else {
                b.sigmoid();
                sigmoid_grad(&mut b, &k, ce);
            }
            b.store(&mut out[lo * c..hi * c]);
        }
    }
}

/// One unit's coefficients of `g_k = ∂L/∂p_k = ∂L/∂P_k·(1 or 2p_k) + r_k·∂L/∂I_k`, in two forms:
/// `g = lin + sq·p` and `g = full − sq·q` with `q = 1 − p` (`sq = 2·∂L/∂P` when squared, else 0).
/// Near a perfect prediction `2·∂L/∂P + ∂L/∂I` almost cancels: summed here in f64, and used with
/// the accurate `q` for the dominant class (the `p` form elsewhere), `g` keeps f32 accuracy.
struct Coef {
    /// `full`, `lin` for `r_k = 1` and `r_k = 0`, and `sq`, per class.
    full: [Vec<f32>; 2],
    lin: [Vec<f32>; 2],
    sq: Vec<f32>,
}

impl Coef {
    fn new(cfg: &LossConfig, t: &Terms, base: usize, c: usize) -> Self {
        let (ci, cp) = (&t.coef_i[base..base + c], &t.coef_p[base..base + c]);
        // `∂L/∂P·(1 or 2p) = a + sq·p`: `a` is the constant part, `sq` the slope.
        let (a, sq): (Vec<f64>, Vec<f64>) = if cfg.squared {
            cp.iter().map(|&p| (0.0, 2.0 * p)).unzip()
        } else {
            cp.iter().map(|&p| (p, 0.0)).unzip()
        };
        let form = |slope: f64, hit: bool| -> Vec<f32> {
            let i = |k: usize| if hit { ci[k] } else { 0.0 };
            (0..c)
                .map(|k| (a[k] + slope * sq[k] + i(k)) as f32)
                .collect()
        };
        Self {
            full: [form(1.0, false), form(1.0, true)],
            lin: [form(0.0, false), form(0.0, true)],
            sq: sq.iter().map(|&v| v as f32).collect(),
        }
    }
}

/// `g_k = ∂L/∂p_k` into the rows `b.g`, from `b.p` and `b.q = 1 − p`: the `q` form on the lanes
/// where class k dominates (`top`: the largest logit for softmax, `z ≥ 0` for sigmoid).
fn dl_dp(b: &mut Block, k: &Coef, softmax: bool) {
    let rows = b.z.iter().zip(&b.p).zip(&b.q).zip(b.g.iter_mut());
    for (class, (((z, p), q), g)) in rows.enumerate() {
        let sq = k.sq[class];
        let (full, lin) = (
            [k.full[0][class], k.full[1][class]],
            [k.lin[0][class], k.lin[1][class]],
        );
        for i in 0..W {
            let hit = usize::from(b.y[i] == class as i32);
            let top = if softmax { z[i] == b.m[i] } else { z[i] >= 0.0 };
            g[i] = if top {
                full[hit] - sq * q[i]
            } else {
                lin[hit] + sq * p[i]
            };
        }
    }
}

/// `∂L/∂z_k = p_k·(g_k − Σ_j p_j·g_j) + s_ce·(p_k − r_k)`, 0 on ignored lanes.
///
/// In f32, `g_k − Σ_j p_j·g_j` cancels when one class has `p ≈ 1`, and so does `p_y − 1`. Both
/// are rewritten around the class with the largest logit (`g_ref`): `g_k − Σ p_j·g_j =
/// (g_k − g_ref) − Σ_j p_j·(g_j − g_ref)` (as `Σ p_j = 1`), and `1 − p_max = rest/s`; so saturated
/// pixels keep their (tiny) gradient to f32 relative accuracy, as the f64 oracle does.
fn softmax_grad(b: &mut Block, k: &Coef, ce: f32) {
    for ((z, p), q) in b.z.iter().zip(&b.p).zip(b.q.iter_mut()) {
        for i in 0..W {
            q[i] = if z[i] == b.m[i] {
                b.rest[i] * b.inv[i]
            } else {
                1.0 - p[i]
            };
        }
    }
    dl_dp(b, k, true);
    let mut g_ref = [0.0f32; W];
    for (z, g) in b.z.iter().zip(&b.g) {
        for i in 0..W {
            g_ref[i] = if z[i] == b.m[i] { g[i] } else { g_ref[i] };
        }
    }
    let mut pg = [0.0f32; W];
    for (p, g) in b.p.iter().zip(b.g.iter_mut()) {
        for i in 0..W {
            g[i] -= g_ref[i];
            pg[i] += p[i] * g[i];
        }
    }
    for (class, ((p, g), q)) in b.p.iter().zip(b.g.iter_mut()).zip(&b.q).enumerate() {
        for i in 0..W {
            let nll = if b.y[i] == class as i32 { -q[i] } else { p[i] };
            let dz = p[i] * (g[i] - pg[i]) + ce * nll;
            g[i] = if b.y[i] >= 0 { dz } else { 0.0 };
        }
    }
}

/// `∂L/∂z_k = g_k·p_k·(1 − p_k) − r_k·s_ce·(1 − p_k)`, 0 on ignored lanes.
fn sigmoid_grad(b: &mut Block, k: &Coef, ce: f32) {
    dl_dp(b, k, false);
    for (class, ((p, q), g)) in b.p.iter().zip(&b.q).zip(b.g.iter_mut()).enumerate() {
        for i in 0..W {
            let nll = if b.y[i] == class as i32 {
                ce * q[i]
            } else {
                0.0
            };
            let dz = g[i] * p[i] * q[i] - nll;
            g[i] = if b.y[i] >= 0 { dz } else { 0.0 };
        }
    }
}
