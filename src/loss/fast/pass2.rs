//! The fast second pass: `∂L/∂z` over a range of pixels from the coefficients of `loss_terms`,
//! recomputing the activation per block (the formulas are those of `loss::grad`, in f32).

use super::block::{Block, Lanes, W};
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
    // Lane arrays copied to locals: LLVM then sees they cannot alias the rows and vectorises.
    let (y, top) = (b.y, b.top);
    let rows = b.z.iter().zip(&b.p).zip(&b.q).zip(b.g.iter_mut());
    for (class, (((z, p), q), g)) in rows.enumerate() {
        let sq = k.sq[class];
        let (full0, full1) = (k.full[0][class], k.full[1][class]);
        let (lin0, lin1) = (k.lin[0][class], k.lin[1][class]);
        for i in 0..W {
            let hit = y[i] == class as i32;
            // Both tests are computed and one kept: a branch on `softmax` here would stop LLVM.
            let top = (softmax & (top[i] == class as i32)) | (!softmax & (z[i] >= 0.0));
            // Selects, not an index by `hit`: an index would not vectorise.
            let full = if hit { full1 } else { full0 };
            let lin = if hit { lin1 } else { lin0 };
            let (from_q, from_p) = (full - sq * q[i], lin + sq * p[i]);
            g[i] = if top { from_q } else { from_p };
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
    let (y, top) = (b.y, b.top);
    let q_top: [f32; W] = std::array::from_fn(|i| b.rest[i] * b.inv[i]);
    for (class, (p, q)) in b.p.iter().zip(b.q.iter_mut()).enumerate() {
        for i in 0..W {
            let (at_top, rest) = (q_top[i], 1.0 - p[i]);
            q[i] = if top[i] == class as i32 { at_top } else { rest };
        }
    }
    dl_dp(b, k, true);
    let mut g_ref = [0.0f32; W];
    for (class, g) in b.g.iter().enumerate() {
        for i in 0..W {
            let (here, before) = (g[i], g_ref[i]);
            g_ref[i] = if top[i] == class as i32 { here } else { before };
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
        softmax_dz(g, (p, q, &pg), &y, class as i32, ce);
    }
}

/// One class row of [`softmax_grad`]'s last step.
///
/// Here and above, both arms of every `if` are loaded before it: with a load inside an arm LLVM
/// emits a branch and the loop stays scalar (measured: pass 2 took 3× longer).
fn softmax_dz(
    g: &mut Lanes,
    (p, q, pg): (&Lanes, &Lanes, &Lanes),
    y: &[i32; W],
    class: i32,
    ce: f32,
) {
    for i in 0..W {
        let (qi, pi) = (q[i], p[i]);
        let nll = if y[i] == class { -qi } else { pi };
        let dz = p[i] * (g[i] - pg[i]) + ce * nll;
        g[i] = if y[i] >= 0 { dz } else { 0.0 };
    }
}

/// `∂L/∂z_k = g_k·p_k·(1 − p_k) − r_k·s_ce·(1 − p_k)`, 0 on ignored lanes.
fn sigmoid_grad(b: &mut Block, k: &Coef, ce: f32) {
    dl_dp(b, k, false);
    let y = b.y;
    for (class, ((p, q), g)) in b.p.iter().zip(&b.q).zip(b.g.iter_mut()).enumerate() {
        for i in 0..W {
            let hit = ce * q[i];
            let nll = if y[i] == class as i32 { hit } else { 0.0 };
            let dz = g[i] * p[i] * q[i] - nll;
            g[i] = if y[i] >= 0 { dz } else { 0.0 };
        }
    }
}
