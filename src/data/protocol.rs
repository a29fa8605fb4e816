//! The benchmark protocol's data (`shared/guides/bench-protocol.md`): one mulberry32 stream, the first
//! `B·H·W·3` draws are the inputs in NHWC order, the next `B·H·W` give the labels `floor(C·u)`.

use crate::rng::Mulberry32;

/// Inputs (B, H, W, 3) and labels (B, H, W) of the protocol's stream `seed` (42 in the protocol).
pub fn protocol_batch(
    seed: u32,
    batch: usize,
    height: usize,
    width: usize,
    classes: usize,
) -> (Vec<f32>, Vec<i32>) {
    let mut rng = Mulberry32::new(seed);
    let n = batch * height * width;
    let images = (0..n * 3).map(|_| rng.next_f32()).collect();
    let labels = (0..n).map(|_| rng.below(classes) as i32).collect();
    (images, labels)
}
