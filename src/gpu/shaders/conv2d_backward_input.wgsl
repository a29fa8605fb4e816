// conv2d_backward_input.wgsl: ∂L/∂input from ∂L/∂output. CPU twin: `conv2d_backward_input` in
// src/net/conv.rs (GEMM with Wᵀ, then col2im there). Here the same sum is gathered per input pixel:
// the output pixel that read input (y, x) through tap (ky, kx) is (y + pad − ky·d, x + pad − kx·d), so
//   ∂L/∂x[y,x,ci] = Σ_(ky,kx) Σ_co ∂L/∂out[y+pad−ky·d, x+pad−kx·d, co] · W[ky,kx,ci,co]
// (terms outside the image dropped). Gathering instead of scattering needs no atomics.
//
// One thread per input pixel, all `cin` channels in registers; one tap's weights staged in workgroup
// memory as in conv2d_forward. Dispatch: (ceil(H·W / CONV_WG), B).

@group(0) @binding(1) var<storage, read> dout: array<f32>;         // [B·H·W][cout]
@group(0) @binding(2) var<storage, read> params: array<f32>;       // the flat parameter vector
@group(0) @binding(3) var<storage, read_write> dinput: array<f32>; // [B·H·W][cin]

var<workgroup> tap_w: array<f32, MAX_CH * MAX_CH>;

@compute @workgroup_size(CONV_WG)
fn conv2d_backward_input(
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
    let block = layer.cin * layer.cout;
    for (var t = 0u; t < layer.k * layer.k; t++) {
        workgroupBarrier();
        for (var i = lid; i < block; i += CONV_WG) {
            tap_w[i] = params[layer.w_off + t * block + i];
        }
        workgroupBarrier();
        let oy = y + i32(layer.pad) - i32((t / layer.k) * layer.dilation);
        let ox = x + i32(layer.pad) - i32((t % layer.k) * layer.dilation);
        if live && oy >= 0 && oy < i32(layer.height) && ox >= 0 && ox < i32(layer.width) {
            let src = ((b * layer.height + u32(oy)) * layer.width + u32(ox)) * layer.cout;
            for (var co = 0u; co < layer.cout; co++) {
                let g = dout[src + co];
                for (var ci = 0u; ci < layer.cin; ci++) {
                    acc[ci] += g * tap_w[ci * layer.cout + co];
                }
            }
        }
    }
    if live {
        let dst = (b * hw + pix) * layer.cin;
        for (var ci = 0u; ci < layer.cin; ci++) {
            dinput[dst + ci] = acc[ci];
        }
    }
}
