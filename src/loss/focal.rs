//! The focal loss (Lin et al. 2017; docs/losses.md 2.6) of one pixel, straight from its logits:
//! its value per class, summed into the first pass's sums, and its gradient, added in the second.
//!
//! - sigmoid (default; SMP `FocalLoss("multiclass")`, MONAI `FocalLoss()`): one binary term per
//!   class `l ∈ K` on the one-hot target. With `sgn = ±1` (`r_nl = 1` or 0), `u = sgn·z`,
//!   `q = σ(u)`, `ℓ = softplus(−u)`, `w = α` or `1 − α` (1 when unset):
//!   `f = w·(1 − q)^γ·ℓ`, `∂f/∂z_nl = −sgn·w·(1 − q)^γ·(γ·q·ℓ + 1 − q)`.
//! - softmax (MONAI `use_softmax=True`): one term per pixel, `q = p_y`, `w = 1 − α` for `y = 0`
//!   and `α` otherwise: `f = w·(1 − q)^γ·ℓ`,
//!   `∂f/∂z_k = w·(1 − q)^γ·(γ·q·ℓ/(1 − q) + 1)·(p_k − [k = y])`, 0 where `1 − q = 0`.
//!
//! The softmax form's `(1 − q)^(γ−1)·(γqℓ + 1 − q)` is written `(1 − q)^γ·(γqℓ/(1 − q) + 1)`:
//! the same number, without `0^(γ−1)` overflowing for γ < 1 (`ℓ/(1 − q) → 1` as `q → 1`).
//! `1 − q` is summed from the other classes rather than subtracted from 1.

use super::activation::{sigmoid, softplus};
use super::config::{Activation, LossConfig, LossKind};

/// The focal options in force, resolved once per evaluation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Focal {
    softmax: bool,
    gamma: f64,
    alpha: Option<f64>,
    first: usize,
}

impl Focal {
    /// The focal term of `cfg` (`dice+focal`'s is always the sigmoid form).
    pub(crate) fn new(cfg: &LossConfig) -> Self {
        Self {
            softmax: cfg.kind != LossKind::DiceFocal && cfg.focal_activation == Activation::Softmax,
            gamma: cfg.gamma(),
            alpha: cfg.alpha,
            first: cfg.first_class(),
        }
    }

    /// Whether this is the softmax form (one term per pixel).
    pub(crate) fn softmax(&self) -> bool {
        self.softmax
    }

    /// Adds the pixel's focal terms to `acc` (one entry per class: the sigmoid form's term of each
    /// class in `K`; the softmax form's one term at the true class `y`).
    pub(crate) fn add_value(&self, z: &[f32], y: usize, acc: &mut [f64]) {
        if self.softmax {
            let (_, one_minus_q, nll) = softmax_stats(z, y, None);
            acc[y] += self.class_weight(y) * one_minus_q.powf(self.gamma) * nll;
            return;
        }
        for (l, (a, &zl)) in acc.iter_mut().zip(z).enumerate().skip(self.first) {
            let (w, sgn) = self.binary(l == y);
            let u = sgn * f64::from(zl);
            *a += w * sigmoid(-u).powf(self.gamma) * softplus(-u);
        }
    }

    /// Adds `scale·∂f/∂z` of the pixel's focal terms to `dz`; `p` is scratch of the class count.
    pub(crate) fn add_grad(&self, z: &[f32], y: usize, scale: f64, p: &mut [f64], dz: &mut [f64]) {
        if self.softmax {
            let (q, one_minus_q, nll) = softmax_stats(z, y, Some(p));
            if one_minus_q == 0.0 {
                return;
            }
            let a = scale
                * self.class_weight(y)
                * one_minus_q.powf(self.gamma)
                * (self.gamma * q * nll / one_minus_q + 1.0);
            for (k, (d, &pk)) in dz.iter_mut().zip(p.iter()).enumerate() {
                // `p_y − 1 = −(1 − q)`, taken from the sum of the others.
                let diff = if k == y { -one_minus_q } else { pk };
                *d += a * diff;
            }
            return;
        }
        for (l, (d, &zl)) in dz.iter_mut().zip(z).enumerate().skip(self.first) {
            let (w, sgn) = self.binary(l == y);
            let u = sgn * f64::from(zl);
            let (q, one_minus_q) = (sigmoid(u), sigmoid(-u));
            let nll = softplus(-u);
            *d -= scale
                * sgn
                * w
                * one_minus_q.powf(self.gamma)
                * (self.gamma * q * nll + one_minus_q);
        }
    }

