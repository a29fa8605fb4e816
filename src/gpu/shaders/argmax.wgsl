// argmax.wgsl: the predicted class of each pixel — the largest logit, the lowest class on ties.
// CPU twin: `argmax` in src/net/argmax.rs. `layer.count` pixels of `layer.cout` logits.

@group(0) @binding(1) var<storage, read> logits: array<f32>;      // [pixels][C]
@group(0) @binding(2) var<storage, read_write> classes: array<u32>; // [pixels]

@compute @workgroup_size(ELEM_WG)
fn argmax(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = layer.cout;
    for (var i = gid.x; i < layer.count; i += groups.x * ELEM_WG) {
        var best = 0u;
        for (var k = 1u; k < c; k++) {
            if logits[i * c + k] > logits[i * c + best] {
                best = k;
            }
        }
        classes[i] = best;
    }
}
