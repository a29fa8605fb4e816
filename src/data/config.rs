//! `DataConfig`: the options of the synthetic scenes, named as on the CLI and in the page's URL, and
//! validated in one place.

use crate::num::Num;
use crate::options::named_option;
use serde::{Deserialize, Serialize};

/// The label of unlabelled pixels in `sparse-ignore` mode (the loss engine's default ignore index).
pub const IGNORE_LABEL: i32 = 255;

named_option! {
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
    /// Classes, 2–8; class 0 is the background.
    pub classes: usize,
    /// Image height and width, 32–128.
    pub size: usize,
    /// Expected pixel share of the most frequent class (0) over the least frequent (C−1), 1–1000;
    /// shares fall geometrically in between. 1 is balanced.
    pub imbalance: f64,
    /// Whether the last class is absent from most images (present in 1 of 5, with one region).
    pub rare_absent: bool,
    /// Standard deviation of the pixel noise added to each channel, 0–0.5 (pixels are in 0–1).
    pub noise: f64,
    /// How the training images are labelled (validation images are always fully labelled).
    pub annotation: Annotation,
    /// Parallelograms per image in the sparse modes, 1–32.
    pub polygons: usize,
    /// Training images, 1–4096.
    pub train_images: usize,
    /// Validation images, 1–256.
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
        let int = |name: &str, v: usize, lo: usize, hi: usize| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("--{name} must be between {lo} and {hi}, got {v}"))
            }
        };
        int("classes", self.classes, 2, 8)?;
        int("size", self.size, 32, 128)?;
        int("polygons", self.polygons, 1, 32)?;
        int("train-images", self.train_images, 1, 4096)?;
        int("val-images", self.val_images, 1, 256)?;
        if !(self.imbalance.is_finite() && (1.0..=1000.0).contains(&self.imbalance)) {
            return Err(format!(
                "--imbalance must be between 1 and 1000, got {}",
                Num(self.imbalance)
            ));
        }
        if !(self.noise.is_finite() && (0.0..=0.5).contains(&self.noise)) {
            return Err(format!(
                "--noise must be between 0 and 0.5, got {}",
                Num(self.noise)
            ));
        }
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
