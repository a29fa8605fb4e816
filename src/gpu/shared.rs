// The constants the WGSL kernels and the Rust side share, each defined once, here. `build.rs`
// includes this file and writes every entry as a WGSL `const` into `shared.wgsl`, which
// `src/gpu/shaders.rs` puts in front of every kernel; `src/gpu/consts.rs` includes it as Rust
// `pub const`s. An entry may use the ones above it.
shared! {
    /// Threads per workgroup of the pixel kernels (the WebGPU default limit).
    WG = 256;
    /// Pixels one `class_sums` thread reduces.
    PER_THREAD = 8;
    /// Pixels one `class_sums` workgroup reduces.
    TILE = WG * PER_THREAD;
    /// Scalars before the per-(unit, class) arrays of the `report` buffer (see `gpu::layout`).
    HEAD = 8;
    /// Threads per workgroup of the convolution kernels. 64 is two warps or one wavefront, for
    /// kernels that keep `MAX_CH` accumulators per thread in registers; it keeps partial workgroups
    /// at the image edge small for 32–128-pixel images. Not yet chosen by measurement on hardware.
    CONV_WG = 64;
    /// Threads per workgroup of the element-wise kernels.
    ELEM_WG = 256;
    /// Pixels one `conv2d_backward_filter` partial sums.
    CHUNK = 256;
    /// The widest layer: TinySegNet's widest hidden layer, and at least its most classes.
    MAX_CH = 32;
    /// `Params.kind`.
    KIND_DICE = 0;
    KIND_GDL = 1;
    KIND_CE = 2;
    KIND_DICE_CE = 3;
    KIND_JACCARD = 4;
    KIND_TVERSKY = 5;
    KIND_FOCAL_TVERSKY = 6;
    KIND_FOCAL = 7;
    KIND_LOVASZ = 8;
    KIND_DICE_FOCAL = 9;
    /// `Params.score`: which region score the loss takes (docs/losses.md 2.1); `SCORE_PART1`: Part
    /// 1's Dice or Generalized Dice loss, or none.
    SCORE_PART1 = 0;
    SCORE_TVERSKY = 1;
    SCORE_JACCARD = 2;
    SCORE_DICE = 3;
    /// `Params.term`: `1 − S`, `−ln max(S, eps)`, `max(1 − S, 0)^(1/γ)`.
    TERM_PLAIN = 0;
    TERM_LOG = 1;
    TERM_PAPER = 2;
    /// `Params.focal_norm`: what the focal sum is divided by (docs/losses.md 2.6).
    FOCAL_NORM_ONE = 0;
    FOCAL_NORM_PIXELS = 1;
    FOCAL_NORM_ELEMENTS = 2;
    /// Per-class float sums per unit in `sums_f`: `I`, `P`, `FP`, `FN`, focal (then the
    /// cross-entropy sum).
    SUMS_PER_CLASS = 5;
    /// `report[3]`: why the loss has no value.
    STATUS_OK = 0;
    STATUS_ZERO_DENOMINATOR = 1;
    STATUS_ZERO_SCORE_DENOMINATOR = 2;
    /// Items one workgroup of the Lovász sort orders in shared memory (two per thread).
    SORT_BLOCK = 2 * WG;
    /// `Params.formula`.
    FORMULA_SEED = 0;
    FORMULA_CORRECTED = 1;
    /// `Params.weights`.
    WEIGHTS_SQUARE = 0;
    WEIGHTS_SIMPLE = 1;
    WEIGHTS_UNIFORM = 2;
    /// `Params.reduction`.
    REDUCTION_SUM = 0;
    REDUCTION_MEAN = 1;
    /// `Params.activation`.
    ACTIVATION_SOFTMAX = 0;
    ACTIVATION_SIGMOID = 1;
}
