//! The fast first pass: per-class sums `I`, `R`, `P` and the cross-entropy sum over a range of
//! pixels. Per block the sums go into f32 lane accumulators (vertical adds, no reduction across
//! lanes); every `FLUSH` blocks and at the end of each unit they are added to the f64 [`Sums`], so
//! no f32 sum ever holds more than `FLUSH` terms. The cross-entropy is accumulated in f64 lanes.

use super::Segment;
use crate::loss::{Activation, LossConfig, Sums};
use dicelab_kernels::lanes::{add_class, Block, Lanes, W};

/// Blocks between two flushes of the f32 lane accumulators into the f64 sums.
const FLUSH: usize = 16;

/// f32 lane accumulators of one unit, flushed into f64.
struct Acc {
    inter: Vec<Lanes>,
    truth: Vec<Lanes>,
    pred: Vec<Lanes>,
    blocks: usize,
}

impl Acc {
    fn new(c: usize) -> Self {
        Self {
            inter: vec![[0.0; W]; c],
            truth: vec![[0.0; W]; c],
            pred: vec![[0.0; W]; c],
            blocks: 0,
        }
    }

    fn add(&mut self, b: &Block, squared: bool) {
        for (k, p) in b.p.iter().enumerate() {
            let (i, t, s) = (&mut self.inter[k], &mut self.truth[k], &mut self.pred[k]);
            if squared {
                add_class::<true>(i, t, s, (p, &b.y, k as i32));
            } else {
                add_class::<false>(i, t, s, (p, &b.y, k as i32));
            }
        }
        self.blocks += 1;
    }

    /// Adds the lanes to unit `unit` of `s` and clears them.
    fn flush(&mut self, s: &mut Sums, unit: usize) {
        let base = unit * s.classes;
        for (acc, out) in [
            (&mut self.inter, &mut s.intersection),
            (&mut self.truth, &mut s.truth),
            (&mut self.pred, &mut s.pred),
        ] {
            for (k, lanes) in acc.iter_mut().enumerate() {
                out[base + k] += lanes.iter().map(|&v| f64::from(v)).sum::<f64>();
                lanes.fill(0.0);
            }
        }
        self.blocks = 0;
    }
}

/// Empty sums for `units` × `classes`.
pub(super) fn zero_sums(units: usize, classes: usize) -> Sums {
    Sums {
        units,
        classes,
        intersection: vec![0.0; units * classes],
        truth: vec![0.0; units * classes],
        pred: vec![0.0; units * classes],
        ce_sum: 0.0,
        valid: 0,
        focal: Vec::new(),
    }
}

/// Sums over `segments` (pixels `start..end` of one unit each) of `logits`/`labels`, which start
/// at pixel `offset`. Returns the sums and whether every logit was finite and every label valid
/// (the caller finds the first offender, as the oracle reports it).
pub(super) fn range_sums(
    cfg: &LossConfig,
    logits: &[f32],
    labels: &[i32],
    offset: usize,
    segments: &[Segment],
    units: usize,
    c: usize,
) -> (Sums, bool) {
    let mut s = zero_sums(units, c);
    let mut block = Block::new(c);
    let mut acc = Acc::new(c);
    let mut ce = [0.0f64; W];
    let softmax = cfg.activation == Activation::Softmax;
    for seg in segments {
        for start in (seg.start..seg.end).step_by(W) {
            let end = (start + W).min(seg.end);
            let (a, b) = (start - offset, end - offset);
            block.load(&logits[a * c..b * c], &labels[a..b], cfg.ignore_index);
            if softmax {
                block.softmax();
            } else {
                block.sigmoid();
            }
            acc.add(&block, cfg.squared);
            if cfg.has_ce() {
                block.add_nll(softmax, &mut ce);
            }
            if acc.blocks == FLUSH {
                acc.flush(&mut s, seg.unit);
            }
        }
        acc.flush(&mut s, seg.unit);
    }
    s.ce_sum = ce.iter().sum();
    s.valid = s.truth.iter().sum::<f64>() as u64;
    (s, block.finite & block.labels_ok)
}

/// Adds `b` into `a`.
pub(super) fn merge(a: &mut Sums, b: &Sums) {
    for (x, y) in [
        (&mut a.intersection, &b.intersection),
        (&mut a.truth, &b.truth),
        (&mut a.pred, &b.pred),
    ] {
        x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
    }
    a.ce_sum += b.ce_sum;
    a.valid += b.valid;
}
