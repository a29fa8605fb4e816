//! `Dataset`: a fixed set of scenes stored as batched tensors, and `Splits`: the training and
//! validation sets of one run, from different streams.

use super::annotate::Parallelogram;
use super::config::{Annotation, DataConfig};
use super::scene::scene;
use crate::rng::derive_seed;

/// Salt of the training stream.
const TRAIN: u32 = 1;
/// Salt of the validation stream.
const VALIDATION: u32 = 2;

/// `count` scenes of `size × size`: images (N, H, W, 3), labels and truth (N, H, W).
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Scenes.
    pub count: usize,
    /// Height and width.
    pub size: usize,
    /// Classes.
    pub classes: usize,
    /// Images, RGB in 0–1.
    pub images: Vec<f32>,
    /// Labels in the dataset's annotation mode.
    pub labels: Vec<i32>,
    /// True classes.
    pub truth: Vec<i32>,
    /// Annotated parallelograms per scene (empty in `full` mode).
    pub parallelograms: Vec<Vec<Parallelogram>>,
}

impl Dataset {
    /// Scenes `0..count` of stream `seed`; scene `i` comes from its own stream, so the first scenes
    /// do not depend on `count`.
    pub fn generate(cfg: &DataConfig, annotation: Annotation, seed: u32, count: usize) -> Self {
        let mut d = Self {
            count,
            size: cfg.size,
            classes: cfg.classes,
            images: Vec::with_capacity(count * cfg.size * cfg.size * 3),
            labels: Vec::with_capacity(count * cfg.size * cfg.size),
            truth: Vec::with_capacity(count * cfg.size * cfg.size),
            parallelograms: Vec::with_capacity(count),
        };
        for i in 0..count {
            let s = scene(cfg, annotation, derive_seed(seed, i as u32));
            d.images.extend_from_slice(&s.image);
            d.labels.extend_from_slice(&s.labels);
            d.truth.extend_from_slice(&s.truth);
            d.parallelograms.push(s.parallelograms);
        }
        d
    }

    /// Pixels of one image.
    pub fn pixels(&self) -> usize {
        self.size * self.size
    }

    /// Image `i`, (H, W, 3).
    pub fn image(&self, i: usize) -> &[f32] {
        &self.images[i * self.pixels() * 3..][..self.pixels() * 3]
    }

    /// Labels of image `i`.
    pub fn labels(&self, i: usize) -> &[i32] {
        &self.labels[i * self.pixels()..][..self.pixels()]
    }

    /// True classes of image `i`.
    pub fn truth(&self, i: usize) -> &[i32] {
        &self.truth[i * self.pixels()..][..self.pixels()]
    }

    /// Copies images `indices` and their labels into contiguous batch buffers.
    pub fn gather(&self, indices: &[usize], images: &mut [f32], labels: &mut [i32]) {
        let (pi, pl) = (self.pixels() * 3, self.pixels());
        for (k, &i) in indices.iter().enumerate() {
            images[k * pi..][..pi].copy_from_slice(self.image(i));
            labels[k * pl..][..pl].copy_from_slice(self.labels(i));
        }
    }
}

/// The training set (annotated as configured) and the fully labelled validation set of run `seed`.
#[derive(Debug, Clone)]
pub struct Splits {
    /// Training scenes.
    pub train: Dataset,
    /// Validation scenes (labels = truth).
    pub validation: Dataset,
}

impl Splits {
    /// Generates both sets; they come from different derived streams.
    pub fn new(cfg: &DataConfig, seed: u32) -> Self {
        Self {
            train: Dataset::generate(
                cfg,
                cfg.annotation,
                derive_seed(seed, TRAIN),
                cfg.train_images,
            ),
            validation: Dataset::generate(
                cfg,
                Annotation::Full,
                derive_seed(seed, VALIDATION),
                cfg.val_images,
            ),
        }
    }
}
