//! `Params`: the small buffer every kernel reads — the batch shape and the loss configuration as
//! plain integers. Field for field the `Params` struct of `shaders/params.wgsl` (which says why it is
//! a read-only storage buffer rather than a uniform).

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
    /// The parameters of `cfg` on a batch of `shape`. The codes are spelled out here, not taken from
    /// the enums' order, because they are a contract with the WGSL constants.
    pub fn new(cfg: &LossConfig, shape: &Shape) -> Self {
        Self {
            classes: shape.classes,
            pixels: shape.pixels,
            images: shape.images,
            tiles: shape.tiles,
            units: shape.units(cfg),
            partials: shape.partials(),
            kind: match cfg.kind {
                LossKind::Dice => 0,
                LossKind::Gdl => 1,
                LossKind::Ce => 2,
                LossKind::DiceCe => 3,
            },
            formula: match cfg.formula {
                Formula::Seed => 0,
                Formula::Corrected => 1,
            },
            weights: match cfg.weights {
                Weights::Square => 0,
                Weights::Simple => 1,
                Weights::Uniform => 2,
            },
            reduction: match cfg.reduction {
                Reduction::Sum => 0,
                Reduction::Mean => 1,
            },
            per_image: u32::from(cfg.aggregation == Aggregation::PerImage),
            squared: u32::from(cfg.squared),
            activation: match cfg.activation {
                Activation::Softmax => 0,
                Activation::Sigmoid => 1,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wgsl_struct_has_the_same_fields_in_the_same_order() {
        let wgsl = super::super::shaders::LOSS_TERMS;
        let body = wgsl
            .split("struct Params {")
            .nth(1)
            .and_then(|s| s.split('}').next())
            .unwrap_or_default();
        let names: Vec<&str> = body
            .lines()
            .filter_map(|l| l.trim().split(':').next())
            .filter(|n| !n.is_empty())
            .collect();
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
        assert_eq!(std::mem::size_of::<Params>(), 4 * names.len());
    }
}
