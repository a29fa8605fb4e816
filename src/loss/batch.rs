//! `Batch`: logits and labels checked for shape and laid out contiguously, and `LossError`, every way
//! an evaluation can refuse its input.

use super::config::LossKind;
use super::validate::ConfigError;
use crate::num::Num;
use ndarray::{ArrayView3, ArrayView4};
use std::borrow::Cow;

/// Why a loss could not be evaluated. Every message names the offending value and where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LossError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Logits and labels disagree in shape.
    #[error("labels have shape {labels:?} but logits have shape {logits:?}: labels must be (B, H, W) of logits (B, H, W, C)")]
    ShapeMismatch {
        /// Logits shape.
        logits: [usize; 4],
        /// Labels shape.
        labels: [usize; 3],
    },
    /// A dimension is zero.
    #[error("empty batch: logits have shape {0:?}, every dimension must be at least 1")]
    Empty([usize; 4]),
    /// Only the background class exists and it is excluded.
    #[error("no class left: there is {0} class and the background is excluded")]
    NoClasses(usize),
    /// A label outside `0..C` that is not the ignore index.
    #[error("label {value} at (b={b}, h={h}, w={w}) is outside 0..{classes} and is not the ignore index {ignore}")]
    BadLabel {
        /// The label value.
        value: i64,
        /// Image.
        b: usize,
        /// Row.
        h: usize,
        /// Column.
        w: usize,
        /// Number of classes.
        classes: usize,
        /// The configured ignore index.
        ignore: i64,
    },
    /// A NaN or infinite logit.
    #[error("logit {} at (b={b}, h={h}, w={w}, c={c}) is not finite", Num(*.value))]
    NonFinite {
        /// The value.
        value: f32,
        /// Image.
        b: usize,
        /// Row.
        h: usize,
        /// Column.
        w: usize,
        /// Channel.
        c: usize,
    },
    /// A Dice denominator of exactly zero (possible only with zero denominator smoothing).
    #[error("the Dice denominator of unit {unit}, {term}, is 0: use a denominator smoothing > 0")]
    ZeroDenominator {
        /// The unit (image index, or 0 for global).
        unit: usize,
        /// `class N`, or `all classes` for a Generalized Dice unit.
        term: String,
    },
    /// A Part 2 score's denominator of exactly zero (possible only with zero denominator smoothing).
    #[error("the {loss} denominator of unit {unit}, class {class}, is 0: use a denominator smoothing > 0")]
    ZeroScoreDenominator {
        /// The loss.
        loss: LossKind,
        /// The unit (image index, or 0 for global).
        unit: usize,
        /// The class.
        class: usize,
    },
    /// The gradient buffer is not the logits' shape or not contiguous.
    #[error(
        "the gradient buffer has shape {0:?} or a non-contiguous layout; it must match the logits"
    )]
    GradBuffer(Vec<usize>),
}

/// Validated, contiguous, row-major (B, H, W, C) logits and (B, H, W) labels.
pub struct Batch<'a> {
    /// Logits, `B·H·W·C` values, channels last.
    pub logits: Cow<'a, [f32]>,
    /// Labels, `B·H·W` values.
    pub labels: Cow<'a, [i32]>,
    /// Images.
    pub images: usize,
    /// Pixels per image (`H·W`).
    pub pixels: usize,
    /// Classes.
    pub classes: usize,
    /// `[B, H, W, C]`.
    pub shape: [usize; 4],
}

impl<'a> Batch<'a> {
    /// Checks shapes and takes the data in standard layout (copying only views that are not).
    pub fn new(
        logits: ArrayView4<'a, f32>,
        labels: ArrayView3<'a, i32>,
    ) -> Result<Self, LossError> {
        let (b, h, w, c) = logits.dim();
        let shape = [b, h, w, c];
        let (lb, lh, lw) = labels.dim();
        if (lb, lh, lw) != (b, h, w) {
            return Err(LossError::ShapeMismatch {
                logits: shape,
                labels: [lb, lh, lw],
            });
        }
        if shape.contains(&0) {
            return Err(LossError::Empty(shape));
        }
        Ok(Self {
            logits: contiguous(logits.to_slice(), || logits.iter().copied().collect()),
            labels: contiguous(labels.to_slice(), || labels.iter().copied().collect()),
            images: b,
            pixels: h * w,
            classes: c,
            shape,
        })
    }

    /// `(b, h, w)` of flat pixel index `n`.
    pub fn position(&self, n: usize) -> (usize, usize, usize) {
        let w = self.shape[2];
        (n / self.pixels, (n % self.pixels) / w, n % w)
    }

    /// The first NaN or infinite logit, ignored pixels included (a NaN there is a bug in the caller's
    /// data). The common all-finite case is one branch-free scan that vectorises.
    pub fn check_finite(&self) -> Result<(), LossError> {
        if self.logits.iter().fold(true, |ok, v| ok & v.is_finite()) {
            return Ok(());
        }
        let c = self.classes;
        match self.logits.iter().position(|v| !v.is_finite()) {
            Some(i) => {
                let (b, h, w) = self.position(i / c);
                Err(LossError::NonFinite {
                    value: self.logits[i],
                    b,
                    h,
                    w,
                    c: i % c,
                })
            }
            None => Ok(()),
        }
    }

    /// Checks that every label is a class in `0..C` or `ignore`. The CPU engine does this inside its
    /// first pass; the GPU engine, whose kernels treat any other label as ignored, calls it on upload.
    pub fn check_labels(&self, ignore: i32) -> Result<(), LossError> {
        match self
            .labels
            .iter()
            .position(|&y| y != ignore && class_of(y, self.classes).is_none())
        {
            Some(n) => Err(self.bad_label(n, ignore)),
            None => Ok(()),
        }
    }

    /// The error for the label of pixel `n`, which is neither a class nor `ignore`.
    pub(crate) fn bad_label(&self, n: usize, ignore: i32) -> LossError {
        let (b, h, w) = self.position(n);
        LossError::BadLabel {
            value: self.labels[n].into(),
            b,
            h,
            w,
            classes: self.classes,
            ignore: ignore.into(),
        }
    }
}

/// `Some(class)` when `label` is a class index below `classes`.
#[inline]
pub(crate) fn class_of(label: i32, classes: usize) -> Option<usize> {
    usize::try_from(label).ok().filter(|&y| y < classes)
}

fn contiguous<'a, T: Clone>(slice: Option<&'a [T]>, copy: impl FnOnce() -> Vec<T>) -> Cow<'a, [T]> {
    match slice {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(copy()),
    }
}
