//! The fast second pass: `∂L/∂z` over a range of pixels from the coefficients of `loss_terms`,
//! recomputing the activation per block (the formulas are those of `loss::grad`, in f32).

use super::block::{Block, Ints, Lanes, W};
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

    /// Class `k`'s coefficients.
    fn class(&self, k: usize) -> ClassCoef {
        ClassCoef {
            sq: self.sq[k],
            full: [self.full[0][k], self.full[1][k]],
            lin: [self.lin[0][k], self.lin[1][k]],
        }
    }
}

/// One class's [`Coef`], as scalars for the lane loops (`[r_k = 0, r_k = 1]`).
#[derive(Clone, Copy)]
struct ClassCoef {
    sq: f32,
    full: [f32; 2],
    lin: [f32; 2],
}

impl ClassCoef {
    /// `g_k = ∂L/∂p_k` of one lane: the `q` form where class k dominates (`at_top`).
    #[inline(always)]
    fn dl_dp(self, hit: bool, at_top: bool, p: f32, q: f32) -> f32 {
        // Selects between values, not an index by `hit`: an index would not vectorise.
        let full = if hit { self.full[1] } else { self.full[0] };
        let lin = if hit { self.lin[1] } else { self.lin[0] };
        let (from_q, from_p) = (full - self.sq * q, lin + self.sq * p);
        if at_top {
            from_q
        } else {
            from_p
        }
    }
}

/// `∂L/∂z_k = p_k·(g_k − Σ_j p_j·g_j) + s_ce·(p_k − r_k)`, 0 on ignored lanes.
///
/// In f32, `g_k − Σ_j p_j·g_j` cancels when one class has `p ≈ 1`, and so does `p_y − 1`. Both
/// are rewritten around the class with the largest logit (`g_ref`): `g_k − Σ p_j·g_j =
/// (g_k − g_ref) − Σ_j p_j·(g_j − g_ref)` (as `Σ p_j = 1`), and `1 − p_top = rest/(1 + rest)`;
/// so saturated pixels keep their (tiny) gradient to f32 relative accuracy, as the f64 oracle does.
fn softmax_grad(b: &mut Block, k: &Coef, ce: f32) {
    let q_top: Lanes = std::array::from_fn(|i| b.rest[i] * b.inv[i]);
    let lanes = (&b.y, &b.top);
    let mut g_ref = [0.0f32; W];
    for (class, (p, g)) in b.p.iter().zip(b.g.iter_mut()).enumerate() {
        softmax_dl_dp(
            g,
            &mut g_ref,
            (p, &q_top),
            lanes,
            (k.class(class), class as i32),
        );
    }
    let mut pg = [0.0f32; W];
    for (p, g) in b.p.iter().zip(b.g.iter_mut()) {
        shift_and_dot(g, &mut pg, p, &g_ref);
    }
    for (class, (p, g)) in b.p.iter().zip(b.g.iter_mut()).enumerate() {
        softmax_dz(g, (p, &pg, &q_top), lanes, class as i32, ce);
    }
}

/// Class `class`'s row of `g = ∂L/∂p` (softmax: `q = 1 − p` is needed only where the class is
/// on top, where it is `q_top`), and that row added to `g_ref` on the lanes where it is on top.
#[inline(never)]
fn softmax_dl_dp(
    g: &mut Lanes,
    g_ref: &mut Lanes,
    (p, q_top): (&Lanes, &Lanes),
    (y, top): (&Ints, &Ints),
    (k, class): (ClassCoef, i32),
) {
    for i in 0..W {
        let at_top = top[i] == class;
        let v = k.dl_dp(y[i] == class, at_top, p[i], q_top[i]);
        g[i] = v;
        g_ref[i] += if at_top { v } else { 0.0 };
    }
}

/// `g −= g_ref` and `pg += p·g`, lane by lane.
#[inline(never)]
fn shift_and_dot(g: &mut Lanes, pg: &mut Lanes, p: &Lanes, g_ref: &Lanes) {
    for i in 0..W {
        let d = g[i] - g_ref[i];
        g[i] = d;
        pg[i] += p[i] * d;
    }
}

/// One class row of [`softmax_grad`]'s last step.
#[inline(never)]
fn softmax_dz(
    g: &mut Lanes,
    (p, pg, q_top): (&Lanes, &Lanes, &Lanes),
    (y, top): (&Ints, &Ints),
    class: i32,
    ce: f32,
) {
    for i in 0..W {
        let (pi, qt) = (p[i], q_top[i]);
        let q = if top[i] == class { qt } else { 1.0 - pi };
        let nll = if y[i] == class { -q } else { pi };
        let dz = pi * (g[i] - pg[i]) + ce * nll;
        g[i] = if y[i] >= 0 { dz } else { 0.0 };
    }
}

/// `∂L/∂z_k = g_k·p_k·(1 − p_k) − r_k·s_ce·(1 − p_k)`, 0 on ignored lanes.
fn sigmoid_grad(b: &mut Block, k: &Coef, ce: f32) {
    let y = &b.y;
    for (class, ((z, p), (q, g))) in
        b.z.iter()
            .zip(&b.p)
            .zip(b.q.iter().zip(b.g.iter_mut()))
            .enumerate()
    {
        sigmoid_dz(g, (z, p, q), y, (k.class(class), class as i32), ce);
    }
}

/// One class row of [`sigmoid_grad`]; the class is on top where `z ≥ 0` (`p ≥ ½`).
#[inline(never)]
fn sigmoid_dz(
    g: &mut Lanes,
    (z, p, q): (&Lanes, &Lanes, &Lanes),
    y: &Ints,
    (k, class): (ClassCoef, i32),
    ce: f32,
) {
    for i in 0..W {
        let (pi, qi, hit) = (p[i], q[i], y[i] == class);
        let dl = k.dl_dp(hit, z[i] >= 0.0, pi, qi);
        let nll = if hit { ce * qi } else { 0.0 };
        let dz = dl * pi * qi - nll;
        g[i] = if y[i] >= 0 { dz } else { 0.0 };
    }
}
