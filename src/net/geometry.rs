//! Shapes of one convolution layer and of the tensors it reads and writes.
//!
//! Every tensor is NHWC, row-major, f32. Weights are HWIO (`k·k·cin` rows of `cout`), the layout
//! of TensorFlow's `conv2d` kernels, so a weight file or a random stream fills them in the same order
//! in every engine (the benchmark protocol relies on it).

/// A stride-1 convolution with 'same' padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv {
    /// Kernel height and width.
    pub k: usize,
    /// Dilation: taps sit `dilation` pixels apart.
    pub dilation: usize,
    /// Input channels.
    pub cin: usize,
    /// Output channels.
    pub cout: usize,
}

impl Conv {
    /// Zero padding on each side that keeps the spatial size: `dilation·(k−1)/2` (k is odd).
    pub fn pad(&self) -> usize {
        self.dilation * (self.k - 1) / 2
    }

    /// Products summed into each output, and rows of the HWIO weight matrix: `k·k·cin`.
    pub fn taps(&self) -> usize {
        self.k * self.k * self.cin
    }

    /// Weights: `k·k·cin·cout`.
    pub fn weight_len(&self) -> usize {
        self.taps() * self.cout
    }
}

/// Batch and spatial size of a layer's input and output (they are equal: stride 1, same padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    /// Images.
    pub batch: usize,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
}

impl Dims {
    /// Pixels over the batch: `B·H·W`, the row count of every matrix in a layer.
    pub fn pixels(&self) -> usize {
        self.batch * self.height * self.width
    }
}
