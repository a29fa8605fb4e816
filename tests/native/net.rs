//! TinySegNet's layers against an f64 direct convolution and finite differences, the whole net's
//! backward pass against finite differences of the f64 reference net, the optimisers against their
//! formulas, and the benchmark protocol's first-step check values.

use crate::net_reference::{assert_close, central, conv_ref, dot, net_ref, to64};
use dicelab::data::protocol_batch;
use dicelab::loss::{self, Formula, LossConfig, LossKind, Reduction};
use dicelab::net::{
    adam_update, conv2d_backward_filter, conv2d_backward_input, conv2d_forward, relu,
    relu_backward, sgd_momentum_update, Conv, Dims, InitKind, NetSpec, TinySegNet, Workspace,
};
use dicelab::rng::Mulberry32;
use ndarray::{ArrayView3, ArrayView4};

/// Every `(a, b, c)` of three lists, in order.
fn iproduct<A: Copy, B: Copy, C: Copy>(
    a: impl IntoIterator<Item = A>,
    b: impl IntoIterator<Item = B> + Clone,
    c: impl IntoIterator<Item = C> + Clone,
) -> Vec<(A, B, C)> {
    let mut out = Vec::new();
    for a in a {
        for b in b.clone() {
            for c in c.clone() {
                out.push((a, b, c));
            }
        }
    }
    out
}

fn uniform(rng: &mut Mulberry32, n: usize) -> Vec<f32> {
    (0..n).map(|_| 2.0 * rng.next_f32() - 1.0).collect()
}

/// 3×3, 3×3 dilated (pad 2 on a 5×6 image: most taps fall outside), 1×1, and a 1×1 wider than
/// one pass of the bias accumulator.
fn convs() -> [Conv; 4] {
    [
        Conv {
            k: 3,
            dilation: 1,
            cin: 3,
            cout: 4,
        },
        Conv {
            k: 3,
            dilation: 2,
            cin: 4,
            cout: 5,
        },
        Conv {
            k: 1,
            dilation: 1,
            cin: 4,
            cout: 3,
        },
        Conv {
            k: 1,
            dilation: 1,
            cin: 2,
            cout: 70,
        },
    ]
}

const DIMS: Dims = Dims {
    batch: 2,
    height: 5,
    width: 6,
};

#[test]
fn conv_forward_equals_the_direct_convolution() {
    let mut rng = Mulberry32::new(5);
    for conv in convs() {
        let x = uniform(&mut rng, DIMS.pixels() * conv.cin);
        let w = uniform(&mut rng, conv.weight_len());
        let b = uniform(&mut rng, conv.cout);
        let mut out = vec![0.0; DIMS.pixels() * conv.cout];
        conv2d_forward(&conv, DIMS, &x, &w, &b, &mut out);
        let want = conv_ref(&conv, DIMS, &to64(&x), &to64(&w), &to64(&b));
        assert_close(&format!("{conv:?} forward"), &out, &want, 1e-5);
    }
}

