//! Lovász-softmax (Berman et al. 2018; docs/losses.md 2.7): per unit and class present in the
//! unit's truth, the errors `e_n = |r_nl − p_nl|` sorted in decreasing order (ties by ascending
//! flat pixel index), the Jaccard-loss increments `δ_k` along them in closed form, and
//! `λ_al = Σ_k δ_k·e_π(k)`. With the order fixed `λ` is linear in `e`, so `∂λ/∂e_π(k) = δ_k`;
//! the per-pixel `∂L/∂p` goes to `Terms::pixel_grad`, which `logit_grad` takes through the
//! activation like the other losses' `g`.
//!
//! Not a function of the sums: it needs every probability of the unit, so it allocates per pixel
//! (the probabilities and the order of one unit, and the gradient of the batch).

use super::activation::activate;
use super::batch::Batch;
use super::config::{LossConfig, Reduction};
use super::sums::{unit_count, Sums};
use super::terms::Terms;

/// `δ_k` for the `k`-th sorted pixel, `f` and `b` the foreground and background pixels among
/// the first `k` (this one included), `r` the class's pixel count. The closed forms of
/// `J_k − J_{k−1}`, which cancel catastrophically when subtracted (docs/losses.md 2.7).
fn increment(foreground: bool, f: f64, b: f64, r: f64) -> f64 {
    if foreground {
        1.0 / (r + b)
    } else {
        (r - f) / ((r + b) * (r + b - 1.0))
    }
}

/// Adds the Lovász loss of `batch` to `t`: the loss, each present class's `λ_al` (`term`), each
/// unit's mean over its present classes (`unit_lovasz`) and `∂L/∂p` per pixel (`pixel_grad`).
pub(crate) fn lovasz_loss(cfg: &LossConfig, batch: &Batch<'_>, s: &Sums, t: &mut Terms) {
    let c = batch.classes;
    let units = unit_count(cfg, batch.images);
    let per_unit = batch.images * batch.pixels / units;
    let first = cfg.first_class();
    t.term = vec![None; units * c];
    t.unit_lovasz = vec![0.0; units];
    t.pixel_grad = vec![0.0; batch.logits.len()];
    let mut loss = 0.0;
    let mut p = vec![0.0; c];
    for a in 0..units {
        // The unit's valid pixels in ascending flat order, their labels and probabilities.
        let mut pixels = Vec::new();
        let mut labels = Vec::new();
        let mut probs = Vec::new();
        for n in a * per_unit..(a + 1) * per_unit {
            let label = batch.labels[n];
            let Some(y) = usize::try_from(label)
                .ok()
                .filter(|&y| label != cfg.ignore_index && y < c)
            else {
                continue;
            };
            activate(cfg.activation, &batch.logits[n * c..(n + 1) * c], y, &mut p);
            pixels.push(n);
            labels.push(y);
            probs.extend_from_slice(&p);
        }
        let present: Vec<usize> = (first..c).filter(|&l| s.truth[s.at(a, l)] > 0.0).collect();
        if present.is_empty() {
            continue;
        }
        let scale = match cfg.reduction {
            Reduction::Mean => 1.0 / (units * present.len()) as f64,
            Reduction::Sum => 1.0,
        };
        let mut order: Vec<(f64, usize)> = Vec::with_capacity(pixels.len());
        let mut unit_sum = 0.0;
        for &l in &present {
            let r = s.truth[s.at(a, l)];
            order.clear();
            order.extend(labels.iter().enumerate().map(|(j, &y)| {
                let pl = probs[j * c + l];
                (if y == l { 1.0 - pl } else { pl }, j)
            }));
            order.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let (mut f, mut b, mut lambda) = (0.0, 0.0, 0.0);
            for &(e, j) in &order {
                let fg = labels[j] == l;
                if fg {
                    f += 1.0;
                } else {
                    b += 1.0;
                }
                let delta = increment(fg, f, b, r);
                lambda += delta * e;
                // `∂e/∂p` is −1 on the class, +1 off it.
                let sign = if fg { -1.0 } else { 1.0 };
                t.pixel_grad[pixels[j] * c + l] = scale * sign * delta;
            }
            t.term[s.at(a, l)] = Some(lambda);
            unit_sum += lambda;
        }
        t.unit_lovasz[a] = unit_sum / present.len() as f64;
        loss += match cfg.reduction {
            Reduction::Mean => t.unit_lovasz[a] / units as f64,
            Reduction::Sum => unit_sum,
        };
    }
    t.loss += loss;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increments_sum_to_one_and_match_the_differences() {
        // Foreground pattern of a sorted unit: R = 3 class pixels among 7.
        let fg = [true, false, true, false, false, true, false];
        let r = 3.0;
        let (mut f, mut b, mut sum, mut prev) = (0.0, 0.0, 0.0, 0.0);
        for &x in &fg {
            if x {
                f += 1.0;
            } else {
                b += 1.0;
            }
            let d = increment(x, f, b, r);
            let j = 1.0 - (r - f) / (r + b);
            assert!((d - (j - prev)).abs() < 1e-15 && d >= 0.0);
            prev = j;
            sum += d;
        }
        assert!((sum - 1.0).abs() < 1e-15);
    }
}
