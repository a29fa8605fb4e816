//! Full blocks between the channels-last input (`W` pixels × `C` values) and class rows, with `C`
//! a constant for the usual class counts (2–8): the copy then unrolls over the classes with every
//! address known, instead of a scalar loop over a run-time `C` (the callers' fallback).

use super::block::{Lanes, W};

/// Calls `$f::<C>($args)` for the `C` equal to `$c` among 2..=8; `false` for any other `$c`.
macro_rules! with_const_classes {
    ($c:expr, $f:ident($($arg:expr),*)) => {
        match $c {
            2 => $f::<2>($($arg),*),
            3 => $f::<3>($($arg),*),
            4 => $f::<4>($($arg),*),
            5 => $f::<5>($($arg),*),
            6 => $f::<6>($($arg),*),
            7 => $f::<7>($($arg),*),
            8 => $f::<8>($($arg),*),
            _ => false,
        }
    };
}

/// `rows[k][i] = px[i·C + k]` for `W` pixels; whether `rows.len()` had a fixed copy and `px`
/// held exactly `W` pixels.
pub(super) fn to_rows(rows: &mut [Lanes], px: &[f32]) -> bool {
    with_const_classes!(rows.len(), to_rows_c(rows, px))
}

/// `px[i·C + k] = rows[k][i]` for `W` pixels; as [`to_rows`].
pub(super) fn to_pixels(rows: &[Lanes], px: &mut [f32]) -> bool {
    with_const_classes!(rows.len(), to_pixels_c(rows, px))
}

fn to_rows_c<const C: usize>(rows: &mut [Lanes], px: &[f32]) -> bool {
    let (Ok(rows), (pixels, [])) = (<&mut [Lanes; C]>::try_from(rows), px.as_chunks::<C>()) else {
        return false;
    };
    let Ok(pixels) = <&[[f32; C]; W]>::try_from(pixels) else {
        return false;
    };
    for (i, p) in pixels.iter().enumerate() {
        for k in 0..C {
            rows[k][i] = p[k];
        }
    }
    true
}

fn to_pixels_c<const C: usize>(rows: &[Lanes], px: &mut [f32]) -> bool {
    let (Ok(rows), (pixels, [])) = (<&[Lanes; C]>::try_from(rows), px.as_chunks_mut::<C>()) else {
        return false;
    };
    let Ok(pixels) = <&mut [[f32; C]; W]>::try_from(pixels) else {
        return false;
    };
    for (i, p) in pixels.iter_mut().enumerate() {
        for k in 0..C {
            p[k] = rows[k][i];
        }
    }
    true
}
