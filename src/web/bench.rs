//! `ProtocolRun` for `bench.html`: the benchmark protocol's training run, one step per call, so the
//! page can time it beside TensorFlow.js. Converts only: the run is `crate::bench`'s.

use crate::bench::{self, ProtocolLoss};
use wasm_bindgen::prelude::*;

/// The protocol's TinySegNet, data and optimiser, training with `dice` or `ce`.
#[wasm_bindgen]
pub struct ProtocolRun {
    run: bench::ProtocolRun,
}

#[wasm_bindgen]
impl ProtocolRun {
    /// A fresh run of `batch` images of `size × size`; `loss` is `dice` or `ce`.
    #[wasm_bindgen(constructor)]
    pub fn new(batch: usize, size: usize, loss: &str) -> Result<ProtocolRun, JsError> {
        let loss = ProtocolLoss::parse(loss).map_err(|e| JsError::new(&e))?;
        let run = bench::ProtocolRun::new(batch, size, loss).map_err(|e| JsError::new(&e))?;
        Ok(Self { run })
    }

    /// One training step; returns the loss before the update.
    pub fn step(&mut self) -> Result<f64, JsError> {
        self.run.step().map_err(|e| JsError::new(&e.to_string()))
    }
}
