//! `TinySegNet`: parameters, forward and backward, composed from the convolution kernels.
//!
//! Forward: `a₀ = relu(conv₀(x))`, `a₁ = relu(conv₁(a₀))`, `a₂ = relu(conv₂(a₁))` (dilation 2),
//! `z = conv₃(a₂)` (1×1). Backward walks the chain rule back from `∂L/∂z`: per layer its weight and
//! bias gradients, then `∂L/∂(pre-activation)` of the layer below, `conv(∂L/∂out, flip(W)) ·
//! [a > 0]`, the ReLU's gradient applied as the input gradient is stored. The input image needs no
//! gradient.

use super::conv::flip_weights;
use super::geometry::{Conv, Dims};
use super::init::{init_params, InitKind};
use super::spec::{split, split_mut, NetSpec, INPUT_CHANNELS};
use super::workspace::{Grids, Workspace};
use dicelab_kernels::{bias_grad, conv, filter_grad, Finish, Grid, Start};

/// A finished piece of a step, as [`TinySegNet::forward_marked`] and
/// [`TinySegNet::backward_marked`] report them (to time a step piece by piece).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// The images copied into their bordered buffer.
    Input,
    /// Layer `l`'s forward convolution, bias and ReLU.
    Forward(usize),
    /// Layer `l`'s weight gradient.
    WeightGrad(usize),
    /// Layer `l`'s bias gradient.
    BiasGrad(usize),
    /// Layer `l`'s weights flipped for its input gradient.
    Flip(usize),
    /// Layer `l`'s input gradient, through the ReLU below it.
    InputGrad(usize),
}

/// A TinySegNet's shape and parameters.
#[derive(Debug, Clone)]
pub struct TinySegNet {
    spec: NetSpec,
    params: Vec<f32>,
}

impl TinySegNet {
    /// A net initialised from stream `seed`.
    pub fn new(spec: NetSpec, init: InitKind, seed: u32) -> Self {
        let params = init_params(&spec, init, seed);
        Self { spec, params }
    }

    /// A net with the given flat parameters (see [`NetSpec::offsets`]).
    pub fn from_params(spec: NetSpec, params: Vec<f32>) -> Result<Self, String> {
        if params.len() != spec.param_count() {
            return Err(format!(
                "TinySegNet width {} with {} classes has {} parameters, got {}",
                spec.width,
                spec.classes,
                spec.param_count(),
                params.len()
            ));
        }
        Ok(Self { spec, params })
    }

    /// The shape.
    pub fn spec(&self) -> NetSpec {
        self.spec
    }

    /// The flat parameters.
    pub fn params(&self) -> &[f32] {
        &self.params
    }

    /// The flat parameters, to update.
    pub fn params_mut(&mut self) -> &mut [f32] {
        &mut self.params
    }

    /// Runs `batch` images (B, H, W, 3) of the workspace's size through the net; the logits land in
    /// [`Workspace::logits`], and what backward needs stays in the workspace.
    pub fn forward(&self, ws: &mut Workspace, images: &[f32], batch: usize) {
        self.forward_marked(ws, images, batch, &mut |_| {});
    }

    /// [`forward`](Self::forward), calling `mark` as each [`Piece`] ends.
    pub fn forward_marked(
        &self,
        ws: &mut Workspace,
        images: &[f32],
        batch: usize,
        mark: &mut dyn FnMut(Piece),
    ) {
        let dims = Dims {
            batch,
            ..ws.capacity
        };
        assert_eq!(
            images.len(),
            dims.pixels() * INPUT_CHANNELS,
            "forward: image buffer length"
        );
        let g = Grids::new(&self.spec, dims);
        let l = self.spec.layers();
        let prm = split(&self.spec, &self.params);
        g.input.fill(images, &mut ws.input);
        mark(Piece::Input);
        let [a0, a1, a2] = &mut ws.acts;
        let (x, [ga0, ga1, ga2]) = (&ws.input, g.acts);
        let relu = Finish::Relu;
        conv(
            l[0].window(),
            x,
            g.input,
            prm[0].0,
            Start::Bias(prm[0].1),
            relu,
            a0,
            ga0,
        );
        mark(Piece::Forward(0));
        conv(
            l[1].window(),
            a0,
            ga0,
            prm[1].0,
            Start::Bias(prm[1].1),
            relu,
            a1,
            ga1,
        );
        mark(Piece::Forward(1));
        conv(
            l[2].window(),
            a1,
            ga1,
            prm[2].0,
            Start::Bias(prm[2].1),
            relu,
            a2,
            ga2,
        );
        mark(Piece::Forward(2));
        let (w3, b3) = (prm[3].0, Start::Bias(prm[3].1));
        conv(
            l[3].window(),
            a2,
            ga2,
            w3,
            b3,
            Finish::Linear,
            &mut ws.logits,
            g.logits,
        );
        mark(Piece::Forward(3));
    }

