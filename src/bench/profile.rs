//! `StepProfile`: the protocol's CPU training step taken apart, to see where its time goes (issue
//! 19). It runs the step `CpuBackend` runs — the net's own forward and backward, the loss, Adam,
//! so its losses equal [`super::ProtocolRun`]'s bit for bit — reading the clock at each [`Piece`]
//! the net marks: the images' bordered copy; per layer the forward convolution (bias and ReLU
//! fused), the weight and bias gradients, the flipped weights and the input gradient (the ReLU's
//! gradient fused); the loss; Adam. The clock is the caller's (milliseconds): `performance.now()`
//! in the browser, `Instant` natively.

use super::run::{ProtocolLoss, CLASSES, DATA_SEED, WEIGHT_SEED};
use crate::data::protocol_batch;
use crate::loss::{self, LossConfig};
use crate::net::{
    Dims, InitKind, NetSpec, OptimConfig, Optimizer, Piece, TinySegNet, Workspace, LAYERS,
};
use ndarray::{ArrayView3, ArrayView4, ArrayViewMut4};

/// The pieces of a layer; `PIECES[i]` names slot `i` of a layer.
const PIECES: [&str; 5] = ["forward", "dW", "db", "flip", "dx"];
/// Slots after the per-layer ones.
const INPUT: usize = LAYERS * PIECES.len();
const LOSS: usize = INPUT + 1;
const ADAM: usize = LOSS + 1;
const SLOTS: usize = ADAM + 1;

/// The slot of a piece the net marks.
fn slot(piece: Piece) -> usize {
    let (l, i) = match piece {
        Piece::Input => return INPUT,
        Piece::Forward(l) => (l, 0),
        Piece::WeightGrad(l) => (l, 1),
        Piece::BiasGrad(l) => (l, 2),
        Piece::Flip(l) => (l, 3),
        Piece::InputGrad(l) => (l, 4),
    };
    l * PIECES.len() + i
}

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
    dims: Dims,
    loss: LossConfig,
    images: Vec<f32>,
    labels: Vec<i32>,
    net: TinySegNet,
    ws: Workspace,
    opt: Optimizer,
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
        let (images, labels) = protocol_batch(DATA_SEED, batch, size, size, CLASSES);
        Ok(Self {
            dims,
            loss: loss.config(),
            images,
            labels,
            net: TinySegNet::new(spec, InitKind::Glorot, WEIGHT_SEED),
            ws: Workspace::new(&spec, dims),
            opt: Optimizer::new(OptimConfig::default(), spec.param_count()),
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
        let (dims, batch) = (self.dims, self.dims.batch);
        let (net, ws, images) = (&self.net, &mut self.ws, &self.images[..]);
        net.forward_marked(ws, images, batch, &mut |p| laps.mark(slot(p)));
        // The loss, as CpuBackend::submit_step.
        let shape = (batch, dims.height, dims.width, CLASSES);
        let (logits, dlogits) = ws.logits_and_dlogits(batch);
        let z = ArrayView4::from_shape(shape, logits).map_err(|e| e.to_string())?;
        let y = ArrayView3::from_shape((shape.0, shape.1, shape.2), &self.labels[..])
            .map_err(|e| e.to_string())?;
        let g = ArrayViewMut4::from_shape(shape, dlogits).map_err(|e| e.to_string())?;
        let report =
            loss::fast::evaluate(&self.loss, z, y, Some(g), 1).map_err(|e| e.to_string())?;
        laps.mark(LOSS);
        net.backward_marked(ws, images, batch, &mut |p| laps.mark(slot(p)));
        self.opt.update(self.net.params_mut(), self.ws.grads());
        laps.mark(ADAM);
        self.steps += 1;
        Ok(report.loss)
    }

    /// Every piece's name (`L2 dW`, `input`, `loss`, `adam`) and its mean milliseconds per step so
    /// far; pieces a layer does not have (the first layer's flip and input gradient) are left out.
    pub fn report(&self) -> Vec<(String, f64)> {
        let n = self.steps.max(1) as f64;
        let mut out = vec![("input".to_string(), self.totals[INPUT] / n)];
        for l in 0..LAYERS {
            for (i, piece) in PIECES.iter().enumerate() {
                if l > 0 || i < 3 {
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
        assert!(names.contains(&"L2 dW") && names.contains(&"L3 dx") && names.contains(&"input"));
        assert!(!names.contains(&"L0 dx") && !names.contains(&"L0 flip"));
        assert!(report.iter().all(|(_, ms)| *ms >= 0.0));
        assert!(report.iter().map(|(_, ms)| ms).sum::<f64>() > 0.0);
    }
}
