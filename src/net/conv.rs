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
//! A 1×1 convolution's im2col matrix is its input, so those layers skip the copy.

use super::gemm::{gemm, Op};
use super::geometry::{Conv, Dims};
use super::im2col::{col2im, im2col};

/// `output = conv(input) + bias`. For k > 1, `col` (`P·K` values) receives the im2col matrix, which
/// [`conv2d_backward_filter`] reads later; for 1×1 layers `col` is not touched (may be empty).
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
    let x = if conv.is_pointwise() {
        input
    } else {
        im2col(conv, dims, input, col);
        &*col
    };
    gemm(
        dims.pixels(),
        conv.taps(),
        conv.cout,
        x,
        Op::N,
        weights,
        Op::N,
        1.0,
        output,
    );
}

/// `dinput = ∂L/∂input` from `dout = ∂L/∂output`. `dcol` (`P·K` values) is scratch space for k > 1.
pub fn conv2d_backward_input(
    conv: &Conv,
    dims: Dims,
    dout: &[f32],
    weights: &[f32],
    dcol: &mut [f32],
    dinput: &mut [f32],
) {
    let (p, taps) = (dims.pixels(), conv.taps());
    if conv.is_pointwise() {
        gemm(p, conv.cout, taps, dout, Op::N, weights, Op::T, 0.0, dinput);
    } else {
        gemm(p, conv.cout, taps, dout, Op::N, weights, Op::T, 0.0, dcol);
        col2im(conv, dims, dcol, dinput);
    }
}

/// `dweights = ∂L/∂W` and `dbias = ∂L/∂b` (both overwritten) from `dout = ∂L/∂output` and the
/// layer's im2col matrix `x` (its input for a 1×1 layer). The bias sums run in f64.
pub fn conv2d_backward_filter(
    conv: &Conv,
    dims: Dims,
    x: &[f32],
    dout: &[f32],
    dweights: &mut [f32],
    dbias: &mut [f32],
) {
    assert_eq!(dbias.len(), conv.cout, "bias gradient length");
    gemm(
        conv.taps(),
        dims.pixels(),
        conv.cout,
        x,
        Op::T,
        dout,
        Op::N,
        0.0,
        dweights,
    );
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
