//! Test inputs and the grid of configurations every check runs over.

use crate::reference::Problem;
use dicelab::loss::{
    Activation, Aggregation, Formula, LossConfig, LossKind, Named, Reduction, Variant, Weights,
};
use dicelab::rng::Mulberry32;
use ndarray::{Array3, Array4};

/// A named input: f32 logits and i32 labels, and the same in f64 for the reference.
pub struct Case {
    pub name: &'static str,
    pub logits: Array4<f32>,
    pub labels: Array3<i32>,
}

impl Case {
    pub fn problem(&self) -> Problem {
        let (b, h, w, c) = self.logits.dim();
        Problem {
            b,
            h,
            w,
            c,
            z: self.logits.iter().map(|&v| f64::from(v)).collect(),
            y: self.labels.iter().map(|&v| i64::from(v)).collect(),
        }
    }
}

fn random_case(
    name: &'static str,
    seed: u32,
    dims: (usize, usize, usize, usize),
    scale: f32,
) -> Case {
    let mut rng = Mulberry32::new(seed);
    let logits = Array4::from_shape_simple_fn(dims, || scale * (2.0 * rng.next_f32() - 1.0));
    let labels =
        Array3::from_shape_simple_fn((dims.0, dims.1, dims.2), || rng.below(dims.3) as i32);
    Case {
        name,
        logits,
        labels,
    }
}

/// The inputs the spec asks every check to cover: a class absent from the truth, ignored pixels, an
/// all-ignored image, extreme logits, a 1×1 image.
pub fn cases() -> Vec<Case> {
    let mut general = random_case("general", 7, (2, 3, 2, 4), 3.0);
    // Class 3 absent from the truth; two ignored pixels.
    general.labels.mapv_inplace(|v| if v == 3 { 1 } else { v });
    general.labels[[0, 1, 1]] = 255;
    general.labels[[1, 2, 0]] = 255;

    let mut ignored_image = random_case("all-ignored image", 11, (2, 2, 2, 3), 2.0);
    ignored_image
        .labels
        .index_axis_mut(ndarray::Axis(0), 1)
        .fill(255);

    let mut extreme = random_case("extreme logits", 13, (2, 2, 2, 3), 1.0);
    extreme.logits.mapv_inplace(|v| {
        if v > 0.3 {
            80.0
        } else if v < -0.3 {
            -80.0
        } else {
            v
        }
    });

    let one = random_case("1x1 image", 17, (1, 1, 1, 3), 2.0);
    vec![general, ignored_image, extreme, one]
}

/// Part 1's losses (docs/losses.md), the first four kinds; Part 2's have their own grid
/// (`part2_configs`).
pub const PART1: &[LossKind] = &[
    LossKind::Dice,
    LossKind::Gdl,
    LossKind::Ce,
    LossKind::DiceCe,
];

