//! A compute ceiling measured in the same run as a training step, and the step's floating-point
//! work counted from TinySegNet's layer shapes, so that the bench page can quote dicelab's GFLOP/s
//! per step as a share of what this machine's SIMD unit does.
//!
//! The ceiling is [`CHAINS`] independent f32x4 chains of `acc = acc·m + a`: a multiply and an add
//! per lane per round, no loads or stores, enough chains to hide the mul → add latency. In the wasm
//! build (simd128) these are `core::arch::wasm32` instructions (`f32x4.mul`, `f32x4.add`; plain
//! SIMD128 has no fused multiply-add), which V8 maps one to one onto the CPU's 4-lane SSE/AVX
//! instructions; natively the same loop over `[f32; 4]` lanes, which LLVM vectorises alike. The
//! caller times [`simd_peak_run`] and divides [`simd_peak_flops`] by the time.

use crate::net::NetSpec;

/// Independent accumulators: a mul → add chain's latency (~7 cycles) times two issued a cycle,
/// rounded up; 8 of them plus the two constants fit x86's 16 vector registers.
pub const CHAINS: usize = 8;

/// Floating-point operations of one `simd_peak_run(rounds, …)`: per round, each chain's 4 lanes
/// take a multiply and an add.
pub fn simd_peak_flops(rounds: u32) -> f64 {
    f64::from(rounds) * (CHAINS * 4 * 2) as f64
}

/// `rounds` rounds of `acc = acc·m + a` on [`CHAINS`] f32x4 accumulators; returns their sum, so the
/// work cannot be optimised away. `m` and `a` come from the caller (not constants LLVM could fold);
/// with |m| < 1 the accumulators stay finite and normal.
///
/// Written out chain by chain, with no iterator or closure: the page's wasm is built at
/// opt-level "z", which leaves those as calls and the accumulators in memory.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub fn simd_peak_run(rounds: u32, m: f32, a: f32) -> f32 {
    use core::arch::wasm32::{f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat};
    let (mv, av) = (f32x4_splat(m), f32x4_splat(a));
    let mut c0 = f32x4_splat(0.0);
    let mut c1 = f32x4_splat(1.0);
    let mut c2 = f32x4_splat(2.0);
    let mut c3 = f32x4_splat(3.0);
    let mut c4 = f32x4_splat(4.0);
    let mut c5 = f32x4_splat(5.0);
    let mut c6 = f32x4_splat(6.0);
    let mut c7 = f32x4_splat(7.0);
    let mut i = 0;
    while i < rounds {
        c0 = f32x4_add(f32x4_mul(c0, mv), av);
        c1 = f32x4_add(f32x4_mul(c1, mv), av);
        c2 = f32x4_add(f32x4_mul(c2, mv), av);
        c3 = f32x4_add(f32x4_mul(c3, mv), av);
        c4 = f32x4_add(f32x4_mul(c4, mv), av);
        c5 = f32x4_add(f32x4_mul(c5, mv), av);
        c6 = f32x4_add(f32x4_mul(c6, mv), av);
        c7 = f32x4_add(f32x4_mul(c7, mv), av);
        i += 1;
    }
    let s = f32x4_add(
        f32x4_add(f32x4_add(c0, c1), f32x4_add(c2, c3)),
        f32x4_add(f32x4_add(c4, c5), f32x4_add(c6, c7)),
    );
    f32x4_extract_lane::<0>(s)
        + f32x4_extract_lane::<1>(s)
        + f32x4_extract_lane::<2>(s)
        + f32x4_extract_lane::<3>(s)
}

/// The same without wasm SIMD: `[f32; 4]` lanes, which LLVM vectorises natively.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub fn simd_peak_run(rounds: u32, m: f32, a: f32) -> f32 {
    let mut acc = [[0.0f32; 4]; CHAINS];
    for (i, x) in acc.iter_mut().enumerate() {
        *x = [i as f32; 4];
    }
    for _ in 0..rounds {
        for x in &mut acc {
            for l in x.iter_mut() {
                *l = *l * m + a;
            }
        }
    }
    acc.iter().flatten().sum()
}

/// Floating-point operations of the matrix products in one TinySegNet training step over `pixels`
/// (B·H·W): per layer of `K = k·k·cin` taps and `cout` outputs, `2·P·K·cout` for the forward
/// product, as much for the weight gradient and, for every layer but the first (the image needs no
/// gradient), for the input gradient. Bias, ReLU, im2col, the loss and Adam are left out: about 1 %
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

    #[test]
    fn peak_run_computes_the_chains() {
        // One round from acc = i: Σ_i 4·(i·m + a).
        let (m, a) = (0.5f32, 1.0f32);
        let want: f32 = (0..CHAINS).map(|i| 4.0 * (i as f32 * m + a)).sum();
        assert_eq!(simd_peak_run(1, m, a), want);
        assert_eq!(simd_peak_flops(1000), 64_000.0);
    }
}
