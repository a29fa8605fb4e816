//! One scene: mosaic, textures, illumination and noise, and its labels in each annotation mode.
//!
//! The random stream is consumed identically in every annotation mode, so a seed gives the same
//! images whether they are labelled fully or sparsely.

use super::annotate::{covered, place, Parallelogram};
use super::config::{Annotation, DataConfig, IGNORE_LABEL};
use super::material::Instance;
use super::mosaic::mosaic;
use crate::rng::Mulberry32;

/// An image with its labels.
#[derive(Debug, Clone)]
pub struct Scene {
    /// RGB in 0–1, (H, W, 3) row-major.
    pub image: Vec<f32>,
    /// The true class of every pixel.
    pub truth: Vec<i32>,
    /// The training labels in the requested annotation mode.
    pub labels: Vec<i32>,
    /// The annotated parallelograms (empty in `full` mode).
    pub parallelograms: Vec<Parallelogram>,
}

/// A normal-like draw with mean 0 and standard deviation 1: the centred sum of three uniforms
/// (variance 3/12) scaled by 2. Bounded (|x| ≤ 3), cheap and identical in JavaScript.
fn noise(rng: &mut Mulberry32) -> f64 {
    2.0 * (rng.next_f64() + rng.next_f64() + rng.next_f64() - 1.5)
}

/// Generates the scene of stream `seed`.
pub fn scene(cfg: &DataConfig, annotation: Annotation, seed: u32) -> Scene {
    let mut rng = Mulberry32::new(seed);
    let n = cfg.size;
    let m = mosaic(cfg, &mut rng);
    let looks: Vec<Instance> = m
        .cell_classes
        .iter()
        .map(|&c| Instance::new(c, &mut rng))
        .collect();
    let light = 0.9 + 0.2 * rng.next_f64();
    let mut image = Vec::with_capacity(n * n * 3);
    for (i, &cell) in m.cells.iter().enumerate() {
        let grain = rng.next_f64();
        let rgb = looks[cell].shade((i % n) as f64, (i / n) as f64, grain);
        for v in rgb {
            let x = light * v + cfg.noise * noise(&mut rng);
            image.push(x.clamp(0.0, 1.0) as f32);
        }
    }
    let shapes = place(&m.classes, n, cfg.polygons, &mut rng);
    let labels = match annotation {
        Annotation::Full => m.classes.clone(),
        Annotation::Sparse | Annotation::SparseIgnore => {
            let outside = if annotation == Annotation::Sparse {
                0
            } else {
                IGNORE_LABEL
            };
            (0..n * n)
                .map(|i| {
                    if covered(&shapes, i % n, i / n) {
                        m.classes[i]
                    } else {
                        outside
                    }
                })
                .collect()
        }
    };
    Scene {
        image,
        truth: m.classes,
        labels,
        parallelograms: if annotation == Annotation::Full {
            Vec::new()
        } else {
            shapes
        },
    }
}
