//! im2col and its adjoint col2im: a convolution becomes one matrix product.
//!
//! Row `p = (b·H + y)·W + x` of the column matrix holds, for each tap `(ky, kx)` and input channel
//! `ci`, the input at `(b, y + ky·d − pad, x + kx·d − pad, ci)` (0 outside the image), at column
//! `(ky·k + kx)·cin + ci` — the row order of HWIO weights, so `out = col · W`.

use super::geometry::{Conv, Dims};

/// The input position read by tap `t` (of `k`) at output position `o`, if inside `0..n`.
#[inline]
fn tap_at(o: usize, t: usize, conv: &Conv, n: usize) -> Option<usize> {
    (o + t * conv.dilation)
        .checked_sub(conv.pad())
        .filter(|&i| i < n)
}

/// Fills `col` (`B·H·W` rows of `k·k·cin`) from `input` (B, H, W, cin).
pub fn im2col(conv: &Conv, dims: Dims, input: &[f32], col: &mut [f32]) {
    assert_eq!(
        col.len(),
        dims.pixels() * conv.taps(),
        "im2col column length"
    );
    im2col_rows(conv, dims, input, 0, col);
}

/// Fills `col` with rows `first..first + col.len() / k·k·cin` of the im2col matrix: one tile.
pub fn im2col_rows(conv: &Conv, dims: Dims, input: &[f32], first: usize, col: &mut [f32]) {
    let (h, w, cin, k) = (dims.height, dims.width, conv.cin, conv.k);
    assert_eq!(input.len(), dims.pixels() * cin, "im2col input length");
    assert!(
        col.len().is_multiple_of(conv.taps()) && first + col.len() / conv.taps() <= dims.pixels(),
        "im2col rows out of range"
    );
    for (i, row) in col.chunks_exact_mut(conv.taps()).enumerate() {
        let p = first + i;
        let (b, y, x) = (p / (h * w), (p / w) % h, p % w);
        for ky in 0..k {
            let iy = tap_at(y, ky, conv, h);
            for kx in 0..k {
                let dst = &mut row[(ky * k + kx) * cin..][..cin];
                match (iy, tap_at(x, kx, conv, w)) {
                    (Some(iy), Some(ix)) => {
                        let src = ((b * h + iy) * w + ix) * cin;
                        dst.copy_from_slice(&input[src..src + cin]);
                    }
                    _ => dst.fill(0.0),
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: `out` (B, H, W, cin) = Σ over the rows and taps that read each input
/// value of the corresponding `col` entry. Entries for padding positions are dropped.
pub fn col2im(conv: &Conv, dims: Dims, col: &[f32], out: &mut [f32]) {
    assert_eq!(
        col.len(),
        dims.pixels() * conv.taps(),
        "col2im column length"
    );
    out.fill(0.0);
    col2im_add_rows(conv, dims, col, 0, out);
}

/// Adds the adjoint of rows `first..first + col.len() / k·k·cin` (one tile of [`im2col_rows`]) into
/// `out`; summing every tile into a zeroed `out` gives [`col2im`].
pub fn col2im_add_rows(conv: &Conv, dims: Dims, col: &[f32], first: usize, out: &mut [f32]) {
    let (h, w, cin, k) = (dims.height, dims.width, conv.cin, conv.k);
    assert_eq!(out.len(), dims.pixels() * cin, "col2im output length");
    assert!(
        col.len().is_multiple_of(conv.taps()) && first + col.len() / conv.taps() <= dims.pixels(),
        "col2im rows out of range"
    );
    for (i, row) in col.chunks_exact(conv.taps()).enumerate() {
        let p = first + i;
        let (b, y, x) = (p / (h * w), (p / w) % h, p % w);
        for ky in 0..k {
            let Some(iy) = tap_at(y, ky, conv, h) else {
                continue;
            };
            for kx in 0..k {
                let Some(ix) = tap_at(x, kx, conv, w) else {
                    continue;
                };
                let dst = ((b * h + iy) * w + ix) * cin;
                let src = &row[(ky * k + kx) * cin..][..cin];
                for (o, v) in out[dst..dst + cin].iter_mut().zip(src) {
                    *o += v;
                }
            }
        }
    }
}
