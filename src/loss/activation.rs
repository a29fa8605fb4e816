//! Per-pixel activations in f64: softmax (with its log-sum-exp) and sigmoid.
//!
//! The CPU engine evaluates every pixel in f64 so that it can serve as the oracle that the GPU path
//! and users' own implementations are checked against.
//!
//! CPU twin of src/gpu/shaders/activation.wgsl (f32, softmax from `(max, Σ others)` statistics).

use super::config::Activation;

/// Writes the activation of one pixel's logits `z` into `p` and returns `−log p_y`, computed from the
/// logits (log-sum-exp for softmax, softplus for sigmoid), never as `log(p)`.
/// GPU twin: `act_stats`, `act_prob` and `act_nll` in src/gpu/shaders/activation.wgsl.
#[inline]
pub(crate) fn activate(act: Activation, z: &[f32], y: usize, p: &mut [f64]) -> f64 {
    match act {
        Activation::Softmax => {
            let m = z
                .iter()
                .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
            let mut s = 0.0;
            for (pk, &zk) in p.iter_mut().zip(z) {
                *pk = (f64::from(zk) - m).exp();
                s += *pk;
            }
            let inv = 1.0 / s;
            for pk in p.iter_mut() {
                *pk *= inv;
            }
            m + s.ln() - f64::from(z[y])
        }
        Activation::Sigmoid => {
            for (pk, &zk) in p.iter_mut().zip(z) {
                *pk = sigmoid(f64::from(zk));
            }
            softplus(-f64::from(z[y]))
        }
    }
}

/// The first index of the largest logit: softmax's `p` is largest there (≈ 1 when it stands out).
pub(crate) fn top(z: &[f32]) -> usize {
    z.iter()
        .enumerate()
        .fold(
            (0, f32::NEG_INFINITY),
            |(a, m), (k, &v)| if v > m { (k, v) } else { (a, m) },
        )
        .0
}

/// `1 − p_k` without the cancellation of `1 − p_k` near `p_k = 1`: softmax's from the other classes'
/// mass, sigmoid's as `σ(−z_k)`.
/// GPU twin: `act_complement` in src/gpu/shaders/activation.wgsl.
pub(crate) fn complement(act: Activation, z: &[f32], k: usize) -> f64 {
    let zk = f64::from(z[k]);
    match act {
        Activation::Softmax => {
            let a = top(z);
            let m = f64::from(z[a]);
            // The classes other than `a` and `k`, then `k`'s own share if it is not `a`.
            let others: f64 = z
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != a && j != k)
                .map(|(_, &v)| (f64::from(v) - m).exp())
                .sum();
            if k == a {
                others / (1.0 + others)
            } else {
                (1.0 + others) / (1.0 + others + (zk - m).exp())
            }
        }
        Activation::Sigmoid => sigmoid(-zk),
    }
}

/// `1 / (1 + e^−x)` without overflow for large |x|.
#[inline]
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^x)` without overflow; `−ln σ(x) = softplus(−x)`.
#[inline]
pub(crate) fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_stable_and_normalised() {
        let z = [1000.0f32, 999.0, -1000.0];
        let mut p = [0.0; 3];
        let nll = activate(Activation::Softmax, &z, 1, &mut p);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        // −log p_1 = log(1 + e^−1) + 1
        let expect = (1.0f64 + (-1.0f64).exp()).ln() + 1.0;
        assert!((nll - expect).abs() < 1e-12, "{nll} vs {expect}");
    }

    #[test]
    fn sigmoid_nll_is_softplus() {
        let z = [-80.0f32, 80.0];
        let mut p = [0.0; 2];
        let nll = activate(Activation::Sigmoid, &z, 0, &mut p);
        assert!((nll - 80.0).abs() < 1e-12);
        assert!(p[0] > 0.0 && p[1] == 1.0);
        assert!((softplus(-80.0) - (-80.0f64).exp()).abs() < 1e-40);
    }
}
