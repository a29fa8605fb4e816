// lovasz.wgsl: Lovász-softmax's sort (docs/losses.md 2.7) between combine_sums and loss_terms. CPU
// twin: `lovasz_loss` in src/loss/lovasz.rs.
//
// Segment s = (unit a, class l) holds one item per pixel of the unit, padded to sort_len = L (a power
// of two): (key, index) with key = !bits(e), e = |r − p| ≥ 0 (1 − p on the class), so that ascending
// (key, index) order is the spec's: errors descending, ties by ascending pixel index. Ignored pixels
// and the padding sort among the zero errors and are skipped when counting.
// 1. `lovasz_errors`: the items.
// 2. Bitonic sort of every segment: `lovasz_sort` orders blocks of SORT_BLOCK items in shared memory
//    (every stage k ≤ SORT_BLOCK); each larger stage k is `lovasz_merge_global` for every distance
//    j ≥ SORT_BLOCK (one dispatch each, (k, j) from `step`) and `lovasz_merge_local` for the rest.
//    An item at global position g is merged ascending in stage k iff (g mod L) & k = 0, so every
//    segment ends ascending.
// 3. `lovasz_scan`: one workgroup per segment counts foreground F and background B along the order
//    (an exclusive scan of the threads' counts), takes the closed-form increments
//    δ = 1/(R + B) (foreground) or (R − F)/((R + B)(R + B − 1)) (background), and writes
//    λ_al = Σ δ·e (Kahan-summed per thread, then a tree) and ∂L/∂p_nl = ±scale·δ into `grad`, which
//    logit_grad takes through the activation. Absent and excluded classes get λ = 0 and ∂L/∂p = 0.
//
// Limits (checked by gpu::layout): L ≤ 2^24 (counts exact in f32) and every segment's items in one
// storage buffer.

@group(0) @binding(1) var<storage, read> logits: array<f32>;          // [B·H·W][C]
@group(0) @binding(2) var<storage, read> labels: array<i32>;          // [B·H·W]
@group(0) @binding(6) var<storage, read> sums_u: array<u32>;          // [units][C+1]: R, valid
@group(0) @binding(9) var<storage, read_write> grad: array<f32>;      // [B·H·W][C]: ∂L/∂p here
@group(0) @binding(10) var<storage, read_write> lovasz: array<f32>;   // [units·C]: λ_al
@group(0) @binding(11) var<storage, read_write> items: array<vec2<u32>>; // [units·C][L]
@group(0) @binding(12) var<storage, read> step: vec4<u32>;            // (k, j) of a merge

const NONE: u32 = 0xffffffffu;

fn item_count() -> u32 {
    return params.units * params.classes * params.sort_len;
}

@compute @workgroup_size(WG)
fn lovasz_errors(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = wid.x * WG + lid;
    if i >= params.sort_len {
        return;
    }
    let s = wid.y;
    let a = s / params.classes;
    let l = s % params.classes;
    var key = NONE;
    if i < params.unit_pixels {
        let n = a * params.unit_pixels + i;
        let y = labels[n];
        if is_class(y) {
            let base = n * params.classes;
            let st = act_stats(base);
            let z = logits[base + l];
            var e = act_prob(z, st);
            if u32(y) == l {
                e = act_complement(z, st);
            }
            key = ~bitcast<u32>(e);
        }
    }
    items[s * params.sort_len + i] = vec2<u32>(key, i);
}

var<workgroup> block: array<vec2<u32>, SORT_BLOCK>;

// Whether item x comes before item y: key, then index.
fn before(x: vec2<u32>, y: vec2<u32>) -> bool {
    return x.x < y.x || (x.x == y.x && x.y < y.y);
}

// Items start.. of the block into shared memory (past the end: items that sort last, in segments
// of their own).
fn load_block(start: u32, lid: u32) {
    for (var h = 0u; h < 2u; h++) {
        let g = start + lid + h * WG;
        var v = vec2<u32>(NONE, NONE);
        if g < item_count() {
            v = items[g];
        }
        block[lid + h * WG] = v;
    }
    workgroupBarrier();
}

fn store_block(start: u32, lid: u32) {
    for (var h = 0u; h < 2u; h++) {
        let g = start + lid + h * WG;
        if g < item_count() {
            items[g] = block[lid + h * WG];
        }
    }
}

// Compare-exchange at distance j of stage k inside the block: thread lid takes the pair (i, i + j).
fn local_step(start: u32, lid: u32, k: u32, j: u32) {
    let i = 2u * j * (lid / j) + lid % j;
    let up = ((start + i) & (params.sort_len - 1u) & k) == 0u;
    let x = block[i];
    let y = block[i + j];
    if before(y, x) == up {
        block[i] = y;
        block[i + j] = x;
    }
    workgroupBarrier();
}

