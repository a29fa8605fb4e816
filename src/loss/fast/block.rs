//! `Block`: up to `W` consecutive pixels of one unit, transposed from the channels-last input to
//! one row of `W` lanes per class, so that every per-pixel step below is a loop over lanes that LLVM
//! vectorises (the input's `C` = 6 channels per pixel would not fill a SIMD register evenly).
//!
//! Lanes past the block's length are padding: logits 0, label −1 (ignored), never stored.

use super::vmath::{exp, ln_1p};

/// Pixels per block. 64 lanes × C rows stay in L1 for any reasonable C.
pub(crate) const W: usize = 64;

/// One f32 per lane.
pub(crate) type Lanes = [f32; W];

/// A block's logits, labels and activation, reused from block to block.
pub(crate) struct Block {
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
    pub y: [i32; W],
    /// Softmax: the largest logit of each lane.
    pub m: Lanes,
    /// Softmax: the class of the largest logit (the first, on ties), as an integer so that the
    /// gradient's per-class tests are integer compares, which LLVM vectorises (float `==` it did not).
    pub top: [i32; W],
    /// Softmax: `Σ_k e^(z_k − m) − 1`, summed without forming the 1, so that `ln_1p(rest)` and
    /// `1 − p_max = rest / (1 + rest)` keep their accuracy when one class takes almost everything.
    pub rest: Lanes,
    /// Softmax: `1 / Σ_k e^(z_k − m)`.
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
        for (k, row) in self.z.iter_mut().enumerate() {
            for (i, v) in row[..len].iter_mut().enumerate() {
                *v = logits[i * c + k];
            }
            row[len..].fill(0.0);
            self.finite &= row.iter().fold(true, |ok, v| ok & v.is_finite());
        }
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
        for (k, row) in self.g.iter().enumerate() {
            for (i, &v) in row[..self.len].iter().enumerate() {
                out[i * c + k] = v;
            }
        }
    }

    /// Softmax over the rows: `p`, and `m` and `rest` for the cross-entropy.
    pub fn softmax(&mut self) {
        let mut m = self.z[0];
        let mut top = [0i32; W];
        for (k, row) in self.z.iter().enumerate().skip(1) {
            for i in 0..W {
                let above = row[i] > m[i];
                m[i] = if above { row[i] } else { m[i] };
                top[i] = if above { k as i32 } else { top[i] };
            }
        }
        self.top = top;
        let mut s = [0.0f32; W];
        // Σ over the non-maximal logits, then plus the number of ties at the maximum minus one
        // (usually 0): adding ±1 first would round the small terms away.
        let mut rest = [0.0f32; W];
        let mut ties = [-1.0f32; W];
        for (z, p) in self.z.iter().zip(self.p.iter_mut()) {
            for i in 0..W {
                let e = exp(z[i] - m[i]);
                p[i] = e;
                s[i] += e;
                let below = z[i] < m[i];
                rest[i] += if below { e } else { 0.0 };
                ties[i] += if below { 0.0 } else { 1.0 };
            }
        }
        for i in 0..W {
            rest[i] += ties[i];
        }
        let inv = s.map(|v| 1.0 / v);
        for p in self.p.iter_mut() {
            for i in 0..W {
                p[i] *= inv[i];
            }
        }
        self.m = m;
        self.rest = rest;
        self.inv = inv;
    }

    /// Sigmoid per row: `p` and `q = 1 − p`, both from `e^−|z|` so neither cancels.
    pub fn sigmoid(&mut self) {
        for ((z, p), q) in self.z.iter().zip(self.p.iter_mut()).zip(self.q.iter_mut()) {
            for i in 0..W {
                let e = exp(-z[i].abs());
                let d = 1.0 / (1.0 + e);
                let ed = e * d;
                let pos = z[i] >= 0.0;
                p[i] = if pos { d } else { ed };
                q[i] = if pos { ed } else { d };
            }
        }
    }

    /// The logit of each lane's class (0 for ignored lanes).
    fn true_logit(&self) -> Lanes {
        let mut zy = [0.0f32; W];
        for (k, z) in self.z.iter().enumerate() {
            for i in 0..W {
                zy[i] += if self.y[i] == k as i32 { z[i] } else { 0.0 };
            }
        }
        zy
    }

    /// Adds `−log p_y` of every kept lane to `ce` (f64 lanes: with logits near ±f32::MAX,
    /// `m − z_y` overflows f32). After [`Block::softmax`] or [`Block::sigmoid`].
    pub fn add_nll(&self, softmax: bool, ce: &mut [f64; W]) {
        let zy = self.true_logit();
        for i in 0..W {
            let nll = if softmax {
                (f64::from(self.m[i]) - f64::from(zy[i])) + f64::from(ln_1p(self.rest[i]))
            } else {
                // −log σ(z) = max(−z, 0) + ln(1 + e^−|z|).
                f64::from((-zy[i]).max(0.0) + ln_1p(exp(-zy[i].abs())))
            };
            ce[i] += if self.y[i] >= 0 { nll } else { 0.0 };
        }
    }
}
