//! Matrix products on row-major f32 slices, through ndarray's `general_mat_mul` (the
//! `matrixmultiply` crate: runtime-detected SIMD natively, a portable kernel on wasm32; single
//! threaded, so the same inputs give the same bits on one machine).
//!
//! The products accumulate in f32, as TensorFlow.js and the GPU kernels do; only the explicit
//! reductions around them (bias gradients, the loss) accumulate in f64.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// How an operand is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// As the product reads it: `rows × cols` row-major.
    N,
    /// Transposed: the product reads `rows × cols` of a `cols × rows` row-major matrix.
    T,
}

fn view(rows: usize, cols: usize, op: Op, data: &[f32]) -> ArrayView2<'_, f32> {
    let shape = match op {
        Op::N => (rows, cols),
        Op::T => (cols, rows),
    };
    let v = ArrayView2::from_shape(shape, data)
        .unwrap_or_else(|e| panic!("gemm operand {shape:?} over {} values: {e}", data.len()));
    match op {
        Op::N => v,
        Op::T => v.reversed_axes(),
    }
}

/// `c (m×n) ← op(a) (m×k) · op(b) (k×n) + beta·c`.
#[allow(clippy::too_many_arguments)] // the BLAS signature, kept so calls read like the math
pub fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    op_a: Op,
    b: &[f32],
    op_b: Op,
    beta: f32,
    c: &mut [f32],
) {
    let a = view(m, k, op_a, a);
    let b = view(k, n, op_b, b);
    let len = c.len();
    let mut c = ArrayViewMut2::from_shape((m, n), c)
        .unwrap_or_else(|e| panic!("gemm result ({m}, {n}) over {len} values: {e}"));
    general_mat_mul(1.0, &a, &b, beta, &mut c);
}
