//! `Params`: the small buffer every kernel reads — the batch shape and the loss configuration as
//! plain integers. Field for field the `Params` struct of `shaders/params.wgsl` (which says why it is
//! a read-only storage buffer rather than a uniform).

use super::consts::*;
use super::layout::Shape;
use crate::loss::{Activation, Aggregation, Formula, LossConfig, LossKind, Reduction, Weights};
use bytemuck::{Pod, Zeroable};

/// The buffer's contents (80 bytes: a multiple of 16, so it could also be bound as a uniform).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct Params {
    classes: u32,
    pixels: u32,
    images: u32,
    tiles: u32,
    units: u32,
    partials: u32,
    kind: u32,
    formula: u32,
    weights: u32,
    reduction: u32,
    per_image: u32,
    squared: u32,
    activation: u32,
    ignore_index: i32,
    first_class: u32,
    _pad0: u32,
    smooth_nr: f32,
    smooth_dr: f32,
    smooth_off: f32,
    _pad2: u32,
}

impl Params {
    /// The parameters of `cfg` on a batch of `shape`, coded with the constants the kernels share.
    pub fn new(cfg: &LossConfig, shape: &Shape) -> Self {
        Self {
            classes: shape.classes,
            pixels: shape.pixels,
            images: shape.images,
            tiles: shape.tiles,
            units: shape.units(cfg),
            partials: shape.partials(),
            kind: match cfg.kind {
                LossKind::Dice => KIND_DICE,
                LossKind::Gdl => KIND_GDL,
                LossKind::Ce => KIND_CE,
                LossKind::DiceCe => KIND_DICE_CE,
                // No kernel yet: the engine and the trainer refuse these before any upload.
                LossKind::Jaccard
                | LossKind::Tversky
                | LossKind::FocalTversky
                | LossKind::Focal
                | LossKind::Lovasz
                | LossKind::DiceFocal => KIND_DICE,
            },
            formula: match cfg.formula {
                Formula::Seed => FORMULA_SEED,
                Formula::Corrected => FORMULA_CORRECTED,
            },
            weights: match cfg.weights {
                Weights::Square => WEIGHTS_SQUARE,
                Weights::Simple => WEIGHTS_SIMPLE,
                Weights::Uniform => WEIGHTS_UNIFORM,
            },
            reduction: match cfg.reduction {
                Reduction::Sum => REDUCTION_SUM,
                Reduction::Mean => REDUCTION_MEAN,
            },
            per_image: u32::from(cfg.aggregation == Aggregation::PerImage),
            squared: u32::from(cfg.squared),
            activation: match cfg.activation {
                Activation::Softmax => ACTIVATION_SOFTMAX,
                Activation::Sigmoid => ACTIVATION_SIGMOID,
            },
            ignore_index: cfg.ignore_index,
            first_class: u32::from(!cfg.include_background),
            _pad0: 0,
            // f32 on the GPU: WebGPU has no f64.
            smooth_nr: cfg.smooth_nr as f32,
            smooth_dr: cfg.smooth_dr as f32,
            // `den − num` of the Dice ratio is `R + P − 2I` plus this: formed here in f64 so that
            // equal smoothings cancel exactly instead of in f32 on the GPU.
            smooth_off: match cfg.formula {
                Formula::Seed => cfg.smooth_dr - 2.0 * cfg.smooth_nr,
                Formula::Corrected => cfg.smooth_dr - cfg.smooth_nr,
            } as f32,
            _pad2: 0,
        }
    }

    /// Units of this configuration.
    pub fn units(&self) -> u32 {
        self.units
    }
}

/// The member names of the WGSL struct `name` in `source` and its size in bytes, as naga lays it
/// out (nothing and 0 if absent).
#[cfg(test)]
pub(crate) fn wgsl_struct(source: &str, name: &str) -> (Vec<String>, usize) {
    let Ok(module) = naga::front::wgsl::parse_str(source) else {
        return (Vec::new(), 0);
    };
    let found = module.types.iter().find_map(|(_, ty)| match &ty.inner {
        naga::TypeInner::Struct { members, span } if ty.name.as_deref() == Some(name) => {
            let names = members.iter().filter_map(|m| m.name.clone()).collect();
            Some((names, *span as usize))
        }
        _ => None,
    });
    found.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_struct_matches_its_wgsl_twin() {
        let (names, size) = wgsl_struct(super::super::shaders::LOSS_TERMS, "Params");
        assert_eq!(
            names,
            [
                "classes",
                "pixels",
                "images",
                "tiles",
                "units",
                "partials",
                "kind",
                "formula",
                "weights",
                "reduction",
                "per_image",
                "squared",
                "activation",
                "ignore_index",
                "first_class",
                "_pad0",
                "smooth_nr",
                "smooth_dr",
                "smooth_off",
                "_pad2"
            ]
        );
        assert_eq!(size, std::mem::size_of::<Params>());
    }
}
