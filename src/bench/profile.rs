//! `StepProfile`: the protocol's CPU training step taken apart, to see where its time goes (issue
//! 19). It runs exactly the step `CpuBackend` runs — the same layer functions, tiles, loss and Adam,
//! in the same order, so its losses equal [`super::ProtocolRun`]'s bit for bit — with a clock read
//! between the pieces: per layer the forward im2col and GEMM (bias included), the ReLU, the weight
//! gradient's im2col and GEMM, the bias gradient, the input gradient's GEMM and col2im, the ReLU's
//! gradient; the loss; Adam. The clock is the caller's (milliseconds): `performance.now()` in the
//! browser, `Instant` natively. It owns its buffers (the net's workspace is private to `net`).

use super::run::{ProtocolLoss, CLASSES, DATA_SEED, WEIGHT_SEED};
use crate::data::protocol_batch;
use crate::loss::{self, LossConfig};
use crate::net::{
    col2im_add_rows, gemm, im2col_rows, init_params, relu, relu_backward, split, Conv, Dims,
    InitKind, NetSpec, Op, OptimConfig, Optimizer, LAYERS, MAX_CHANNELS, TILE_ROWS,
};
use ndarray::{ArrayView3, ArrayView4, ArrayViewMut4};

/// The pieces of a step, per layer where they belong; `PIECES[i]` names slot `i` of a layer.
const PIECES: [&str; 9] = [
    "fwd im2col",
    "fwd gemm",
    "relu",
    "relu grad",
    "dW im2col",
    "dW gemm",
    "db",
    "dx gemm",
    "dx col2im",
];
const FWD_IM2COL: usize = 0;
const FWD_GEMM: usize = 1;
const RELU: usize = 2;
const RELU_GRAD: usize = 3;
const DW_IM2COL: usize = 4;
const DW_GEMM: usize = 5;
const DB: usize = 6;
const DX_GEMM: usize = 7;
const DX_COL2IM: usize = 8;
/// Slots after the per-layer ones.
const LOSS: usize = LAYERS * PIECES.len();
const ADAM: usize = LOSS + 1;
const SLOTS: usize = ADAM + 1;

/// Accumulates the time since the last mark into a slot.
struct Laps<'a> {
    clock: &'a mut dyn FnMut() -> f64,
    last: f64,
    totals: &'a mut [f64; SLOTS],
}

impl Laps<'_> {
    fn mark(&mut self, slot: usize) {
        let now = (self.clock)();
        self.totals[slot] += now - self.last;
        self.last = now;
    }
}

/// The protocol's training run with a clock between the pieces of each step.
#[derive(Debug)]
pub struct StepProfile {
    spec: NetSpec,
    dims: Dims,
    loss: LossConfig,
    images: Vec<f32>,
    labels: Vec<i32>,
    params: Vec<f32>,
    grads: Vec<f32>,
    opt: Optimizer,
    col: Vec<f32>,
    acts: [Vec<f32>; LAYERS - 1],
    dacts: [Vec<f32>; 2],
    logits: Vec<f32>,
    dlogits: Vec<f32>,
    totals: [f64; SLOTS],
    steps: usize,
}

impl StepProfile {
    /// A fresh run of `batch` images of `size × size` with `loss`, from the protocol's weights.
    pub fn new(batch: usize, size: usize, loss: ProtocolLoss) -> Result<Self, String> {
        if batch == 0 || size == 0 || batch.saturating_mul(size).saturating_mul(size) > 1 << 22 {
            return Err(format!(
                "batch {batch} of {size}×{size} is outside the benchmark's range"
            ));
        }
        let spec = NetSpec::new(16, CLASSES).map_err(|e| e.to_string())?;
        let dims = Dims {
            batch,
            height: size,
            width: size,
        };
        let p = dims.pixels();
        let (images, labels) = protocol_batch(DATA_SEED, batch, size, size, CLASSES);
        let taps = spec.layers().iter().map(Conv::taps).max().unwrap_or(1);
        Ok(Self {
            spec,
            dims,
            loss: loss.config(),
            images,
            labels,
            params: init_params(&spec, InitKind::Glorot, WEIGHT_SEED),
            grads: vec![0.0; spec.param_count()],
            opt: Optimizer::new(OptimConfig::default(), spec.param_count()),
            col: vec![0.0; p.min(TILE_ROWS) * taps],
            acts: [0, 1, 2].map(|_| vec![0.0; p * spec.width]),
            dacts: [0, 1].map(|_| vec![0.0; p * spec.width]),
            logits: vec![0.0; p * CLASSES],
            dlogits: vec![0.0; p * CLASSES],
            totals: [0.0; SLOTS],
            steps: 0,
        })
    }

