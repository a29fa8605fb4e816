//! `NetSpec`: TinySegNet's layers and where each tensor sits in the flat parameter vector.
//!
//! TinySegNet (the benchmark protocol's network, kept exactly): conv 3×3 3→W + ReLU · conv 3×3 W→W +
//! ReLU · conv 3×3 W→W dilation 2 + ReLU · conv 1×1 W→C (logits), stride 1, same padding, with bias.
//! Its receptive field is 1 + 2 + 2 + 4 = 9 pixels square. All parameters live in one flat vector,
//! per layer the HWIO weights then the bias, layer after layer, so an optimiser (or a GPU buffer)
//! treats them as one array.

use super::geometry::Conv;
use serde::{Deserialize, Serialize};

/// Input channels (RGB).
pub const INPUT_CHANNELS: usize = 3;
/// Layers.
pub const LAYERS: usize = 4;
/// Widths the net may have.
pub const WIDTHS: [usize; 3] = [8, 16, 32];
/// Classes the net may predict.
pub const CLASSES: std::ops::RangeInclusive<usize> = 2..=8;

/// The shape of a TinySegNet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetSpec {
    /// Channels of the hidden layers: 8, 16 (default, the benchmark's) or 32.
    pub width: usize,
    /// Output channels (classes).
    pub classes: usize,
}

/// Why a net shape is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// A width other than 8, 16 or 32.
    #[error("net width must be 8, 16 or 32, got {0}")]
    Width(usize),
    /// Classes outside 2..=8.
    #[error("classes must be between 2 and 8, got {0}")]
    Classes(usize),
}

impl NetSpec {
    /// A checked spec.
    pub fn new(width: usize, classes: usize) -> Result<Self, SpecError> {
        if !WIDTHS.contains(&width) {
            return Err(SpecError::Width(width));
        }
        if !CLASSES.contains(&classes) {
            return Err(SpecError::Classes(classes));
        }
        Ok(Self { width, classes })
    }

    /// How far a pixel's receptive field reaches on each side: the sum of the layers' padding
    /// (4; the field is `2·radius + 1` square).
    pub fn radius(&self) -> usize {
        self.layers().iter().map(Conv::pad).sum()
    }

    /// The four layers, in order.
    pub fn layers(&self) -> [Conv; LAYERS] {
        let w = self.width;
        [
            Conv {
                k: 3,
                dilation: 1,
                cin: INPUT_CHANNELS,
                cout: w,
            },
            Conv {
                k: 3,
                dilation: 1,
                cin: w,
                cout: w,
            },
            Conv {
                k: 3,
                dilation: 2,
                cin: w,
                cout: w,
            },
            Conv {
                k: 1,
                dilation: 1,
                cin: w,
                cout: self.classes,
            },
        ]
    }

    /// Offsets of each layer's weights and bias in the flat vector: `(weights, bias)` ranges.
    pub fn offsets(&self) -> [(std::ops::Range<usize>, std::ops::Range<usize>); LAYERS] {
        let mut at = 0;
        self.layers().map(|l| {
            let w = at..at + l.weight_len();
            let b = w.end..w.end + l.cout;
            at = b.end;
            (w, b)
        })
    }

    /// Parameters in all.
    pub fn param_count(&self) -> usize {
        self.layers().iter().map(|l| l.weight_len() + l.cout).sum()
    }
}

/// Splits a flat parameter-shaped buffer into `(weights, bias)` per layer.
pub fn split_mut<'a>(
    spec: &NetSpec,
    flat: &'a mut [f32],
) -> [(&'a mut [f32], &'a mut [f32]); LAYERS] {
    let mut rest = flat;
    spec.layers().map(|l| {
        let (w, r) = std::mem::take(&mut rest).split_at_mut(l.weight_len());
        let (b, r) = r.split_at_mut(l.cout);
        rest = r;
        (w, b)
    })
}

/// Splits a flat parameter-shaped buffer into `(weights, bias)` per layer.
pub fn split<'a>(spec: &NetSpec, flat: &'a [f32]) -> [(&'a [f32], &'a [f32]); LAYERS] {
    let mut rest = flat;
    spec.layers().map(|l| {
        let (w, r) = rest.split_at(l.weight_len());
        let (b, r) = r.split_at(l.cout);
        rest = r;
        (w, b)
    })
}
