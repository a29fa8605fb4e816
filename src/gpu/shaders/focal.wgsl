// focal.wgsl: the focal loss of one pixel, straight from its logits (docs/losses.md 2.6). CPU twin:
// `Focal` in src/loss/focal.rs. Reads the module-scope `logits` array of the kernels including it.
//
// sigmoid form, one binary term per class l ∈ K, sgn = ±1 (r = 1 or 0), u = sgn·z, q = σ(u):
//   f = w·(1 − q)^γ·softplus(−u),  ∂f/∂z = −sgn·w·(1 − q)^γ·(γ·q·softplus(−u) + 1 − q)
// softmax form, one term per pixel at its class y, q = p_y (1 − q from the other classes' mass):
//   f = w·(1 − q)^γ·ℓ,  ∂f/∂z_k = w·(1 − q)^γ·(γ·q·ℓ/(1 − q) + 1)·(p_k − [k = y]), 0 where 1 − q = 0
// (written so that 0^(γ−1) never overflows for γ < 1).

fn has_focal() -> bool {
    return params.kind == KIND_FOCAL || params.kind == KIND_DICE_FOCAL;
}

// The sigmoid form's weight of a positive (r = 1) or negative element.
fn focal_weight(positive: bool) -> f32 {
    return select(params.focal_neg, params.focal_pos, positive);
}

// f of the sigmoid form's element with logit z.
fn focal_sigmoid(z: f32, positive: bool) -> f32 {
    let u = select(-z, z, positive);
    return focal_weight(positive) * pow0(sigmoid(-u), params.gamma) * softplus(-u);
}

// ∂f/∂z of the sigmoid form's element with logit z.
fn focal_sigmoid_grad(z: f32, positive: bool) -> f32 {
    let sgn = select(-1.0, 1.0, positive);
    let u = sgn * z;
    let rest = sigmoid(-u);
    let factor = params.gamma * sigmoid(u) * softplus(-u) + rest;
    return -sgn * focal_weight(positive) * pow0(rest, params.gamma) * factor;
}

// The softmax form's weight of a pixel of class y (MONAI's scalar alpha: 1 − α for class 0).
fn focal_class_weight(y: u32) -> f32 {
    return select(params.focal_pos, params.focal_neg, y == 0u);
}

// (q, 1 − q, −ln q) of the softmax at class y of the pixel at `base`, from its statistics `st`.
fn softmax_at(base: u32, y: u32, st: vec2<f32>) -> vec3<f32> {
    let zy = logits[base + y];
    let e = exp(zy - st.x);
    var rest = (1.0 + (st.y - e)) / (1.0 + st.y);
    if zy == st.x {
        rest = st.y / (1.0 + st.y);
    }
    return vec3<f32>(e / (1.0 + st.y), rest, (st.x - zy) + log1p(st.y));
}

// f of the softmax form of the pixel at `base` with class y.
fn focal_softmax(base: u32, y: u32) -> f32 {
    let q = softmax_at(base, y, softmax_stats(base));
    return focal_class_weight(y) * pow0(q.y, params.gamma) * q.z;
}
