//! `Block`: up to `W` consecutive pixels of one unit, transposed from the channels-last input to
//! one row of `W` lanes per class, so that every per-pixel step below is a loop over lanes that LLVM
//! vectorises (the input's `C` = 6 channels per pixel would not fill a SIMD register evenly).
//!
//! Lanes past the block's length are padding: logits 0, label −1 (ignored), never stored.
//!
//! How the lane loops are written, so that they compile to packed SSE2 / SIMD128 code (checked in
//! the disassembly of the release binary; a loop that falls back to scalar code costs 3–4× here):
//! - each is a small `#[inline(never)]` function over whole `[_; W]` arrays: no bounds checks, no
//!   tails, and its `&mut` arguments are known not to alias. Inlined into the block loop, the same
//!   loops were left scalar, with branches and conditional stores;
//! - a choice between two values is `if mask { a } else { b }` with both operands loaded before it
//!   (a load inside an arm becomes a branch);
//! - each `&mut` row is its own argument (rows inside a tuple get a run-time overlap check and a
//!   scalar copy of the loop);
//! - f32 work and f64 accumulation are separate loops (mixed, LLVM's cost model kept them scalar).

use super::transpose;
use super::vmath::{exp, ln_1p};

/// Pixels per block. 64 lanes × C rows stay in L1 for any reasonable C.
pub const W: usize = 64;

/// One f32 per lane.
pub type Lanes = [f32; W];

/// One i32 per lane (labels, class indices).
pub type Ints = [i32; W];

/// A block's logits, labels and activation, reused from block to block.
pub struct Block {
    /// Classes (rows).
    pub c: usize,
    /// Pixels in this block (the rest are padding).
    pub len: usize,
    /// Logits, `[class][lane]`.
    pub z: Vec<Lanes>,
    /// Activation `p`, `[class][lane]`.
    pub p: Vec<Lanes>,
    /// Sigmoid only: `1 − p`, computed without cancellation.
    pub q: Vec<Lanes>,
    /// Scratch rows for the gradient.
    pub g: Vec<Lanes>,
    /// The class of each lane, −1 for ignored pixels and padding.
    pub y: Ints,
    /// Softmax: the largest logit of each lane.
    pub m: Lanes,
    /// Softmax: the class of the largest logit (the first, on ties), as an integer so that the
    /// per-class tests are integer compares.
    pub top: Ints,
    /// Softmax: `Σ_{k ≠ top} e^(z_k − m)`, so that `Σ_k e^(z_k − m) = 1 + rest` exactly
    /// (`e^0 = 1`) and `ln_1p(rest)` and `1 − p_top = rest / (1 + rest)` keep their accuracy when
    /// one class takes almost everything.
    pub rest: Lanes,
    /// Softmax: `1 / (1 + rest)`.
    pub inv: Lanes,
    /// Whether every logit loaded so far was finite.
    pub finite: bool,
    /// Whether every label loaded so far was a class or the ignore index.
    pub labels_ok: bool,
}

impl Block {
    /// An empty block for `c` classes.
    pub fn new(c: usize) -> Self {
        let rows = || vec![[0.0; W]; c];
        Self {
            c,
            len: 0,
            z: rows(),
            p: rows(),
            q: rows(),
            g: rows(),
            y: [-1; W],
            m: [0.0; W],
            top: [0; W],
            rest: [0.0; W],
            inv: [0.0; W],
            finite: true,
            labels_ok: true,
        }
    }

    /// Loads `labels.len() ≤ W` pixels: `logits` holds their `len·c` values, channels last.
    pub fn load(&mut self, logits: &[f32], labels: &[i32], ignore: i32) {
        let (c, len) = (self.c, labels.len());
        self.len = len;
        if !(len == W && transpose::to_rows(&mut self.z, logits)) {
            for (k, row) in self.z.iter_mut().enumerate() {
                for (i, v) in row[..len].iter_mut().enumerate() {
                    *v = logits[i * c + k];
                }
                row[len..].fill(0.0);
            }
        }
        let finite = self.z.iter().fold(true, |ok, row| ok & all_finite(row));
        self.finite &= finite;
        let mut ok = true;
        for (lane, &l) in self.y.iter_mut().zip(labels) {
            let class = l >= 0 && (l as usize) < c;
            let kept = l != ignore;
            ok &= class | !kept;
            *lane = if class & kept { l } else { -1 };
        }
        self.y[len..].fill(-1);
        self.labels_ok &= ok;
    }

    /// Writes the first `len` lanes of the rows `g` back channels last.
    pub fn store(&self, out: &mut [f32]) {
        let c = self.c;
        if !(self.len == W && transpose::to_pixels(&self.g, out)) {
            for (k, row) in self.g.iter().enumerate() {
                for (i, &v) in row[..self.len].iter().enumerate() {
                    out[i * c + k] = v;
                }
            }
        }
    }