    /// Computes `∂L/∂θ` into [`Workspace::grads`] from `∂L/∂logits` (in [`Workspace::dlogits_mut`])
    /// and the state the last [`forward`](Self::forward) of the same `images` and `batch` left.
    pub fn backward(&self, ws: &mut Workspace, images: &[f32], batch: usize) {
        self.backward_marked(ws, images, batch, &mut |_| {});
    }

    /// [`backward`](Self::backward), calling `mark` as each [`Piece`] ends.
    pub fn backward_marked(
        &self,
        ws: &mut Workspace,
        images: &[f32],
        batch: usize,
        mark: &mut dyn FnMut(Piece),
    ) {
        let dims = Dims {
            batch,
            ..ws.capacity
        };
        assert_eq!(
            images.len(),
            dims.pixels() * INPUT_CHANNELS,
            "backward: image buffer length"
        );
        let g = Grids::new(&self.spec, dims);
        let l = self.spec.layers();
        let prm = split(&self.spec, &self.params);
        let [g0, g1, g2, g3] = split_mut(&self.spec, &mut ws.grads);
        let [a0, a1, a2] = &ws.acts;
        let [d0, d1, d2] = &mut ws.dacts;
        let ([ga0, ga1, ga2], [gd0, gd1, gd2]) = (g.acts, g.dacts);
        let mut s = (&mut ws.flipped[..], &mut ws.sums[..]);
        let dz = (&ws.dlogits[..], g.logits);
        layer_backward(
            &l[3],
            3,
            (a2, ga2),
            dz,
            prm[3].0,
            g3,
            &mut s,
            Some((d2, gd2)),
            mark,
        );
        let dout = (&d2[..], gd2);
        layer_backward(
            &l[2],
            2,
            (a1, ga1),
            dout,
            prm[2].0,
            g2,
            &mut s,
            Some((d1, gd1)),
            mark,
        );
        let dout = (&d1[..], gd1);
        layer_backward(
            &l[1],
            1,
            (a0, ga0),
            dout,
            prm[1].0,
            g1,
            &mut s,
            Some((d0, gd0)),
            mark,
        );
        let (x, dout) = ((&ws.input[..], g.input), (&d0[..], gd0));
        layer_backward(&l[0], 0, x, dout, prm[0].0, g0, &mut s, None, mark);
    }
}

/// Layer `l`'s weight and bias gradients from its `input` and the gradient of its output `dout`,
/// then, if `below`, the gradient of the pre-activation below it (`input` is that ReLU's output).
/// `scratch`: room for the flipped weights and the weight gradient's f64 sums.
#[allow(clippy::too_many_arguments)] // the layer's operands, as the backward pass names them
fn layer_backward(
    layer: &Conv,
    l: usize,
    (input, gi): (&[f32], Grid),
    (dout, go): (&[f32], Grid),
    weights: &[f32],
    (dw, db): (&mut [f32], &mut [f32]),
    (flipped, sums): &mut (&mut [f32], &mut [f64]),
    below: Option<(&mut [f32], Grid)>,
    mark: &mut dyn FnMut(Piece),
) {
    let n = layer.weight_len();
    filter_grad(layer.window(), input, gi, dout, go, dw, &mut sums[..n]);
    mark(Piece::WeightGrad(l));
    bias_grad(dout, go, db);
    mark(Piece::BiasGrad(l));
    if let Some((dinput, gd)) = below {
        let flipped = &mut flipped[..n];
        flip_weights(layer, weights, flipped);
        mark(Piece::Flip(l));
        let gate = Finish::Gate(input, gi);
        conv(
            layer.window(),
            dout,
            go,
            flipped,
            Start::Zero,
            gate,
            dinput,
            gd,
        );
        mark(Piece::InputGrad(l));
    }
}
