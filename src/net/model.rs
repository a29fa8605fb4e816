//! `TinySegNet`: parameters, forward and backward, composed from the layer functions.
//!
//! Forward: `a₀ = relu(conv₀(x))`, `a₁ = relu(conv₁(a₀))`, `a₂ = relu(conv₂(a₁))` (dilation 2),
//! `z = conv₃(a₂)` (1×1). Backward walks the chain rule back from `∂L/∂z`:
//! `∂L/∂a₂ = conv₃ᵀ(∂L/∂z)`, then per hidden layer `∂L/∂(pre-activation) = ∂L/∂a · [a > 0]`, its
//! weight gradient, and its input gradient. The input image needs no gradient.

use super::conv::{conv2d_backward_filter, conv2d_backward_input, conv2d_forward};
use super::geometry::Dims;
use super::init::{init_params, InitKind};
use super::relu::{relu, relu_backward};
use super::spec::{split, split_mut, NetSpec, INPUT_CHANNELS};
use super::workspace::Workspace;

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
        let dims = Dims {
            batch,
            ..ws.capacity
        };
        let p = dims.pixels();
        assert_eq!(
            images.len(),
            p * INPUT_CHANNELS,
            "forward: image buffer length"
        );
        let layers = self.spec.layers();
        let prm = split(&self.spec, &self.params);
        let hidden = p * self.spec.width;
        let col = &mut ws.col;
        let [a0, a1, a2] = &mut ws.acts;
        let (a0, a1, a2) = (&mut a0[..hidden], &mut a1[..hidden], &mut a2[..hidden]);
        conv2d_forward(&layers[0], dims, images, prm[0].0, prm[0].1, col, a0);
        relu(a0);
        conv2d_forward(&layers[1], dims, a0, prm[1].0, prm[1].1, col, a1);
        relu(a1);
        conv2d_forward(&layers[2], dims, a1, prm[2].0, prm[2].1, col, a2);
        relu(a2);
        let logits = &mut ws.logits[..p * self.spec.classes];
        conv2d_forward(&layers[3], dims, a2, prm[3].0, prm[3].1, col, logits);
    }

    /// Computes `∂L/∂θ` into [`Workspace::grads`] from `∂L/∂logits` (in [`Workspace::dlogits_mut`])
    /// and the state the last [`forward`](Self::forward) of the same `images` and `batch` left.
    pub fn backward(&self, ws: &mut Workspace, images: &[f32], batch: usize) {
        let dims = Dims {
            batch,
            ..ws.capacity
        };
        let p = dims.pixels();
        let layers = self.spec.layers();
        let prm = split(&self.spec, &self.params);
        let hidden = p * self.spec.width;
        let [(g0w, g0b), (g1w, g1b), (g2w, g2b), (g3w, g3b)] = split_mut(&self.spec, &mut ws.grads);
        let col = &mut ws.col;
        let [a0, a1, a2] = &ws.acts;
        let (a0, a1, a2) = (&a0[..hidden], &a1[..hidden], &a2[..hidden]);
        let [da, db] = &mut ws.dacts;
        let (da, db) = (&mut da[..hidden], &mut db[..hidden]);
        let dz = &ws.dlogits[..p * self.spec.classes];

        // Layer 3 (1×1, no ReLU): its im2col matrix is a₂.
        conv2d_backward_filter(&layers[3], dims, a2, dz, col, g3w, g3b);
        conv2d_backward_input(&layers[3], dims, dz, prm[3].0, col, da);
        // Layer 2 (dilated): da = ∂L/∂a₂ → through the ReLU → weights, and ∂L/∂a₁ into db.
        relu_backward(a2, da);
        conv2d_backward_filter(&layers[2], dims, a1, da, col, g2w, g2b);
        conv2d_backward_input(&layers[2], dims, da, prm[2].0, col, db);
        // Layer 1: db = ∂L/∂a₁ → ReLU → weights, and ∂L/∂a₀ into da.
        relu_backward(a1, db);
        conv2d_backward_filter(&layers[1], dims, a0, db, col, g1w, g1b);
        conv2d_backward_input(&layers[1], dims, db, prm[1].0, col, da);
        // Layer 0: da = ∂L/∂a₀ → ReLU → weights. The image needs no gradient.
        relu_backward(a0, da);
        conv2d_backward_filter(&layers[0], dims, images, da, col, g0w, g0b);
    }
}
