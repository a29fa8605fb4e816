//! The ceiling of the kernels' arithmetic, to quote a training step's speed against: [`CHAINS`]
//! independent chains of `acc = acc·m + a` in the kernels' own lanes and multiply-add (two
//! instructions in plain SIMD128, one fused where the build has relaxed SIMD), no loads or stores,
//! enough chains to hide the multiply-add latency.

use crate::simd::F4;

/// Independent accumulators. As a multiply then an add a round's latency is ~6 cycles (4 fused),
/// and a CPU with two multiply and two add pipes starts two chains' rounds a cycle: 12 in flight
/// keep every pipe busy, where 8 left this AMD machine's plain build latency-bound. 12 plus the two
/// constants fit x86's 16 vector registers.
pub const CHAINS: usize = 12;

/// Floating-point operations of one [`peak_run`]: per round, each chain's 4 lanes take a multiply
/// and an add.
pub fn peak_flops(rounds: u32) -> f64 {
    f64::from(rounds) * (CHAINS * 4 * 2) as f64
}

/// `rounds` rounds of `acc = acc·m + a` on the chains, which start at `acc = i`; returns their
/// lanes' sum, so the work cannot be optimised away. `m` and `a` come from the caller (not
/// constants LLVM could fold); with |m| < 1 the accumulators stay finite and normal.
pub fn peak_run(rounds: u32, m: f32, a: f32) -> f32 {
    let (m, a) = (F4::splat(m), F4::splat(a));
    let mut acc: [F4; CHAINS] = std::array::from_fn(|i| F4::splat(i as f32));
    for _ in 0..rounds {
        for c in &mut acc {
            *c = a.mul_add(*c, m);
        }
    }
    acc.iter().flat_map(|c| c.to_array()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_run_computes_the_chains() {
        // One round from acc = i: Σ_i 4·(i·m + a), exact in f32 for these values.
        let (m, a) = (0.5f32, 1.0f32);
        let want: f32 = (0..CHAINS).map(|i| 4.0 * (i as f32 * m + a)).sum();
        assert_eq!(peak_run(1, m, a), want);
        assert_eq!(peak_flops(1000), 1000.0 * (CHAINS * 8) as f64);
    }
}
