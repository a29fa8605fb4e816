//! `Params`: the small buffer every kernel reads — the batch shape and the loss configuration as
//! plain integers. Field for field the `Params` struct of `shaders/params.wgsl` (which says why it is
//! a read-only storage buffer rather than a uniform).

use super::consts::*;
use super::layout::Shape;
use crate::loss::{
    Activation, Aggregation, Formula, LossConfig, LossKind, Reduction, Variant, Weights,
};
use bytemuck::{Pod, Zeroable};

/// The buffer's contents (144 bytes: a multiple of 16, so it could also be bound as a uniform).
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
    score: u32,
    term: u32,
    smp: u32,
    focal_softmax: u32,
    focal_norm: u32,
    unit_pixels: u32,
    sort_len: u32,
    smooth_nr: f32,
    smooth_dr: f32,
    smooth_off: f32,
    smooth_gap: f32,
    tv_alpha: f32,
    tv_beta: f32,
    eps: f32,
    gamma: f32,
    inv_gamma: f32,
    focal_pos: f32,
    focal_neg: f32,
    lambda_dice: f32,
    lambda_focal: f32,
    _pad0: u32,
}

/// Which region score a configuration takes (docs/losses.md 2.1), with the Tversky weights it
/// uses: `SCORE_PART1` for Part 1's Dice and Generalized Dice (and the losses without a region
/// term), which keep their own path in loss_terms.wgsl.
fn score(cfg: &LossConfig) -> (u32, f64, f64) {
    let (a, b) = (cfg.tversky_alpha(), cfg.beta);
    match (cfg.kind, cfg.variant()) {
        (LossKind::Dice | LossKind::DiceFocal, Variant::Smp) => (SCORE_TVERSKY, 0.5, 0.5),
        (LossKind::Jaccard, Variant::Smp) => (SCORE_TVERSKY, 1.0, 1.0),
        (LossKind::Tversky | LossKind::FocalTversky, _) => (SCORE_TVERSKY, a, b),
        (LossKind::Jaccard, _) => (SCORE_JACCARD, a, b),
        (LossKind::Dice, _) if cfg.log_loss => (SCORE_DICE, a, b),
        _ => (SCORE_PART1, a, b),
    }
}

/// What the focal sum is divided by under `mean` (docs/losses.md 2.6, 2.8).
fn focal_norm(cfg: &LossConfig) -> u32 {
    match (cfg.kind, cfg.reduction) {
        (LossKind::DiceFocal, _) => FOCAL_NORM_ELEMENTS,
        (_, Reduction::Sum) => FOCAL_NORM_ONE,
        _ if focal_softmax(cfg) || cfg.variant() == Variant::Monai => FOCAL_NORM_PIXELS,
        _ => FOCAL_NORM_ELEMENTS,
    }
}

/// Whether the focal term is the softmax form (`dice+focal`'s is always the sigmoid one).
fn focal_softmax(cfg: &LossConfig) -> bool {
    cfg.kind == LossKind::Focal && cfg.focal_activation == Activation::Softmax
}

impl Params {
    /// The parameters of `cfg` on a batch of `shape`, coded with the constants the kernels share.
    pub fn new(cfg: &LossConfig, shape: &Shape) -> Self {
        let (score, tv_alpha, tv_beta) = score(cfg);
        let paper = cfg.kind == LossKind::FocalTversky && cfg.variant() == Variant::Paper;
        let unit_pixels = shape.unit_pixels(cfg);
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
                LossKind::Jaccard => KIND_JACCARD,
                LossKind::Tversky => KIND_TVERSKY,
                LossKind::FocalTversky => KIND_FOCAL_TVERSKY,
                LossKind::Focal => KIND_FOCAL,
                LossKind::Lovasz => KIND_LOVASZ,
                LossKind::DiceFocal => KIND_DICE_FOCAL,
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
            score,
            term: match () {
                _ if paper => TERM_PAPER,
                _ if cfg.log_loss => TERM_LOG,
                _ => TERM_PLAIN,
            },
            smp: u32::from(cfg.variant() == Variant::Smp),
            focal_softmax: u32::from(focal_softmax(cfg)),
            focal_norm: focal_norm(cfg),
            unit_pixels,
            sort_len: unit_pixels.next_power_of_two(),
            // f32 on the GPU: WebGPU has no f64.
            smooth_nr: cfg.smooth_nr as f32,
            smooth_dr: cfg.smooth_dr as f32,
            // `den − num` of the Dice ratio is `R + P − 2I` plus this: formed here in f64 so that
            // equal smoothings cancel exactly instead of in f32 on the GPU.
            smooth_off: match cfg.formula {
                Formula::Seed => cfg.smooth_dr - 2.0 * cfg.smooth_nr,
                Formula::Corrected => cfg.smooth_dr - cfg.smooth_nr,
            } as f32,
            smooth_gap: (cfg.smooth_dr - cfg.smooth_nr) as f32,
            tv_alpha: tv_alpha as f32,
            tv_beta: tv_beta as f32,
            eps: cfg.eps as f32,
            gamma: cfg.gamma() as f32,
            inv_gamma: (1.0 / cfg.gamma()) as f32,
            focal_pos: cfg.alpha.unwrap_or(1.0) as f32,
            focal_neg: cfg.alpha.map_or(1.0, |a| 1.0 - a) as f32,
            lambda_dice: if cfg.kind == LossKind::DiceFocal {
                cfg.lambda_dice as f32
            } else {
                1.0
            },
            lambda_focal: if cfg.kind == LossKind::DiceFocal {
                cfg.lambda_focal as f32
            } else {
                1.0
            },
            _pad0: 0,
        }
    }

    /// Units of this configuration.
    pub fn units(&self) -> u32 {
        self.units
    }

    /// Whether loss_terms computes a Part 2 region score (and reports scores and terms).
    pub fn has_score(&self) -> bool {
        self.score != SCORE_PART1
    }
}

/// The member names of the WGSL struct `name` in `source` and its size in bytes, as naga lays it
/// out (nothing and 0 if absent). Panics with naga's message if `source` does not parse.
#[cfg(test)]
pub(crate) fn wgsl_struct(source: &str, name: &str) -> (Vec<String>, usize) {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{}", e.emit_to_string(source)));
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
                "score",
                "term",
                "smp",
                "focal_softmax",
                "focal_norm",
                "unit_pixels",
                "sort_len",
                "smooth_nr",
                "smooth_dr",
                "smooth_off",
                "smooth_gap",
                "tv_alpha",
                "tv_beta",
                "eps",
                "gamma",
                "inv_gamma",
                "focal_pos",
                "focal_neg",
                "lambda_dice",
                "lambda_focal",
                "_pad0"
            ]
        );
        assert_eq!(size, std::mem::size_of::<Params>());
    }
}
