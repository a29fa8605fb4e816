//! mulberry32: the 32-bit generator of `shared/guides/bench-protocol.md`, so that data and weights
//! can be reproduced bit for bit in JavaScript (TensorFlow.js benchmarks, the page).

/// A mulberry32 stream.
#[derive(Debug, Clone)]
pub struct Mulberry32(u32);

impl Mulberry32 {
    /// A stream from `seed`.
    pub fn new(seed: u32) -> Self {
        Self(seed)
    }

    /// The next draw in `[0, 1)`, as an f64 (exact: 32 bits).
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x6D2B_79F5);
        let mut t = self.0;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        f64::from(t ^ (t >> 14)) / 4_294_967_296.0
    }

    /// The next draw as the 32-bit integer behind [`next_f64`](Self::next_f64).
    pub fn next_u32(&mut self) -> u32 {
        (self.next_f64() * 4_294_967_296.0) as u32
    }

    /// A draw in `[0, 1)` rounded to f32.
    pub fn next_f32(&mut self) -> f32 {
        self.next_f64() as f32
    }

    /// A uniform integer in `0..n` (`floor(n·u)`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_f64() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// An independent stream seed for purpose `salt` (data, validation, weights, ...) of run `seed`: the
/// first draw of a stream keyed by both, so nearby seeds and salts give unrelated streams.
pub fn derive_seed(seed: u32, salt: u32) -> u32 {
    Mulberry32::new(seed ^ salt.wrapping_mul(0x9E37_79B9)).next_u32()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_javascript_reference() {
        // First draws of mulberry32(42) as computed by the reference JavaScript implementation.
        let mut r = Mulberry32::new(42);
        let got: Vec<f64> = (0..3).map(|_| r.next_f64()).collect();
        let want = [0.6011037519201636, 0.44829055899754167, 0.8524657934904099];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{got:?}");
        }
    }
}
