//! The WGSL sources, as compiled into the binary. WGSL has no imports, so each kernel is prefixed
//! with the declarations it shares: `params.wgsl` (the parameters) and, for the pixel kernels,
//! `activation.wgsl` (softmax/sigmoid, the twin of `loss::activation`).

/// `class_sums` and `combine_sums`: the two-level reduction (twin of `loss::class_sums`).
pub const CLASS_SUMS: &str = concat!(
    include_str!("shaders/params.wgsl"),
    include_str!("shaders/activation.wgsl"),
    include_str!("shaders/class_sums.wgsl"),
);

/// `loss_terms`: sums → loss, per-class terms and gradient coefficients (twin of `loss::loss_terms`).
pub const LOSS_TERMS: &str = concat!(
    include_str!("shaders/params.wgsl"),
    include_str!("shaders/loss_terms.wgsl"),
);

/// `logit_grad`: the element-wise gradient (twin of `loss::logit_grad`).
pub const LOGIT_GRAD: &str = concat!(
    include_str!("shaders/params.wgsl"),
    include_str!("shaders/activation.wgsl"),
    include_str!("shaders/logit_grad.wgsl"),
);

/// Every shader module: `(name, source, entry points)`.
pub const ALL: [(&str, &str, &[&str]); 3] = [
    ("class_sums", CLASS_SUMS, &["class_sums", "combine_sums"]),
    ("loss_terms", LOSS_TERMS, &["loss_terms"]),
    ("logit_grad", LOGIT_GRAD, &["logit_grad"]),
];
