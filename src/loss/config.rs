//! `LossConfig`: every option of `shared/spec/losses.md`, named once and validated in one place.
//!
//! The option names and values here are the ones users type (`dicelab loss --formula seed`) and the
//! ones the page stores in its URL, so they are part of the public contract.

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
        /// Soft Jaccard / IoU (docs/losses.md 2.2).
        Jaccard => "jaccard",
        /// Tversky: `alpha` weighs false positives, `beta` false negatives (2.3).
        Tversky => "tversky",
        /// Focal Tversky: SMP's power of the class mean, or the paper's `(1 − T)^(1/γ)` (2.4).
        FocalTversky => "focal-tversky",
        /// Focal loss (Lin et al. 2017), sigmoid or softmax form (2.6).
        Focal => "focal",
        /// Lovász-softmax (Berman et al. 2018), over the classes present in each unit (2.7).
        Lovasz => "lovasz",
        /// `lambda-dice`·Dice plus `lambda-focal`·the element-mean sigmoid focal loss (2.8).
        DiceFocal => "dice+focal",
    }
}

impl LossKind {
    /// Whether this is one of docs/losses.md Part 2's losses (issue 16), left out of builds
    /// without feature `part2`.
    pub fn is_part2(self) -> bool {
        !matches!(self, Self::Dice | Self::Gdl | Self::Ce | Self::DiceCe)
    }
}

named! {
    /// Whose version of a loss, where SMP and MONAI compute different things under one name
    /// (docs/losses.md 2.0).
    Variant ("variant") {
        /// MONAI's smoothing placement; every (unit, class) term kept; no clamp.
        Monai => "monai",
        /// SMP's Tversky-form score with its `eps` clamp; absent classes' terms zeroed but counted.
        Smp => "smp",
        /// Abraham & Khan (2019): `(1 − T)^(1/γ)` per term (focal Tversky only).
        Paper => "paper",
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
    /// Whose version of a Part 2 loss; `None`: the kind's default ([`LossConfig::variant`]).
    pub variant: Option<Variant>,
    /// Tversky's false-positive weight (`None`: 0.5), or the focal loss's positive-class weight
    /// (`None`: unweighted).
    pub alpha: Option<f64>,
    /// Tversky's false-negative weight.
    pub beta: f64,
    /// The focal exponent; `None`: the kind's default ([`LossConfig::gamma`]).
    pub gamma: Option<f64>,
    /// `−ln max(S, eps)` instead of `1 − S` (SMP's `log_loss`).
    pub log_loss: bool,
    /// SMP's clamp of the Tversky denominator and of the `log_loss` argument.
    pub eps: f64,
    /// The focal loss's own activation (independent of `activation`, which drives the region terms).
    pub focal_activation: Activation,
    /// Weight of the Dice term of `dice+focal`.
    pub lambda_dice: f64,
    /// Weight of the focal term of `dice+focal`.
    pub lambda_focal: f64,
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
            variant: None,
            alpha: None,
            beta: 0.5,
            gamma: None,
            log_loss: false,
            eps: 1e-7,
            focal_activation: Activation::Sigmoid,
            lambda_dice: 1.0,
            lambda_focal: 1.0,
        }
    }
}

impl LossConfig {
    /// The variant in force: the one given, or the kind's default (`smp` for focal-tversky,
    /// lovasz and focal; `monai` otherwise, which for Part 1's losses is what they always were).
    pub fn variant(&self) -> Variant {
        self.variant.unwrap_or(match self.kind {
            LossKind::FocalTversky | LossKind::Lovasz | LossKind::Focal => Variant::Smp,
            _ => Variant::Monai,
        })
    }

    /// The exponent in force: the one given, or 0.75 (focal-tversky `smp`), 4/3 (`paper`; both the
    /// paper's exponent 0.75), 2 (focal, dice+focal).
    pub fn gamma(&self) -> f64 {
        self.gamma.unwrap_or(match (self.kind, self.variant()) {
            (LossKind::FocalTversky, Variant::Paper) => 4.0 / 3.0,
            (LossKind::FocalTversky, _) => 0.75,
            _ => 2.0,
        })
    }

    /// Tversky's false-positive weight in force (0.5 unless given).
    pub fn tversky_alpha(&self) -> f64 {
        self.alpha.unwrap_or(0.5)
    }

    /// Whether the Dice/Generalized Dice part is computed (and reported as `dice`).
    pub fn has_dice(&self) -> bool {
        matches!(
            self.kind,
            LossKind::Dice | LossKind::Gdl | LossKind::DiceCe | LossKind::DiceFocal
        )
    }

    /// Whether a cross-entropy part is computed.
    pub fn has_ce(&self) -> bool {
        matches!(self.kind, LossKind::Ce | LossKind::DiceCe)
    }

    /// Whether a focal part is computed (never in a build without Part 2).
    pub fn has_focal(&self) -> bool {
        cfg!(feature = "part2") && matches!(self.kind, LossKind::Focal | LossKind::DiceFocal)
    }

    /// Whether the loss is a function of the sums `I`, `R`, `P` and the cross-entropy sum alone
    /// (everything but the focal and Lovász terms), so that any engine computing the sums can
    /// reuse `loss_terms`.
    pub fn from_sums(&self) -> bool {
        !self.has_focal() && self.kind != LossKind::Lovasz
    }

    /// The Dice part is Part 1's Dice (docs/losses.md 1.2), computed as it always was.
    pub(crate) fn part1_dice(&self) -> bool {
        matches!(
            self.kind,
            LossKind::Dice | LossKind::DiceCe | LossKind::DiceFocal
        ) && self.variant() == Variant::Monai
            && !self.log_loss
    }

    /// What this configuration asks for beyond Part 1's losses (`--loss lovasz`, `--variant smp`,
    /// `--log-loss`), which builds without feature `part2` refuse; `None` for Part 1's losses.
    pub fn part2_feature(&self) -> Option<String> {
        if self.kind.is_part2() {
            Some(format!("--loss {}", self.kind))
        } else if self.variant() != Variant::Monai {
            Some(format!("--variant {}", self.variant()))
        } else if self.log_loss {
            Some("--log-loss".into())
        } else {
            None
        }
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
