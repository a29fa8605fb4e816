//! Where everything lives: the batch `Shape` as the kernels see it (tiles, partials, units) and the
//! layout of the small buffers the kernels write, with their decoding into the CPU engine's `Sums`
//! and `Terms` so that both backends build the same `LossReport`.
//!
//! - `sums_f`: `[unit][5C+1]` f32 — `I_l`, `P_l`, `FP_l = P_l − I_l`, `FN_l = R_l − I_l` (see
//!   class_sums.wgsl), the focal sums `F_l`, then the cross-entropy sum.
//! - `sums_u`: `[unit][C+1]` u32 — `R_l`, then the labelled pixel count (exact integers).
//! - `coefs`: `ce_scale`, `∂L/∂I_al` `[K]`, `∂L/∂P_al` `[K]`, `∂L/∂(Σ f)`, with `K = units·C` (what
//!   `logit_grad` reads).
//! - `report`: `loss, dice, ce, status, err_unit, err_class, focal, 0`, then eight `[K]` arrays (Dice
//!   value, `∂d/∂I`, `∂d/∂(R+P)`, denominator-non-zero flag, weight, Part 2 score, Part 2 term or
//!   Lovász `λ`, focal share), `gdl[units]` and `lovasz[units]`.
//! - `lovasz`: `[K]` f32, the `λ_al` lovasz.wgsl leaves for loss_terms.
//! - Lovász's sort items: `[K][L]` pairs of u32, `L` the unit's pixels rounded up to a power of two.
//!
//! Buffers are sized for the largest unit count (per-image), so a configuration change never
//! reallocates.

use super::GpuError;
use crate::loss::dice::DiceTerm;
use crate::loss::{LossConfig, LossError, LossKind, Sums, Terms};

