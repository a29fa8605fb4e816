//! `CpuBenchRun` and `GpuBenchRun` (`ProtocolRun`, `GpuProtocolRun` in JavaScript) for `bench.html`:
//! the benchmark protocol's training run, one step per call, so the page can time it beside
//! TensorFlow.js — on the CPU (wasm) and on WebGPU.
//! Also the step taken apart (`StepProfile`) and the SIMD ceiling (`simdPeakRun`) for the report.
//! Converts only: the runs are `crate::bench`'s.

use super::drive;
use crate::bench::{self, ProtocolLoss};
use crate::gpu::GpuContext;
use crate::train::Progress;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The protocol's TinySegNet, data and optimiser, training with `dice` or `ce` on the CPU.
#[wasm_bindgen(js_name = ProtocolRun)]
pub struct CpuBenchRun {
    run: bench::ProtocolRun,
}

#[wasm_bindgen(js_class = ProtocolRun)]
impl CpuBenchRun {
    /// A fresh run of `batch` images of `size × size`; `loss` is `dice` or `ce`.
    #[wasm_bindgen(constructor)]
    pub fn new(batch: usize, size: usize, loss: &str) -> Result<CpuBenchRun, JsError> {
        let loss = ProtocolLoss::parse(loss).map_err(|e| JsError::new(&e))?;
        let run = bench::ProtocolRun::new(batch, size, loss).map_err(|e| JsError::new(&e))?;
        Ok(Self { run })
    }

    /// One training step; returns the loss before the update.
    pub fn step(&mut self) -> Result<f64, JsError> {
        self.run.step().map_err(|e| JsError::new(&e.to_string()))
    }
}

/// The same run on WebGPU: the same data, Glorot weights, loss and Adam settings.
#[wasm_bindgen(js_name = GpuProtocolRun)]
pub struct GpuBenchRun {
    run: Rc<RefCell<bench::ProtocolRun>>,
    adapter: String,
}

#[wasm_bindgen(js_class = GpuProtocolRun)]
impl GpuBenchRun {
    /// A fresh run on WebGPU (resolves to a `GpuProtocolRun`); rejects with the reason — no WebGPU,
    /// no adapter, a failed device — where there is none. Software adapters are used: the page
    /// reports which adapter ran.
    pub async fn create(batch: usize, size: usize, loss: String) -> Result<GpuBenchRun, JsError> {
        let loss = ProtocolLoss::parse(&loss).map_err(|e| JsError::new(&e))?;
        let ctx = GpuContext::new()
            .await
            .map_err(|r| JsError::new(&r.to_string()))?;
        let adapter = ctx.adapter();
        let run = bench::ProtocolRun::on_gpu(ctx, batch, size, loss)
            .await
            .map_err(|e| JsError::new(&e))?;
        Ok(Self {
            run: Rc::new(RefCell::new(run)),
            adapter,
        })
    }

    /// The adapter's description.
    pub fn adapter(&self) -> String {
        self.adapter.clone()
    }

    /// One training step, awaited to completion: the promise resolves to the step's loss (before
    /// its update) once that loss has been read back from the GPU, so a timed step includes the
    /// submission, the kernels and the read-back.
    #[wasm_bindgen(js_name = stepAsync)]
    pub fn step_async(&self) -> js_sys::Promise {
        let run = self.run.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut submitted = false;
            let loss = drive(&run, |r| {
                let loss =
                    if submitted { r.collect() } else { r.submit() }.map_err(|e| e.to_string())?;
                submitted = true;
                match (loss, r.ready_signal()) {
                    (Some(l), _) => Ok(Progress::Done(l)),
                    (None, Some(signal)) => Ok(Progress::Wait(signal)),
                    (None, None) => Err("the step's report was lost".to_string()),
                }
            })
            .await?;
            Ok(JsValue::from_f64(loss))
        })
    }
}

#[wasm_bindgen]
extern "C" {
    // The page's and a worker's clock, in milliseconds (coarsened by the browser).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// The CPU step taken apart (`bench::StepProfile`): the same training run, timed piece by piece.
#[wasm_bindgen(js_name = StepProfile)]
pub struct StepProfileRun {
    run: bench::StepProfile,
}

#[wasm_bindgen(js_class = StepProfile)]
impl StepProfileRun {
    /// A fresh run of `batch` images of `size × size`; `loss` is `dice` or `ce`.
    #[wasm_bindgen(constructor)]
    pub fn new(batch: usize, size: usize, loss: &str) -> Result<StepProfileRun, JsError> {
        let loss = ProtocolLoss::parse(loss).map_err(|e| JsError::new(&e))?;
        let run = bench::StepProfile::new(batch, size, loss).map_err(|e| JsError::new(&e))?;
        Ok(Self { run })
    }

    /// One step; returns the loss before the update.
    pub fn step(&mut self) -> Result<f64, JsError> {
        self.run
            .step(&mut performance_now)
            .map_err(|e| JsError::new(&e))
    }

    /// The pieces' names, in step order.
    pub fn names(&self) -> Vec<String> {
        self.run.report().into_iter().map(|(n, _)| n).collect()
    }

    /// Mean milliseconds per step of each piece, in the order of `names()`.
    #[wasm_bindgen(js_name = msPerStep)]
    pub fn ms_per_step(&self) -> Vec<f64> {
        self.run.report().into_iter().map(|(_, ms)| ms).collect()
    }
}

/// Runs the SIMD ceiling's chains (`bench::simd_peak_run`) for `rounds` rounds; time the call and
/// divide [`simd_peak_flops`] by it.
#[wasm_bindgen(js_name = simdPeakRun)]
pub fn simd_peak_run(rounds: u32, m: f32, a: f32) -> f32 {
    bench::simd_peak_run(rounds, m, a)
}

/// Floating-point operations of `simdPeakRun(rounds, …)`.
#[wasm_bindgen(js_name = simdPeakFlops)]
pub fn simd_peak_flops(rounds: u32) -> f64 {
    bench::simd_peak_flops(rounds)
}

/// Floating-point operations of the matrix products of one protocol training step at `batch` ×
/// `size`² (`bench::step_flops`).
#[wasm_bindgen(js_name = stepFlops)]
pub fn step_flops(batch: usize, size: usize) -> Result<f64, JsError> {
    let spec =
        crate::net::NetSpec::new(16, bench::CLASSES).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(bench::step_flops(&spec, batch * size * size))
}
