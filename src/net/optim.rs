//! Optimisers: Adam (bias-corrected, as TensorFlow.js) and SGD with momentum. `adam_update` and
//! `sgd_momentum_update` are the CPU twins of the WGSL kernels of the same names; per element they
//! compute in f32, as the kernels do.

use crate::num::Num;
use crate::options::named;
use serde::{Deserialize, Serialize};

named! {
    /// Which optimiser.
    OptimKind ("optimizer") {
        /// Adam (default).
        Adam => "adam",
        /// SGD with momentum.
        Sgd => "sgd",
    }
}

/// Optimiser settings. Defaults: Adam, lr 1e-2, β1 0.9, β2 0.999, ε 1e-7 (TensorFlow's), momentum 0.9.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct OptimConfig {
    /// Adam or SGD.
    pub kind: OptimKind,
    /// Learning rate.
    pub lr: f64,
    /// Adam's first-moment decay.
    pub beta1: f64,
    /// Adam's second-moment decay.
    pub beta2: f64,
    /// Adam's ε.
    pub epsilon: f64,
    /// SGD's momentum.
    pub momentum: f64,
}

impl Default for OptimConfig {
    fn default() -> Self {
        Self {
            kind: OptimKind::Adam,
            lr: 1e-2,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            momentum: 0.9,
        }
    }
}

impl OptimConfig {
    /// Checks the ranges: lr in (0, 10], β in [0, 1), ε > 0, momentum in [0, 1).
    pub fn validate(&self) -> Result<(), String> {
        let ok = |v: f64, lo: f64, hi: f64| v.is_finite() && v >= lo && v < hi;
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= 10.0) {
            return Err(format!(
                "learning rate must be in (0, 10], got {}",
                Num(self.lr)
            ));
        }
        for (name, v) in [
            ("beta1", self.beta1),
            ("beta2", self.beta2),
            ("momentum", self.momentum),
        ] {
            if !ok(v, 0.0, 1.0) {
                return Err(format!("{name} must be in [0, 1), got {}", Num(v)));
            }
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(format!("epsilon must be > 0, got {}", Num(self.epsilon)));
        }
        Ok(())
    }
}

/// An optimiser with its state (moments or velocity), sized for one flat parameter vector.
#[derive(Debug, Clone)]
pub struct Optimizer {
    cfg: OptimConfig,
    /// Adam's first moment, or SGD's velocity.
    m: Vec<f32>,
    /// Adam's second moment (empty for SGD).
    v: Vec<f32>,
    /// Updates applied so far (Adam's `t`).
    t: u64,
}

impl Optimizer {
    /// Fresh state for `params` parameters.
    pub fn new(cfg: OptimConfig, params: usize) -> Self {
        let v = if cfg.kind == OptimKind::Adam {
            vec![0.0; params]
        } else {
            Vec::new()
        };
        Self {
            cfg,
            m: vec![0.0; params],
            v,
            t: 0,
        }
    }

    /// The settings.
    pub fn config(&self) -> OptimConfig {
        self.cfg
    }

    /// Changes the settings. Switching between Adam and SGD starts from fresh state; other changes
    /// (learning rate, β, ε, momentum) keep the moments.
    pub fn reconfigure(&mut self, cfg: OptimConfig) {
        if cfg.kind != self.cfg.kind {
            *self = Self::new(cfg, self.m.len());
        } else {
            self.cfg = cfg;
        }
    }

    /// Applies one update of `params` from `grads`.
    pub fn update(&mut self, params: &mut [f32], grads: &[f32]) {
        self.t += 1;
        let c = self.cfg;
        match c.kind {
            OptimKind::Adam => adam_update(
                params,
                grads,
                &mut self.m,
                &mut self.v,
                c.lr,
                c.beta1,
                c.beta2,
                c.epsilon,
                self.t,
            ),
            OptimKind::Sgd => sgd_momentum_update(params, grads, &mut self.m, c.lr, c.momentum),
        }
    }
}

/// One Adam step (Kingma & Ba 2015, Algorithm 1; the form of TensorFlow.js's `AdamOptimizer`):
///
/// `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`, `m̂ = m/(1−β1ᵗ)`, `v̂ = v/(1−β2ᵗ)`,
/// `θ ← θ − lr·m̂/(√v̂ + ε)`. `t` counts from 1. The bias corrections are computed in f64 once.
#[allow(clippy::too_many_arguments)] // one argument per symbol of the formula, as the kernel's bindings
pub fn adam_update(
    params: &mut [f32],
    grads: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    lr: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    t: u64,
) {
    let n = params.len();
    assert!(
        grads.len() == n && m.len() == n && v.len() == n,
        "adam_update lengths"
    );
    let ti = i32::try_from(t).unwrap_or(i32::MAX);
    let c1 = (1.0 / (1.0 - beta1.powi(ti))) as f32;
    let c2 = (1.0 / (1.0 - beta2.powi(ti))) as f32;
    let (b1, b2, lr, eps) = (beta1 as f32, beta2 as f32, lr as f32, epsilon as f32);
    for i in 0..n {
        let g = grads[i];
        m[i] = b1 * m[i] + (1.0 - b1) * g;
        v[i] = b2 * v[i] + (1.0 - b2) * g * g;
        let m_hat = m[i] * c1;
        let v_hat = v[i] * c2;
        params[i] -= lr * m_hat / (v_hat.sqrt() + eps);
    }
}

/// One SGD-with-momentum step, in TensorFlow.js's `MomentumOptimizer` form:
/// `u ← μ·u + g`, `θ ← θ − lr·u`.
pub fn sgd_momentum_update(
    params: &mut [f32],
    grads: &[f32],
    velocity: &mut [f32],
    lr: f64,
    momentum: f64,
) {
    let n = params.len();
    assert!(
        grads.len() == n && velocity.len() == n,
        "sgd_momentum_update lengths"
    );
    let (lr, mu) = (lr as f32, momentum as f32);
    for i in 0..n {
        velocity[i] = mu * velocity[i] + grads[i];
        params[i] -= lr * velocity[i];
    }
}
