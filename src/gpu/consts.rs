//! The constants shared with the WGSL kernels (`shared.rs`, the one definition; `build.rs` writes
//! the same entries into the kernels' prelude).

/// Defines each entry as a `pub const u32`.
macro_rules! shared {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        $($(#[$doc])* pub const $name: u32 = $value;)*
    };
}

include!("shared.rs");

const _: () = assert!(
    MAX_CH as usize >= crate::net::WIDTHS[2] && MAX_CH as usize >= *crate::net::CLASSES.end()
);
