// optim.wgsl: the optimiser updates over the flat parameter vector, one thread per parameter
// (grid-stride). CPU twins: `adam_update` and `sgd_momentum_update` in src/net/optim.rs, with the
// same f32 arithmetic per element. Mirrors `OptimParams` in src/gpu/net/params.rs; the bias
// corrections c1 = 1/(1−β1ᵗ), c2 = 1/(1−β2ᵗ) are formed there in f64, as the CPU does.

struct Optim {
    count: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    lr: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    c1: f32,
    c2: f32,
    momentum: f32,
    _pad3: f32,
}

@group(0) @binding(0) var<storage, read> optim: Optim;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>; // Adam's first moment, SGD's velocity
@group(0) @binding(4) var<storage, read_write> v: array<f32>; // Adam's second moment

// m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  θ ← θ − lr·(m·c1)/(√(v·c2) + ε)
@compute @workgroup_size(ELEM_WG)
fn adam_update(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    for (var i = gid.x; i < optim.count; i += groups.x * ELEM_WG) {
        let g = grads[i];
        let mi = optim.beta1 * m[i] + (1.0 - optim.beta1) * g;
        let vi = optim.beta2 * v[i] + (1.0 - optim.beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] -= optim.lr * (mi * optim.c1) / (sqrt(vi * optim.c2) + optim.epsilon);
    }
}

// u ← μ·u + g,  θ ← θ − lr·u
@compute @workgroup_size(ELEM_WG)
fn sgd_momentum_update(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    for (var i = gid.x; i < optim.count; i += groups.x * ELEM_WG) {
        let u = optim.momentum * m[i] + grads[i];
        m[i] = u;
        params[i] -= optim.lr * u;
    }
}
