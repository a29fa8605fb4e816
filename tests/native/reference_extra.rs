//! An independent float64 transcription of docs/losses.md Part 2 (Jaccard, Tversky, focal
//! Tversky, log-Dice, SMP's Dice, focal, Lovász, Dice + focal), written naively from the spec's
//! formulas (explicit one-hot, per-unit pixel lists, `FP`/`FN` summed as written, Lovász's
//! increments as `J_k − J_{k−1}`, its own table of defaults) and sharing no code with the engine.
//! It runs on dual numbers, so [`grad`] is the exact derivative of these formulas.

use crate::dual::D;
use crate::reference::Problem;
use dicelab::loss::{Activation, Aggregation, Formula, LossConfig, LossKind, Reduction, Variant};

/// The variant in force (spec 2.0 and 2.13).
fn variant(cfg: &LossConfig) -> Variant {
    match (cfg.variant, cfg.kind) {
        (Some(v), _) => v,
        (None, LossKind::FocalTversky | LossKind::Lovasz | LossKind::Focal) => Variant::Smp,
        (None, _) => Variant::Monai,
    }
}

/// The exponent in force (spec 2.13).
fn gamma(cfg: &LossConfig) -> f64 {
    match (cfg.gamma, cfg.kind, variant(cfg)) {
        (Some(g), _, _) => g,
        (None, LossKind::FocalTversky, Variant::Paper) => 4.0 / 3.0,
        (None, LossKind::FocalTversky, _) => 0.75,
        (None, _, _) => 2.0,
    }
}

/// The problem as the formulas see it: probabilities, one-hot truth, valid pixels, units, `K`.
struct Setup {
    c: usize,
    z: Vec<D>,
    y: Vec<i64>,
    valid: Vec<bool>,
    r: Vec<Vec<f64>>,
    units: Vec<Vec<usize>>,
    k: Vec<usize>,
}

fn setup(cfg: &LossConfig, pr: &Problem, seed: Option<usize>) -> Setup {
    let n = pr.pixels();
    let z =
        pr.z.iter()
            .enumerate()
            .map(|(i, &v)| D {
                v,
                d: f64::from(u8::from(seed == Some(i))),
            })
            .collect();
    let valid: Vec<bool> = pr.y.iter().map(|&y| y != 255).collect();
    let r = (0..n)
        .map(|i| {
            (0..pr.c)
                .map(|l| f64::from(u8::from(valid[i] && pr.y[i] == l as i64)))
                .collect()
        })
        .collect();
    let per = pr.h * pr.w;
    let units = match cfg.aggregation {
        Aggregation::Global => vec![(0..n).filter(|&i| valid[i]).collect()],
        Aggregation::PerImage => (0..pr.b)
            .map(|b| (b * per..(b + 1) * per).filter(|&i| valid[i]).collect())
            .collect(),
    };
    let k = (usize::from(!cfg.include_background)..pr.c).collect();
    Setup {
        c: pr.c,
        z,
        y: pr.y.clone(),
        valid,
        r,
        units,
        k,
    }
}

impl Setup {
    fn logits(&self, i: usize) -> &[D] {
        &self.z[i * self.c..(i + 1) * self.c]
    }

    /// `p` of pixel `i` under `act`.
    fn probs(&self, i: usize, act: Activation) -> Vec<D> {
        let z = self.logits(i);
        match act {
            Activation::Softmax => {
                let m = z.iter().map(|v| v.v).fold(f64::MIN, f64::max);
                let e: Vec<D> = z.iter().map(|&v| (v + -m).exp()).collect();
                let s: D = e.iter().copied().sum();
                e.iter().map(|&v| v / s).collect()
            }
            Activation::Sigmoid => z.iter().map(|&v| sigmoid(v)).collect(),
        }
    }
}

fn sigmoid(x: D) -> D {
    D::c(1.0) / ((-x).exp() + 1.0)
}

/// `ln(1 + e^x)`, for the moderate logits of the test cases.
fn softplus(x: D) -> D {
    (x.exp() + 1.0).ln()
}

fn mean_or_sum(cfg: &LossConfig, total: D, count: usize) -> D {
    match cfg.reduction {
        Reduction::Sum => total,
        Reduction::Mean => total / D::c(count as f64),
    }
}

