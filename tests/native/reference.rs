//! An independent float64 evaluation of `shared/spec/losses.md`, written as a naive transcription of
//! the formulas (explicit one-hot, explicit probabilities, per-unit pixel lists) and sharing no code
//! with the engine. Everything the engine computes is checked against this.

use dicelab::loss::{Activation, Aggregation, Formula, LossConfig, LossKind, Reduction, Weights};

/// A problem in f64: logits (B, H, W, C) flattened, labels (B, H, W) flattened.
#[derive(Debug, Clone)]
pub struct Problem {
    pub b: usize,
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub z: Vec<f64>,
    pub y: Vec<i64>,
}

impl Problem {
    pub fn pixels(&self) -> usize {
        self.b * self.h * self.w
    }
}

fn probabilities(cfg: &LossConfig, pr: &Problem) -> Vec<Vec<f64>> {
    (0..pr.pixels())
        .map(|n| {
            let z = &pr.z[n * pr.c..(n + 1) * pr.c];
            match cfg.activation {
                Activation::Softmax => {
                    let m = z.iter().cloned().fold(f64::MIN, f64::max);
                    let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
                    let s: f64 = e.iter().sum();
                    e.iter().map(|v| v / s).collect()
                }
                Activation::Sigmoid => z.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect(),
            }
        })
        .collect()
}

/// The loss, in f64, straight from the spec.
pub fn loss(cfg: &LossConfig, pr: &Problem) -> f64 {
    let p = probabilities(cfg, pr);
    let n_pix = pr.pixels();
    let valid: Vec<bool> =
        pr.y.iter()
            .map(|&y| y != i64::from(cfg.ignore_index))
            .collect();
    let onehot: Vec<Vec<f64>> = (0..n_pix)
        .map(|n| {
            (0..pr.c)
                .map(|k| {
                    if valid[n] && pr.y[n] == k as i64 {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let units: Vec<Vec<usize>> = match cfg.aggregation {
        Aggregation::Global => vec![(0..n_pix).filter(|&n| valid[n]).collect()],
        Aggregation::PerImage => (0..pr.b)
            .map(|b| {
                let per = pr.h * pr.w;
                (b * per..(b + 1) * per).filter(|&n| valid[n]).collect()
            })
            .collect(),
    };
    let classes: Vec<usize> = if cfg.include_background {
        (0..pr.c).collect()
    } else {
        (1..pr.c).collect()
    };
    let pw = |x: f64| if cfg.squared { x * x } else { x };
    let sums = |unit: &[usize], l: usize| {
        let i: f64 = unit.iter().map(|&n| onehot[n][l] * p[n][l]).sum();
        let r: f64 = unit.iter().map(|&n| pw(onehot[n][l])).sum();
        let pp: f64 = unit.iter().map(|&n| pw(p[n][l])).sum();
        (i, r, pp)
    };
    let ratio = |num_sum: f64, den_sum: f64| match cfg.formula {
        Formula::Seed => 1.0 - 2.0 * (num_sum + cfg.smooth_nr) / (den_sum + cfg.smooth_dr),
        Formula::Corrected => 1.0 - (2.0 * num_sum + cfg.smooth_nr) / (den_sum + cfg.smooth_dr),
    };
    let reduce = |terms: Vec<f64>| match cfg.reduction {
        Reduction::Sum => terms.iter().sum::<f64>(),
        Reduction::Mean => terms.iter().sum::<f64>() / terms.len() as f64,
    };

    let dice_part = match cfg.kind {
        LossKind::Ce => 0.0,
        LossKind::Gdl => reduce(
            units
                .iter()
                .map(|u| {
                    let s: Vec<(f64, f64, f64)> = classes.iter().map(|&l| sums(u, l)).collect();
                    let mut w: Vec<f64> = s
                        .iter()
                        .map(|&(_, r, _)| match cfg.weights {
                            Weights::Square => 1.0 / (r * r),
                            Weights::Simple => 1.0 / r,
                            Weights::Uniform => 1.0,
                        })
                        .collect();
                    let max_finite = w
                        .iter()
                        .cloned()
                        .filter(|v| v.is_finite())
                        .fold(0.0, f64::max);
                    for v in w.iter_mut() {
                        if !v.is_finite() {
                            *v = max_finite;
                        }
                    }
                    let num: f64 = s.iter().zip(&w).map(|(&(i, _, _), wl)| wl * i).sum();
                    let den: f64 = s
                        .iter()
                        .zip(&w)
                        .map(|(&(_, r, pp), wl)| wl * (r + pp))
                        .sum();
                    ratio(num, den)
                })
                .collect(),
        ),
        LossKind::Dice | LossKind::DiceCe => reduce(
            units
                .iter()
                .flat_map(|u| classes.iter().map(move |&l| sums(u, l)).collect::<Vec<_>>())
                .map(|(i, r, pp)| ratio(i, r + pp))
                .collect(),
        ),
        _ => unreachable!("Part 2's losses are reference_extra's"),
    };
    let ce_part = match cfg.kind {
        LossKind::Ce | LossKind::DiceCe => {
            let terms: Vec<f64> = (0..n_pix)
                .filter(|&n| valid[n])
                .map(|n| -p[n][pr.y[n] as usize].ln())
                .collect();
            let mean = cfg.kind == LossKind::DiceCe || cfg.reduction == Reduction::Mean;
            match (terms.is_empty(), mean) {
                (true, _) => 0.0,
                (false, true) => terms.iter().sum::<f64>() / terms.len() as f64,
                (false, false) => terms.iter().sum::<f64>(),
            }
        }
        _ => 0.0,
    };
    dice_part + ce_part
}

/// Central finite differences of [`loss`] with respect to every logit.
pub fn fd_grad(cfg: &LossConfig, pr: &Problem) -> Vec<f64> {
    central_differences(pr, |q| loss(cfg, q))
}

/// Central finite differences of `f` with respect to every logit of `pr`.
pub fn central_differences(pr: &Problem, f: impl Fn(&Problem) -> f64) -> Vec<f64> {
    let mut q = pr.clone();
    (0..pr.z.len())
        .map(|i| {
            let h = 1e-6 * pr.z[i].abs().max(1.0);
            q.z[i] = pr.z[i] + h;
            let up = f(&q);
            q.z[i] = pr.z[i] - h;
            let down = f(&q);
            q.z[i] = pr.z[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}
