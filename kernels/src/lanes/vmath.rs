//! Branch-free f32 `exp` and `ln_1p` that LLVM vectorises when called in a loop over a lane array
//! (SSE2 natively, SIMD128 on wasm32): `f32::exp` is a libm call per element and blocks that.
//!
//! Both are range reduction plus a short polynomial. The coefficients were fitted for this crate
//! (Chebyshev interpolation of the reduced function, converted to monomials):
//! - `exp`: `x = n·ln2 + r`, `|r| ≤ ln2/2`, degree 5 in `r`, constant term exactly 1 so that
//!   `exp(0) = 1` (softmax relies on it at the maximum); max relative error 2.7e-7 over
//!   [−87, 88] (measured by the unit test below against f64 `exp`); 0 below −87.3 (where f32
//!   would go subnormal), `+∞` above 88.7.
//! - `ln_1p`: `1 + x = 2^e·m`, `m ∈ [√½, √2)`, `ln m = 2u·(1 + u²·q(u²))` with `u = (m−1)/(m+1)`,
//!   `q` of degree 2; the rounding of `1 + x` is corrected as `ln(u)·x/(u−1)` so tiny `x` keep full
//!   relative accuracy. Max relative error 3e-7 for `x ∈ [0, 2^64]` (unit test).

/// `2^23·1.5`: adding it rounds an f32 of magnitude < 2^22 to an integer, in the low mantissa bits.
const ROUND: f32 = 12_582_912.0;

/// `e^x`, vectorisable (no branches, no calls).
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split so that n·LN2_HI is exact for |n| < 2^9.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    let xc = x.clamp(-87.3, 88.7);
    let shifted = xc * LOG2E + ROUND;
    let n = shifted - ROUND;
    // The integer n, from the bits of the rounded sum (no float → int conversion).
    let ni = shifted.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.000_000_0
            + r * (0.499_988_7 + r * (0.166_665_05 + r * (0.041_917_507 + r * 0.008_369_149))));
    let scale = f32::from_bits(((ni + 127) as u32) << 23);
    let y = p * scale;
    if x < -87.3 {
        0.0
    } else if x > 88.7 {
        f32::INFINITY
    } else {
        y
    }
}

/// `ln(1 + x)` for `x ≥ 0`, vectorisable.
#[inline(always)]
pub(crate) fn ln_1p(x: f32) -> f32 {
    const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    const LN2: f32 = std::f32::consts::LN_2;
    let v = 1.0 + x;
    let bits = v.to_bits();
    // Exponent and mantissa in [1, 2); mantissas above √2 move to [√½, 1) with e + 1.
    let mut e = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let high = m > 2.0 * SQRT_HALF;
    e += i32::from(high);
    m = if high { m * 0.5 } else { m };
    let u = (m - 1.0) / (m + 1.0);
    let t = u * u;
    let q = 0.333_333_43 + t * (0.199_943_9 + t * 0.147_899_75);
    let ln_v = e as f32 * LN2 + 2.0 * u * (1.0 + t * q);
    // v − 1 is exact; it differs from x by the rounding of 1 + x, which this factor undoes.
    let d = v - 1.0;
    if d == 0.0 {
        x
    } else {
        ln_v * (x / d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f32, b: f64) -> f64 {
        ((f64::from(a) - b) / b).abs()
    }

    #[test]
    fn exp_is_within_its_stated_error() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x < 88.0 {
            worst = worst.max(rel(exp(x), f64::from(x).exp()));
            x += 1.3e-3;
        }
        for x in [0.0f32, 1e-30, -1e-30, 0.346, -0.346, 0.347, -0.347] {
            worst = worst.max(rel(exp(x), f64::from(x).exp()));
        }
        assert!(worst < 3e-7, "max relative error {worst:e}");
        assert_eq!(exp(-87.5), 0.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(-1e30), 0.0);
        assert_eq!(exp(89.0), f32::INFINITY);
    }

    #[test]
    fn ln_1p_is_within_its_stated_error() {
        let mut worst = 0.0f64;
        let mut x = 1e-30f32;
        while x < 1.8e19 {
            worst = worst.max(rel(ln_1p(x), f64::from(x).ln_1p()));
            x *= 1.0007;
        }
        assert!(worst < 3e-7, "max relative error {worst:e}");
        assert_eq!(ln_1p(0.0), 0.0);
    }
}
