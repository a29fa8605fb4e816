//! Materials: one texture per class, chosen so that a single pixel rarely tells the class and a
//! neighbourhood does. Classes share colour palettes and differ by pattern (stripes and their
//! orientation and period, checker, grain): classes 1, 2 and 5 have the same colours, as do 3 and 4,
//! and 6 and 7. Periods are at most 6 pixels, within TinySegNet's 9×9 receptive field.

use crate::rng::Mulberry32;
use std::f64::consts::PI;

/// How a material modulates between its two colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pattern {
    /// Sinusoidal stripes at `angle` degrees with `period` pixels.
    Stripes {
        /// Direction of variation, degrees.
        angle: f64,
        /// Pixels per cycle.
        period: f64,
    },
    /// A checkerboard of `period`-pixel squares.
    Checker {
        /// Square side, pixels.
        period: f64,
    },
    /// Independent per-pixel grain.
    Grain,
}

/// A class's look: a pattern between a dark and a light colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Material {
    /// The pattern.
    pub pattern: Pattern,
    /// RGB at pattern value 0.
    pub dark: [f64; 3],
    /// RGB at pattern value 1.
    pub light: [f64; 3],
}

const GREY: ([f64; 3], [f64; 3]) = ([0.34, 0.34, 0.36], [0.62, 0.62, 0.60]);
const WARM: ([f64; 3], [f64; 3]) = ([0.45, 0.30, 0.20], [0.82, 0.64, 0.42]);
const COOL: ([f64; 3], [f64; 3]) = ([0.20, 0.30, 0.46], [0.56, 0.70, 0.86]);
const MOSS: ([f64; 3], [f64; 3]) = ([0.24, 0.40, 0.22], [0.56, 0.76, 0.46]);

/// The material of class `class` (0–7).
pub fn material(class: usize) -> Material {
    let (pattern, (dark, light)) = match class {
        0 => (Pattern::Grain, GREY),
        1 => (
            Pattern::Stripes {
                angle: 0.0,
                period: 4.0,
            },
            WARM,
        ),
        2 => (
            Pattern::Stripes {
                angle: 90.0,
                period: 4.0,
            },
            WARM,
        ),
        3 => (Pattern::Checker { period: 3.0 }, COOL),
        4 => (
            Pattern::Stripes {
                angle: 45.0,
                period: 6.0,
            },
            COOL,
        ),
        5 => (Pattern::Grain, WARM),
        6 => (
            Pattern::Stripes {
                angle: 135.0,
                period: 5.0,
            },
            MOSS,
        ),
        _ => (Pattern::Checker { period: 4.0 }, MOSS),
    };
    Material {
        pattern,
        dark,
        light,
    }
}

/// One region's instance of a material: the pattern jittered (phase, angle ±8°, period ±10 %,
/// brightness ±10 %) so no two regions are identical.
#[derive(Debug, Clone, Copy)]
pub struct Instance {
    material: Material,
    /// Unit vector of the stripe direction, scaled by 2π/period.
    wave: [f64; 2],
    phase: f64,
    period: f64,
    offset: [f64; 2],
    gain: f64,
}

impl Instance {
    /// Draws the jitter of class `class`'s material from `rng`.
    pub fn new(class: usize, rng: &mut Mulberry32) -> Self {
        let material = material(class);
        let jitter = |rng: &mut Mulberry32, r: f64| 1.0 + r * (2.0 * rng.next_f64() - 1.0);
        let (angle, period) = match material.pattern {
            Pattern::Stripes { angle, period } => (angle, period),
            Pattern::Checker { period } => (0.0, period),
            Pattern::Grain => (0.0, 1.0),
        };
        let angle = (angle + 8.0 * (2.0 * rng.next_f64() - 1.0)).to_radians();
        let period = period * jitter(rng, 0.1);
        let k = 2.0 * PI / period;
        Self {
            material,
            wave: [k * angle.cos(), k * angle.sin()],
            phase: 2.0 * PI * rng.next_f64(),
            period,
            offset: [period * rng.next_f64(), period * rng.next_f64()],
            gain: jitter(rng, 0.1),
        }
    }

    /// The colour at pixel `(x, y)`; `grain` is a fresh uniform draw (used by grain only, drawn for
    /// every pixel so the stream does not depend on the material).
    pub fn shade(&self, x: f64, y: f64, grain: f64) -> [f64; 3] {
        let s = match self.material.pattern {
            Pattern::Stripes { .. } => {
                0.5 + 0.5 * (self.wave[0] * x + self.wave[1] * y + self.phase).sin()
            }
            Pattern::Checker { .. } => {
                let cx = ((x + self.offset[0]) / self.period).floor() as i64;
                let cy = ((y + self.offset[1]) / self.period).floor() as i64;
                ((cx + cy).rem_euclid(2)) as f64
            }
            Pattern::Grain => grain,
        };
        let (d, l) = (self.material.dark, self.material.light);
        [0, 1, 2].map(|i| self.gain * (d[i] + (l[i] - d[i]) * s))
    }
}