    /// Softmax over the rows: `p`, and `m`, `top`, `rest` and `inv`.
    pub fn softmax(&mut self) {
        // Written in place: copying the lane arrays in and out showed up as `memmove` in profiles.
        let Self {
            z,
            p,
            m,
            top,
            rest,
            inv,
            ..
        } = self;
        *m = z[0];
        for row in &z[1..] {
            lane_max(m, row);
        }
        top.fill(0);
        // Down from the last class, so that the first of tied maxima wins.
        for (k, row) in z.iter().enumerate().rev() {
            mark_equal(top, row, m, k as i32);
        }
        rest.fill(0.0);
        for (k, (z, e)) in z.iter().zip(p.iter_mut()).enumerate() {
            exp_shifted(e, rest, (z, m), (top, k as i32));
        }
        for (v, r) in inv.iter_mut().zip(rest.iter()) {
            *v = 1.0 / (1.0 + r);
        }
        for p in p.iter_mut() {
            scale(p, inv);
        }
    }

    /// Sigmoid per row: `p` and `q = 1 − p`, both from `e^−|z|` so neither cancels.
    pub fn sigmoid(&mut self) {
        for ((z, p), q) in self.z.iter().zip(self.p.iter_mut()).zip(self.q.iter_mut()) {
            sigmoid_row(z, p, q);
        }
    }

    /// The logit of each lane's class (0 for ignored lanes).
    fn true_logit(&self) -> Lanes {
        let mut zy = [0.0f32; W];
        for (k, z) in self.z.iter().enumerate() {
            add_where(&mut zy, z, &self.y, k as i32);
        }
        zy
    }

    /// Adds `−log p_y` of every kept lane to `ce` (f64 lanes: with logits near ±f32::MAX,
    /// `m − z_y` overflows f32). After [`Block::softmax`] or [`Block::sigmoid`].
    pub fn add_nll(&self, softmax: bool, ce: &mut [f64; W]) {
        let zy = self.true_logit();
        if softmax {
            nll_softmax(ce, (&self.m, &zy, &self.rest), &self.y);
        } else {
            nll_sigmoid(ce, &zy, &self.y);
        }
    }
}

/// `ce += m − z_y + ln(1 + rest)` on the kept lanes.
#[inline(never)]
fn nll_softmax(ce: &mut [f64; W], (m, zy, rest): (&Lanes, &Lanes, &Lanes), y: &Ints) {
    // The f32 part in its own loop: mixed with the f64 lanes LLVM leaves it scalar.
    let log_s = rest.map(ln_1p);
    for i in 0..W {
        let nll = (f64::from(m[i]) - f64::from(zy[i])) + f64::from(log_s[i]);
        ce[i] += if y[i] >= 0 { nll } else { 0.0 };
    }
}

/// `ce += −log σ(z_y) = max(−z_y, 0) + ln(1 + e^−|z_y|)` on the kept lanes.
#[inline(never)]
fn nll_sigmoid(ce: &mut [f64; W], zy: &Lanes, y: &Ints) {
    let nll = zy.map(|z| (-z).max(0.0) + ln_1p(exp(-z.abs())));
    for i in 0..W {
        let v = f64::from(nll[i]);
        ce[i] += if y[i] >= 0 { v } else { 0.0 };
    }
}

/// Whether every lane is finite (one `&` per lane, no early exit, so it vectorises).
#[inline(never)]
fn all_finite(row: &Lanes) -> bool {
    row.iter().fold(true, |ok, v| ok & v.is_finite())
}

/// `m = max(m, row)`, lane by lane.
#[inline(never)]
fn lane_max(m: &mut Lanes, row: &Lanes) {
    for i in 0..W {
        m[i] = m[i].max(row[i]);
    }
}

/// `top = k` on the lanes where `row` equals `m`.
#[inline(never)]
fn mark_equal(top: &mut Ints, row: &Lanes, m: &Lanes, k: i32) {
    for i in 0..W {
        let (t, eq) = (top[i], row[i] == m[i]);
        top[i] = if eq { k } else { t };
    }
}

/// `e = e^(z − m)`, and `e` added to `rest` on the lanes whose top class is not `k`.
#[inline(never)]
fn exp_shifted(e: &mut Lanes, rest: &mut Lanes, (z, m): (&Lanes, &Lanes), (top, k): (&Ints, i32)) {
    for i in 0..W {
        let v = exp(z[i] - m[i]);
        e[i] = v;
        rest[i] += if top[i] == k { 0.0 } else { v };
    }
}

/// `p *= s`, lane by lane.
#[inline(never)]
fn scale(p: &mut Lanes, s: &Lanes) {
    for i in 0..W {
        p[i] *= s[i];
    }
}

/// One row of [`Block::sigmoid`].
#[inline(never)]
fn sigmoid_row(z: &Lanes, p: &mut Lanes, q: &mut Lanes) {
    for i in 0..W {
        let e = exp(-z[i].abs());
        let d = 1.0 / (1.0 + e);
        let ed = e * d;
        let pos = z[i] >= 0.0;
        p[i] = if pos { d } else { ed };
        q[i] = if pos { ed } else { d };
    }
}

/// `acc += row` on the lanes whose label is `k`.
#[inline(never)]
fn add_where(acc: &mut Lanes, row: &Lanes, y: &Ints, k: i32) {
    for i in 0..W {
        let v = row[i];
        acc[i] += if y[i] == k { v } else { 0.0 };
    }
}
