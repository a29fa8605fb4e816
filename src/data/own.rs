//! Your own image: a picture and the labels painted on it (255 where nothing is painted), checked
//! once, then the source of random training crops and of the tiles that predict it whole.
//!
//! The painted pixels are the only truth there is: training crops are drawn around them, and the
//! evaluation counts them (and only them) over the whole image.

use super::config::{range, Annotation, IGNORE_LABEL};
use crate::rng::Mulberry32;

/// A painted image, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnImage {
    height: usize,
    width: usize,
    classes: usize,
    image: Vec<f32>,
    labels: Vec<i32>,
}

impl OwnImage {
    /// Checks an image (H·W·3 floats in 0–1, RGB) and its labels (H·W: a class below `classes`,
    /// or 255 for none); the message says what is wrong in one line.
    pub fn new(
        height: usize,
        width: usize,
        classes: usize,
        image: Vec<f32>,
        labels: &[u8],
    ) -> Result<Self, String> {
        let side = range::OWN_SIDE;
        if !side.contains(&height) || !side.contains(&width) {
            return Err(format!(
                "your image is {width}×{height}; each side must be between {} and {} pixels",
                side.start(),
                side.end()
            ));
        }
        if !crate::net::CLASSES.contains(&classes) {
            return Err(format!(
                "your image has {classes} classes; it needs between {} and {}",
                crate::net::CLASSES.start(),
                crate::net::CLASSES.end()
            ));
        }
        let pixels = height * width;
        if image.len() != pixels * 3 || labels.len() != pixels {
            return Err(format!(
                "your image is {width}×{height}: it needs {} colour values and {pixels} labels, got {} and {}",
                pixels * 3,
                image.len(),
                labels.len()
            ));
        }
        if let Some(v) = image.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            return Err(format!(
                "your image's colour values must be in 0–1, found {}",
                crate::num::Num(f64::from(*v))
            ));
        }
        let ignore = IGNORE_LABEL as u8;
        if let Some(&v) = labels
            .iter()
            .find(|&&v| v != ignore && usize::from(v) >= classes)
        {
            return Err(format!(
                "your labels hold class {v}, but the image has {classes} classes (0–{}) and 255 for none",
                classes - 1
            ));
        }
        if labels.iter().all(|&v| v == ignore) {
            return Err(
                "nothing is painted yet: paint some pixels of at least one class".to_string(),
            );
        }
        Ok(Self {
            height,
            width,
            classes,
            image,
            labels: labels.iter().map(|&v| i32::from(v)).collect(),
        })
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The image, (H, W, 3).
    pub fn image(&self) -> &[f32] {
        &self.image
    }

    /// The painted labels, (H, W), 255 where none is.
    pub fn labels(&self) -> &[i32] {
        &self.labels
    }

    /// Painted pixels per class.
    pub fn painted(&self) -> Vec<u64> {
        let mut n = vec![0; self.classes];
        for &l in &self.labels {
            if let Some(c) = usize::try_from(l).ok().and_then(|l| n.get_mut(l)) {
                *c += 1;
            }
        }
        n
    }

    /// Checks that crops of `size` fit in the image.
    pub fn check_crop(&self, size: usize) -> Result<(), String> {
        let short = self.height.min(self.width);
        if size > short {
            return Err(format!(
                "your image is {}×{}: crops of {size}×{size} do not fit; set the image size to {short} or less",
                self.width, self.height
            ));
        }
        Ok(())
    }

    /// `(y0, x0)` of every tile of `size` that predicts the image whole: tiles overlap by twice
    /// `margin` (the net's receptive radius), so every pixel has a tile in which its whole
    /// receptive field lies inside the image, and the result equals a prediction of the whole image.
    pub fn tiles(&self, size: usize, margin: usize) -> Vec<(usize, usize)> {
        let starts = |side: usize| {
            let stride = size.saturating_sub(2 * margin).max(1);
            let last = side - size;
            let mut s: Vec<usize> = (0..last).step_by(stride).collect();
            s.push(last);
            s
        };
        let (ys, xs) = (starts(self.height), starts(self.width));
        ys.iter()
            .flat_map(|&y| xs.iter().map(move |&x| (y, x)))
            .collect()
    }

    /// Copies the `size × size` window at `(y0, x0)` of the image into `image` (and of `labels`,
    /// as training sees them, into `labels`, if given).
    pub fn window(
        &self,
        (y0, x0): (usize, usize),
        size: usize,
        image: &mut [f32],
        labels: Option<(&[i32], &mut [i32])>,
    ) {
        for y in 0..size {
            let from = (y0 + y) * self.width + x0;
            image[y * size * 3..][..size * 3].copy_from_slice(&self.image[from * 3..][..size * 3]);
        }
        if let Some((src, dst)) = labels {
            for y in 0..size {
                let from = (y0 + y) * self.width + x0;
                dst[y * size..][..size].copy_from_slice(&src[from..][..size]);
            }
        }
    }

    /// The labels training sees under `annotation`: as painted, except that `sparse` labels every
    /// unlabelled pixel background (class 0), as the question's author did.
    pub fn training_labels(&self, annotation: Annotation) -> Vec<i32> {
        match annotation {
            Annotation::Sparse => self
                .labels
                .iter()
                .map(|&l| if l == IGNORE_LABEL { 0 } else { l })
                .collect(),
            Annotation::Full | Annotation::SparseIgnore => self.labels.clone(),
        }
    }
}

/// Random training crops of an [`OwnImage`]: each is centred, as far as the image allows, near a
/// pixel drawn uniformly from those that carry a training label, so sparse paint is seen every step.
#[derive(Debug, Clone)]
pub struct Crops {
    labels: Vec<i32>,
    labelled: Vec<u32>,
    rng: Mulberry32,
}

impl Crops {
    /// Crops with `labels`, the labels training sees (H, W), from stream `seed`.
    pub fn new(labels: Vec<i32>, seed: u32) -> Self {
        let labelled = labels
            .iter()
            .enumerate()
            .filter(|(_, &l)| l != IGNORE_LABEL)
            .map(|(i, _)| i as u32)
            .collect();
        Self {
            labels,
            labelled,
            rng: Mulberry32::new(seed),
        }
    }

    /// Fills one crop of `size` into `image` and `labels`.
    pub fn fill(&mut self, own: &OwnImage, size: usize, image: &mut [f32], labels: &mut [i32]) {
        let p = self.labelled[self.rng.below(self.labelled.len())] as usize;
        let (py, px) = (p / own.width, p % own.width);
        let mut start = |at: usize, side: usize| {
            let lo = (at + 1).saturating_sub(size);
            let hi = at.min(side - size);
            lo + self.rng.below(hi - lo + 1)
        };
        let y0 = start(py, own.height);
        let x0 = start(px, own.width);
        own.window((y0, x0), size, image, Some((&self.labels, labels)));
    }
}
