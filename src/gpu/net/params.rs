//! The small parameter buffers of the net kernels: `LayerParams` (the `Layer` struct of
//! shaders/net_params.wgsl) and `OptimParams` (the `Optim` struct of shaders/optim.wgsl), field for
//! field, and the workgroup sizes they are dispatched with.

use crate::net::{Conv, Dims, OptimConfig};
use bytemuck::{Pod, Zeroable};

pub use crate::gpu::consts::{CHUNK, CONV_WG, ELEM_WG};
/// The most workgroups an element-wise dispatch uses; the kernels loop over the rest.
pub const MAX_ELEM_GROUPS: u32 = 4096;

/// `Layer` of net_params.wgsl (48 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
pub struct LayerParams {
    batch: u32,
    height: u32,
    width: u32,
    cin: u32,
    cout: u32,
    k: u32,
    dilation: u32,
    pad: u32,
    w_off: u32,
    b_off: u32,
    chunks: u32,
    count: u32,
}

impl LayerParams {
    /// Layer `conv` on batches of `dims`, its weights at `w_off` of the flat vector; `count` is the
    /// element count the element-wise kernels visit with these parameters.
    pub fn new(conv: &Conv, dims: Dims, w_off: usize, count: usize) -> Self {
        let u = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        let pixels = u(dims.pixels());
        Self {
            batch: u(dims.batch),
            height: u(dims.height),
            width: u(dims.width),
            cin: u(conv.cin),
            cout: u(conv.cout),
            k: u(conv.k),
            dilation: u(conv.dilation),
            pad: u(conv.pad()),
            w_off: u(w_off),
            b_off: u(w_off + conv.weight_len()),
            chunks: pixels.div_ceil(CHUNK),
            count: u(count),
        }
    }

    /// Partial sums per weight-gradient entry.
    pub fn chunks(&self) -> u32 {
        self.chunks
    }
}

/// `Optim` of optim.wgsl (48 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct OptimParams {
    count: u32,
    _pad0: [u32; 3],
    lr: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    c1: f32,
    c2: f32,
    momentum: f32,
    _pad3: f32,
}

impl OptimParams {
    /// Update `t` (from 1) of `count` parameters with `cfg`; the bias corrections are formed in
    /// f64, as `adam_update` forms them.
    pub fn new(cfg: &OptimConfig, count: usize, t: u64) -> Self {
        let ti = i32::try_from(t).unwrap_or(i32::MAX);
        Self {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            _pad0: [0; 3],
            lr: cfg.lr as f32,
            beta1: cfg.beta1 as f32,
            beta2: cfg.beta2 as f32,
            epsilon: cfg.epsilon as f32,
            c1: (1.0 / (1.0 - cfg.beta1.powi(ti))) as f32,
            c2: (1.0 / (1.0 - cfg.beta2.powi(ti))) as f32,
            momentum: cfg.momentum as f32,
            _pad3: 0.0,
        }
    }
}

/// Workgroups of an element-wise dispatch over `n` values.
pub fn elem_groups(n: usize) -> u32 {
    u32::try_from(n.div_ceil(ELEM_WG as usize))
        .unwrap_or(MAX_ELEM_GROUPS)
        .clamp(1, MAX_ELEM_GROUPS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::shaders;

    #[test]
    fn the_structs_match_their_wgsl_twins() {
        let (_, layer) = crate::gpu::params::wgsl_struct(shaders::CONV2D_FORWARD, "Layer");
        assert_eq!(layer, std::mem::size_of::<LayerParams>());
        let (_, optim) = crate::gpu::params::wgsl_struct(shaders::OPTIM, "Optim");
        assert_eq!(optim, std::mem::size_of::<OptimParams>());
    }
}
