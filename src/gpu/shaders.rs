//! The WGSL sources, as compiled into the binary. WGSL has no imports, so each kernel is prefixed
//! with the declarations it shares: `shared.wgsl` (the constants of `shared.rs`, written by
//! `build.rs`), `params.wgsl` (the parameters), `math.wgsl` (log1p, sigmoid, softplus, pow) and,
//! for the pixel kernels, `activation.wgsl` (softmax/sigmoid, the twin of `loss::activation`) and
//! `focal.wgsl` (the focal term of a pixel).
//!
//! The sources are embedded as `build.rs` leaves them in `OUT_DIR`: without comments or indentation.

/// `class_sums` and `combine_sums`: the two-level reduction (twin of `loss::class_sums`).
pub const CLASS_SUMS: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/math.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/activation.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/focal.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/class_sums.wgsl")),
);

/// `loss_terms`: sums → loss, per-class terms and gradient coefficients (twin of `loss::loss_terms`).
pub const LOSS_TERMS: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/math.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/loss_terms.wgsl")),
);

/// `logit_grad`: the element-wise gradient (twin of `loss::logit_grad`).
pub const LOGIT_GRAD: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/math.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/activation.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/focal.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/logit_grad.wgsl")),
);

/// Lovász-softmax's errors, sort and scan (twin of the sort in `loss::lovasz`).
pub const LOVASZ: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/math.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/activation.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/lovasz.wgsl")),
);

/// Every shader module of the loss: `(name, source, entry points)`.
pub const ALL: [(&str, &str, &[&str]); 4] = [
    ("class_sums", CLASS_SUMS, &["class_sums", "combine_sums"]),
    ("loss_terms", LOSS_TERMS, &["loss_terms"]),
    ("logit_grad", LOGIT_GRAD, &["logit_grad"]),
    (
        "lovasz",
        LOVASZ,
        &[
            "lovasz_errors",
            "lovasz_sort",
            "lovasz_merge_local",
            "lovasz_merge_global",
            "lovasz_scan",
        ],
    ),
];

/// TinySegNet's forward convolution (twin of `net::conv2d_forward`).
pub const CONV2D_FORWARD: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/net_params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/conv2d_forward.wgsl")),
);

/// The input gradient of a convolution (twin of `net::conv2d_backward_input`).
pub const CONV2D_BACKWARD_INPUT: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/net_params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/conv2d_backward_input.wgsl")),
);

/// The weight and bias gradients, two-level (twin of `net::conv2d_backward_filter`).
pub const CONV2D_BACKWARD_FILTER: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/net_params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/conv2d_backward_filter.wgsl")),
);

/// ReLU and its gradient (twins of `net::relu` and `net::relu_backward`).
pub const RELU: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/net_params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/relu.wgsl")),
);

/// The predicted class per pixel (twin of `net::argmax`).
pub const ARGMAX: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/net_params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/argmax.wgsl")),
);

/// `Σ_k |∂L/∂z_k|` per pixel of the first image (twin of `net::gradient_heat`).
pub const GRADIENT_HEAT: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/net_params.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/gradient_heat.wgsl")),
);

/// Adam and SGD with momentum (twins of `net::adam_update` and `net::sgd_momentum_update`).
pub const OPTIM: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/shared.wgsl")),
    include_str!(concat!(env!("OUT_DIR"), "/optim.wgsl")),
);

/// Every module of the training step: `(name, source, entry points)`.
pub const NET: [(&str, &str, &[&str]); 7] = [
    ("conv2d_forward", CONV2D_FORWARD, &["conv2d_forward"]),
    (
        "conv2d_backward_input",
        CONV2D_BACKWARD_INPUT,
        &["conv2d_backward_input"],
    ),
    (
        "conv2d_backward_filter",
        CONV2D_BACKWARD_FILTER,
        &["conv2d_backward_filter", "conv2d_backward_filter_combine"],
    ),
    ("relu", RELU, &["relu", "relu_backward"]),
    ("argmax", ARGMAX, &["argmax"]),
    ("gradient_heat", GRADIENT_HEAT, &["gradient_heat"]),
    ("optim", OPTIM, &["adam_update", "sgd_momentum_update"]),
];

#[cfg(test)]
mod tests {
    /// Every embedded module is the minified copy from `build.rs`: no comment reaches the binary.
    #[test]
    fn embedded_sources_carry_no_comments() {
        for (name, source, _) in super::ALL.into_iter().chain(super::NET) {
            assert!(!source.contains("//"), "{name} embeds a commented source");
        }
    }
}