use super::consts::{
    SORT_BLOCK, STATUS_OK, STATUS_ZERO_DENOMINATOR, STATUS_ZERO_SCORE_DENOMINATOR, SUMS_PER_CLASS,
};
pub use super::consts::{TILE, WG};
use super::params::Params;
/// Scalars before the per-(unit, class) arrays of `report`.
const HEAD: usize = super::consts::HEAD as usize;
/// Float sums per (unit, class).
const QS: usize = SUMS_PER_CLASS as usize;
/// Per-(unit, class) arrays of `report`.
const ARRAYS: usize = 8;
/// Pixels per unit beyond which Lovász's counts along the sort would not be exact in f32.
pub const LOVASZ_MAX_UNIT_PIXELS: u64 = 1 << 24;

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
        if images > max_groups
            || pixels.div_ceil(WG) > max_groups
            || u64::from(classes) * u64::from(SUMS_PER_CLASS) + 1 > u64::from(max_groups)
        {
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

    /// Pixels per unit of `cfg` on this batch.
    pub fn unit_pixels(&self, cfg: &LossConfig) -> u32 {
        match cfg.aggregation {
            crate::loss::Aggregation::Global => self.images.saturating_mul(self.pixels),
            crate::loss::Aggregation::PerImage => self.pixels,
        }
    }

    /// The items of Lovász's sort for `cfg` (units × classes × the unit's pixels rounded up to a
    /// power of two), or why this device cannot sort them: more than 2^24 pixels per unit, or
    /// more items than one storage buffer or one dispatch holds.
    pub fn lovasz_items(&self, cfg: &LossConfig, limits: &wgpu::Limits) -> Result<u64, GpuError> {
        let unit = u64::from(self.unit_pixels(cfg));
        let segments = u64::from(self.units(cfg)) * u64::from(self.classes);
        let items = segments * unit.next_power_of_two();
        let max_bytes = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        let groups = u64::from(limits.max_compute_workgroups_per_dimension);
        let why = if unit > LOVASZ_MAX_UNIT_PIXELS {
            format!("{unit} pixels per unit exceed {LOVASZ_MAX_UNIT_PIXELS}")
        } else if 8 * items > max_bytes {
            format!(
                "{} bytes of sort keys exceed this device's {max_bytes}-byte buffers",
                8 * items
            )
        } else if items.div_ceil(u64::from(SORT_BLOCK)) > groups || segments > groups {
            format!("more than {groups} workgroups in one dispatch dimension")
        } else {
            return Ok(items);
        };
        Err(GpuError::TooLarge(format!(
            "{:?}, --loss lovasz --aggregation {}: {why}",
            self.dims, cfg.aggregation
        )))
    }

    /// Partial sums per quantity: one per `class_sums` workgroup.
    pub fn partials(&self) -> u32 {
        self.images * self.tiles
    }

    /// Logits (and gradient) values.
    pub fn logit_count(&self) -> u64 {
        u64::from(self.images) * u64::from(self.pixels) * u64::from(self.classes)
    }

    /// Element counts of `[partial_f, partial_u, sums_f, sums_u, coefs, report, lovasz]`.
    pub fn small_lengths(&self) -> [u64; 7] {
        let (b, c, p) = (
            u64::from(self.images),
            u64::from(self.classes),
            u64::from(self.partials()),
        );
        let k = b * c;
        let qs = QS as u64;
        [
            (qs * c + 1) * p,
            (c + 1) * p,
            b * (qs * c + 1),
            b * (c + 1),
            2 + 2 * k,
            HEAD as u64 + ARRAYS as u64 * k + 2 * b,
            k,
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
    let (status, unit, class) = (f(report, 3), f(report, 4) as usize, f(report, 5) as usize);
    if status == f64::from(STATUS_ZERO_DENOMINATOR) {
        let term = if class == c {
            "all classes (generalized)".into()
        } else {
            format!("class {class}")
        };
        return Err(GpuError::Input(LossError::ZeroDenominator { unit, term }));
    }
    if status == f64::from(STATUS_ZERO_SCORE_DENOMINATOR) {
        let loss = cfg.kind;
        return Err(GpuError::Input(LossError::ZeroScoreDenominator {
            loss,
            unit,
            class,
        }));
    }
    debug_assert_eq!(status, f64::from(STATUS_OK));
    let row = QS * c + 1;
    let per_class = |q: usize| -> Vec<f64> {
        (0..k_all)
            .map(|k| f(sums_f, (k / c) * row + q * c + k % c))
            .collect()
    };
    let focal = cfg.has_focal();
    let sums = Sums {
        units,
        classes: c,
        intersection: per_class(0),
        truth: (0..k_all)
            .map(|k| f64::from(u(sums_u, (k / c) * (c + 1) + k % c)))
            .collect(),
        pred: per_class(1),
        ce_sum: (0..units).map(|a| f(sums_f, a * row + QS * c)).sum(),
        valid: (0..units)
            .map(|a| u64::from(u(sums_u, a * (c + 1) + c)))
            .sum(),
        focal: if focal { per_class(4) } else { Vec::new() },
    };
    let array = |i: usize| -> Vec<f64> {
        (0..k_all)
            .map(|k| f(report, HEAD + i * k_all + k))
            .collect()
    };
    let (value, d_i, d_rp, ok) = (array(0), array(1), array(2), array(3));
    let first = cfg.first_class();
    let lovasz = cfg.kind == LossKind::Lovasz;
    let scored = Params::new(cfg, shape).has_score();
    // Which (unit, class) has a Part 2 score and term: as the CPU engine reports them.
    let defined =
        |k: usize, present_only: bool| k % c >= first && (!present_only || sums.truth[k] > 0.0);
    let optional = |values: Vec<f64>, present_only: bool| -> Vec<Option<f64>> {
        values
            .into_iter()
            .enumerate()
            .map(|(k, v)| defined(k, present_only).then_some(v))
            .collect()
    };
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
                .map(|a| f(report, HEAD + ARRAYS * k_all + a))
                .collect(),
            _ => Vec::new(),
        },
        coef_i: (0..k_all).map(|k| f(coefs, 1 + k)).collect(),
        coef_p: (0..k_all).map(|k| f(coefs, 1 + k_all + k)).collect(),
        ce_scale: f(coefs, 0),
        focal: focal.then(|| f(report, 6)),
        focal_scale: f(coefs, 1 + 2 * k_all),
        focal_class: if focal { array(7) } else { Vec::new() },
        score: if scored {
            optional(array(5), false)
        } else {
            Vec::new()
        },
        term: match (scored, lovasz) {
            (true, _) => optional(array(6), false),
            (_, true) => optional(array(6), true),
            _ => Vec::new(),
        },
        unit_lovasz: if lovasz {
            (0..units)
                .map(|a| f(report, HEAD + ARRAYS * k_all + units + a))
                .collect()
        } else {
            Vec::new()
        },
        // Lovász's ∂L/∂p stays on the GPU (logit_grad takes it through the activation).
        pixel_grad: Vec::new(),
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

    #[test]
    fn lovasz_sorts_up_to_its_limits() {
        use crate::loss::{Aggregation, LossKind};
        let limits = wgpu::Limits::downlevel_defaults();
        let lovasz = |aggregation| LossConfig {
            kind: LossKind::Lovasz,
            aggregation,
            ..LossConfig::default()
        };
        let (global, per_image) = (lovasz(Aggregation::Global), lovasz(Aggregation::PerImage));
        // The page's largest training batch: 32 images of 128², 8 classes, 4 Mi items.
        let page = Shape::new([32, 128, 128, 8], &limits).expect("fits");
        assert_eq!(page.lovasz_items(&global, &limits), Ok(8 << 19));
        assert_eq!(
            page.lovasz_items(&per_image, &limits),
            Ok(32 * 8 * (1 << 14))
        );
        // 5 Mi pixels, padded to 8 Mi, × 3 classes × 8 bytes = 192 MiB: past WebGPU's 128 MiB
        // bindings globally, while the images one by one (5 × 1 Mi × 3 × 8 bytes) fit.
        let big = Shape::new([5, 1024, 1024, 3], &limits).expect("fits");
        let refused = big.lovasz_items(&global, &limits);
        assert!(
            matches!(&refused, Err(GpuError::TooLarge(m)) if m.contains("exceed")),
            "{refused:?}"
        );
        assert!(big.lovasz_items(&per_image, &limits).is_ok());
        // More than 2^24 pixels in one unit: the counts along the sort would not be exact.
        let mut roomy = limits.clone();
        roomy.max_storage_buffer_binding_size = u64::MAX;
        roomy.max_buffer_size = u64::MAX;
        let huge = Shape::new([2, 3000, 3000, 1], &roomy).expect("fits");
        let refused = huge.lovasz_items(&global, &roomy);
        assert!(
            matches!(&refused, Err(GpuError::TooLarge(m)) if m.contains("pixels per unit")),
            "{refused:?}"
        );
    }
}
