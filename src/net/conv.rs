//! Convolution layer: forward, gradient with respect to the input, gradient with respect to the
//! weights and bias. Each function is the CPU twin of a WGSL kernel of the same name.
//!
//! With `X` the im2col matrix of the input (`P = B·H·W` rows of `K = k·k·cin`), `W` the HWIO weights
//! (`K × cout`), `b` the bias and `Y` the output (`P × cout`, which is NHWC):
//! - forward:            `Y = X·W + 1·bᵀ`
//! - input gradient:     `∂L/∂X = ∂L/∂Y · Wᵀ`, then `∂L/∂x = col2im(∂L/∂X)` (im2col is linear, col2im
//!   is its adjoint)
//! - weight gradient:    `∂L/∂W = Xᵀ · ∂L/∂Y`
//! - bias gradient:      `∂L/∂b_c = Σ_p ∂L/∂Y_pc`
//!
//! A 1×1 convolution's im2col matrix is its input, so those layers skip the copy. For k > 1 the
//! im2col matrix is never built whole: the functions walk the pixels in tiles of the rows their
//! `col` scratch holds (the workspace gives [`TILE_ROWS`]), so the matrix being multiplied stays in
//! cache and a training step needs megabytes, not tens of megabytes (the weight gradient rebuilds
//! its tiles from the layer input instead of keeping the forward pass's).

use super::gemm::{gemm, Op};
use super::geometry::{Conv, Dims};
use super::im2col::{col2im_add_rows, im2col_rows};

/// Pixel rows of one im2col tile in the workspace: 512 rows of 3·3·16 taps are 288 KiB, which
/// stays in a core's L2 cache. Tiling took `dicelab bench train` from 15.1 to 21.5–21.8 steps/s at
/// B=8 64² (same run, same machine); 256 and 1024 rows were within this machine's noise of 512.
pub const TILE_ROWS: usize = 512;

/// The pixel tiles `(first, rows)` covering `0..pixels` with `col` holding whole rows of `conv`.
fn tiles(conv: &Conv, pixels: usize, col: &[f32]) -> impl Iterator<Item = (usize, usize)> {
    let rows = col.len() / conv.taps();
    assert!(rows > 0, "im2col scratch holds no row");
    (0..pixels)
        .step_by(rows)
        .map(move |first| (first, rows.min(pixels - first)))
}

/// `output = conv(input) + bias`. For k > 1, `col` is scratch for im2col tiles (a whole number of
/// rows of `k·k·cin`, at least one); 1×1 layers do not touch it (it may be empty).
pub fn conv2d_forward(
    conv: &Conv,
    dims: Dims,
    input: &[f32],
    weights: &[f32],
    bias: &[f32],
    col: &mut [f32],
    output: &mut [f32],
) {
    assert_eq!(bias.len(), conv.cout, "bias length");
    assert_eq!(output.len(), dims.pixels() * conv.cout, "output length");
    for row in output.chunks_exact_mut(conv.cout) {
        row.copy_from_slice(bias);
    }
    let (taps, cout) = (conv.taps(), conv.cout);
    if conv.is_pointwise() {
        gemm(
            dims.pixels(),
            taps,
            cout,
            input,
            Op::N,
            weights,
            Op::N,
            1.0,
            output,
        );
        return;
    }
    for (first, rows) in tiles(conv, dims.pixels(), col) {
        let x = &mut col[..rows * taps];
        im2col_rows(conv, dims, input, first, x);
        let y = &mut output[first * cout..(first + rows) * cout];
        gemm(rows, taps, cout, x, Op::N, weights, Op::N, 1.0, y);
    }
}

/// `dinput = ∂L/∂input` from `dout = ∂L/∂output`. `dcol` is scratch for k > 1, as `col` in
/// [`conv2d_forward`].
pub fn conv2d_backward_input(
    conv: &Conv,
    dims: Dims,
    dout: &[f32],
    weights: &[f32],
    dcol: &mut [f32],
    dinput: &mut [f32],
) {
    let (p, taps, cout) = (dims.pixels(), conv.taps(), conv.cout);
    if conv.is_pointwise() {
        gemm(p, cout, taps, dout, Op::N, weights, Op::T, 0.0, dinput);
        return;
    }
    dinput.fill(0.0);
    for (first, rows) in tiles(conv, p, dcol) {
        let d = &mut dcol[..rows * taps];
        let g = &dout[first * cout..(first + rows) * cout];
        gemm(rows, cout, taps, g, Op::N, weights, Op::T, 0.0, d);
        col2im_add_rows(conv, dims, d, first, dinput);
    }
}

/// `dweights = ∂L/∂W` and `dbias = ∂L/∂b` (both overwritten) from `dout = ∂L/∂output` and the
/// layer's `input`; `col` is scratch for k > 1, as in [`conv2d_forward`]. The weight gradient
/// accumulates tile by tile in f32 (as the GEMM does within a tile); the bias sums run in f64.
pub fn conv2d_backward_filter(
    conv: &Conv,
    dims: Dims,
    input: &[f32],
    dout: &[f32],
    col: &mut [f32],
    dweights: &mut [f32],
    dbias: &mut [f32],
) {
    assert_eq!(dbias.len(), conv.cout, "bias gradient length");
    let (p, taps, cout) = (dims.pixels(), conv.taps(), conv.cout);
    if conv.is_pointwise() {
        gemm(taps, p, cout, input, Op::T, dout, Op::N, 0.0, dweights);
    } else {
        for (first, rows) in tiles(conv, p, col) {
            let x = &mut col[..rows * taps];
            im2col_rows(conv, dims, input, first, x);
            let g = &dout[first * cout..(first + rows) * cout];
            let beta = if first == 0 { 0.0 } else { 1.0 };
            gemm(taps, rows, cout, x, Op::T, g, Op::N, beta, dweights);
        }
    }
    // Column sums in f64, up to MAX_CHANNELS columns per pass so the accumulator stays on the stack.
    for first in (0..conv.cout).step_by(MAX_CHANNELS) {
        let n = (conv.cout - first).min(MAX_CHANNELS);
        let mut sums = [0.0f64; MAX_CHANNELS];
        for row in dout.chunks_exact(conv.cout) {
            for (s, &g) in sums.iter_mut().zip(&row[first..first + n]) {
                *s += f64::from(g);
            }
        }
        for (d, s) in dbias[first..first + n].iter_mut().zip(sums) {
            *d = s as f32;
        }
    }
}

/// Bias-gradient columns accumulated per pass (any layer width works; TinySegNet's fit in one).
pub const MAX_CHANNELS: usize = 64;