/// The region losses (spec 2.1–2.5), and the Dice term of dice+focal.
fn region(cfg: &LossConfig, s: &Setup, kind: LossKind) -> D {
    let var = variant(cfg);
    let (snr, sdr, eps) = (cfg.smooth_nr, cfg.smooth_dr, cfg.eps);
    let sq = |x: D| if cfg.squared { x * x } else { x };
    let mut total = D::c(0.0);
    let mut count = 0;
    for unit in &s.units {
        let p: Vec<Vec<D>> = unit.iter().map(|&i| s.probs(i, cfg.activation)).collect();
        for &l in &s.k {
            count += 1;
            let mut i_ = D::c(0.0);
            let (mut r_, mut p_, mut fp, mut fn_) = (D::c(0.0), D::c(0.0), D::c(0.0), D::c(0.0));
            for (j, &n) in unit.iter().enumerate() {
                let r = s.r[n][l];
                let pl = p[j][l];
                i_ = i_ + r * pl;
                r_ = r_ + sq(D::c(r));
                p_ = p_ + sq(pl);
                fp = fp + pl * D::c(1.0 - r);
                fn_ = fn_ + (1.0 - pl) * D::c(r);
            }
            let clamp = |d: D| if d.v < eps { D::c(eps) } else { d };
            let tversky = |a: f64, b: f64| (i_ + snr) / (i_ + a * fp + b * fn_ + sdr);
            let tversky_smp = |a: f64, b: f64| (i_ + snr) / clamp(i_ + a * fp + b * fn_ + sdr);
            let alpha = cfg.alpha.unwrap_or(0.5);
            let score = match (kind, var) {
                (LossKind::Dice, Variant::Smp) => tversky_smp(0.5, 0.5),
                (LossKind::Dice, _) => match cfg.formula {
                    Formula::Seed => 2.0 * (i_ + snr) / (r_ + p_ + sdr),
                    Formula::Corrected => (2.0 * i_ + snr) / (r_ + p_ + sdr),
                },
                (LossKind::Jaccard, Variant::Smp) => (i_ + snr) / clamp(r_ + p_ - i_ + sdr),
                (LossKind::Jaccard, _) => (2.0 * i_ + snr) / (2.0 * (r_ + p_ - i_) + sdr),
                (_, Variant::Smp) => tversky_smp(alpha, cfg.beta),
                _ => tversky(alpha, cfg.beta),
            };
            let term = match (kind, var) {
                (LossKind::FocalTversky, Variant::Paper) => {
                    let x = 1.0 - score;
                    if x.v > 0.0 {
                        x.powf(1.0 / gamma(cfg))
                    } else {
                        D::c(0.0)
                    }
                }
                _ if cfg.log_loss => -(if score.v >= eps { score } else { D::c(eps) }).ln(),
                _ => 1.0 - score,
            };
            let present = r_.v > 0.0;
            if var != Variant::Smp || present {
                total = total + term;
            }
        }
    }
    let l0 = mean_or_sum(cfg, total, count);
    match (kind, var) {
        (LossKind::FocalTversky, Variant::Smp) => l0.powf(gamma(cfg)),
        _ => l0,
    }
}

/// The focal loss (spec 2.6); `element_mean` for dice+focal's term (2.8).
fn focal(cfg: &LossConfig, s: &Setup, element_mean: bool) -> D {
    let g = gamma(cfg);
    let softmax = !element_mean && cfg.focal_activation == Activation::Softmax;
    let mut total = D::c(0.0);
    let n_valid = s.valid.iter().filter(|&&v| v).count();
    for i in (0..s.y.len()).filter(|&i| s.valid[i]) {
        if softmax {
            let y = s.y[i] as usize;
            let q = s.probs(i, Activation::Softmax)[y];
            let w = match cfg.alpha {
                None => 1.0,
                Some(a) if y == 0 => 1.0 - a,
                Some(a) => a,
            };
            total = total + w * ((1.0 - q).powf(g) * -q.ln());
            continue;
        }
        for &l in &s.k {
            let positive = s.r[i][l] == 1.0;
            let sgn = if positive { 1.0 } else { -1.0 };
            let u = sgn * s.logits(i)[l];
            let q = sigmoid(u);
            let w = match (cfg.alpha, positive) {
                (None, _) => 1.0,
                (Some(a), true) => a,
                (Some(a), false) => 1.0 - a,
            };
            total = total + w * ((1.0 - q).powf(g) * softplus(-u));
        }
    }
    if n_valid == 0 {
        return D::c(0.0);
    }
    let z = match (element_mean, cfg.reduction) {
        (true, _) => (s.k.len() * n_valid) as f64,
        (false, Reduction::Sum) => 1.0,
        (false, Reduction::Mean) if softmax || variant(cfg) == Variant::Monai => n_valid as f64,
        (false, Reduction::Mean) => (s.k.len() * n_valid) as f64,
    };
    total / D::c(z)
}

