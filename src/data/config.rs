//! `DataConfig`: the options of the synthetic scenes, named as on the CLI and in the page's URL, and
//! validated in one place.

use crate::num::Num;
use crate::options::named;
use serde::{Deserialize, Serialize};

/// The accepted ranges of `DataConfig`'s numeric options (the page's controls are generated from them).
pub mod range {
    use std::ops::RangeInclusive;
    /// Classes, class 0 the background (the net's limit).
    pub const CLASSES: RangeInclusive<usize> = crate::net::CLASSES;
    /// Image height and width in pixels.
    pub const SIZE: RangeInclusive<usize> = 32..=128;
    /// Height and width of your own image, as the page downscales it.
    pub const OWN_SIDE: RangeInclusive<usize> = 32..=256;
    /// Share of the most frequent class over the rarest.
    pub const IMBALANCE: RangeInclusive<f64> = 1.0..=1000.0;
    /// Standard deviation of the pixel noise.
    pub const NOISE: RangeInclusive<f64> = 0.0..=0.5;
    /// Parallelograms per image in the sparse modes.
    pub const POLYGONS: RangeInclusive<usize> = 1..=32;
    /// Training images.
    pub const TRAIN_IMAGES: RangeInclusive<usize> = 1..=4096;
    /// Validation images.
    pub const VAL_IMAGES: RangeInclusive<usize> = 1..=256;
}

/// The label of unlabelled pixels in `sparse-ignore` mode (the loss engine's default ignore index).
pub const IGNORE_LABEL: i32 = 255;

named! {
    /// Which pixels of a training image carry a label.
    Annotation ("annotation") {
        /// Every pixel.
        Full => "full",
        /// A few parallelograms carry the true class; every other pixel is labelled background (0),
        /// as in the original question.
        Sparse => "sparse",
        /// The same parallelograms; every other pixel carries the ignore label 255.
        SparseIgnore => "sparse-ignore",
    }
}

/// Options of the training and validation scenes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct DataConfig {
    /// Classes (`range::CLASSES`); class 0 is the background.
    pub classes: usize,
    /// Image height and width (`range::SIZE`).
    pub size: usize,
    /// Expected pixel share of the most frequent class (0) over the least frequent (C−1);
    /// shares fall geometrically in between. 1 is balanced.
    pub imbalance: f64,
    /// Whether the last class is absent from most images (present in 1 of 5, with one region).
    pub rare_absent: bool,
    /// Standard deviation of the pixel noise added to each channel (pixels are in 0–1).
    pub noise: f64,
    /// How the training images are labelled (validation images are always fully labelled).
    pub annotation: Annotation,
    /// Parallelograms per image in the sparse modes.
    pub polygons: usize,
    /// Training images.
    pub train_images: usize,
    /// Validation images.
    pub val_images: usize,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            classes: 6,
            size: 48,
            imbalance: 10.0,
            rare_absent: true,
            noise: 0.05,
            annotation: Annotation::SparseIgnore,
            polygons: 4,
            train_images: 32,
            val_images: 16,
        }
    }
}

impl DataConfig {
    /// Checks every range; the message names the option as the CLI spells it.
    pub fn validate(&self) -> Result<(), String> {
        let int = |name: &str, v: usize, r: std::ops::RangeInclusive<usize>| {
            if r.contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "--{name} must be between {} and {}, got {v}",
                    r.start(),
                    r.end()
                ))
            }
        };
        let real = |name: &str, v: f64, r: std::ops::RangeInclusive<f64>| {
            if v.is_finite() && r.contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "--{name} must be between {} and {}, got {}",
                    Num(*r.start()),
                    Num(*r.end()),
                    Num(v)
                ))
            }
        };
        int("classes", self.classes, range::CLASSES)?;
        int("size", self.size, range::SIZE)?;
        int("polygons", self.polygons, range::POLYGONS)?;
        int("train-images", self.train_images, range::TRAIN_IMAGES)?;
        int("val-images", self.val_images, range::VAL_IMAGES)?;
        real("imbalance", self.imbalance, range::IMBALANCE)?;
        real("noise", self.noise, range::NOISE)?;
        Ok(())
    }

    /// The probability that a region is of class `l` (ignoring `rare_absent`):
    /// `imbalance^(−l/(C−1))`, normalised.
    pub fn class_weights(&self) -> Vec<f64> {
        let c = self.classes;
        let w: Vec<f64> = (0..c)
            .map(|l| self.imbalance.powf(-(l as f64) / (c - 1).max(1) as f64))
            .collect();
        let total: f64 = w.iter().sum();
        w.into_iter().map(|x| x / total).collect()
    }
}
