//! Where a session's batches and evaluation images come from: the synthetic scenes (shuffled epochs
//! over a fixed training set, a fully labelled validation set), or your own painted image (random
//! crops to train on; the whole image, predicted by overlapping tiles and scored on the painted
//! pixels, the only truth there is). Without feature `own` the image arm is left out.

// Without feature `own`, what only the image arm reads is unused.
#![cfg_attr(not(feature = "own"), allow(unused_variables))]

use super::config::SessionConfig;
use super::sampler::Sampler;
#[cfg(feature = "own")]
use crate::data::{Crops, IGNORE_LABEL};
use crate::data::{OwnImage, Splits};
use crate::rng::derive_seed;

/// Salt of the batch-order (or crop) stream.
const ORDER: u32 = 4;

/// What the page shows of the evaluation set and scores against: `count` images of
/// `height × width`.
pub struct EvalView<'a> {
    /// Images.
    pub count: usize,
    /// Height in pixels.
    pub height: usize,
    /// Width in pixels.
    pub width: usize,
    /// Classes.
    pub classes: usize,
    /// The images, (N, H, W, 3) in 0–1.
    pub images: &'a [f32],
    /// Their truth, (N, H, W): full labels of the scenes; on your image, what is painted (255:
    /// nothing, not scored).
    pub truth: &'a [i32],
}

impl EvalView<'_> {
    /// Pixels of one image.
    pub fn pixels(&self) -> usize {
        self.height * self.width
    }
}

pub(super) enum Source {
    Scenes {
        data: Splits,
        sampler: Sampler,
        indices: Vec<usize>,
    },
    #[cfg(feature = "own")]
    Image {
        own: OwnImage,
        crops: Crops,
        tiles: Vec<(usize, usize)>,
        margin: usize,
    },
}

impl Source {
    /// The scenes of `config`, or crops of `own`, which must have the config's classes and room for
    /// its crops.
    pub fn new(
        config: &SessionConfig,
        margin: usize,
        own: Option<OwnImage>,
    ) -> Result<Self, String> {
        let seed = derive_seed(config.seed, ORDER);
        let size = config.data.size;
        Ok(match own {
            None => {
                let data = Splits::new(&config.data, config.seed);
                Self::Scenes {
                    sampler: Sampler::new(data.train.count, seed),
                    indices: vec![0; config.batch],
                    data,
                }
            }
            #[cfg(not(feature = "own"))]
            Some(own) => match own {},
            #[cfg(feature = "own")]
            Some(own) => {
                if own.classes() != config.data.classes {
                    return Err(format!(
                        "your image has {} classes, the run is set for {}",
                        own.classes(),
                        config.data.classes
                    ));
                }
                if config.loss.ignore_index != IGNORE_LABEL {
                    return Err(format!(
                        "your image marks unlabelled pixels {IGNORE_LABEL}, so --ignore-index must be {IGNORE_LABEL}, got {}",
                        config.loss.ignore_index
                    ));
                }
                own.check_crop(size)?;
                let labels = own.training_labels(config.data.annotation);
                Self::Image {
                    crops: Crops::new(labels, seed),
                    tiles: own.tiles(size, margin),
                    margin,
                    own,
                }
            }
        })
    }

    /// Fills a training batch of `images` and `labels` (`size × size` each).
    pub fn fill_batch(&mut self, size: usize, images: &mut [f32], labels: &mut [i32]) {
        match self {
            Self::Scenes {
                data,
                sampler,
                indices,
            } => {
                sampler.fill(indices);
                data.train.gather(indices, images, labels);
            }
            #[cfg(feature = "own")]
            Self::Image { own, crops, .. } => {
                let pixels = size * size;
                for (img, lab) in images
                    .chunks_exact_mut(pixels * 3)
                    .zip(labels.chunks_exact_mut(pixels))
                {
                    crops.fill(own, size, img, lab);
                }
            }
        }
    }

    /// The evaluation set.
    pub fn view(&self) -> EvalView<'_> {
        match self {
            Self::Scenes { data, .. } => {
                let v = &data.validation;
                EvalView {
                    count: v.count,
                    height: v.size,
                    width: v.size,
                    classes: v.classes,
                    images: &v.images,
                    truth: &v.truth,
                }
            }
            #[cfg(feature = "own")]
            Self::Image { own, .. } => EvalView {
                count: 1,
                height: own.height(),
                width: own.width(),
                classes: own.classes(),
                images: own.image(),
                truth: own.labels(),
            },
        }
    }

    /// `size × size` inputs the evaluation predicts: the validation scenes, or the image's tiles.
    pub fn inputs(&self) -> usize {
        match self {
            Self::Scenes { data, .. } => data.validation.count,
            #[cfg(feature = "own")]
            Self::Image { tiles, .. } => tiles.len(),
        }
    }

    /// Inputs `start..start + n`, (n, size, size, 3), gathered into `scratch` (room for `n`) where
    /// they are not stored as such.
    pub fn input<'a>(
        &'a self,
        start: usize,
        n: usize,
        size: usize,
        scratch: &'a mut [f32],
    ) -> &'a [f32] {
        let len = size * size * 3;
        match self {
            Self::Scenes { data, .. } => &data.validation.images[start * len..(start + n) * len],
            #[cfg(feature = "own")]
            Self::Image { own, tiles, .. } => {
                let out = &mut scratch[..n * len];
                for (k, &at) in tiles[start..start + n].iter().enumerate() {
                    own.window(at, size, &mut out[k * len..][..len], None);
                }
                out
            }
        }
    }

    /// Puts the predictions of inputs `start..start + n` (`chunk`, (n, size, size)) into
    /// `predictions`, (count, H, W) of [`view`](Self::view): a tile gives the pixels whose whole
    /// receptive field it holds.
    pub fn accept(
        &self,
        start: usize,
        n: usize,
        size: usize,
        chunk: &[u8],
        predictions: &mut [u8],
    ) {
        let pixels = size * size;
        match self {
            Self::Scenes { .. } => {
                predictions[start * pixels..(start + n) * pixels]
                    .copy_from_slice(&chunk[..n * pixels]);
            }
            #[cfg(feature = "own")]
            Self::Image {
                own, tiles, margin, ..
            } => {
                let (h, w) = (own.height(), own.width());
                for (k, &(y0, x0)) in tiles[start..start + n].iter().enumerate() {
                    let tile = &chunk[k * pixels..][..pixels];
                    // The tile's trusted core: all of it at the image's edges, else `margin` in.
                    let core = |at: usize, side: usize| {
                        let lo = if at == 0 { 0 } else { *margin };
                        let hi = if at + size == side {
                            size
                        } else {
                            size - margin
                        };
                        lo..hi
                    };
                    let xs = core(x0, w);
                    for y in core(y0, h) {
                        let row = (y0 + y) * w + x0;
                        predictions[row + xs.start..row + xs.end]
                            .copy_from_slice(&tile[y * size + xs.start..y * size + xs.end]);
                    }
                }
            }
        }
    }
}
