//! The page's gradient heatmap: `Σ_k |∂L/∂z_k|` per pixel, where the loss pushes the logits. Twin
//! of the WGSL kernel `gradient_heat` (src/gpu/shaders/gradient_heat.wgsl). The sum runs over the
//! classes of one pixel only (at most 8 terms), so f32 accumulation is exact enough.

/// `heat[p] = Σ_k |grad[p·c + k]|` for every pixel `p` of `grad` (pixels × `c`, channels last).
pub fn gradient_heat(grad: &[f32], c: usize) -> Vec<f32> {
    grad.chunks_exact(c)
        .map(|z| z.iter().map(|v| v.abs()).sum())
        .collect()
}
