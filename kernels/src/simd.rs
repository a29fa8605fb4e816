//! `F4`: four f32 lanes, the unit of the convolution kernels: a `v128` in a wasm32 build with
//! SIMD128 (the page's), elsewhere four floats that LLVM vectorises (into one SSE or NEON register;
//! the crate is built at opt-level 3 in every profile).
//!
//! Every operation is one IEEE-754 operation per lane, and `mul_add` a multiply then an add, so
//! both forms give the same bits: the page's SIMD128 build computes exactly what the native CLI
//! computes. Only a relaxed-SIMD build fuses `mul_add` (where the CPU has FMA). Loads and stores go
//! through `[f32; 4]` (a safe conversion the compiler turns into one vector load or store).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::{
        f32x4_add, f32x4_gt, f32x4_mul, f32x4_pmax, f32x4_splat, v128, v128_and,
    };

    /// Four f32 lanes.
    #[derive(Clone, Copy)]
    pub struct F4(v128);

    impl F4 {
        /// Every lane `x`.
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            Self(f32x4_splat(x))
        }

        /// The lanes of an array.
        #[inline(always)]
        pub fn from_array(a: [f32; 4]) -> Self {
            Self(bytemuck::cast(a))
        }

        /// The lanes as an array.
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            bytemuck::cast(self.0)
        }

        /// `self + o`, lane by lane.
        #[cfg_attr(target_feature = "relaxed-simd", allow(dead_code))]
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            Self(f32x4_add(self.0, o.0))
        }

        /// `self · o`, lane by lane.
        #[cfg_attr(target_feature = "relaxed-simd", allow(dead_code))]
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            Self(f32x4_mul(self.0, o.0))
        }

        /// `self + a·b`: fused (one rounding) where the CPU has FMA, in a relaxed-SIMD build.
        #[cfg(target_feature = "relaxed-simd")]
        #[inline(always)]
        pub fn mul_add(self, a: Self, b: Self) -> Self {
            Self(core::arch::wasm32::f32x4_relaxed_madd(a.0, b.0, self.0))
        }

        /// `max(self, 0)`: ReLU.
        #[inline(always)]
        pub fn relu(self) -> Self {
            Self(f32x4_pmax(f32x4_splat(0.0), self.0))
        }

        /// `self` where `gate > 0`, else 0: the ReLU's gradient gated by its output.
        #[inline(always)]
        pub fn gate(self, gate: Self) -> Self {
            Self(v128_and(self.0, f32x4_gt(gate.0, f32x4_splat(0.0))))
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    /// Four f32 lanes.
    #[derive(Clone, Copy)]
    pub struct F4([f32; 4]);

    impl F4 {
        /// Every lane `x`.
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            Self([x; 4])
        }

        /// The lanes of an array.
        #[inline(always)]
        pub fn from_array(a: [f32; 4]) -> Self {
            Self(a)
        }

        /// The lanes as an array.
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            self.0
        }

        /// `self + o`, lane by lane.
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            Self(std::array::from_fn(|i| self.0[i] + o.0[i]))
        }

        /// `self · o`, lane by lane.
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            Self(std::array::from_fn(|i| self.0[i] * o.0[i]))
        }

        /// `max(self, 0)`: ReLU.
        #[inline(always)]
        pub fn relu(self) -> Self {
            Self(self.0.map(|v| if 0.0 < v { v } else { 0.0 }))
        }

        /// `self` where `gate > 0`, else 0: the ReLU's gradient gated by its output.
        #[inline(always)]
        pub fn gate(self, gate: Self) -> Self {
            Self(std::array::from_fn(|i| {
                if gate.0[i] > 0.0 {
                    self.0[i]
                } else {
                    0.0
                }
            }))
        }
    }
}

pub use lanes::F4;

impl F4 {
    /// The four values at `s[at..at + 4]`.
    #[inline(always)]
    pub fn load(s: &[f32], at: usize) -> Self {
        let mut a = [0.0; 4];
        a.copy_from_slice(&s[at..at + 4]);
        Self::from_array(a)
    }

    /// Writes the lanes to `s[at..at + 4]`.
    #[inline(always)]
    pub fn store(self, s: &mut [f32], at: usize) {
        s[at..at + 4].copy_from_slice(&self.to_array());
    }

    /// `self + a·b`, a multiply then an add (two roundings, as the native CLI computes it).
    #[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
    #[inline(always)]
    pub fn mul_add(self, a: Self, b: Self) -> Self {
        self.add(a.mul(b))
    }
}
