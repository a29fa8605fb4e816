//! dicelab's CPU hot loops, in their own crate so that the page's size-optimised build can compile
//! them for speed (Cargo sets the optimisation level per crate):
//! - the convolutions: stride-1, read straight from zero-padded NHWC buffers (no im2col matrix), in
//!   f32x4 lanes, with the bias and the ReLU, or the ReLU's gradient, applied as each output is
//!   stored. A layer's three products are two kernels: [`conv`] (the forward pass, and the input
//!   gradient as the convolution of the padded output gradient with the flipped, transposed
//!   weights) and [`filter_grad`] (the weight gradient); [`Grid`] says where a tensor's pixels sit
//!   in its padded buffer;
//! - [`lanes`]: the fast loss's per-pixel lane loops;
//! - [`peak_run`]: the ceiling of the kernels' own multiply-add, for the benchmarks.
//!
//! The convolutions' arithmetic is f32 multiplies then adds, in an order fixed by the shapes
//! alone, so a result has the same bits natively and in the page's SIMD128 build; the
//! relaxed-SIMD build fuses each multiply-add where the CPU can. The weight gradient sums each
//! image row in f32 lanes and the rows in f64; the bias gradient sums in f64.

mod filter;
mod forward;
mod grid;
pub mod lanes;
mod peak;
mod simd;

pub use filter::{bias_grad, filter_grad};
pub use forward::{conv, Finish, Start, Window};
pub use grid::Grid;
pub use peak::{peak_flops, peak_run, CHAINS};

/// Output pixels one forward block computes (along a row), and weight rows one filter-gradient
/// block computes: with four lanes of 16 columns, 8 accumulators, which fit x86-64's 16 vector
/// registers beside the operands (as V8 allocates them for wasm too).
const ROWS: usize = 2;
// The forward kernel's loop is written out for two pixels.
const _: () = assert!(ROWS == 2);
