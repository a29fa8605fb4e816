//! Where everything lives: the batch `Shape` as the kernels see it (tiles, partials, units) and the
//! layout of the small buffers the kernels write, with their decoding into the CPU engine's `Sums`
//! and `Terms` so that both backends build the same `LossReport`.
//!
//! - `sums_f`: `[unit][3C+1]` f32 — `I_l`, `P_l`, `D_l = R_l + P_l − 2I_l` (see class_sums.wgsl),
//!   then the cross-entropy sum.
//! - `sums_u`: `[unit][C+1]` u32 — `R_l`, then the labelled pixel count (exact integers).
//! - `coefs`: `ce_scale`, `∂L/∂I_al` `[K]`, `∂L/∂P_al` `[K]`, with `K = units·C` (what `logit_grad`
//!   reads).
//! - `report`: `loss, dice, ce, status, err_unit, err_class, 0, 0`, then five `[K]` arrays (Dice
//!   value, `∂d/∂I`, `∂d/∂(R+P)`, denominator-non-zero flag, weight) and `gdl[units]`.
//!
//! Buffers are sized for the largest unit count (per-image), so a configuration change never
//! reallocates.

use super::GpuError;
use crate::loss::dice::DiceTerm;
use crate::loss::{LossConfig, LossError, LossKind, Sums, Terms};

pub use super::consts::{TILE, WG};
/// Scalars before the per-(unit, class) arrays of `report`.
const HEAD: usize = super::consts::HEAD as usize;

/// A batch shape as the kernels index it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// `B`.
    pub images: u32,
    /// `H·W`.
    pub pixels: u32,
    /// `C`.
    pub classes: u32,
    /// `class_sums` workgroups per image.
    pub tiles: u32,
    /// `[B, H, W, C]`.
    pub dims: [usize; 4],
}

impl Shape {
    /// Checks `[B, H, W, C]` against the device limits (buffer sizes, dispatch dimensions).
    pub fn new(dims: [usize; 4], limits: &wgpu::Limits) -> Result<Self, GpuError> {
        let [b, h, w, c] = dims;
        let too_large = |what: &str| GpuError::TooLarge(format!("{dims:?}: {what}"));
        let pixels = h.checked_mul(w).ok_or_else(|| too_large("H·W overflows"))?;
        let logit_bytes = [b, pixels, c, 4]
            .into_iter()
            .try_fold(1u64, |acc, d| acc.checked_mul(d as u64))
            .ok_or_else(|| too_large("size overflows"))?;
        let max_bytes = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        if logit_bytes > max_bytes {
            return Err(too_large(&format!(
                "{logit_bytes} bytes of logits exceed this device's {max_bytes}-byte buffers"
            )));
        }
        let narrow = |v: usize| u32::try_from(v).map_err(|_| too_large("dimension above 2^32"));
        let (images, pixels, classes) = (narrow(b)?, narrow(pixels)?, narrow(c)?);
        let tiles = pixels.div_ceil(TILE);
        let max_groups = limits.max_compute_workgroups_per_dimension;
        if images > max_groups || pixels.div_ceil(WG) > max_groups || 3 * classes + 1 > max_groups {
            return Err(too_large(&format!(
                "more than {max_groups} workgroups in one dispatch dimension"
            )));
        }
        Ok(Self {
            images,
            pixels,
            classes,
            tiles,
            dims,
        })
    }

    /// Units of `cfg` on this batch.
    pub fn units(&self, cfg: &LossConfig) -> u32 {
        match cfg.aggregation {
            crate::loss::Aggregation::Global => 1,
            crate::loss::Aggregation::PerImage => self.images,
        }
    }

    /// Partial sums per quantity: one per `class_sums` workgroup.
    pub fn partials(&self) -> u32 {
        self.images * self.tiles
    }

    /// Logits (and gradient) values.
    pub fn logit_count(&self) -> u64 {
        u64::from(self.images) * u64::from(self.pixels) * u64::from(self.classes)
    }

