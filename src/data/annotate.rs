//! Sparse annotation: a few parallelograms per image, as an annotator outlining materials would
//! draw them. Pixels inside carry their true class; the rest are background (`sparse`) or the ignore
//! label (`sparse-ignore`).

use crate::rng::Mulberry32;
use serde::Serialize;
use std::f64::consts::PI;

/// The parallelogram `{centre + s·u + t·v : s, t ∈ [−½, ½]}`, in pixel coordinates where pixel
/// `(x, y)` is the point `(x, y)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Parallelogram {
    /// Centre.
    pub centre: [f64; 2],
    /// First edge vector.
    pub u: [f64; 2],
    /// Second edge vector (never parallel to `u`: the angle between them is 60°–120°).
    pub v: [f64; 2],
}

impl Parallelogram {
    /// Whether pixel `(x, y)` is inside: solves `(x, y) − centre = s·u + t·v` for `(s, t)` by
    /// Cramer's rule and checks `|s|, |t| ≤ ½`.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        let (px, py) = (x - self.centre[0], y - self.centre[1]);
        let det = self.u[0] * self.v[1] - self.u[1] * self.v[0];
        let s = (px * self.v[1] - py * self.v[0]) / det;
        let t = (self.u[0] * py - self.u[1] * px) / det;
        s.abs() <= 0.5 && t.abs() <= 0.5
    }

    /// A random parallelogram centred on `centre`, with edges of `size/10`–`size/5` pixels.
    pub fn random(centre: [f64; 2], size: usize, rng: &mut Mulberry32) -> Self {
        let len = |rng: &mut Mulberry32| size as f64 * (0.1 + 0.1 * rng.next_f64());
        let a = 2.0 * PI * rng.next_f64();
        let b = a + (60.0 + 60.0 * rng.next_f64()).to_radians();
        let (lu, lv) = (len(rng), len(rng));
        Self {
            centre,
            u: [lu * a.cos(), lu * a.sin()],
            v: [lv * b.cos(), lv * b.sin()],
        }
    }
}

/// Places `count` parallelograms on a `size × size` image with per-pixel classes `truth`. Each is
/// centred on a random pixel of a class chosen uniformly among the classes present (the background
/// only when nothing else is), so every material tends to be annotated, rare ones included.
pub fn place(truth: &[i32], size: usize, count: usize, rng: &mut Mulberry32) -> Vec<Parallelogram> {
    let mut present: Vec<i32> = Vec::new();
    for &c in truth {
        if !present.contains(&c) {
            present.push(c);
        }
    }
    present.sort_unstable();
    if present.len() > 1 {
        present.retain(|&c| c != 0);
    }
    (0..count)
        .map(|_| {
            let class = present[rng.below(present.len())];
            let pixels = truth.iter().filter(|&&c| c == class).count();
            let k = rng.below(pixels);
            let at = truth
                .iter()
                .enumerate()
                .filter(|(_, &c)| c == class)
                .nth(k)
                .map_or(0, |(i, _)| i);
            Parallelogram::random([(at % size) as f64, (at / size) as f64], size, rng)
        })
        .collect()
}

/// Whether pixel `(x, y)` is inside any of `shapes`.
pub fn covered(shapes: &[Parallelogram], x: usize, y: usize) -> bool {
    shapes.iter().any(|p| p.contains(x as f64, y as f64))
}
