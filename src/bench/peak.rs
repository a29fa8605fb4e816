//! A compute ceiling measured in the same run as a training step, and the step's floating-point
//! work counted from TinySegNet's layer shapes, so that the bench page can quote dicelab's GFLOP/s
//! per step as a share of what this machine's SIMD unit does.
//!
//! The ceiling is `dicelab_kernels::peak_run`: independent chains of the convolution kernels' own
//! multiply-add, in their lanes (f32x4 in the wasm build; a fused multiply-add in its relaxed-SIMD
//! twin), no loads or stores. The caller times [`simd_peak_run`] and divides [`simd_peak_flops`] by
//! the time.

use crate::net::NetSpec;
pub use dicelab_kernels::{peak_flops as simd_peak_flops, peak_run as simd_peak_run, CHAINS};

/// Floating-point operations of the convolutions in one TinySegNet training step over `pixels`
/// (B·H·W): per layer of `K = k·k·cin` taps and `cout` outputs, `2·P·K·cout` for the forward
/// product, as much for the weight gradient and, for every layer but the first (the image needs no
/// gradient), for the input gradient. Bias, ReLU, the loss and Adam are left out: about 1 %
/// of the step's arithmetic at width 16.
pub fn step_flops(spec: &NetSpec, pixels: usize) -> f64 {
    spec.layers()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let product = 2.0 * (pixels * l.taps() * l.cout) as f64;
            product * if i == 0 { 2.0 } else { 3.0 }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_flops_of_the_protocol_net() {
        let spec = NetSpec::new(16, 6).expect("the protocol net");
        // Per pixel: 2·27·16·2 + 2·144·16·3 · 2 layers + 2·16·6·3 = 1728 + 27648 + 576.
        assert_eq!(step_flops(&spec, 1), 29952.0);
        assert_eq!(step_flops(&spec, 4 * 48 * 48), 29952.0 * 9216.0);
    }
}