    /// The sigmoid form's weight and sign for a positive (`r = 1`) or negative element.
    fn binary(&self, positive: bool) -> (f64, f64) {
        match (positive, self.alpha) {
            (true, a) => (a.unwrap_or(1.0), 1.0),
            (false, a) => (a.map_or(1.0, |a| 1.0 - a), -1.0),
        }
    }

    /// The softmax form's weight of a pixel of class `y` (MONAI's scalar alpha).
    fn class_weight(&self, y: usize) -> f64 {
        match (y, self.alpha) {
            (_, None) => 1.0,
            (0, Some(a)) => 1.0 - a,
            (_, Some(a)) => a,
        }
    }
}

/// `(q, 1 − q, −ln q)` of the softmax at class `y`, from the logits (log-sum-exp); the
/// probabilities go to `p` when given.
fn softmax_stats(z: &[f32], y: usize, p: Option<&mut [f64]>) -> (f64, f64, f64) {
    let m = z
        .iter()
        .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
    let (mut s, mut others) = (0.0, 0.0);
    for (k, &zk) in z.iter().enumerate() {
        let e = (f64::from(zk) - m).exp();
        s += e;
        if k != y {
            others += e;
        }
    }
    if let Some(p) = p {
        for (pk, &zk) in p.iter_mut().zip(z) {
            *pk = (f64::from(zk) - m).exp() / s;
        }
    }
    let nll = m + s.ln() - f64::from(z[y]);
    ((f64::from(z[y]) - m).exp() / s, others / s, nll)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn focal(softmax: bool, gamma: f64, alpha: Option<f64>) -> Focal {
        Focal::new(&LossConfig {
            kind: LossKind::Focal,
            focal_activation: if softmax {
                Activation::Softmax
            } else {
                Activation::Sigmoid
            },
            gamma: Some(gamma),
            alpha,
            ..LossConfig::default()
        })
    }

    /// Central differences of `add_value`'s total, in f64 on f32 logits (so a coarse step).
    fn fd(f: &Focal, z: &[f32], y: usize, k: usize) -> f64 {
        let total = |d: f32| {
            let mut zz = z.to_vec();
            zz[k] += d;
            let mut acc = vec![0.0; z.len()];
            f.add_value(&zz, y, &mut acc);
            acc.iter().sum::<f64>()
        };
        (total(1e-2) - total(-1e-2)) / 2e-2
    }

    #[test]
    fn gradients_match_differences() {
        let z = [0.7f32, -1.25, 2.0];
        for f in [
            focal(false, 2.0, None),
            focal(false, 0.5, Some(0.25)),
            focal(true, 2.0, Some(0.25)),
            focal(true, 0.0, None),
        ] {
            let mut dz = [0.0; 3];
            let mut p = [0.0; 3];
            f.add_grad(&z, 1, 1.0, &mut p, &mut dz);
            for (k, &got) in dz.iter().enumerate() {
                let want = fd(&f, &z, 1, k);
                assert!((got - want).abs() < 1e-3, "{f:?} {k}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn gamma_zero_is_cross_entropy() {
        let z = [0.3f32, -0.5, 1.5];
        let mut acc = [0.0; 3];
        focal(true, 0.0, None).add_value(&z, 2, &mut acc);
        let lse = z.iter().map(|&v| f64::from(v).exp()).sum::<f64>().ln();
        assert!((acc[2] - (lse - 1.5)).abs() < 1e-12);
    }
}
