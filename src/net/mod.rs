//! TinySegNet on the CPU: layers, forward, backward and optimisers. Knows no backend, no data and
//! no loss: the training session composes them.
//!
//! Each layer is a free function over flat NHWC f32 slices — `conv2d_forward`,
//! `conv2d_backward_input`, `conv2d_backward_filter`, `relu`, `relu_backward`, `adam_update`,
//! `sgd_momentum_update`, `argmax` — the CPU twin of the WGSL kernel of the same name. Every buffer lives in a
//! [`Workspace`] allocated once.

mod argmax;
mod conv;
mod geometry;
mod heat;
mod init;
mod model;
mod optim;
mod relu;
mod spec;
mod workspace;

pub use argmax::argmax;
pub use conv::{conv2d_backward_filter, conv2d_backward_input, conv2d_forward, flip_weights};
pub use geometry::{Conv, Dims};
pub use heat::gradient_heat;
pub use init::{init_params, InitKind};
pub use model::{Piece, TinySegNet};
pub use optim::{adam_update, sgd_momentum_update, OptimConfig, OptimKind, Optimizer};
pub use relu::{relu, relu_backward};
pub use spec::{split, split_mut, NetSpec, SpecError, CLASSES, INPUT_CHANNELS, LAYERS, WIDTHS};
pub use workspace::Workspace;
