//! `class_sums`: the first pass. One walk over the pixels accumulates, per unit and class, the
//! intersection `I`, true volume `R` and predicted volume `P`, the cross-entropy sum and, for the
//! focal losses, the focal terms per class, all in f64.
//! It also validates labels and logits, so bad input costs no extra pass.
//!
//! CPU twin of the GPU kernels `class_sums` and `combine_sums` (src/gpu/shaders/class_sums.wgsl).

use super::activation::activate;
use super::batch::{class_of, Batch, LossError};
use super::config::{Aggregation, LossConfig};
use super::focal::Focal;

/// Per-(unit, class) sums, row-major `[unit][class]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sums {
    /// Number of units (1 for global aggregation, B per image).
    pub units: usize,
    /// Number of classes.
    pub classes: usize,
    /// `I_al = Σ r·p`.
    pub intersection: Vec<f64>,
    /// `R_al = Σ r` (`= Σ r²` for hard labels).
    pub truth: Vec<f64>,
    /// `P_al = Σ p`, or `Σ p²` with the squared denominator.
    pub pred: Vec<f64>,
    /// `Σ −log p_{n,y_n}` over non-ignored pixels.
    pub ce_sum: f64,
    /// Number of non-ignored pixels.
    pub valid: u64,
    /// Per-(unit, class) sums of the focal terms (docs/losses.md 2.6; the softmax form's term at
    /// the pixel's class); empty unless the loss has a focal part.
    pub focal: Vec<f64>,
}

impl Sums {
    /// Index of `(unit, class)` in the flat vectors.
    pub fn at(&self, unit: usize, class: usize) -> usize {
        unit * self.classes + class
    }
}

/// Which unit image `b` belongs to.
pub(crate) fn unit_of(cfg: &LossConfig, image: usize) -> usize {
    match cfg.aggregation {
        Aggregation::Global => 0,
        Aggregation::PerImage => image,
    }
}

/// Number of units for a batch of `images`.
pub(crate) fn unit_count(cfg: &LossConfig, images: usize) -> usize {
    match cfg.aggregation {
        Aggregation::Global => 1,
        Aggregation::PerImage => images,
    }
}

/// The first pass: sums for every unit and class, with labels and logits validated on the way.
/// GPU twin: the `class_sums` and `combine_sums` kernels in src/gpu/shaders/class_sums.wgsl.
pub fn class_sums(cfg: &LossConfig, batch: &Batch<'_>) -> Result<Sums, LossError> {
    let c = batch.classes;
    // Checked up front so that the loop below may assume finite logits.
    batch.check_finite()?;
    let units = unit_count(cfg, batch.images);
    let mut s = Sums {
        units,
        classes: c,
        intersection: vec![0.0; units * c],
        truth: vec![0.0; units * c],
        pred: vec![0.0; units * c],
        ce_sum: 0.0,
        valid: 0,
        focal: if cfg.has_focal() {
            vec![0.0; units * c]
        } else {
            Vec::new()
        },
    };
    let focal = cfg.has_focal().then(|| Focal::new(cfg));
    let mut p = vec![0.0f64; c];
    let ignore = cfg.ignore_index;
    for (n, (z, &label)) in batch
        .logits
        .chunks_exact(c)
        .zip(batch.labels.iter())
        .enumerate()
    {
        if label == ignore {
            continue;
        }
        let y = class_of(label, c).ok_or_else(|| batch.bad_label(n, ignore))?;
        s.ce_sum += activate(cfg.activation, z, y, &mut p);
        s.valid += 1;
        let base = unit_of(cfg, n / batch.pixels) * c;
        s.intersection[base + y] += p[y];
        s.truth[base + y] += 1.0;
        let pred = &mut s.pred[base..base + c];
        if cfg.squared {
            pred.iter_mut().zip(&p).for_each(|(a, &pk)| *a += pk * pk);
        } else {
            pred.iter_mut().zip(&p).for_each(|(a, &pk)| *a += pk);
        }
        if let Some(f) = &focal {
            f.add_value(z, y, &mut s.focal[base..base + c]);
        }
    }
    Ok(s)
}
