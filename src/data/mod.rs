//! Synthetic scenes for material segmentation, seeded and deterministic (mulberry32, so the page's
//! JavaScript could reproduce them).
//!
//! A scene is a mosaic of regions, each a material (a class) with its own texture; classes share
//! colours and differ by pattern, so telling them apart needs a neighbourhood. Classes are
//! imbalanced (class 0, the background, most frequent; optionally one class absent from most
//! images). Training labels are full, or sparse parallelograms with the rest background or ignored,
//! as in the original question; validation labels are always full. Or your own painted image
//! (`OwnImage`): random crops to train on, tiles to predict it whole.

mod annotate;
mod config;
mod dataset;
mod material;
mod mosaic;
#[cfg(feature = "own")]
mod own;
mod protocol;
mod scene;

pub use annotate::{covered, Parallelogram};
pub use config::{range, Annotation, DataConfig, IGNORE_LABEL};
pub use dataset::{Dataset, Splits};
pub use material::{material, Material, Pattern};
pub use mosaic::RARE_PRESENCE;
#[cfg(feature = "own")]
pub use own::{Crops, OwnImage};
/// Your own image is not in this build (feature `own`): no value of it exists.
#[cfg(not(feature = "own"))]
#[derive(Debug, Clone, PartialEq)]
pub enum OwnImage {}
pub use protocol::protocol_batch;
pub use scene::{scene, Scene};
