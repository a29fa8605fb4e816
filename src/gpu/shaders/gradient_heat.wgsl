// gradient_heat.wgsl: Σ_k |∂L/∂z_k| of each pixel of the batch's first image, the page's heatmap of
// where the loss pushes. CPU twin: `gradient_heat` in src/net/heat.rs. Bound with the last layer's
// `Layer` (cout = classes); only the first image's height·width pixels are visited. Recorded only
// when the page asks for the heatmap, never as part of a training step.

@group(0) @binding(1) var<storage, read> grad: array<f32>;        // [B·H·W][C], ∂L/∂logits
@group(0) @binding(2) var<storage, read_write> heat: array<f32>;  // [H·W]

@compute @workgroup_size(ELEM_WG)
fn gradient_heat(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = layer.cout;
    let pixels = layer.height * layer.width;
    for (var i = gid.x; i < pixels; i += groups.x * ELEM_WG) {
        var s = 0.0;
        for (var k = 0u; k < c; k++) {
            s += abs(grad[i * c + k]);
        }
        heat[i] = s;
    }
}
