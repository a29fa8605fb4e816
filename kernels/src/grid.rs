//! `Grid`: where an NHWC tensor's values sit in a buffer that surrounds each image with a zero
//! border, so that a convolution reads every tap without a bounds test.

/// A tensor of `batch` images of `height × width` pixels and `channels` values, stored as
/// `(batch, height + 2·pad, width + 2·pad, channels)` with zeros in the border. The kernels write
/// only the interior, so a border once zeroed stays zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// Images.
    pub batch: usize,
    /// Rows of an image.
    pub height: usize,
    /// Columns of an image.
    pub width: usize,
    /// Zero pixels around each image, on every side.
    pub pad: usize,
    /// Values per pixel.
    pub channels: usize,
}

impl Grid {
    /// Values from one stored row to the next.
    pub fn row_stride(&self) -> usize {
        (self.width + 2 * self.pad) * self.channels
    }

    /// Values from one stored image to the next.
    pub fn image_stride(&self) -> usize {
        (self.height + 2 * self.pad) * self.row_stride()
    }

    /// Values of the whole buffer.
    pub fn len(&self) -> usize {
        self.batch * self.image_stride()
    }

    /// Whether the buffer holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Index of pixel `(b, y, x)`'s first channel (`y`, `x` in the image, border excluded).
    #[inline(always)]
    pub fn at(&self, b: usize, y: usize, x: usize) -> usize {
        b * self.image_stride()
            + (y + self.pad) * self.row_stride()
            + (x + self.pad) * self.channels
    }

    /// The same tensor without a border.
    pub fn dense(&self) -> Self {
        Self { pad: 0, ..*self }
    }

    /// Copies the dense NHWC `src` into this grid's interior in `dst`, and zeroes the border.
    pub fn fill(&self, src: &[f32], dst: &mut [f32]) {
        assert_eq!(src.len(), self.dense().len(), "padded copy: source length");
        assert!(
            dst.len() >= self.len(),
            "padded copy: destination too short"
        );
        let row = self.width * self.channels;
        dst[..self.len()].fill(0.0);
        for (i, line) in src.chunks_exact(row.max(1)).enumerate() {
            let (b, y) = (i / self.height, i % self.height);
            let at = self.at(b, y, 0);
            dst[at..at + row].copy_from_slice(line);
        }
    }

    /// Copies this grid's interior in `src` out to the dense NHWC `dst`.
    pub fn extract(&self, src: &[f32], dst: &mut [f32]) {
        assert_eq!(
            dst.len(),
            self.dense().len(),
            "padded copy: destination length"
        );
        assert!(src.len() >= self.len(), "padded copy: source too short");
        let row = self.width * self.channels;
        for (i, line) in dst.chunks_exact_mut(row.max(1)).enumerate() {
            let (b, y) = (i / self.height, i % self.height);
            let at = self.at(b, y, 0);
            line.copy_from_slice(&src[at..at + row]);
        }
    }
}
