//! `LossConfig::validate`: the rules the types alone cannot hold (docs/losses.md 1.1, 2.0, 2.13),
//! each refusal a `ConfigError` whose one-line message names the option.
//!
//! Options a kind does not use are ignored (as `--weights` is for Dice), except where the user
//! would otherwise get a different loss than the one asked for: a variant, `--log-loss`,
//! `--squared` or a softmax focal term the kind does not have.

use super::config::{Activation, Formula, LossConfig, LossKind, Variant};
use crate::num::Num;

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
    /// A number outside its range (NaN and infinities included).
    #[error("{name} must be {range}, got {}", Num(*.value))]
    OutOfRange {
        /// The option, as the CLI spells it.
        name: &'static str,
        /// The range, in words.
        range: &'static str,
        /// The value given.
        value: f64,
    },
    /// A variant the kind does not have.
    #[error("--variant {variant} does not apply to --loss {kind} ({allowed})")]
    BadVariant {
        /// The variant given.
        variant: Variant,
        /// The loss.
        kind: LossKind,
        /// The variants it has, in words.
        allowed: &'static str,
    },
    /// A Part 2 loss or option in a build without them (the page's playground modules).
    #[error("{0}: not in this build of dicelab (the full engine computes it)")]
    NotInBuild(String),
    /// An option the kind (with its variant) has no form for.
    #[error("{option} does not apply to --loss {kind} --variant {variant}{why}")]
    NotApplicable {
        /// The option, as the CLI spells it.
        option: &'static str,
        /// The loss.
        kind: LossKind,
        /// Its variant in force.
        variant: Variant,
        /// A short reason, starting with "; " (or empty).
        why: &'static str,
    },
}

/// The variants of `kind` (docs/losses.md 2.0), in words for the message.
fn variants(kind: LossKind) -> (&'static [Variant], &'static str) {
    use Variant::{Monai, Paper, Smp};
    match kind {
        LossKind::Dice
        | LossKind::Jaccard
        | LossKind::Tversky
        | LossKind::Focal
        | LossKind::DiceFocal => (&[Monai, Smp], "it has monai and smp"),
        LossKind::FocalTversky => (&[Smp, Paper], "it has smp and paper"),
        LossKind::Lovasz => (&[Smp], "it has smp only"),
        LossKind::Gdl | LossKind::Ce | LossKind::DiceCe => (&[], "it has no variants"),
    }
}

impl LossKind {
    /// The library variants this loss has (none: the option does not apply).
    pub fn variants(self) -> &'static [Variant] {
        variants(self).0
    }
}

fn check(name: &'static str, value: f64, ok: bool, range: &'static str) -> Result<(), ConfigError> {
    if value.is_finite() && ok {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange { name, range, value })
    }
}

const NON_NEGATIVE: &str = "a finite number >= 0";

