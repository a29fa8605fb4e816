//! The predicted class of each pixel: the largest logit, the lowest class on ties. Twin of the WGSL
//! kernel `argmax` (src/gpu/shaders/argmax.wgsl).

/// `classes[p] = argmax_k logits[p·c + k]` for every pixel `p`.
pub fn argmax(logits: &[f32], c: usize, classes: &mut [u8]) {
    for (out, z) in classes.iter_mut().zip(logits.chunks_exact(c)) {
        let mut best = 0;
        for (k, &v) in z.iter().enumerate() {
            if v > z[best] {
                best = k;
            }
        }
        *out = best as u8;
    }
}
