//! `Workspace`: every buffer a forward and backward pass touches, allocated once for a largest
//! batch, so a training step allocates nothing in the net.
//!
//! A tensor a 3×3 convolution reads is stored with the zero border that convolution's padding needs
//! (`dicelab_kernels::Grid`): the layer before writes straight into its interior, and the border,
//! zeroed here, is never written.

use super::conv::grid;
use super::geometry::Dims;
use super::spec::{NetSpec, INPUT_CHANNELS, LAYERS};
use dicelab_kernels::Grid;

/// Buffers for batches of up to `capacity.batch` images of `capacity.height × capacity.width`.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(super) capacity: Dims,
    /// The images, bordered for layer 0.
    pub(super) input: Vec<f32>,
    /// Post-ReLU activations of the three hidden layers, each bordered for the layer that reads it.
    pub(super) acts: [Vec<f32>; LAYERS - 1],
    /// Logits (B, H, W, C).
    pub(super) logits: Vec<f32>,
    /// `∂L/∂logits`, written by the loss, read by backward.
    pub(super) dlogits: Vec<f32>,
    /// `∂L/∂(pre-activation)` of the three hidden layers, each bordered for its layer's input
    /// gradient (layer 0 has none: no border).
    pub(super) dacts: [Vec<f32>; LAYERS - 1],
    /// One layer's weights flipped for its input gradient.
    pub(super) flipped: Vec<f32>,
    /// The weight gradient's f64 sums, one layer at a time.
    pub(super) sums: Vec<f64>,
    /// `∂L/∂θ`, laid out as the flat parameter vector.
    pub(super) grads: Vec<f32>,
}

/// Where the net's tensors sit in a workspace, for a batch.
#[derive(Debug, Clone, Copy)]
pub(super) struct Grids {
    /// The images.
    pub input: Grid,
    /// The hidden activations.
    pub acts: [Grid; LAYERS - 1],
    /// The logits and their gradient.
    pub logits: Grid,
    /// The hidden layers' pre-activation gradients.
    pub dacts: [Grid; LAYERS - 1],
}

impl Grids {
    /// The layout of `spec`'s tensors for `dims`.
    pub fn new(spec: &NetSpec, dims: Dims) -> Self {
        let layers = spec.layers();
        let hidden = |pad| grid(dims, pad, spec.width);
        Self {
            input: grid(dims, layers[0].pad(), INPUT_CHANNELS),
            acts: [0, 1, 2].map(|l| hidden(layers[l + 1].pad())),
            logits: grid(dims, 0, spec.classes),
            dacts: [0, 1, 2].map(|l| hidden(if l == 0 { 0 } else { layers[l].pad() })),
        }
    }
}

impl Workspace {
    /// Buffers for `spec` and batches up to `capacity`.
    pub fn new(spec: &NetSpec, capacity: Dims) -> Self {
        let g = Grids::new(spec, capacity);
        let weights = spec.layers().iter().map(|l| l.weight_len()).max();
        let weights = weights.unwrap_or(0);
        Self {
            capacity,
            input: vec![0.0; g.input.len()],
            acts: g.acts.map(|a| vec![0.0; a.len()]),
            logits: vec![0.0; g.logits.len()],
            dlogits: vec![0.0; g.logits.len()],
            dacts: g.dacts.map(|d| vec![0.0; d.len()]),
            flipped: vec![0.0; weights],
            sums: vec![0.0; weights],
            grads: vec![0.0; spec.param_count()],
        }
    }

    /// The largest batch and the image size these buffers hold.
    pub fn capacity(&self) -> Dims {
        self.capacity
    }

    /// The logits of the last forward pass of `batch` images.
    pub fn logits(&self, batch: usize) -> &[f32] {
        &self.logits[..self.per_batch(batch, self.logits.len())]
    }

    /// Where the loss writes `∂L/∂logits` for `batch` images, before [`super::TinySegNet::backward`].
    pub fn dlogits_mut(&mut self, batch: usize) -> &mut [f32] {
        let n = self.per_batch(batch, self.dlogits.len());
        &mut self.dlogits[..n]
    }

    /// `∂L/∂logits` of the last training step, (batch, H, W, C).
    pub fn dlogits(&self, batch: usize) -> &[f32] {
        &self.dlogits[..self.per_batch(batch, self.dlogits.len())]
    }

    /// Logits (read) and `∂L/∂logits` (write) at once, for a loss that needs both.
    pub fn logits_and_dlogits(&mut self, batch: usize) -> (&[f32], &mut [f32]) {
        let n = self.per_batch(batch, self.logits.len());
        (&self.logits[..n], &mut self.dlogits[..n])
    }

    /// The gradient of the last backward pass, laid out as the parameters.
    pub fn grads(&self) -> &[f32] {
        &self.grads
    }

    /// Values of a full-capacity buffer that `batch` images use.
    fn per_batch(&self, batch: usize, full: usize) -> usize {
        assert!(
            batch <= self.capacity.batch,
            "batch {batch} over capacity {}",
            self.capacity.batch
        );
        full / self.capacity.batch * batch
    }
}
