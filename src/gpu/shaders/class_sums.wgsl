// class_sums.wgsl: the first pass, as a two-level parallel reduction. CPU twin: `class_sums` in
// src/loss/sums.rs, which accumulates the same sums in one f64 walk.
//
// For unit a and class l:  I_al = Σ_n r_nl·p_nl,  R_al = Σ_n r_nl,  P_al = Σ_n p_nl (or Σ p_nl²),
// plus Σ −log p_{n,y_n}, the number of labelled pixels and, for the focal losses, F_al = Σ_n f_nl
// (focal.wgsl). Two more sums have no CPU counterpart: FP_al = Σ_n (1 − r)·p = P − I and
// FN_al = Σ_n r·(1 − p) = R − I (squared: Σ (1 − r)·p², Σ r·(1 − p)²), every term ≥ 0 and 1 − p
// taken without cancellation. loss_terms forms 1 − S of every score as (den − num)/den with
// den − num from them (D = R + P − 2I = FP + FN for Dice): in f32, 1 − num/den loses every digit
// when the ratio is near 1 (e.g. Generalized Dice whose 1/R² weights make the smoothing dominate),
// where the f64 CPU engine does not.
//
// Level 1, `class_sums`: workgroup (tile, image) takes TILE = 8·256 pixels of one image; each thread
// sums its 8 pixels, then the workgroup tree-reduces the 256 thread sums in shared memory (8 halving
// steps) into one partial per quantity. Level 2, `combine_sums`: workgroup (quantity, unit) adds that
// quantity's partials of the unit, each thread a strided subset, then the same tree. Every f32 sum thus
// goes through at most 8 + ceil(partials/256) sequential additions and 16 tree levels, which keeps the
// relative error near 1e-7 where one thread walking 2M pixels would lose ~1e-4. Counts (R, valid) are
// u32 and exact.
//
// Partials are quantity-major ([quantity][partial]) so that `combine_sums` reads them contiguously.
// Float quantities: SUMS_PER_CLASS (5) per class, I, P, FP, FN, F, then ce.

// PER_THREAD, TILE, WG and SUMS_PER_CLASS come from shared.wgsl (src/gpu/shared.rs).

@group(0) @binding(1) var<storage, read> logits: array<f32>;        // [B·H·W][C]
@group(0) @binding(2) var<storage, read> labels: array<i32>;        // [B·H·W]
@group(0) @binding(3) var<storage, read_write> partial_f: array<f32>; // [5C+1][partials]
@group(0) @binding(4) var<storage, read_write> partial_u: array<u32>; // [C+1][partials]: R, valid
@group(0) @binding(5) var<storage, read_write> sums_f: array<f32>;    // [units][5C+1]
@group(0) @binding(6) var<storage, read_write> sums_u: array<u32>;    // [units][C+1]: R, valid

var<workgroup> red_i: array<f32, WG>;
var<workgroup> red_p: array<f32, WG>;
var<workgroup> red_fp: array<f32, WG>;
var<workgroup> red_fn: array<f32, WG>;
var<workgroup> red_f: array<f32, WG>;
var<workgroup> red_r: array<u32, WG>;

// Tree-reduces the red_* arrays into element 0 (pairwise: log2(WG) levels).
fn reduce_shared(lid: u32) {
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        workgroupBarrier();
        if lid < s {
            red_i[lid] += red_i[lid + s];
            red_p[lid] += red_p[lid + s];
            red_fp[lid] += red_fp[lid + s];
            red_fn[lid] += red_fn[lid + s];
            red_f[lid] += red_f[lid + s];
            red_r[lid] += red_r[lid + s];
        }
    }
    workgroupBarrier();
}

// p, or p² when squared.
fn power(p: f32) -> f32 {
    return select(p, p * p, params.squared == 1u);
}

