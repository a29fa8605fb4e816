//! ReLU, in place, and its gradient. Twins of the WGSL kernels `relu` and `relu_backward`.
//!
//! `y = max(x, 0)`; `∂y/∂x = 1 if x > 0 else 0`. Since `y > 0 ⇔ x > 0`, the backward pass needs only
//! the output `y`, so the pre-activation is never stored.

/// `x ← max(x, 0)`.
pub fn relu(x: &mut [f32]) {
    for v in x {
        *v = v.max(0.0);
    }
}

/// `dy ← dy · [y > 0]`: turns the gradient with respect to the ReLU's output into the gradient with
/// respect to its input.
pub fn relu_backward(y: &[f32], dy: &mut [f32]) {
    assert_eq!(y.len(), dy.len(), "relu_backward lengths");
    for (g, &a) in dy.iter_mut().zip(y) {
        if a <= 0.0 {
            *g = 0.0;
        }
    }
}
