//! `LossConfig`: every option of `shared/spec/losses.md`, named once and validated in one place.
//!
//! The option names and values here are the ones users type (`dicelab loss --formula seed`) and the
//! ones the page stores in its URL, so they are part of the public contract.

use crate::num::Num;
use crate::options::named;
pub use crate::options::Named;
use serde::{Deserialize, Serialize};

named! {
    /// Which loss is computed.
    LossKind ("loss") {
        /// Soft Dice, one term per (unit, class).
        Dice => "dice",
        /// Generalized Dice (Sudre et al. 2017), one term per unit.
        Gdl => "gdl",
        /// Cross-entropy.
        Ce => "ce",
        /// Mean cross-entropy plus the chosen Dice.
        DiceCe => "dice+ce",
    }
}

named! {
    /// Where the smoothing term sits.
    Formula ("formula") {
        /// The original question's code: `1 − 2·(I + s_nr)/(R + P + s_dr)`.
        Seed => "seed",
        /// The accepted fix: `1 − (2·I + s_nr)/(R + P + s_dr)`.
        Corrected => "corrected",
    }
}

named! {
    /// Generalized Dice class weights `w_al` from the true volume `R_al`.
    Weights ("weights") {
        /// Sudre's `1/R²`.
        Square => "square",
        /// `1/R`.
        Simple => "simple",
        /// `1`.
        Uniform => "uniform",
    }
}

named! {
    /// How the per-term losses are combined.
    Reduction ("reduction") {
        /// Sum of the terms (what the original optimizer minimised).
        Sum => "sum",
        /// Mean of the terms.
        Mean => "mean",
    }
}

named! {
    /// Which pixels one set of sums runs over.
    Aggregation ("aggregation") {
        /// One unit: every pixel of the batch (the original code).
        Global => "global",
        /// One unit per image.
        PerImage => "per-image",
    }
}

named! {
    /// How logits become probabilities.
    Activation ("activation") {
        /// Softmax over the classes of a pixel.
        Softmax => "softmax",
        /// Independent sigmoid per channel.
        Sigmoid => "sigmoid",
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A smoothing constant that is negative, NaN or infinite.
    #[error("smoothing {name} must be a finite number >= 0, got {}", Num(*.value))]
    BadSmoothing {
        /// `smooth-nr` or `smooth-dr`.
        name: &'static str,
        /// The value given.
        value: f64,
    },
}

/// Every option of a loss. `LossConfig::default()` is the spec's default (corrected Dice, global, mean,
/// smoothing 1, softmax, ignore 255, background included).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct LossConfig {
    /// Which loss.
    pub kind: LossKind,
    /// Seed or corrected smoothing (Dice and Generalized Dice).
    pub formula: Formula,
    /// Class weights (Generalized Dice only).
    pub weights: Weights,
    /// Sum or mean over the terms.
    pub reduction: Reduction,
    /// Global or per-image sums.
    pub aggregation: Aggregation,
    /// `Σp²` (and `Σr²`) in the denominator, as in V-Net.
    pub squared: bool,
    /// Numerator smoothing `s_nr`.
    pub smooth_nr: f64,
    /// Denominator smoothing `s_dr`.
    pub smooth_dr: f64,
    /// Softmax or sigmoid.
    pub activation: Activation,
    /// Label value that marks a pixel as unlabelled.
    pub ignore_index: i32,
    /// Whether class 0 takes part in the loss terms.
    pub include_background: bool,
}

impl Default for LossConfig {
    fn default() -> Self {
        Self {
            kind: LossKind::Dice,
            formula: Formula::Corrected,
            weights: Weights::Square,
            reduction: Reduction::Mean,
            aggregation: Aggregation::Global,
            squared: false,
            smooth_nr: 1.0,
            smooth_dr: 1.0,
            activation: Activation::Softmax,
            ignore_index: 255,
            include_background: true,
        }
    }
}

impl LossConfig {
    /// Checks the values that the types alone cannot: smoothing must be finite and non-negative.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, value) in [("smooth-nr", self.smooth_nr), ("smooth-dr", self.smooth_dr)] {
            if !value.is_finite() || value < 0.0 {
                return Err(ConfigError::BadSmoothing { name, value });
            }
        }
        Ok(())
    }

    /// Whether the Dice/Generalized Dice part is computed.
    pub fn has_dice(&self) -> bool {
        !matches!(self.kind, LossKind::Ce)
    }

    /// Whether a cross-entropy part is computed.
    pub fn has_ce(&self) -> bool {
        matches!(self.kind, LossKind::Ce | LossKind::DiceCe)
    }

    /// The first class that takes part in the loss terms.
    pub fn first_class(&self) -> usize {
        usize::from(!self.include_background)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in LossKind::ALL {
            assert_eq!(k.name().parse::<LossKind>(), Ok(*k));
        }
        assert_eq!("dice+ce".parse::<LossKind>(), Ok(LossKind::DiceCe));
        assert!("Dice".parse::<LossKind>().is_err());
    }

    #[test]
    fn smoothing_is_validated() {
        let mut c = LossConfig::default();
        assert!(c.validate().is_ok());
        c.smooth_dr = -1e-9;
        assert!(c.validate().is_err());
        c.smooth_dr = f64::NAN;
        assert!(c.validate().is_err());
        c.smooth_dr = 0.0;
        assert!(c.validate().is_ok());
    }

    #[test]
    fn serde_uses_the_cli_names() -> Result<(), serde_json::Error> {
        let c: LossConfig = serde_json::from_str(
            r#"{"kind":"dice+ce","aggregation":"per-image","smooth-nr":0.5}"#,
        )?;
        assert_eq!(c.kind, LossKind::DiceCe);
        assert_eq!(c.aggregation, Aggregation::PerImage);
        assert_eq!(c.smooth_nr, 0.5);
        assert_eq!(c.formula, Formula::Corrected);
        Ok(())
    }
}
