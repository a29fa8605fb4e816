// conv2d_backward_filter.wgsl: ∂L/∂W and ∂L/∂b. CPU twin: `conv2d_backward_filter` in
// src/net/conv.rs (Xᵀ·∂L/∂Y by GEMM, bias sums in f64 there):
//   ∂L/∂W[ky,kx,ci,co] = Σ_p x[p shifted by (ky·d−pad, kx·d−pad), ci] · ∂L/∂out[p, co]
//   ∂L/∂b[co]          = Σ_p ∂L/∂out[p, co]
// over all P = B·H·W pixels: a reduction far longer than one thread should walk in f32, so it runs in
// two levels, like class_sums/combine_sums:
// 1. `conv2d_backward_filter`: workgroup (g-block, chunk) — thread g (one weight or bias entry, in
//    the flat parameter order: weights then bias) sums CHUNK pixels into partial[chunk][g];
// 2. `conv2d_backward_filter_combine`: thread g adds its `chunks` partials and writes the gradient
//    at w_off + g in the flat gradient vector (weights and bias are adjacent there).
// Neighbouring threads share a tap and input channel and differ in `co`, so their reads of
// ∂L/∂out[p, co] are contiguous and the input value is a broadcast.

// CHUNK and CONV_WG come from shared.wgsl (src/gpu/shared.rs).

@group(0) @binding(1) var<storage, read> input: array<f32>;          // [B·H·W][cin]
@group(0) @binding(2) var<storage, read> dout: array<f32>;           // [B·H·W][cout]
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;  // [chunks][k·k·cin·cout + cout]
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;    // the flat gradient vector

@compute @workgroup_size(CONV_WG)
fn conv2d_backward_filter(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
) {
    let n_w = layer.k * layer.k * layer.cin * layer.cout;
    let n = n_w + layer.cout;
    let g = gid.x;
    if g >= n {
        return;
    }
    let hw = layer.height * layer.width;
    let start = wid.y * CHUNK;
    let end = min(start + CHUNK, layer.batch * hw);
    var sum = 0.0;
    if g >= n_w {
        let co = g - n_w;
        for (var p = start; p < end; p++) {
            sum += dout[p * layer.cout + co];
        }
    } else {
        let t = g / (layer.cin * layer.cout);
        let ci = (g / layer.cout) % layer.cin;
        let co = g % layer.cout;
        let dy = i32((t / layer.k) * layer.dilation) - i32(layer.pad);
        let dx = i32((t % layer.k) * layer.dilation) - i32(layer.pad);
        // Walk the chunk's pixels as (image, row, column) counters: one division per thread, not
        // three per pixel (integer division dominates on the software rasterisers this runs on in
        // CI and headless browsers).
        let w = i32(layer.width);
        let h = i32(layer.height);
        var b = start / hw;
        var yy = i32((start % hw) / layer.width);
        var xx = i32(start % layer.width);
        for (var p = start; p < end; p++) {
            let iy = yy + dy;
            let ix = xx + dx;
            if iy >= 0 && iy < h && ix >= 0 && ix < w {
                let src = ((b * layer.height + u32(iy)) * layer.width + u32(ix)) * layer.cin;
                sum += input[src + ci] * dout[p * layer.cout + co];
            }
            xx += 1;
            if xx == w {
                xx = 0;
                yy += 1;
                if yy == h {
                    yy = 0;
                    b += 1;
                }
            }
        }
    }
    partial[wid.y * n + g] = sum;
}

@compute @workgroup_size(CONV_WG)
fn conv2d_backward_filter_combine(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = layer.k * layer.k * layer.cin * layer.cout + layer.cout;
    let g = gid.x;
    if g >= n {
        return;
    }
    var sum = 0.0;
    for (var c = 0u; c < layer.chunks; c++) {
        sum += partial[c * n + g];
    }
    grads[layer.w_off + g] = sum;
}