/// The kernels' blocks (two pixels × 16, 8 or 4 columns, the last block overlapping the one
/// before, one lane at a time under 4 columns, 2 channels or 2 pixels) for channel counts that take
/// every path, on an odd width and on a width of 1: the
/// forward pass equals the f64 direct convolution, and the gradients are its adjoints. With
/// `L = ⟨G, conv(x; W) + b⟩`: `L = ⟨∂L/∂x, x⟩ + ⟨∂L/∂b, b⟩ = ⟨∂L/∂W, W⟩ + ⟨∂L/∂b, b⟩`.
#[test]
fn every_kernel_block_is_the_convolution_and_its_adjoints() {
    let mut rng = Mulberry32::new(8);
    let shapes = [
        (3, 16),
        (16, 16),
        (16, 6),
        (8, 32),
        (5, 21),
        (16, 12),
        (4, 1),
        (1, 5),
        (3, 2),
        (5, 3),
    ];
    for (width, (k, dilation), (cin, cout)) in iproduct([7, 1], [(3, 1), (3, 2), (1, 1)], shapes) {
        let dims = Dims {
            batch: 2,
            height: 4,
            width,
        };
        {
            let conv = Conv {
                k,
                dilation,
                cin,
                cout,
            };
            let x = uniform(&mut rng, dims.pixels() * cin);
            let w = uniform(&mut rng, conv.weight_len());
            let b = uniform(&mut rng, cout);
            let g = uniform(&mut rng, dims.pixels() * cout);
            let mut out = vec![0.0; dims.pixels() * cout];
            conv2d_forward(&conv, dims, &x, &w, &b, &mut out);
            let want = conv_ref(&conv, dims, &to64(&x), &to64(&w), &to64(&b));
            assert_close(&format!("{conv:?} forward"), &out, &want, 1e-5);

            let mut dx = vec![0.0; x.len()];
            conv2d_backward_input(&conv, dims, &g, &w, &mut dx);
            let (mut dw, mut db) = (vec![0.0; w.len()], vec![0.0; b.len()]);
            conv2d_backward_filter(&conv, dims, &x, &g, &mut dw, &mut db);
            let l = dot(&to64(&g), &want);
            let via_x = dot(&to64(&dx), &to64(&x)) + dot(&to64(&db), &to64(&b));
            let via_w = dot(&to64(&dw), &to64(&w)) + dot(&to64(&db), &to64(&b));
            let scale: f64 = want.iter().map(|v| v.abs()).sum::<f64>().max(1.0);
            for (name, v) in [("∂L/∂x", via_x), ("∂L/∂W", via_w)] {
                assert!(
                    (v - l).abs() <= 1e-5 * scale,
                    "{conv:?} {name}: ⟨grad, operand⟩ = {v}, L = {l}"
                );
            }
        }
    }
}

/// With `L = Σ G ⊙ conv(x; W, b)` for a fixed random `G` (so `∂L/∂out = G`), the three backward
/// functions must equal the central differences of `L` computed with the f64 direct convolution.
/// `L` is linear in each of x, W and b, so the differences are exact up to rounding.
#[test]
fn conv_gradients_equal_finite_differences() {
    let mut rng = Mulberry32::new(6);
    for conv in convs() {
        let (x, w, b) = (
            uniform(&mut rng, DIMS.pixels() * conv.cin),
            uniform(&mut rng, conv.weight_len()),
            uniform(&mut rng, conv.cout),
        );
        let g = uniform(&mut rng, DIMS.pixels() * conv.cout);
        let (x64, w64, b64, g64) = (to64(&x), to64(&w), to64(&b), to64(&g));
        let mut out = vec![0.0; DIMS.pixels() * conv.cout];
        conv2d_forward(&conv, DIMS, &x, &w, &b, &mut out);

        let mut dx = vec![0.0; x.len()];
        conv2d_backward_input(&conv, DIMS, &g, &w, &mut dx);
        let fd: Vec<f64> = (0..x.len())
            .map(|i| {
                central(
                    |x| dot(&g64, &conv_ref(&conv, DIMS, x, &w64, &b64)),
                    &x64,
                    i,
                    1e-3,
                )
            })
            .collect();
        assert_close(&format!("{conv:?} ∂L/∂x"), &dx, &fd, 1e-4);

        let (mut dw, mut db) = (vec![0.0; w.len()], vec![0.0; b.len()]);
        conv2d_backward_filter(&conv, DIMS, &x, &g, &mut dw, &mut db);
        let fd: Vec<f64> = (0..w.len())
            .map(|i| {
                central(
                    |w| dot(&g64, &conv_ref(&conv, DIMS, &x64, w, &b64)),
                    &w64,
                    i,
                    1e-3,
                )
            })
            .collect();
        assert_close(&format!("{conv:?} ∂L/∂W"), &dw, &fd, 1e-4);
        let fd: Vec<f64> = (0..b.len())
            .map(|i| {
                central(
                    |b| dot(&g64, &conv_ref(&conv, DIMS, &x64, &w64, b)),
                    &b64,
                    i,
                    1e-3,
                )
            })
            .collect();
        assert_close(&format!("{conv:?} ∂L/∂b"), &db, &fd, 1e-4);
    }
}

