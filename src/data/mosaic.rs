//! The region layout of a scene: a Voronoi mosaic of a few cells with wavy borders, each cell a
//! class drawn with the configured imbalance. Cell areas do not depend on their classes, so the
//! expected pixel share of a class is the probability that a cell has it.

use super::config::DataConfig;
use crate::rng::Mulberry32;
use std::f64::consts::PI;

/// An image presents the rare class (with `rare_absent`) with this probability.
pub const RARE_PRESENCE: f64 = 0.2;

/// Per pixel the class of its region (row-major), and per region its class.
#[derive(Debug, Clone)]
pub struct Mosaic {
    /// Class of each pixel.
    pub classes: Vec<i32>,
    /// Class of each cell.
    pub cell_classes: Vec<usize>,
    /// Index of the cell of each pixel.
    pub cells: Vec<usize>,
}

/// Draws a class from cumulative probabilities `cdf`.
fn draw(cdf: &[f64], rng: &mut Mulberry32) -> usize {
    let u = rng.next_f64() * cdf.last().copied().unwrap_or(1.0);
    cdf.iter().position(|&c| u < c).unwrap_or(cdf.len() - 1)
}

/// Lays out one `size × size` mosaic.
pub fn mosaic(cfg: &DataConfig, rng: &mut Mulberry32) -> Mosaic {
    let n = cfg.size;
    let cells = 3 + rng.below(4) + n / 32;
    let centres: Vec<[f64; 2]> = (0..cells)
        .map(|_| [n as f64 * rng.next_f64(), n as f64 * rng.next_f64()])
        .collect();

    let mut weights = cfg.class_weights();
    let rare = cfg.classes - 1;
    let rare_present = !cfg.rare_absent || rng.next_f64() < RARE_PRESENCE;
    if cfg.rare_absent {
        weights[rare] = 0.0;
    }
    let cdf: Vec<f64> = weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect();
    let mut cell_classes: Vec<usize> = (0..cells).map(|_| draw(&cdf, rng)).collect();
    if cfg.rare_absent && rare_present {
        // A present rare class gets exactly one region, so it stays rare where it appears.
        let at = rng.below(cells);
        cell_classes[at] = rare;
    }

    // Borders wave: distances are measured from a displaced position.
    let amp = n as f64 / 12.0;
    let wavelength = n as f64 / 2.0;
    let (p1, p2) = (2.0 * PI * rng.next_f64(), 2.0 * PI * rng.next_f64());
    let mut classes = vec![0; n * n];
    let mut cell_of = vec![0; n * n];
    for y in 0..n {
        for x in 0..n {
            let (fx, fy) = (x as f64, y as f64);
            let wx = fx + amp * (2.0 * PI * fy / wavelength + p1).sin();
            let wy = fy + amp * (2.0 * PI * fx / wavelength + p2).sin();
            let nearest = centres
                .iter()
                .map(|c| (c[0] - wx).powi(2) + (c[1] - wy).powi(2))
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(0, |(i, _)| i);
            cell_of[y * n + x] = nearest;
            classes[y * n + x] = cell_classes[nearest] as i32;
        }
    }
    Mosaic {
        classes,
        cell_classes,
        cells: cell_of,
    }
}