    /// One training step, timed piece by piece with `clock` (ms); returns the loss before the
    /// update.
    pub fn step(&mut self, clock: &mut dyn FnMut() -> f64) -> Result<f64, String> {
        let last = clock();
        let mut laps = Laps {
            clock,
            last,
            totals: &mut self.totals,
        };
        let (spec, dims) = (self.spec, self.dims);
        let layers = spec.layers();
        let col = &mut self.col;

        // Forward, as TinySegNet::forward.
        {
            let prm = split(&spec, &self.params);
            let [a0, a1, a2] = &mut self.acts;
            forward(
                &mut laps,
                0,
                &layers[0],
                dims,
                &self.images,
                prm[0],
                col,
                a0,
            );
            relu(a0);
            laps.mark(RELU);
            forward(&mut laps, 1, &layers[1], dims, a0, prm[1], col, a1);
            relu(a1);
            laps.mark(PIECES.len() + RELU);
            forward(&mut laps, 2, &layers[2], dims, a1, prm[2], col, a2);
            relu(a2);
            laps.mark(2 * PIECES.len() + RELU);
            forward(
                &mut laps,
                3,
                &layers[3],
                dims,
                a2,
                prm[3],
                col,
                &mut self.logits,
            );
        }

        // The loss, as CpuBackend::submit_step.
        let shape = (dims.batch, dims.height, dims.width, CLASSES);
        let z = ArrayView4::from_shape(shape, &self.logits[..]).map_err(|e| e.to_string())?;
        let y = ArrayView3::from_shape((shape.0, shape.1, shape.2), &self.labels[..])
            .map_err(|e| e.to_string())?;
        let g =
            ArrayViewMut4::from_shape(shape, &mut self.dlogits[..]).map_err(|e| e.to_string())?;
        let report = loss::evaluate(&self.loss, z, y, Some(g)).map_err(|e| e.to_string())?;
        laps.mark(LOSS);

        // Backward, as TinySegNet::backward.
        {
            let prm = split(&spec, &self.params);
            let mut grads = crate::net::split_mut(&spec, &mut self.grads);
            let [a0, a1, a2] = &self.acts;
            let [da, db] = &mut self.dacts;
            let dz = &self.dlogits[..];
            let [g0, g1, g2, g3] = &mut grads;
            backward(
                &mut laps,
                3,
                &layers[3],
                dims,
                a2,
                dz,
                prm[3].0,
                col,
                g3,
                Some(da),
            );
            relu_backward(a2, da);
            laps.mark(2 * PIECES.len() + RELU_GRAD);
            backward(
                &mut laps,
                2,
                &layers[2],
                dims,
                a1,
                da,
                prm[2].0,
                col,
                g2,
                Some(db),
            );
            relu_backward(a1, db);
            laps.mark(PIECES.len() + RELU_GRAD);
            backward(
                &mut laps,
                1,
                &layers[1],
                dims,
                a0,
                db,
                prm[1].0,
                col,
                g1,
                Some(da),
            );
            relu_backward(a0, da);
            laps.mark(RELU_GRAD);
            let images = &self.images[..];
            backward(
                &mut laps, 0, &layers[0], dims, images, da, prm[0].0, col, g0, None,
            );
        }

        self.opt.update(&mut self.params, &self.grads);
        laps.mark(ADAM);
        self.steps += 1;
        Ok(report.loss)
    }

    /// Every piece's name (`L2 dW gemm`, `loss`, `adam`) and its mean milliseconds per step so far;
    /// pieces a layer does not have (the first layer's input gradient, the last one's ReLU) are left
    /// out.
    pub fn report(&self) -> Vec<(String, f64)> {
        let n = self.steps.max(1) as f64;
        let mut out = Vec::new();
        for l in 0..LAYERS {
            for (i, piece) in PIECES.iter().enumerate() {
                let absent = (l == 0 && (i == DX_GEMM || i == DX_COL2IM))
                    || (l == LAYERS - 1 && (i == RELU || i == RELU_GRAD))
                    || (self.spec.layers()[l].is_pointwise()
                        && (i == FWD_IM2COL || i == DW_IM2COL || i == DX_COL2IM));
                if !absent {
                    out.push((
                        format!("L{l} {piece}"),
                        self.totals[l * PIECES.len() + i] / n,
                    ));
                }
            }
        }
        out.push(("loss".to_string(), self.totals[LOSS] / n));
        out.push(("adam".to_string(), self.totals[ADAM] / n));
        out
    }
}

/// The pixel tiles `(first, rows)` of a layer, as `net::conv` walks them.
fn tiles(conv: &Conv, pixels: usize, col: &[f32]) -> impl Iterator<Item = (usize, usize)> {
    let rows = col.len() / conv.taps();
    (0..pixels)
        .step_by(rows.max(1))
        .map(move |first| (first, rows.min(pixels - first)))
}