/// `L = Σ g·relu(x)`: `∂L/∂x = g·[x > 0]`, checked by central differences away from the kink.
#[test]
fn relu_gradient_equals_finite_differences() {
    let mut rng = Mulberry32::new(7);
    let x: Vec<f32> = uniform(&mut rng, 64)
        .into_iter()
        .filter(|v| v.abs() > 0.01)
        .collect();
    let g = uniform(&mut rng, x.len());
    let mut y = x.clone();
    relu(&mut y);
    let mut dy = g.clone();
    relu_backward(&y, &mut dy);
    let g64 = to64(&g);
    let l = |x: &[f64]| x.iter().zip(&g64).map(|(v, g)| v.max(0.0) * g).sum::<f64>();
    let fd: Vec<f64> = (0..x.len())
        .map(|i| central(l, &to64(&x), i, 1e-3))
        .collect();
    assert_close("relu", &dy, &fd, 1e-6);
}

/// The whole backward pass: with `∂L/∂logits = G`, `L = Σ G ⊙ net(x; θ)`, every parameter's
/// gradient equals the central difference of the f64 reference net. For one parameter the net is
/// piecewise linear (ReLU), so with a tiny step the difference is exact unless a kink lies within
/// the step.
#[test]
fn net_backward_equals_finite_differences_of_the_reference_net() {
    let spec = NetSpec::new(8, 3).expect("valid spec");
    let d = Dims {
        batch: 2,
        height: 6,
        width: 7,
    };
    let net = TinySegNet::new(spec, InitKind::He, 11);
    let mut rng = Mulberry32::new(12);
    let x: Vec<f32> = (0..d.pixels() * 3).map(|_| rng.next_f32()).collect();
    let g = uniform(&mut rng, d.pixels() * spec.classes);
    let mut ws = Workspace::new(&spec, d);
    net.forward(&mut ws, &x, d.batch);
    let (p64, x64, g64) = (to64(net.params()), to64(&x), to64(&g));
    assert_close(
        "net forward",
        ws.logits(d.batch),
        &net_ref(&spec, d, &p64, &x64),
        1e-5,
    );

    ws.dlogits_mut(d.batch).copy_from_slice(&g);
    net.backward(&mut ws, &x, d.batch);
    let fd: Vec<f64> = (0..spec.param_count())
        .map(|i| central(|p| dot(&g64, &net_ref(&spec, d, p, &x64)), &p64, i, 1e-6))
        .collect();
    assert_close("net ∂L/∂θ", ws.grads(), &fd, 1e-4);
}

/// A smaller batch than the workspace holds gives the same logits as a workspace of its size.
#[test]
fn partial_batches_use_the_leading_part_of_the_workspace() {
    let spec = NetSpec::new(8, 4).expect("valid spec");
    let net = TinySegNet::new(spec, InitKind::He, 3);
    let x: Vec<f32> = {
        let mut rng = Mulberry32::new(4);
        (0..2 * 8 * 8 * 3).map(|_| rng.next_f32()).collect()
    };
    let mut big = Workspace::new(
        &spec,
        Dims {
            batch: 5,
            height: 8,
            width: 8,
        },
    );
    let mut small = Workspace::new(
        &spec,
        Dims {
            batch: 2,
            height: 8,
            width: 8,
        },
    );
    net.forward(&mut big, &x, 2);
    net.forward(&mut small, &x, 2);
    assert_eq!(big.logits(2), small.logits(2));
}

