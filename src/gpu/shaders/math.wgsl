// math.wgsl: scalar functions several kernels share. CPU twins: `sigmoid`, `softplus` in
// src/loss/activation.rs and f64's `ln_1p`, `powf`.

// log(1 + x) for x > −1, accurate to a few ulp whatever the platform's `log` (Vulkan only promises
// an absolute error of 2^-21 near 1, i.e. no relative accuracy for small results):
//   log1p(x) = 2·atanh(s), s = x / (2 + x), |s| ≤ 1/3 for −½ ≤ x ≤ 1, summed as the odd series up
//   to s^15.
fn log1p(x: f32) -> f32 {
    if x >= 1.0 || x < -0.5 {
        return log(1.0 + x);
    }
    let s = x / (2.0 + x);
    let s2 = s * s;
    let series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0
        + s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0 + s2 * (1.0 / 15.0)))))));
    return 2.0 * s * series;
}

// 1 / (1 + e^−x) without overflow for large |x|.
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

// ln(1 + e^x) without overflow; −ln σ(x) = softplus(−x).
fn softplus(x: f32) -> f32 {
    return max(x, 0.0) + log1p(exp(-abs(x)));
}

// x^g for 0 ≤ x and g ≥ 0 as f64's `powf` (0^0 = 1, 0^g = 0), where WGSL's `pow` is undefined.
fn pow0(x: f32, g: f32) -> f32 {
    if g == 0.0 {
        return 1.0;
    }
    if x <= 0.0 {
        return 0.0;
    }
    return exp2(g * log2(x));
}
