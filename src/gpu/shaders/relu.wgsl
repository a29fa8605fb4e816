// relu.wgsl: `relu` (x ← max(x, 0), in place) and `relu_backward` (dy ← dy·[y > 0], from the ReLU's
// output y). CPU twins: `relu` and `relu_backward` in src/net/relu.rs. Grid-stride loops over
// `layer.count` values, so any size fits the dispatch limits.

@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dy: array<f32>;

@compute @workgroup_size(ELEM_WG)
fn relu(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    for (var i = gid.x; i < layer.count; i += groups.x * ELEM_WG) {
        x[i] = max(x[i], 0.0);
    }
}

@compute @workgroup_size(ELEM_WG)
fn relu_backward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    for (var i = gid.x; i < layer.count; i += groups.x * ELEM_WG) {
        dy[i] = select(dy[i], 0.0, y[i] <= 0.0);
    }
}
