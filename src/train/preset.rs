//! The five named loss presets of `dicelab train --preset` and the page's one-click buttons.

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
        }
    }
}
