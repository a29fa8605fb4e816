//! The fast second pass: `∂L/∂z` over a range of pixels from the coefficients of `loss_terms`,
//! recomputing the activation per block (the formulas are those of `loss::grad`, in f32).

use super::Segment;
use crate::loss::{Activation, LossConfig, Terms};
use dicelab_kernels::lanes::{sigmoid_grad, softmax_grad, Block, ClassCoef, W};

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
        let k = coefficients(cfg, t, seg.unit * c, c);
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

/// One unit's coefficients of `g_k = ∂L/∂p_k = ∂L/∂P_k·(1 or 2p_k) + r_k·∂L/∂I_k`, per class
/// ([`ClassCoef`]: `g = lin + sq·p` and `g = full − sq·q` with `q = 1 − p`; `sq = 2·∂L/∂P` when
/// squared, else 0). Near a perfect prediction `2·∂L/∂P + ∂L/∂I` almost cancels: summed here in
/// f64, and used with the accurate `q` for the dominant class (the `p` form elsewhere), `g` keeps
/// f32 accuracy.
fn coefficients(cfg: &LossConfig, t: &Terms, base: usize, c: usize) -> Vec<ClassCoef> {
    let (ci, cp) = (&t.coef_i[base..base + c], &t.coef_p[base..base + c]);
    (0..c)
        .map(|k| {
            // `∂L/∂P·(1 or 2p) = a + sq·p`: `a` is the constant part, `sq` the slope.
            let (a, sq) = if cfg.squared {
                (0.0, 2.0 * cp[k])
            } else {
                (cp[k], 0.0)
            };
            let form =
                |slope: f64, hit: bool| (a + slope * sq + if hit { ci[k] } else { 0.0 }) as f32;
            ClassCoef {
                sq: sq as f32,
                full: [form(1.0, false), form(1.0, true)],
                lin: [form(0.0, false), form(0.0, true)],
            }
        })
        .collect()
}
