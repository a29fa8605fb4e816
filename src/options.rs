//! `named_option!`: option enums with fixed user-facing names (CLI values, JSON, the page's URL),
//! for the options outside the loss engine (data, net, optimiser, presets). The loss options have
//! their own in `loss::config`; both implement [`crate::loss::Named`], so the CLI parses them alike.

/// Defines an enum whose variants have fixed names, with `Named`, `FromStr` (error: one line listing
/// the allowed names), `Display` and serde by name. The first variant is the `Default`.
macro_rules! named_option {
    ($(#[$doc:meta])* $ty:ident ($what:literal) {
        $(#[$fdoc:meta])* $first:ident => $fname:literal
        $(, $(#[$vdoc:meta])* $variant:ident => $name:literal)* $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
        pub enum $ty {
            $(#[$fdoc])* #[default] #[serde(rename = $fname)] $first,
            $($(#[$vdoc])* #[serde(rename = $name)] $variant),*
        }
        impl $crate::loss::Named for $ty {
            const ALL: &'static [Self] = &[Self::$first $(, Self::$variant)*];
            fn name(self) -> &'static str {
                match self { Self::$first => $fname $(, Self::$variant => $name)* }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::loss::Named::name(*self))
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                use $crate::loss::Named;
                Self::ALL.iter().copied().find(|v| v.name() == s).ok_or_else(|| {
                    format!("unknown {} '{s}' (expected one of: {})", $what, Self::names().join(", "))
                })
            }
        }
    };
}

pub(crate) use named_option;
