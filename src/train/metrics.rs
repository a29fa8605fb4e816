//! Validation metrics from a confusion matrix: per-class IoU, precision, recall, pixel shares, mIoU.
//!
//! With `M[t][p]` the pixels of true class `t` predicted `p`: `TP = M[l][l]`, `FP = Σ_t M[t][l] − TP`,
//! `FN = Σ_p M[l][p] − TP`; `IoU = TP/(TP+FP+FN)`, `precision = TP/(TP+FP)`, `recall = TP/(TP+FN)`,
//! each undefined (`null`) when its denominator is 0. mIoU is the mean IoU over the classes where it
//! is defined (present in the truth or predicted somewhere).

use serde::Serialize;

/// Counts of (true class, predicted class) pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Classes.
    pub classes: usize,
    /// `counts[t·C + p]`.
    pub counts: Vec<u64>,
}

impl Confusion {
    /// All zeros.
    pub fn new(classes: usize) -> Self {
        Self {
            classes,
            counts: vec![0; classes * classes],
        }
    }

    /// Adds one image's (or batch's) pixels.
    pub fn add(&mut self, truth: &[i32], pred: &[u8]) {
        for (&t, &p) in truth.iter().zip(pred) {
            if let Ok(t) = usize::try_from(t) {
                if t < self.classes && usize::from(p) < self.classes {
                    self.counts[t * self.classes + usize::from(p)] += 1;
                }
            }
        }
    }

    /// `M[t][p]`.
    pub fn at(&self, t: usize, p: usize) -> u64 {
        self.counts[t * self.classes + p]
    }
}

/// One class's row of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// Class index.
    pub class: usize,
    /// Share of validation pixels whose true class this is.
    pub pixel_share: f64,
    /// Intersection over union.
    pub iou: Option<f64>,
    /// Of the pixels predicted this class, the share that are.
    pub precision: Option<f64>,
    /// Of the pixels of this class, the share predicted so.
    pub recall: Option<f64>,
    /// Share of validation pixels predicted this class.
    pub predicted_share: f64,
}

/// Metrics of one evaluation of the validation set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Training steps done when it was taken.
    pub step: u64,
    /// Per class.
    pub classes: Vec<ClassMetrics>,
    /// Mean IoU over the classes where IoU is defined.
    pub miou: f64,
    /// Share of pixels predicted correctly.
    pub pixel_accuracy: f64,
    /// Classes no validation pixel is predicted as.
    pub never_predicted: Vec<usize>,
    /// The confusion matrix.
    pub confusion: Confusion,
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl Evaluation {
    /// The metrics of confusion matrix `m` after `step` steps.
    pub fn from_confusion(step: u64, m: Confusion) -> Self {
        let c = m.classes;
        let total: u64 = m.counts.iter().sum();
        let classes: Vec<ClassMetrics> = (0..c)
            .map(|l| {
                let tp = m.at(l, l);
                let truth: u64 = (0..c).map(|p| m.at(l, p)).sum();
                let pred: u64 = (0..c).map(|t| m.at(t, l)).sum();
                ClassMetrics {
                    class: l,
                    pixel_share: ratio(truth, total).unwrap_or(0.0),
                    iou: ratio(tp, truth + pred - tp),
                    precision: ratio(tp, pred),
                    recall: ratio(tp, truth),
                    predicted_share: ratio(pred, total).unwrap_or(0.0),
                }
            })
            .collect();
        let ious: Vec<f64> = classes.iter().filter_map(|k| k.iou).collect();
        let correct: u64 = (0..c).map(|l| m.at(l, l)).sum();
        Self {
            step,
            miou: if ious.is_empty() {
                0.0
            } else {
                ious.iter().sum::<f64>() / ious.len() as f64
            },
            pixel_accuracy: ratio(correct, total).unwrap_or(0.0),
            never_predicted: classes
                .iter()
                .filter(|k| k.predicted_share == 0.0)
                .map(|k| k.class)
                .collect(),
            classes,
            confusion: m,
        }
    }
}