/// `conv2d_forward` with a lap after each im2col tile and each product.
#[allow(clippy::too_many_arguments)] // the layer function's arguments, plus the laps
fn forward(
    laps: &mut Laps<'_>,
    layer: usize,
    conv: &Conv,
    dims: Dims,
    input: &[f32],
    (weights, bias): (&[f32], &[f32]),
    col: &mut [f32],
    output: &mut [f32],
) {
    let base = layer * PIECES.len();
    let (taps, cout) = (conv.taps(), conv.cout);
    for row in output.chunks_exact_mut(cout) {
        row.copy_from_slice(bias);
    }
    if conv.is_pointwise() {
        gemm(
            dims.pixels(),
            taps,
            cout,
            input,
            Op::N,
            weights,
            Op::N,
            1.0,
            output,
        );
        laps.mark(base + FWD_GEMM);
        return;
    }
    laps.mark(base + FWD_GEMM);
    for (first, rows) in tiles(conv, dims.pixels(), col) {
        let x = &mut col[..rows * taps];
        im2col_rows(conv, dims, input, first, x);
        laps.mark(base + FWD_IM2COL);
        let y = &mut output[first * cout..(first + rows) * cout];
        gemm(rows, taps, cout, x, Op::N, weights, Op::N, 1.0, y);
        laps.mark(base + FWD_GEMM);
    }
}

/// `conv2d_backward_filter` then `conv2d_backward_input` (if `dinput`), with laps.
#[allow(clippy::too_many_arguments)] // the layer functions' arguments, plus the laps
fn backward(
    laps: &mut Laps<'_>,
    layer: usize,
    conv: &Conv,
    dims: Dims,
    input: &[f32],
    dout: &[f32],
    weights: &[f32],
    col: &mut [f32],
    (dweights, dbias): &mut (&mut [f32], &mut [f32]),
    dinput: Option<&mut [f32]>,
) {
    let base = layer * PIECES.len();
    let (p, taps, cout) = (dims.pixels(), conv.taps(), conv.cout);
    if conv.is_pointwise() {
        gemm(taps, p, cout, input, Op::T, dout, Op::N, 0.0, dweights);
        laps.mark(base + DW_GEMM);
    } else {
        for (first, rows) in tiles(conv, p, col) {
            let x = &mut col[..rows * taps];
            im2col_rows(conv, dims, input, first, x);
            laps.mark(base + DW_IM2COL);
            let g = &dout[first * cout..(first + rows) * cout];
            let beta = if first == 0 { 0.0 } else { 1.0 };
            gemm(taps, rows, cout, x, Op::T, g, Op::N, beta, dweights);
            laps.mark(base + DW_GEMM);
        }
    }
    // The bias gradient's f64 column sums, as conv2d_backward_filter computes them.
    for first in (0..cout).step_by(MAX_CHANNELS) {
        let n = (cout - first).min(MAX_CHANNELS);
        let mut sums = [0.0f64; MAX_CHANNELS];
        for row in dout.chunks_exact(cout) {
            for (s, &g) in sums.iter_mut().zip(&row[first..first + n]) {
                *s += f64::from(g);
            }
        }
        for (d, s) in dbias[first..first + n].iter_mut().zip(sums) {
            *d = s as f32;
        }
    }
    laps.mark(base + DB);
    let Some(dinput) = dinput else { return };
    if conv.is_pointwise() {
        gemm(p, cout, taps, dout, Op::N, weights, Op::T, 0.0, dinput);
        laps.mark(base + DX_GEMM);
        return;
    }
    dinput.fill(0.0);
    for (first, rows) in tiles(conv, p, col) {
        let d = &mut col[..rows * taps];
        let g = &dout[first * cout..(first + rows) * cout];
        gemm(rows, cout, taps, g, Op::N, weights, Op::T, 0.0, d);
        laps.mark(base + DX_GEMM);
        col2im_add_rows(conv, dims, d, first, dinput);
        laps.mark(base + DX_COL2IM);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::ProtocolRun;
    use std::time::Instant;

    #[test]
    fn the_profiled_step_is_the_training_step() {
        let t0 = Instant::now();
        let mut clock = move || t0.elapsed().as_secs_f64() * 1e3;
        for loss in [ProtocolLoss::Dice, ProtocolLoss::Ce] {
            let mut run = ProtocolRun::new(2, 20, loss).expect("run");
            let mut prof = StepProfile::new(2, 20, loss).expect("profile");
            for _ in 0..3 {
                // Bit for bit: the same functions in the same order.
                assert_eq!(prof.step(&mut clock), Ok(run.step().expect("step")));
            }
        }
        let mut prof = StepProfile::new(2, 20, ProtocolLoss::Dice).expect("profile");
        prof.step(&mut clock).expect("step");
        let report = prof.report();
        let names: Vec<&str> = report.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"L2 dW gemm") && names.contains(&"L3 dx gemm"));
        assert!(!names.contains(&"L0 dx gemm") && !names.contains(&"L3 relu"));
        assert!(report.iter().all(|(_, ms)| *ms >= 0.0));
        assert!(report.iter().map(|(_, ms)| ms).sum::<f64>() > 0.0);
    }
}
