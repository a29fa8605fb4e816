// logit_grad.wgsl: the second pass, one thread per pixel. CPU twin: `logit_grad` in
// src/loss/grad.rs.
//
// Per pixel n of unit a with label y, g = ∂L/∂p:
//   g_k = ∂L/∂P_ak·(1, or 2·p_k when squared) + [k = y]·∂L/∂I_ak (+ Lovász's ∂L/∂p_k)
// then through the activation, plus the cross-entropy and focal terms taken straight from the logits:
//   softmax: ∂L/∂z_k = p_k·(g_k − Σ_j p_j·g_j) + ce_scale·(p_k − [k = y]), g shifted by its value at
//            the largest logit (Σ p = 1: the same result, without cancellation where p ≈ 1)
//   sigmoid: ∂L/∂z_k = g_k·σ(z_k)·σ(−z_k) + [k = y]·ce_scale·(−σ(−z_k))
//   focal:   + s_f·∂f_n/∂z_k (focal.wgsl)
// (σ(z)·σ(−z) = p(1 − p), −σ(−z) = p − 1 and act_complement: no cancellation of 1 − p near p = 1.)
// Ignored pixels get exactly 0. The coefficients come from loss_terms, already on the GPU; Lovász's
// ∂L/∂p is what lovasz_scan left in `grad` itself (each thread reads its pixel's before writing it).

@group(0) @binding(1) var<storage, read> logits: array<f32>;     // [B·H·W][C]
@group(0) @binding(2) var<storage, read> labels: array<i32>;     // [B·H·W]
@group(0) @binding(7) var<storage, read> coefs: array<f32>;      // ce_scale, coef_i, coef_p, s_f
@group(0) @binding(9) var<storage, read_write> grad: array<f32>; // [B·H·W][C]

// ∂L/∂p_k of the pixel at `base`, from its unit's coefficients at `ci`, `cp`.
fn dl_dp(base: u32, k: u32, y: u32, p: f32, ci: u32, cp: u32) -> f32 {
    var g = coefs[cp + k] * select(1.0, 2.0 * p, params.squared == 1u);
    if k == y {
        g += coefs[ci + k];
    }
    if params.kind == KIND_LOVASZ {
        g += grad[base + k];
    }
    return g;
}

// Adds s_f·∂f/∂z of the pixel's focal terms to its gradient (already written).
fn add_focal(base: u32, y: u32, scale: f32) {
    let c = params.classes;
    if params.focal_softmax == 0u {
        for (var k = params.first_class; k < c; k++) {
            grad[base + k] += scale * focal_sigmoid_grad(logits[base + k], k == y);
        }
        return;
    }
    let st = softmax_stats(base);
    let q = softmax_at(base, y, st);
    if q.y == 0.0 {
        return;
    }
    let a = scale * focal_class_weight(y) * pow0(q.y, params.gamma)
        * (params.gamma * q.x * q.z / q.y + 1.0);
    for (var k = 0u; k < c; k++) {
        // p_y − 1 = −(1 − q), taken from the other classes' mass.
        var diff = exp(logits[base + k] - st.x) / (1.0 + st.y);
        if k == y {
            diff = -q.y;
        }
        grad[base + k] += a * diff;
    }
}

@compute @workgroup_size(WG)
fn logit_grad(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let px = wid.x * WG + lid;
    if px >= params.pixels {
        return;
    }
    let c = params.classes;
    let n = wid.y * params.pixels + px;
    let base = n * c;
    let label = labels[n];
    if !is_class(label) {
        for (var k = 0u; k < c; k++) {
            grad[base + k] = 0.0;
        }
        return;
    }
    let y = u32(label);
    let unit = select(0u, wid.y, params.per_image == 1u);
    let ci = 1u + unit * c;
    let cp = 1u + params.units * c + unit * c;
    let ce_scale = coefs[0];
    let st = act_stats(base);

    if params.activation == ACTIVATION_SOFTMAX {
        // g shifted by the top class's (the first k with z_k = m): with p ≈ 1 there, Σ p·g would
        // be that class's g plus the small classes' terms, which g_k − Σ then cancels away.
        var a = 0u;
        while a + 1u < c && logits[base + a] != st.x {
            a++;
        }
        let ga = dl_dp(base, a, y, act_prob(st.x, st), ci, cp);
        var pg = 0.0;
        for (var k = 0u; k < c; k++) {
            let p = act_prob(logits[base + k], st);
            pg += p * (dl_dp(base, k, y, p, ci, cp) - ga);
        }
        for (var k = 0u; k < c; k++) {
            let z = logits[base + k];
            let p = act_prob(z, st);
            let g = dl_dp(base, k, y, p, ci, cp) - ga;
            grad[base + k] = p * (g - pg) + ce_scale * select(p, -act_complement(z, st), k == y);
        }
    } else {
        for (var k = 0u; k < c; k++) {
            let z = logits[base + k];
            let p = sigmoid(z);
            let q = sigmoid(-z);
            var dz = dl_dp(base, k, y, p, ci, cp) * p * q;
            if k == y {
                dz -= ce_scale * q;
            }
            grad[base + k] = dz;
        }
    }
    let focal_scale = coefs[1u + 2u * params.units * c];
    if has_focal() && focal_scale != 0.0 {
        add_focal(base, y, focal_scale);
    }
}