/// Lovász-softmax (spec 2.7), increments as differences of the Jaccard losses.
fn lovasz(cfg: &LossConfig, s: &Setup) -> D {
    let mut total = D::c(0.0);
    for unit in &s.units {
        let p: Vec<Vec<D>> = unit.iter().map(|&i| s.probs(i, cfg.activation)).collect();
        let mut lambdas = Vec::new();
        for &l in &s.k {
            let r: f64 = unit.iter().map(|&n| s.r[n][l]).sum();
            if r == 0.0 {
                continue;
            }
            let mut e: Vec<(D, usize, bool)> = unit
                .iter()
                .enumerate()
                .map(|(j, &n)| {
                    let fg = s.r[n][l] == 1.0;
                    let err = if fg { 1.0 - p[j][l] } else { p[j][l] };
                    (err, n, fg)
                })
                .collect();
            e.sort_by(|a, b| b.0.v.partial_cmp(&a.0.v).unwrap().then(a.1.cmp(&b.1)));
            let (mut f, mut b, mut prev, mut lam) = (0.0, 0.0, 0.0, D::c(0.0));
            for &(err, _, fg) in &e {
                if fg {
                    f += 1.0;
                } else {
                    b += 1.0;
                }
                let j = 1.0 - (r - f) / (r + b);
                lam = lam + (j - prev) * err;
                prev = j;
            }
            lambdas.push(lam);
        }
        let n = lambdas.len();
        let sum: D = lambdas.into_iter().sum();
        total = total
            + match (cfg.reduction, n) {
                (Reduction::Sum, _) => sum,
                (Reduction::Mean, 0) => D::c(0.0),
                (Reduction::Mean, n) => sum / D::c(n as f64),
            };
    }
    match cfg.reduction {
        Reduction::Sum => total,
        Reduction::Mean => total / D::c(s.units.len() as f64),
    }
}

fn eval(cfg: &LossConfig, pr: &Problem, seed: Option<usize>) -> D {
    let s = setup(cfg, pr, seed);
    match cfg.kind {
        LossKind::Focal => focal(cfg, &s, false),
        LossKind::Lovasz => lovasz(cfg, &s),
        LossKind::DiceFocal => {
            cfg.lambda_dice * region(cfg, &s, LossKind::Dice)
                + cfg.lambda_focal * focal(cfg, &s, true)
        }
        kind => region(cfg, &s, kind),
    }
}

/// The loss.
pub fn loss(cfg: &LossConfig, pr: &Problem) -> f64 {
    eval(cfg, pr, None).v
}

/// `∂L/∂z` for every logit, by forward-mode differentiation of [`loss`].
pub fn grad(cfg: &LossConfig, pr: &Problem) -> Vec<f64> {
    (0..pr.z.len()).map(|i| eval(cfg, pr, Some(i)).d).collect()
}

/// Central finite differences of [`loss`].
pub fn fd_grad(cfg: &LossConfig, pr: &Problem) -> Vec<f64> {
    crate::reference::central_differences(pr, |q| loss(cfg, q))
}

/// Whether two Lovász errors of one (unit, class) lie within `gap` of each other, where the
/// gradient depends on which order rounding gives them (spec 2.7: compared only away from ties).
pub fn near_tie(cfg: &LossConfig, pr: &Problem, gap: f64) -> bool {
    if cfg.kind != LossKind::Lovasz {
        return false;
    }
    let s = setup(cfg, pr, None);
    s.units.iter().any(|unit| {
        let p: Vec<Vec<D>> = unit.iter().map(|&i| s.probs(i, cfg.activation)).collect();
        s.k.iter().any(|&l| {
            let mut e: Vec<f64> = unit
                .iter()
                .enumerate()
                .map(|(j, &n)| (s.r[n][l] - p[j][l].v).abs())
                .collect();
            e.sort_by(|a, b| a.partial_cmp(b).unwrap());
            e.windows(2).any(|w| w[1] - w[0] < gap)
        })
    })
}
