// net_params.wgsl: one layer's shape as the TinySegNet kernels read it. Mirrors `LayerParams` in
// src/gpu/net/params.rs field by field (its CPU side: built from `net::Conv`, `net::Dims` and
// `NetSpec::offsets`). Prepended to every net kernel. A read-only storage buffer, not a uniform, for
// the lavapipe reason given in params.wgsl.

struct Layer {
    batch: u32,     // B
    height: u32,    // H
    width: u32,     // W
    cin: u32,       // input channels
    cout: u32,      // output channels
    k: u32,         // kernel size (3 or 1)
    dilation: u32,  // tap spacing
    pad: u32,       // dilation·(k−1)/2: 'same' padding
    w_off: u32,     // offset of the HWIO weights in the flat parameter vector
    b_off: u32,     // offset of the bias (= w_off + k·k·cin·cout)
    chunks: u32,    // conv2d_backward_filter: pixel chunks, ceil(B·H·W / CHUNK)
    count: u32,     // element-wise kernels: values to visit
}

@group(0) @binding(0) var<storage, read> layer: Layer;

// MAX_CH, CONV_WG and ELEM_WG come from shared.wgsl (src/gpu/shared.rs).
