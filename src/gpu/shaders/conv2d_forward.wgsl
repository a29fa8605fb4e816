// conv2d_forward.wgsl: output = conv(input) + bias, stride 1, 'same' padding, any dilation.
// CPU twin: `conv2d_forward` in src/net/conv.rs (im2col + GEMM there, a direct convolution here: the
// same sum Σ_(ky,kx,ci) x[y+ky·d−pad, x+kx·d−pad, ci]·W[ky,kx,ci,co] + b[co]).
//
// One thread per output pixel computes all `cout` channels in registers. The weights of one tap
// (cin × cout ≤ 32×32 floats, 4 KB) are staged in workgroup memory, so each weight is read from the
// storage buffer once per workgroup instead of once per thread; every thread then reads them as a
// broadcast. Dispatch: (ceil(H·W / CONV_WG), B).

@group(0) @binding(1) var<storage, read> input: array<f32>;        // [B·H·W][cin]
@group(0) @binding(2) var<storage, read> params: array<f32>;       // the flat parameter vector
@group(0) @binding(3) var<storage, read_write> output: array<f32>; // [B·H·W][cout]

var<workgroup> tap_w: array<f32, MAX_CH * MAX_CH>; // W[tap][ci][co] of one tap

@compute @workgroup_size(CONV_WG)
fn conv2d_forward(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let hw = layer.height * layer.width;
    let pix = wid.x * CONV_WG + lid;
    let b = wid.y;
    let live = pix < hw;
    let y = i32(pix / layer.width);
    let x = i32(pix % layer.width);
    var acc: array<f32, MAX_CH>;
    for (var co = 0u; co < layer.cout; co++) {
        acc[co] = params[layer.b_off + co];
    }
    let block = layer.cin * layer.cout;
    for (var t = 0u; t < layer.k * layer.k; t++) {
        // Every thread reaches both barriers (the loop bound is uniform), live or not.
        workgroupBarrier();
        for (var i = lid; i < block; i += CONV_WG) {
            tap_w[i] = params[layer.w_off + t * block + i];
        }
        workgroupBarrier();
        let iy = y + i32((t / layer.k) * layer.dilation) - i32(layer.pad);
        let ix = x + i32((t % layer.k) * layer.dilation) - i32(layer.pad);
        if live && iy >= 0 && iy < i32(layer.height) && ix >= 0 && ix < i32(layer.width) {
            let src = ((b * layer.height + u32(iy)) * layer.width + u32(ix)) * layer.cin;
            for (var ci = 0u; ci < layer.cin; ci++) {
                let v = input[src + ci];
                let row = ci * layer.cout;
                for (var co = 0u; co < layer.cout; co++) {
                    acc[co] += v * tap_w[row + co];
                }
            }
        }
    }
    if live {
        let dst = (b * hw + pix) * layer.cout;
        for (var co = 0u; co < layer.cout; co++) {
            output[dst + co] = acc[co];
        }
    }
}
