// activation.wgsl: per-pixel activations in f32 (log1p, sigmoid, softplus: math.wgsl). CPU twin:
// `activate` in src/loss/activation.rs, which does the same in f64. Reads the module-scope `logits`
// array that every kernel including this file declares.
//
// Softmax is evaluated from two statistics of the pixel's logits z_0..z_{C-1}:
//   m = max_k z_k (first index attaining it: a),   t = Σ_{k≠a} e^{z_k − m},
// so that p_k = e^{z_k − m} / (1 + t) and −log p_y = (m − z_y) + log1p(t): no cancellation, and no
// log(softmax) anywhere. Sigmoid needs no statistics.

// (m, t) of the pixel whose logits start at `base` (softmax); (0, 0) for sigmoid.
fn act_stats(base: u32) -> vec2<f32> {
    if params.activation != ACTIVATION_SOFTMAX {
        return vec2<f32>(0.0, 0.0);
    }
    return softmax_stats(base);
}

// (m, t) of the softmax of the pixel whose logits start at `base`, whatever the activation (the
// focal term's softmax form has its own).
fn softmax_stats(base: u32) -> vec2<f32> {
    var m = logits[base];
    var arg = 0u;
    for (var k = 1u; k < params.classes; k++) {
        let v = logits[base + k];
        if v > m {
            m = v;
            arg = k;
        }
    }
    var t = 0.0;
    for (var k = 0u; k < params.classes; k++) {
        if k != arg {
            t += exp(logits[base + k] - m);
        }
    }
    return vec2<f32>(m, t);
}

// p_k from the logit z_k and the pixel's statistics.
fn act_prob(z: f32, st: vec2<f32>) -> f32 {
    if params.activation == ACTIVATION_SOFTMAX {
        return exp(z - st.x) / (1.0 + st.y);
    }
    return sigmoid(z);
}

// 1 − p_k without the cancellation of computing it from p_k near 1: for softmax t/(1 + t) when z_k is
// the maximum, else (1 + (t − e^{z_k − m}))/(1 + t) (t − e^{z_k − m} ≥ 0 is the other classes' mass);
// for sigmoid σ(−z_k).
fn act_complement(z: f32, st: vec2<f32>) -> f32 {
    if params.activation != ACTIVATION_SOFTMAX {
        return sigmoid(-z);
    }
    if z == st.x {
        return st.y / (1.0 + st.y);
    }
    return (1.0 + (st.y - exp(z - st.x))) / (1.0 + st.y);
}

// −log p_y of the pixel whose logits start at `base`, from the logits.
fn act_nll(base: u32, y: u32, st: vec2<f32>) -> f32 {
    let zy = logits[base + y];
    if params.activation == ACTIVATION_SOFTMAX {
        return (st.x - zy) + log1p(st.y);
    }
    return softplus(-zy);
}
