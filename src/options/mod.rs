//! Option enums with fixed user-facing names (CLI values, JSON, the page's URL), and the page's
//! option schema generated from them (`schema`, native only).
//!
//! `named!` defines every such enum, for the loss engine and for the data, net, optimiser and
//! presets alike, so the CLI and the page parse them one way.

#[cfg(not(target_arch = "wasm32"))]
pub mod schema;

/// An enum whose values have fixed user-facing names.
pub trait Named: Sized + Copy + 'static {
    /// Every value, in the order they are documented.
    const ALL: &'static [Self];
    /// What the value names, as the CLI spells the option (`loss`, `annotation`, …).
    const WHAT: &'static str;
    /// The user-facing name of this value.
    fn name(self) -> &'static str;
    /// The user-facing names of all values.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.name()).collect()
    }
    /// The value of a name, or an error listing the allowed names.
    fn from_name(s: &str) -> Result<Self, UnknownName> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.name() == s)
            .ok_or_else(|| UnknownName {
                what: Self::WHAT,
                value: s.to_owned(),
                allowed: Self::names().join(", "),
            })
    }
}

/// A name that is not one of an option's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}' (expected one of: {allowed})")]
pub struct UnknownName {
    /// The option, as the CLI spells it.
    pub what: &'static str,
    /// What was given.
    pub value: String,
    /// The allowed names, comma separated.
    pub allowed: String,
}

/// Defines an enum whose variants have fixed names, with `Named`, `FromStr`, `Display` and serde by
/// name. The variants are listed in their documented order; defaults live in the configurations.
macro_rules! named {
    ($(#[$doc:meta])* $ty:ident ($what:literal) {
        $($(#[$vdoc:meta])* $variant:ident => $name:literal),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $ty {
            $($(#[$vdoc])* #[serde(rename = $name)] $variant),+
        }
        impl $crate::options::Named for $ty {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const WHAT: &'static str = $what;
            fn name(self) -> &'static str {
                match self { $(Self::$variant => $name),+ }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::options::Named::name(*self))
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $crate::options::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::options::Named>::from_name(s)
            }
        }
    };
}

pub(crate) use named;