@compute @workgroup_size(WG)
fn class_sums(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let c = params.classes;
    let image = wid.y;
    let slot = image * params.tiles + wid.x;
    let np = params.partials;

    // This thread's pixels (strided by WG so that neighbouring threads read neighbouring pixels):
    // logits offset, label (−1 when the pixel is ignored or past the image), activation statistics
    // and, for the softmax focal form, the pixel's focal term.
    var base: array<u32, PER_THREAD>;
    var lab: array<i32, PER_THREAD>;
    var st: array<vec2<f32>, PER_THREAD>;
    var fs: array<f32, PER_THREAD>;
    var ce = 0.0;
    var valid = 0u;
    let focal = has_focal();
    let per_class_focal = focal && params.focal_softmax == 0u;
    for (var j = 0u; j < PER_THREAD; j++) {
        let px = wid.x * TILE + j * WG + lid;
        lab[j] = -1;
        fs[j] = 0.0;
        if px < params.pixels {
            let n = image * params.pixels + px;
            let y = labels[n];
            if is_class(y) {
                base[j] = n * c;
                lab[j] = y;
                st[j] = act_stats(n * c);
                ce += act_nll(n * c, u32(y), st[j]);
                valid += 1u;
                if focal && params.focal_softmax == 1u {
                    fs[j] = focal_softmax(n * c, u32(y));
                }
            }
        }
    }

    for (var l = 0u; l < c; l++) {
        var i = 0.0;
        var p = 0.0;
        var fp = 0.0;
        var fn_ = 0.0;
        var f = 0.0;
        var r = 0u;
        let counted = l >= params.first_class;
        for (var j = 0u; j < PER_THREAD; j++) {
            if lab[j] >= 0 {
                let z = logits[base[j] + l];
                let q = act_prob(z, st[j]);
                let positive = u32(lab[j]) == l;
                p += power(q);
                if positive {
                    i += q;
                    r += 1u;
                    fn_ += power(act_complement(z, st[j]));
                    f += fs[j];
                } else {
                    fp += power(q);
                }
                if per_class_focal && counted {
                    f += focal_sigmoid(z, positive);
                }
            }
        }
        red_i[lid] = i;
        red_p[lid] = p;
        red_fp[lid] = fp;
        red_fn[lid] = fn_;
        red_f[lid] = f;
        red_r[lid] = r;
        reduce_shared(lid);
        if lid == 0u {
            partial_f[l * np + slot] = red_i[0];
            partial_f[(c + l) * np + slot] = red_p[0];
            partial_f[(2u * c + l) * np + slot] = red_fp[0];
            partial_f[(3u * c + l) * np + slot] = red_fn[0];
            partial_f[(4u * c + l) * np + slot] = red_f[0];
            partial_u[l * np + slot] = red_r[0];
        }
    }

    red_i[lid] = ce;
    red_r[lid] = valid;
    reduce_shared(lid);
    if lid == 0u {
        partial_f[SUMS_PER_CLASS * c * np + slot] = red_i[0];
        partial_u[c * np + slot] = red_r[0];
    }
}

// Level 2: workgroup (q, a) adds float quantity q (I_l, P_l, FP_l, FN_l, F_l, ce) and, for q ≤ C, count q
// (R_l, valid) over the partials of unit a: every partial (global) or the tiles of image a (per-image).
@compute @workgroup_size(WG)
fn combine_sums(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let c = params.classes;
    let q = wid.x;
    let a = wid.y;
    let np = params.partials;
    var first = 0u;
    var count = np;
    if params.per_image == 1u {
        first = a * params.tiles;
        count = params.tiles;
    }
    let counts = q <= c;
    var f = 0.0;
    var u = 0u;
    for (var k = lid; k < count; k += WG) {
        f += partial_f[q * np + first + k];
        if counts {
            u += partial_u[q * np + first + k];
        }
    }
    red_i[lid] = f;
    red_r[lid] = u;
    reduce_shared(lid);
    if lid == 0u {
        sums_f[a * (SUMS_PER_CLASS * c + 1u) + q] = red_i[0];
        if counts {
            sums_u[a * (c + 1u) + q] = red_r[0];
        }
    }
}