@compute @workgroup_size(WG)
fn lovasz_sort(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let start = wid.x * SORT_BLOCK;
    load_block(start, lid);
    let top = min(params.sort_len, SORT_BLOCK);
    for (var k = 2u; k <= top; k <<= 1u) {
        for (var j = k / 2u; j > 0u; j >>= 1u) {
            local_step(start, lid, k, j);
        }
    }
    store_block(start, lid);
}

@compute @workgroup_size(WG)
fn lovasz_merge_local(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let start = wid.x * SORT_BLOCK;
    load_block(start, lid);
    for (var j = SORT_BLOCK / 2u; j > 0u; j >>= 1u) {
        local_step(start, lid, step.x, j);
    }
    store_block(start, lid);
}

@compute @workgroup_size(WG)
fn lovasz_merge_global(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = wid.x * WG + lid;
    let k = step.x;
    let j = step.y;
    let i = 2u * j * (t / j) + t % j;
    if i + j >= item_count() {
        return;
    }
    let up = (i & (params.sort_len - 1u) & k) == 0u;
    let x = items[i];
    let y = items[i + j];
    if before(y, x) == up {
        items[i] = y;
        items[i + j] = x;
    }
}

var<workgroup> count_fg: array<u32, WG>;
var<workgroup> count_bg: array<u32, WG>;
var<workgroup> partial: array<f32, WG>;

// The label of the pixel of item index `idx` of unit a; −1 when it is ignored or padding.
fn item_label(a: u32, idx: u32) -> i32 {
    if idx >= params.unit_pixels {
        return -1;
    }
    let y = labels[a * params.unit_pixels + idx];
    return select(-1, y, is_class(y));
}

@compute @workgroup_size(WG)
fn lovasz_scan(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let c = params.classes;
    let s = wid.x;
    let a = s / c;
    let l = s % c;
    let row = a * (c + 1u);
    var present_classes = 0u;
    for (var m = params.first_class; m < c; m++) {
        present_classes += select(0u, 1u, sums_u[row + m] > 0u);
    }
    let present = l >= params.first_class && sums_u[row + l] > 0u;
    var scale = 1.0;
    if params.reduction != REDUCTION_SUM {
        scale = 1.0 / (f32(params.units) * f32(max(present_classes, 1u)));
    }
    let len = params.sort_len;
    let chunk = (len + WG - 1u) / WG;
    let begin = min(lid * chunk, len);
    let end = min(begin + chunk, len);
    let seg = s * len;

    var fg = 0u;
    var bg = 0u;
    for (var i = begin; i < end; i++) {
        let y = item_label(a, items[seg + i].y);
        if y >= 0 {
            if u32(y) == l {
                fg += 1u;
            } else {
                bg += 1u;
            }
        }
    }
    // Inclusive scan of the threads' counts (Hillis–Steele).
    count_fg[lid] = fg;
    count_bg[lid] = bg;
    for (var off = 1u; off < WG; off <<= 1u) {
        workgroupBarrier();
        var add_fg = 0u;
        var add_bg = 0u;
        if lid >= off {
            add_fg = count_fg[lid - off];
            add_bg = count_bg[lid - off];
        }
        workgroupBarrier();
        count_fg[lid] += add_fg;
        count_bg[lid] += add_bg;
    }
    workgroupBarrier();

    let r = f32(sums_u[row + l]);
    var f = f32(count_fg[lid] - fg);
    var b = f32(count_bg[lid] - bg);
    var sum = 0.0;
    var lost = 0.0;
    for (var i = begin; i < end; i++) {
        let it = items[seg + i];
        let y = item_label(a, it.y);
        if y < 0 {
            continue;
        }
        let is_fg = u32(y) == l;
        var delta = 0.0;
        if is_fg {
            f += 1.0;
            delta = 1.0 / (r + b);
        } else {
            b += 1.0;
            delta = (r - f) / ((r + b) * (r + b - 1.0));
        }
        let e = bitcast<f32>(~it.x);
        // Kahan: the thread's chunk may be long.
        let v = delta * e - lost;
        let t = sum + v;
        lost = (t - sum) - v;
        sum = t;
        let n = a * params.unit_pixels + it.y;
        grad[n * c + l] = select(0.0, scale * select(delta, -delta, is_fg), present);
    }
    partial[lid] = sum;
    for (var half = WG / 2u; half > 0u; half >>= 1u) {
        workgroupBarrier();
        if lid < half {
            partial[lid] += partial[lid + half];
        }
    }
    workgroupBarrier();
    if lid == 0u {
        lovasz[s] = select(0.0, partial[0], present);
    }
}
