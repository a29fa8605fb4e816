//! The fast loss's per-pixel lane loops (dicelab's `loss::fast` drives them): a [`Block`] of up to
//! [`W`] pixels transposed to one row of lanes per class, its activation, and the steps of the two
//! passes over it — the class sums' lanes ([`add_class`]) and `∂L/∂z` ([`softmax_grad`],
//! [`sigmoid_grad`]) from per-class coefficients ([`ClassCoef`]).
//!
//! Every step is a small `#[inline(never)]` loop over whole lane arrays, written so that LLVM
//! vectorises it (see [`block`]'s notes); this crate's opt-level 3 is what lets it.

pub mod block;
mod transpose;
mod vmath;

pub use block::{Block, Ints, Lanes, W};

/// One class's lanes of `I`, `R` and `P` (`P` of `p²` when `SQUARED`). The rows are separate
/// `&mut` arguments: inside a tuple LLVM cannot see they do not alias, and adds a scalar copy of
/// the loop behind a run-time overlap check.
#[inline(never)]
pub fn add_class<const SQUARED: bool>(
    inter: &mut Lanes,
    truth: &mut Lanes,
    pred: &mut Lanes,
    (p, y, k): (&Lanes, &Ints, i32),
) {
    for i in 0..W {
        let (pv, hit, kept) = (p[i], y[i] == k, y[i] >= 0);
        let pp = if SQUARED { pv * pv } else { pv };
        inter[i] += if hit { pv } else { 0.0 };
        truth[i] += if hit { 1.0 } else { 0.0 };
        pred[i] += if kept { pp } else { 0.0 };
    }
}

/// One class's coefficients of `g_k = ∂L/∂p_k`, in two forms: `g = lin + sq·p` and
/// `g = full − sq·q` with `q = 1 − p`, each for `r_k = 0` and `r_k = 1` (`[miss, hit]`).
#[derive(Debug, Clone, Copy)]
pub struct ClassCoef {
    /// The slope `sq` (`2·∂L/∂P` when the denominator is squared, else 0).
    pub sq: f32,
    /// `full`, for a miss and a hit.
    pub full: [f32; 2],
    /// `lin`, for a miss and a hit.
    pub lin: [f32; 2],
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
pub fn softmax_grad(b: &mut Block, k: &[ClassCoef], ce: f32) {
    let q_top: Lanes = std::array::from_fn(|i| b.rest[i] * b.inv[i]);
    let lanes = (&b.y, &b.top);
    let mut g_ref = [0.0f32; W];
    for (class, (p, g)) in b.p.iter().zip(b.g.iter_mut()).enumerate() {
        softmax_dl_dp(g, &mut g_ref, (p, &q_top), lanes, (k[class], class as i32));
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
pub fn sigmoid_grad(b: &mut Block, k: &[ClassCoef], ce: f32) {
    let y = &b.y;
    for (class, ((z, p), (q, g))) in
        b.z.iter()
            .zip(&b.p)
            .zip(b.q.iter().zip(b.g.iter_mut()))
            .enumerate()
    {
        sigmoid_dz(g, (z, p, q), y, (k[class], class as i32), ce);
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