impl LossConfig {
    /// Checks the values that the types alone cannot: finite, in-range numbers, and options that
    /// exist for the chosen loss and variant.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, value) in [("smooth-nr", self.smooth_nr), ("smooth-dr", self.smooth_dr)] {
            if !value.is_finite() || value < 0.0 {
                return Err(ConfigError::BadSmoothing { name, value });
            }
        }
        self.check_numbers()?;
        self.check_options()?;
        match self.part2_feature() {
            Some(what) if !cfg!(feature = "part2") => Err(ConfigError::NotInBuild(what)),
            _ => Ok(()),
        }
    }

    fn check_numbers(&self) -> Result<(), ConfigError> {
        let focal = self.has_focal();
        if let Some(a) = self.alpha {
            match focal {
                true => check(
                    "--alpha",
                    a,
                    (0.0..=1.0).contains(&a),
                    "in [0, 1] for focal",
                )?,
                false => check("--alpha", a, a >= 0.0, NON_NEGATIVE)?,
            }
        }
        check("--beta", self.beta, self.beta >= 0.0, NON_NEGATIVE)?;
        if let Some(g) = self.gamma {
            match self.kind {
                // `(1 − T)^(1/γ)` and `L₀^γ` need γ > 0.
                LossKind::FocalTversky => check(
                    "--gamma",
                    g,
                    g > 0.0,
                    "a finite number > 0 for focal-tversky",
                )?,
                _ => check("--gamma", g, g >= 0.0, NON_NEGATIVE)?,
            }
        }
        check("--eps", self.eps, self.eps > 0.0, "a finite number > 0")?;
        check(
            "--lambda-dice",
            self.lambda_dice,
            self.lambda_dice >= 0.0,
            NON_NEGATIVE,
        )?;
        check(
            "--lambda-focal",
            self.lambda_focal,
            self.lambda_focal >= 0.0,
            NON_NEGATIVE,
        )
    }

    fn check_options(&self) -> Result<(), ConfigError> {
        let (kind, variant) = (self.kind, self.variant());
        if let Some(v) = self.variant {
            let (allowed, words) = variants(kind);
            if !allowed.contains(&v) {
                return Err(ConfigError::BadVariant {
                    variant: v,
                    kind,
                    allowed: words,
                });
            }
        }
        let refuse = |option, why| {
            Err(ConfigError::NotApplicable {
                option,
                kind,
                variant,
                why,
            })
        };
        let smp_dice =
            matches!(kind, LossKind::Dice | LossKind::DiceFocal) && variant == Variant::Smp;
        if smp_dice && self.formula == Formula::Seed {
            return refuse("--formula seed", "; SMP's Dice has the corrected placement");
        }
        // Part 1's Dice (also inside dice+ce and dice+focal), Generalized Dice and MONAI's
        // Jaccard have a squared denominator (MONAI's `squared_pred`); nothing else does.
        let squared_ok = match kind {
            LossKind::Gdl | LossKind::Ce | LossKind::DiceCe => true,
            LossKind::Dice | LossKind::Jaccard | LossKind::DiceFocal => variant == Variant::Monai,
            _ => false,
        };
        if self.squared && !squared_ok {
            return refuse("--squared", "");
        }
        let log_ok = match kind {
            LossKind::Dice | LossKind::Jaccard | LossKind::Tversky => true,
            LossKind::FocalTversky => variant == Variant::Smp,
            _ => false,
        };
        if self.log_loss && !log_ok {
            return refuse("--log-loss", "");
        }
        if self.focal_activation == Activation::Softmax {
            if kind == LossKind::DiceFocal {
                return refuse(
                    "--focal-activation softmax",
                    "; its focal term is the sigmoid form",
                );
            }
            if kind == LossKind::Focal && !self.include_background {
                // MONAI renormalises the softmax over the remaining classes and drops a scalar
                // alpha: no well-defined counterpart (docs/losses.md 2.6).
                return refuse(
                    "--focal-activation softmax",
                    " without the background class (--no-background)",
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Named;

    fn cfg(kind: LossKind) -> LossConfig {
        LossConfig {
            kind,
            ..LossConfig::default()
        }
    }

    #[test]
    fn every_default_is_valid() {
        for &k in LossKind::ALL {
            assert_eq!(cfg(k).validate(), Ok(()), "{k}");
        }
    }

    #[test]
    fn numbers_are_checked_with_one_line_naming_the_option() {
        let bad = [
            LossConfig {
                alpha: Some(-0.1),
                ..cfg(LossKind::Tversky)
            },
            LossConfig {
                alpha: Some(1.5),
                ..cfg(LossKind::Focal)
            },
            LossConfig {
                beta: f64::NAN,
                ..cfg(LossKind::Tversky)
            },
            LossConfig {
                gamma: Some(0.0),
                ..cfg(LossKind::FocalTversky)
            },
            LossConfig {
                gamma: Some(-1.0),
                ..cfg(LossKind::Focal)
            },
            LossConfig {
                eps: 0.0,
                ..cfg(LossKind::Jaccard)
            },
            LossConfig {
                lambda_focal: f64::INFINITY,
                ..cfg(LossKind::DiceFocal)
            },
        ];
        for (c, name) in bad.iter().zip([
            "--alpha",
            "--alpha",
            "--beta",
            "--gamma",
            "--gamma",
            "--eps",
            "--lambda-focal",
        ]) {
            let msg = c
                .validate()
                .map_err(|e| e.to_string())
                .err()
                .unwrap_or_default();
            assert!(msg.starts_with(name) && !msg.contains('\n'), "{msg}");
        }
        assert!(LossConfig {
            alpha: Some(2.0),
            ..cfg(LossKind::Tversky)
        }
        .validate()
        .is_ok());
    }

    #[test]
    fn variants_follow_the_table() {
        let with = |kind, v| LossConfig {
            variant: Some(v),
            ..cfg(kind)
        };
        assert!(with(LossKind::Lovasz, Variant::Monai).validate().is_err());
        assert!(with(LossKind::FocalTversky, Variant::Monai)
            .validate()
            .is_err());
        assert!(with(LossKind::Focal, Variant::Paper).validate().is_err());
        assert!(with(LossKind::Gdl, Variant::Monai).validate().is_err());
        assert!(with(LossKind::FocalTversky, Variant::Paper)
            .validate()
            .is_ok());
        assert!(with(LossKind::Dice, Variant::Smp).validate().is_ok());
        let seed = LossConfig {
            formula: Formula::Seed,
            ..with(LossKind::Dice, Variant::Smp)
        };
        assert!(seed.validate().is_err());
    }

    #[test]
    fn options_without_a_form_are_refused() {
        let squared = |kind| LossConfig {
            squared: true,
            ..cfg(kind)
        };
        assert!(squared(LossKind::Jaccard).validate().is_ok());
        assert!(squared(LossKind::Tversky).validate().is_err());
        assert!(squared(LossKind::Lovasz).validate().is_err());
        let log = |kind| LossConfig {
            log_loss: true,
            ..cfg(kind)
        };
        assert!(log(LossKind::FocalTversky).validate().is_ok());
        assert!(log(LossKind::Focal).validate().is_err());
        assert!(log(LossKind::Gdl).validate().is_err());
        let softmax = LossConfig {
            focal_activation: Activation::Softmax,
            include_background: false,
            ..cfg(LossKind::Focal)
        };
        assert!(softmax.validate().is_err());
    }
}
