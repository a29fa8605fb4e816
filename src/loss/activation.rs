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