/// With a constant gradient `g`, Adam's bias-corrected moments are exactly `m̂ = g`, `v̂ = g²`, so
/// every step moves θ by `−lr·g/(|g| + ε)`. A varying gradient is checked against the formula in f64.
#[test]
fn adam_follows_its_formula() {
    let (lr, b1, b2, eps) = (0.01, 0.9, 0.999, 1e-7);
    let g = [0.5f32, -2.0, 1e-3, 0.0];
    let mut p = [1.0f32; 4];
    let (mut m, mut v) = ([0.0f32; 4], [0.0f32; 4]);
    for t in 1..=3 {
        adam_update(&mut p, &g, &mut m, &mut v, lr, b1, b2, eps, t);
    }
    for (pi, gi) in p.iter().zip(g) {
        let gi = f64::from(gi);
        let want = 1.0 - 3.0 * lr * gi / (gi.abs() + eps);
        assert!((f64::from(*pi) - want).abs() < 1e-5, "{pi} vs {want}");
    }

    let grads = [[0.3f32, -0.1], [-0.2, 0.4], [0.05, 0.05]];
    let mut p = [0.2f32, -0.7];
    let (mut m, mut v) = ([0.0f32; 2], [0.0f32; 2]);
    let (mut pw, mut mw, mut vw) = ([0.2f64, -0.7], [0.0f64; 2], [0.0f64; 2]);
    for (t, gs) in grads.iter().enumerate() {
        let t = t as i32 + 1;
        adam_update(&mut p, gs, &mut m, &mut v, lr, b1, b2, eps, t as u64);
        for i in 0..2 {
            let gi = f64::from(gs[i]);
            mw[i] = b1 * mw[i] + (1.0 - b1) * gi;
            vw[i] = b2 * vw[i] + (1.0 - b2) * gi * gi;
            let (mh, vh) = (mw[i] / (1.0 - b1.powi(t)), vw[i] / (1.0 - b2.powi(t)));
            pw[i] -= lr * mh / (vh.sqrt() + eps);
        }
    }
    for i in 0..2 {
        assert!((f64::from(p[i]) - pw[i]).abs() < 1e-6, "{:?} vs {pw:?}", p);
    }
}

/// `u ← μu + g`, `θ ← θ − lr·u`: after g₁, g₂: `θ = θ₀ − lr·g₁ − lr·(μg₁ + g₂)`.
#[test]
fn sgd_momentum_follows_its_formula() {
    let (lr, mu) = (0.1, 0.9);
    let mut p = [1.0f32];
    let mut u = [0.0f32];
    sgd_momentum_update(&mut p, &[2.0], &mut u, lr, mu);
    sgd_momentum_update(&mut p, &[-1.0], &mut u, lr, mu);
    let want = 1.0 - 0.1 * 2.0 - 0.1 * (0.9 * 2.0 - 1.0);
    assert!((f64::from(p[0]) - want).abs() < 1e-6, "{} vs {want}", p[0]);
}

/// The protocol's first-step check values (`shared/guides/bench-protocol.md`): Glorot weights from
/// seed 1234, data from seed 42, B=4, 48×48, C=6 — the same network and numbers as TensorFlow.js.
#[test]
fn first_step_losses_match_the_benchmark_protocol() {
    let spec = NetSpec::new(16, 6).expect("valid spec");
    let d = Dims {
        batch: 4,
        height: 48,
        width: 48,
    };
    let net = TinySegNet::new(spec, InitKind::Glorot, 1234);
    let (x, y) = protocol_batch(42, 4, 48, 48, 6);
    let mut ws = Workspace::new(&spec, d);
    net.forward(&mut ws, &x, 4);
    let z = ArrayView4::from_shape((4, 48, 48, 6), ws.logits(4)).expect("logits shape");
    let y = ArrayView3::from_shape((4, 48, 48), &y[..]).expect("labels shape");
    let dice = LossConfig {
        kind: LossKind::Dice,
        formula: Formula::Corrected,
        reduction: Reduction::Mean,
        ..LossConfig::default()
    };
    let ce = LossConfig {
        kind: LossKind::Ce,
        ..dice
    };
    let d = loss::evaluate(&dice, z.view(), y.view(), None)
        .expect("dice")
        .loss;
    let c = loss::evaluate(&ce, z, y, None).expect("ce").loss;
    assert!((d - 0.833099).abs() < 2e-6, "Dice {d}");
    assert!((c - 1.79388).abs() < 1e-5, "CE {c}");
}
