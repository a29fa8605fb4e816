//! `Workspace`: every buffer a forward and backward pass touches, allocated once for a largest
//! batch, so a training step allocates nothing in the net.

use super::conv::TILE_ROWS;
use super::geometry::Dims;
use super::spec::{NetSpec, LAYERS};

/// Buffers for batches of up to `capacity.batch` images of `capacity.height × capacity.width`.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(super) capacity: Dims,
    /// Scratch for one im2col tile (`TILE_ROWS` rows of the widest 3×3 layer), shared by every
    /// convolution in turn.
    pub(super) col: Vec<f32>,
    /// Post-ReLU activations of the three hidden layers.
    pub(super) acts: [Vec<f32>; LAYERS - 1],
    /// Logits (B, H, W, C).
    pub(super) logits: Vec<f32>,
    /// `∂L/∂logits`, written by the loss, read by backward.
    pub(super) dlogits: Vec<f32>,
    /// Two ping-pong buffers for `∂L/∂activation`.
    pub(super) dacts: [Vec<f32>; 2],
    /// `∂L/∂θ`, laid out as the flat parameter vector.
    pub(super) grads: Vec<f32>,
}

impl Workspace {
    /// Buffers for `spec` and batches up to `capacity`.
    pub fn new(spec: &NetSpec, capacity: Dims) -> Self {
        let p = capacity.pixels();
        let layers = spec.layers();
        let hidden = p * spec.width;
        let taps = layers.iter().map(|l| l.taps()).max().unwrap_or(1);
        Self {
            capacity,
            col: vec![0.0; p.min(TILE_ROWS) * taps],
            acts: [0, 1, 2].map(|_| vec![0.0; hidden]),
            logits: vec![0.0; p * spec.classes],
            dlogits: vec![0.0; p * spec.classes],
            dacts: [0, 1].map(|_| vec![0.0; hidden]),
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
