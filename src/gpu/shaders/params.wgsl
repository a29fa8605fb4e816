// params.wgsl: the loss configuration and batch shape, one small buffer read by every kernel.
// Mirrors `Params` in src/gpu/params.rs field by field (the Rust side is the CPU twin: it builds this
// from a `LossConfig` and the batch shape). Prepended to every kernel, since WGSL has no imports.
//
// It is bound as a read-only *storage* buffer, not a uniform: lavapipe (Mesa 22.3, the software
// Vulkan that tests and CI run on) specialises and recompiles a shader whose loop bounds come from a
// uniform buffer at every dispatch, which made one evaluation ~30 ms instead of ~2 ms. On hardware
// the two read alike (a few scalars, uniform across the dispatch).

struct Params {
    classes: u32,       // C
    pixels: u32,        // H·W, pixels per image
    images: u32,        // B
    tiles: u32,         // class_sums workgroups per image: ceil(pixels / TILE)
    units: u32,         // 1 (global) or B (per-image)
    partials: u32,      // B·tiles: partial sums per quantity
    kind: u32,          // KIND_*
    formula: u32,       // FORMULA_*
    weights: u32,       // WEIGHTS_*
    reduction: u32,     // REDUCTION_*
    per_image: u32,     // 1: one unit per image
    squared: u32,       // 1: Σp² and Σr² in the denominator
    activation: u32,    // ACTIVATION_*
    ignore_index: i32,  // label of unlabelled pixels
    first_class: u32,   // 0, or 1 with the background excluded
    score: u32,         // SCORE_*: a Part 2 region score, or Part 1's path
    term: u32,          // TERM_*
    smp: u32,           // 1: SMP's eps clamp, presence mask and (focal Tversky) outer power
    focal_softmax: u32, // 1: the focal term's softmax form
    focal_norm: u32,    // FOCAL_NORM_*
    unit_pixels: u32,   // pixels per unit (Lovász)
    sort_len: u32,      // unit_pixels rounded up to a power of two (Lovász)
    smooth_nr: f32,     // s_nr
    smooth_dr: f32,     // s_dr
    smooth_off: f32,    // s_dr − s_nr (corrected) or s_dr − 2·s_nr (seed), formed in f64
    smooth_gap: f32,    // s_dr − s_nr, formed in f64 (Part 2's scores)
    tv_alpha: f32,      // the Tversky score's FP weight (1 for SMP's Jaccard, ½ for its Dice)
    tv_beta: f32,       // its FN weight
    eps: f32,           // SMP's clamp
    gamma: f32,         // focal exponent, or focal Tversky's γ
    inv_gamma: f32,     // 1/γ, formed in f64 (focal Tversky paper)
    focal_pos: f32,     // focal weight of a positive element (α, or 1 when unset)
    focal_neg: f32,     // of a negative one (1 − α formed in f64, or 1)
    lambda_dice: f32,   // dice+focal's weights (1 and 1 elsewhere)
    lambda_focal: f32,
    _pad0: u32,
}

// KIND_*, SCORE_*, TERM_*, FOCAL_NORM_*, FORMULA_*, WEIGHTS_*, REDUCTION_*, ACTIVATION_* and WG come
// from shared.wgsl (src/gpu/shared.rs).

@group(0) @binding(0) var<storage, read> params: Params;

// Whether a label is a class (not the ignore index, nor anything else outside 0..C).
fn is_class(y: i32) -> bool {
    return y != params.ignore_index && y >= 0 && u32(y) < params.classes;
}
