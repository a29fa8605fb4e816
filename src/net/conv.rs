//! Convolution layers: forward, gradient with respect to the input, gradient with respect to the
//! weights and bias, each the CPU twin of the WGSL kernel of the same name, on dense NHWC slices.
//!
//! With `x` the input, `W` the HWIO weights (`k·k·cin` rows of `cout`), `b` the bias and `y` the
//! output, every product runs in `dicelab_kernels` straight from a zero-padded copy (no im2col):
//! - forward:         `y = b + conv(x, W)`
//! - input gradient:  `∂L/∂x = conv(∂L/∂y, flip(W))`: the same kernel, with the taps reversed and
//!   each tap's `cin × cout` block transposed ([`flip_weights`])
//! - weight gradient: `∂L/∂W[tap, ci, co] = Σ_p x(p + tap)[ci] · ∂L/∂y(p)[co]`
//! - bias gradient:   `∂L/∂b[co] = Σ_p ∂L/∂y(p)[co]`
//!
//! These functions allocate their padded copies: they serve the tests and one-off calls.
//! [`super::TinySegNet`]'s step calls the kernels on its workspace's padded buffers, with the ReLU
//! and its gradient fused into the stores, and allocates nothing.

use super::geometry::{Conv, Dims};
use dicelab_kernels::{bias_grad, filter_grad, Finish, Grid, Start, Window};

impl Conv {
    /// The kernels' view of the layer's window.
    pub(super) fn window(&self) -> Window {
        Window {
            k: self.k,
            dilation: self.dilation,
        }
    }
}

/// Where a tensor of `channels` values per pixel over `dims` sits with a border of `pad` pixels.
pub(super) fn grid(dims: Dims, pad: usize, channels: usize) -> Grid {
    Grid {
        batch: dims.batch,
        height: dims.height,
        width: dims.width,
        pad,
        channels,
    }
}

/// The input gradient's weights: `flipped[(k·k − 1 − t)·cout + co][ci] = weights[t·cin + ci][co]`
/// for every tap `t`, so that `∂L/∂x = conv(∂L/∂y, flipped)` with the layer's own window.
pub fn flip_weights(conv: &Conv, weights: &[f32], flipped: &mut [f32]) {
    let (taps, cin, cout) = (conv.k * conv.k, conv.cin, conv.cout);
    assert_eq!(weights.len(), conv.weight_len(), "flip_weights: weights");
    assert_eq!(flipped.len(), conv.weight_len(), "flip_weights: output");
    for t in 0..taps {
        let (src, dst) = (t * cin * cout, (taps - 1 - t) * cout * cin);
        for ci in 0..cin {
            for co in 0..cout {
                flipped[dst + co * cin + ci] = weights[src + ci * cout + co];
            }
        }
    }
}

/// `output = conv(input) + bias`.
pub fn conv2d_forward(
    conv: &Conv,
    dims: Dims,
    input: &[f32],
    weights: &[f32],
    bias: &[f32],
    output: &mut [f32],
) {
    assert_eq!(bias.len(), conv.cout, "bias length");
    assert_eq!(output.len(), dims.pixels() * conv.cout, "output length");
    let sg = grid(dims, conv.pad(), conv.cin);
    let mut src = vec![0.0; sg.len()];
    sg.fill(input, &mut src);
    let dg = grid(dims, 0, conv.cout);
    let start = Start::Bias(bias);
    dicelab_kernels::conv(
        conv.window(),
        &src,
        sg,
        weights,
        start,
        Finish::Linear,
        output,
        dg,
    );
}

/// `dinput = ∂L/∂input` from `dout = ∂L/∂output`.
pub fn conv2d_backward_input(
    conv: &Conv,
    dims: Dims,
    dout: &[f32],
    weights: &[f32],
    dinput: &mut [f32],
) {
    assert_eq!(
        dinput.len(),
        dims.pixels() * conv.cin,
        "input gradient length"
    );
    let sg = grid(dims, conv.pad(), conv.cout);
    let mut src = vec![0.0; sg.len()];
    sg.fill(dout, &mut src);
    let mut flipped = vec![0.0; conv.weight_len()];
    flip_weights(conv, weights, &mut flipped);
    let dg = grid(dims, 0, conv.cin);
    let window = conv.window();
    dicelab_kernels::conv(
        window,
        &src,
        sg,
        &flipped,
        Start::Zero,
        Finish::Linear,
        dinput,
        dg,
    );
}

/// `dweights = ∂L/∂W` and `dbias = ∂L/∂b` (both overwritten) from `dout = ∂L/∂output` and the
/// layer's `input`.
pub fn conv2d_backward_filter(
    conv: &Conv,
    dims: Dims,
    input: &[f32],
    dout: &[f32],
    dweights: &mut [f32],
    dbias: &mut [f32],
) {
    assert_eq!(dbias.len(), conv.cout, "bias gradient length");
    let sg = grid(dims, conv.pad(), conv.cin);
    let mut src = vec![0.0; sg.len()];
    sg.fill(input, &mut src);
    let dg = grid(dims, 0, conv.cout);
    let mut sums = vec![0.0; conv.weight_len()];
    filter_grad(conv.window(), &src, sg, dout, dg, dweights, &mut sums);
    bias_grad(dout, dg, dbias);
}
