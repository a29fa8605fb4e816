//! The named loss presets of `dicelab train --preset`, `dicelab experiment` and the page's
//! one-click buttons: Part 1's five, and four of Part 2 (docs/losses.md), which train on the CPU.

use crate::loss::{Aggregation, Formula, LossConfig, LossKind, Reduction, Weights};
use crate::options::named;

named! {
    /// A named loss configuration.
    Preset ("preset") {
        /// The original question's code: seed formula `1 − 2(I+1)/(R+P+1)`, global sums, the per-class
        /// terms summed, no class weights.
        SeedBug => "seed-bug",
        /// The accepted fix: corrected formula `1 − (2I+1)/(R+P+1)`, mean over classes.
        Corrected => "corrected",
        /// Generalized Dice with Sudre's square weights `1/R²`, corrected formula.
        Gdl => "gdl",
        /// Mean softmax cross-entropy.
        CrossEntropy => "cross-entropy",
        /// Mean cross-entropy plus the corrected Dice.
        DiceCe => "dice+ce",
        /// Tversky (MONAI) weighing false negatives more: `alpha` 0.3, `beta` 0.7.
        TverskyFn => "tversky-fn",
        /// Sigmoid focal loss (SMP), `gamma` 2.
        Focal => "focal",
        /// Lovász-softmax (SMP), global.
        Lovasz => "lovasz",
        /// The corrected Dice (MONAI) plus the element-mean sigmoid focal loss, `gamma` 2.
        DiceFocal => "dice+focal",
    }
}

impl Preset {
    /// The loss configuration (every other option at the spec's default: softmax, smoothing 1,
    /// background included, ignore 255).
    pub fn config(self) -> LossConfig {
        let base = LossConfig {
            aggregation: Aggregation::Global,
            formula: Formula::Corrected,
            reduction: Reduction::Mean,
            ..LossConfig::default()
        };
        match self {
            Self::SeedBug => LossConfig {
                kind: LossKind::Dice,
                formula: Formula::Seed,
                reduction: Reduction::Sum,
                ..base
            },
            Self::Corrected => LossConfig {
                kind: LossKind::Dice,
                ..base
            },
            Self::Gdl => LossConfig {
                kind: LossKind::Gdl,
                weights: Weights::Square,
                ..base
            },
            Self::CrossEntropy => LossConfig {
                kind: LossKind::Ce,
                ..base
            },
            Self::DiceCe => LossConfig {
                kind: LossKind::DiceCe,
                ..base
            },
            Self::TverskyFn => LossConfig {
                kind: LossKind::Tversky,
                alpha: Some(0.3),
                beta: 0.7,
                ..base
            },
            Self::Focal => LossConfig {
                kind: LossKind::Focal,
                gamma: Some(2.0),
                ..base
            },
            Self::Lovasz => LossConfig {
                kind: LossKind::Lovasz,
                ..base
            },
            Self::DiceFocal => LossConfig {
                kind: LossKind::DiceFocal,
                gamma: Some(2.0),
                ..base
            },
        }
    }
}