    /// Element counts of `[partial_f, partial_u, sums_f, sums_u, coefs, report]`.
    pub fn small_lengths(&self) -> [u64; 6] {
        let (b, c, p) = (
            u64::from(self.images),
            u64::from(self.classes),
            u64::from(self.partials()),
        );
        let k = b * c;
        [
            (3 * c + 1) * p,
            (c + 1) * p,
            b * (3 * c + 1),
            b * (c + 1),
            1 + 2 * k,
            HEAD as u64 + 5 * k + b,
        ]
    }
}

/// Decodes the read-back `sums_f`, `sums_u`, `coefs` and `report` words (for `units` units) into the
/// CPU engine's types, or the error the CPU engine would have returned.
pub fn decode(
    cfg: &LossConfig,
    shape: &Shape,
    units: usize,
    [sums_f, sums_u, coefs, report]: [&[u32]; 4],
) -> Result<(Sums, Terms), GpuError> {
    let c = shape.classes as usize;
    let k_all = units * c;
    let f = |w: &[u32], i: usize| w.get(i).map_or(f64::NAN, |&v| f64::from(f32::from_bits(v)));
    let u = |w: &[u32], i: usize| w.get(i).copied().unwrap_or(0);
    if f(report, 3) != 0.0 {
        let (unit, class) = (f(report, 4) as usize, f(report, 5) as usize);
        let term = if class == c {
            "all classes (generalized)".into()
        } else {
            format!("class {class}")
        };
        return Err(GpuError::Input(LossError::ZeroDenominator { unit, term }));
    }
    let per_class = |w: &[u32], at: &dyn Fn(usize, usize) -> usize| -> Vec<f64> {
        (0..k_all).map(|k| f(w, at(k / c, k % c))).collect()
    };
    let sums = Sums {
        units,
        classes: c,
        intersection: per_class(sums_f, &|a, l| a * (3 * c + 1) + l),
        truth: (0..k_all)
            .map(|k| f64::from(u(sums_u, (k / c) * (c + 1) + k % c)))
            .collect(),
        pred: per_class(sums_f, &|a, l| a * (3 * c + 1) + c + l),
        ce_sum: (0..units).map(|a| f(sums_f, a * (3 * c + 1) + 3 * c)).sum(),
        valid: (0..units)
            .map(|a| u64::from(u(sums_u, a * (c + 1) + c)))
            .sum(),
        focal: Vec::new(),
    };
    let array = |i: usize| -> Vec<f64> {
        (0..k_all)
            .map(|k| f(report, HEAD + i * k_all + k))
            .collect()
    };
    let (value, d_i, d_rp, ok) = (array(0), array(1), array(2), array(3));
    let terms = Terms {
        loss: f(report, 0),
        dice: cfg.has_dice().then(|| f(report, 1)),
        ce: cfg.has_ce().then(|| f(report, 2)),
        class_dice: (0..k_all)
            .map(|k| {
                (ok[k] != 0.0).then(|| DiceTerm {
                    value: value[k],
                    d_i: d_i[k],
                    d_rp: d_rp[k],
                })
            })
            .collect(),
        weight: array(4),
        unit_gdl: match cfg.kind {
            LossKind::Gdl => (0..units)
                .map(|a| f(report, HEAD + 5 * k_all + a))
                .collect(),
            _ => Vec::new(),
        },
        coef_i: (0..k_all).map(|k| f(coefs, 1 + k)).collect(),
        coef_p: (0..k_all).map(|k| f(coefs, 1 + k_all + k)).collect(),
        ce_scale: f(coefs, 0),
        // The kernels compute Part 1's losses only (`LossConfig::on_gpu`).
        ..Terms::default()
    };
    Ok((sums, terms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_beyond_the_limits_are_refused() {
        let limits = wgpu::Limits::downlevel_defaults();
        assert!(Shape::new([2, 512, 512, 8], &limits).is_ok());
        assert!(matches!(
            Shape::new([64, 1024, 1024, 8], &limits),
            Err(GpuError::TooLarge(_))
        ));
        assert!(matches!(
            Shape::new([1, usize::MAX, 2, 2], &limits),
            Err(GpuError::TooLarge(_))
        ));
    }
}