/// Every combination of Part 1's kind × formula × weights (gdl only) × reduction × aggregation ×
/// squared × activation × background, with the smoothing given.
pub fn configs(smooth_nr: f64, smooth_dr: f64) -> Vec<LossConfig> {
    let mut out = Vec::new();
    for &kind in PART1 {
        let weights: &[Weights] = if kind == LossKind::Gdl {
            Weights::ALL
        } else {
            &[Weights::Square]
        };
        for &formula in Formula::ALL {
            for &weights in weights {
                for &reduction in Reduction::ALL {
                    for &aggregation in Aggregation::ALL {
                        for squared in [false, true] {
                            for &activation in Activation::ALL {
                                for include_background in [true, false] {
                                    out.push(LossConfig {
                                        kind,
                                        formula,
                                        weights,
                                        reduction,
                                        aggregation,
                                        squared,
                                        smooth_nr,
                                        smooth_dr,
                                        activation,
                                        ignore_index: 255,
                                        include_background,
                                        ..LossConfig::default()
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Short description of a configuration for failure messages.
pub fn describe(c: &LossConfig) -> String {
    format!(
        "{} {} {} {} {} sq={} {} bg={} s=({}, {})",
        c.kind,
        c.formula,
        c.weights,
        c.reduction,
        c.aggregation,
        c.squared,
        c.activation,
        c.include_background,
        c.smooth_nr,
        c.smooth_dr
    )
}

/// Part 2's grid: per kind a few option sets (variants, log, squared, weights, exponents,
/// lambdas), each × reduction × aggregation × background × activation (the focal kind ignores
/// the activation: softmax only), with the smoothing given; invalid combinations left out.
pub fn part2_configs(smooth_nr: f64, smooth_dr: f64) -> Vec<LossConfig> {
    use LossKind::*;
    use Variant::{Monai, Paper, Smp};
    let base = LossConfig::default();
    let v = |kind, variant| LossConfig {
        kind,
        variant: Some(variant),
        ..base
    };
    let specifics: Vec<LossConfig> = vec![
        v(Dice, Smp),
        LossConfig {
            log_loss: true,
            ..v(Dice, Smp)
        },
        LossConfig {
            log_loss: true,
            ..v(Dice, Monai)
        },
        LossConfig {
            log_loss: true,
            formula: Formula::Seed,
            ..v(Dice, Monai)
        },
        v(Jaccard, Monai),
        LossConfig {
            squared: true,
            ..v(Jaccard, Monai)
        },
        LossConfig {
            log_loss: true,
            ..v(Jaccard, Monai)
        },
        v(Jaccard, Smp),
        LossConfig {
            log_loss: true,
            ..v(Jaccard, Smp)
        },
        LossConfig {
            alpha: Some(0.3),
            beta: 0.7,
            ..v(Tversky, Monai)
        },
        LossConfig {
            alpha: Some(0.3),
            beta: 0.7,
            ..v(Tversky, Smp)
        },
        LossConfig {
            alpha: Some(1.0),
            beta: 0.2,
            log_loss: true,
            ..v(Tversky, Smp)
        },
        LossConfig {
            kind: Tversky,
            alpha: Some(1.0),
            beta: 0.2,
            log_loss: true,
            ..base
        },
        LossConfig {
            kind: FocalTversky,
            ..base
        },
        LossConfig {
            alpha: Some(0.3),
            beta: 0.7,
            gamma: Some(1.5),
            log_loss: true,
            ..v(FocalTversky, Smp)
        },
        LossConfig {
            alpha: Some(0.3),
            beta: 0.7,
            ..v(FocalTversky, Paper)
        },
        LossConfig {
            gamma: Some(2.0),
            ..v(FocalTversky, Paper)
        },
        LossConfig {
            kind: Focal,
            ..base
        },
        v(Focal, Monai),
        LossConfig {
            alpha: Some(0.25),
            gamma: Some(0.5),
            ..v(Focal, Smp)
        },
        LossConfig {
            alpha: Some(0.25),
            gamma: Some(0.0),
            ..v(Focal, Monai)
        },
        LossConfig {
            focal_activation: Activation::Softmax,
            ..v(Focal, Smp)
        },
        LossConfig {
            focal_activation: Activation::Softmax,
            alpha: Some(0.25),
            gamma: Some(0.5),
            ..v(Focal, Monai)
        },
        LossConfig {
            kind: Lovasz,
            ..base
        },
        LossConfig {
            kind: DiceFocal,
            ..base
        },
        LossConfig {
            squared: true,
            alpha: Some(0.25),
            lambda_dice: 0.7,
            lambda_focal: 2.5,
            ..v(DiceFocal, Monai)
        },
        v(DiceFocal, Smp),
        LossConfig {
            gamma: Some(0.5),
            lambda_dice: 2.0,
            lambda_focal: 0.5,
            ..v(DiceFocal, Smp)
        },
    ];
    let mut out = Vec::new();
    for spec in specifics {
        for &reduction in &[Reduction::Mean, Reduction::Sum] {
            for &aggregation in &[Aggregation::Global, Aggregation::PerImage] {
                for include_background in [true, false] {
                    for &activation in &[Activation::Softmax, Activation::Sigmoid] {
                        if spec.kind == Focal && activation == Activation::Sigmoid {
                            continue;
                        }
                        let cfg = LossConfig {
                            reduction,
                            aggregation,
                            include_background,
                            activation,
                            smooth_nr,
                            smooth_dr,
                            ..spec
                        };
                        if cfg.validate().is_ok() {
                            out.push(cfg);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Short description of a Part 2 configuration for failure messages.
pub fn describe_part2(c: &LossConfig) -> String {
    format!(
        "{} {:?} {} {} bg={} {} s=({}, {}) α={:?} β={} γ={:?} log={} sq={} focal-act={} λ=({}, {})",
        c.kind,
        c.variant,
        c.reduction,
        c.aggregation,
        c.include_background,
        c.activation,
        c.smooth_nr,
        c.smooth_dr,
        c.alpha,
        c.beta,
        c.gamma,
        c.log_loss,
        c.squared,
        c.focal_activation,
        c.lambda_dice,
        c.lambda_focal
    )
}
