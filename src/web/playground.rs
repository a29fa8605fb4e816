//! `Playground`: the training session as the page's worker sees it. Configurations arrive as objects
//! (the option names of the CLI and the URL), results leave as objects for small structured data and
//! as typed arrays for pixels. Converts only: every decision is the session's.
//!
//! Two ways in. `new Playground(config)` trains on the CPU with the synchronous calls (`step`,
//! `evaluate`). `await Playground.create(config, backend)` picks WebGPU when `backend` is `"gpu"` or
//! `"auto"` and a device exists, else the CPU with the reason kept (`backend()`,
//! `fallbackReason()`, `fallbackCode()`; the CPU-only build, without the `gpu` feature, always
//! takes the CPU and says why); it is driven by `await stepAsync(n)` and
//! `await evaluateAsync()`, which never block the worker: a GPU step is submitted, its loss report
//! comes back through a ring of staging buffers mapped asynchronously, and the promise resolves once
//! all `n` reports are in. The session lives in an `Rc<RefCell<…>>` that no await holds borrowed,
//! so the other (synchronous) getters stay callable while a promise is pending. A device lost
//! mid-run continues on the CPU from the last weights read back (every 16 steps, see
//! `gpu::net::CHECKPOINT_EVERY`); `fallbackReason()` then says so.

use super::convert::ToJs;
use super::own::own_image;
use super::{drive, from_js, js};
use crate::data::OwnImage;
use crate::gpu::FallbackReason;
use crate::loss::LossConfig;
use crate::net::OptimConfig;
use crate::train::{Progress, Session, SessionConfig};
use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Validation images shown on the page.
const SHOWN: usize = 3;

/// One training run.
#[wasm_bindgen]
pub struct Playground {
    inner: Rc<RefCell<Session>>,
}

/// A GPU session for `cfg`, or why there is none.
#[cfg(feature = "gpu")]
async fn gpu_session(
    cfg: SessionConfig,
    auto: bool,
    own: Option<OwnImage>,
) -> Result<Session, FallbackReason> {
    use crate::gpu::{GpuContext, GpuError};
    use crate::train::{GpuBackend, TrainError};
    let spec = cfg.validate().map_err(FallbackReason::GpuFailed)?;
    let ctx = if auto {
        GpuContext::new_hardware().await?
    } else {
        GpuContext::new().await?
    };
    let dims = cfg.dims();
    let backend = GpuBackend::new(ctx, spec, dims, cfg.optim)
        .await
        .map_err(|e| FallbackReason::GpuFailed(e.to_string()))?;
    Session::with_backend_on(cfg, Box::new(backend), own).map_err(|e| match e {
        // A Lovász sort past this device's limits: the CPU trains it, saying why.
        TrainError::Gpu(GpuError::NoKernel(reason)) => reason,
        e => FallbackReason::GpuFailed(e.to_string()),
    })
}

/// The CPU-only build has no GPU session; it says why (the page loads it where WebGPU cannot train).
#[cfg(not(feature = "gpu"))]
async fn gpu_session(
    _: SessionConfig,
    _: bool,
    _: Option<OwnImage>,
) -> Result<Session, FallbackReason> {
    Err(crate::gpu::cpu_build_reason().await)
}

/// The promise's error value.
#[wasm_bindgen]
impl Playground {
    /// A new run from a `SessionConfig` object (missing fields take their defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Playground, JsError> {
        let cfg: SessionConfig = from_js(config)?;
        Ok(Self::wrap(Session::new(cfg).map_err(js)?))
    }

    fn wrap(session: Session) -> Self {
        Self {
            inner: Rc::new(RefCell::new(session)),
        }
    }

    fn session(&self) -> Ref<'_, Session> {
        self.inner.borrow()
    }

    fn session_mut(&self) -> RefMut<'_, Session> {
        self.inner.borrow_mut()
    }

    /// A new run (resolves to a `Playground`). `backend`: `"cpu"`; `"gpu"` for WebGPU when the
    /// browser gives a device; `"auto"` the same unless the device is a software rasteriser (slower
    /// than the CPU engine). Otherwise the CPU, with the reason in `fallbackReason()`. `image`:
    /// `undefined` for the synthetic scenes, or your own painted image, `{height, width, classes,
    /// rgb: Float32Array (H·W·3 in 0–1), labels: Uint8Array (H·W, 255 = none)}`.
    pub async fn create(
        config: JsValue,
        backend: String,
        image: JsValue,
    ) -> Result<Playground, JsError> {
        let cfg: SessionConfig = from_js(config)?;
        cfg.validate().map_err(js)?;
        let own = own_image(&image)?;
        let session = match backend.as_str() {
            "cpu" => Session::new_on(cfg, own).map_err(js)?,
            "gpu" | "auto" => match gpu_session(cfg, backend == "auto", own.clone()).await {
                Ok(s) => s,
                Err(reason) => {
                    let mut s = Session::new_on(cfg, own).map_err(js)?;
                    s.set_fallback_reason(reason);
                    s
                }
            },
            other => {
                return Err(JsError::new(&format!(
                    "backend must be cpu, gpu or auto, got {other}"
                )))
            }
        };
        Ok(Self::wrap(session))
    }

    /// Destroys the WebGPU device as a driver reset would: the run must go on on the CPU from the
    /// last weights read back. A test hook, also reachable from the page's console.
    #[wasm_bindgen(js_name = loseDevice)]
    pub fn lose_device(&self) {
        self.session().lose_device();
    }

    /// Where the net trains now: `"gpu"` or `"cpu"`.
    pub fn backend(&self) -> String {
        self.session().backend_name().into()
    }

    /// The WebGPU adapter the run trains on (`null` on the CPU).
    pub fn adapter(&self) -> Option<String> {
        self.session().adapter()
    }

    /// GPU buffers this run has created, or `null` on the CPU: constant while it trains (what the
    /// soak checks).
    #[wasm_bindgen(js_name = gpuBuffers)]
    pub fn gpu_buffers(&self) -> Option<u32> {
        self.session()
            .gpu_buffers()
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Why the run is on the CPU although the GPU was asked for (a sentence), or `null`.
    #[wasm_bindgen(js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.session().fallback_reason().map(|r| r.to_string())
    }

    /// The stable code of that reason (`no-webgpu`, `no-adapter`, `device-lost`, …), or `null`.
    #[wasm_bindgen(js_name = fallbackCode)]
    pub fn fallback_code(&self) -> Option<String> {
        self.session().fallback_reason().map(|r| r.code().into())
    }

    /// Advances `n` steps without blocking; resolves (to `undefined`) once every step's report is
    /// in the curve. Rejects with the error of a failed step.
    #[wasm_bindgen(js_name = stepAsync)]
    pub fn step_async(&self, n: u32) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let mut left = u64::from(n);
            drive(&inner, |s| {
                Ok::<_, crate::train::TrainError>(match s.advance(&mut left)? {
                    Some(signal) => Progress::Wait(signal),
                    None => Progress::Done(JsValue::UNDEFINED),
                })
            })
            .await
        })
    }

    /// Validation metrics (a promise of an object), predicted without blocking.
    #[wasm_bindgen(js_name = evaluateAsync)]
    pub fn evaluate_async(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let e = drive(&inner, Session::evaluate_advance).await?;
            Ok(e.to_js())
        })
    }

    /// Advances `n` steps.
    pub fn step(&self, n: u32) -> Result<(), JsError> {
        self.session_mut().step(u64::from(n)).map_err(js)
    }

    /// Steps done.
    pub fn steps(&self) -> f64 {
        self.session().steps() as f64
    }

    /// Changes the loss from the next step on (a `LossConfig` object).
    #[wasm_bindgen(js_name = setLoss)]
    pub fn set_loss(&self, loss: JsValue) -> Result<(), JsError> {
        let loss: LossConfig = from_js(loss)?;
        loss.validate().map_err(js)?;
        self.session_mut().set_loss(loss).map_err(js)
    }

    /// Changes the optimiser from the next step on (an `OptimConfig` object).
    #[wasm_bindgen(js_name = setOptimizer)]
    pub fn set_optimizer(&self, optim: JsValue) -> Result<(), JsError> {
        let optim: OptimConfig = from_js(optim)?;
        self.session_mut().set_optimizer(optim).map_err(js)
    }

    /// The loss curve from step index `from` on, flattened as `[step, loss, step, loss, …]`.
    #[wasm_bindgen(js_name = curveSince)]
    pub fn curve_since(&self, from: u32) -> Vec<f64> {
        let session = self.session();
        let curve = session.curve();
        let from = (from as usize).min(curve.len());
        curve[from..]
            .iter()
            .flat_map(|r| [r.step as f64, r.loss])
            .collect()
    }

    /// The last step's loss report (`null` before the first step).
    #[wasm_bindgen(js_name = lastReport)]
    pub fn last_report(&self) -> Result<JsValue, JsError> {
        Ok(self.session().last_report().to_js())
    }

    /// Validation metrics (predicts every validation image).
    pub fn evaluate(&self) -> Result<JsValue, JsError> {
        let e = self.session_mut().evaluate().map_err(js)?;
        Ok(e.to_js())
    }

    /// Predicted classes of the shown evaluation images, as of the last `evaluate`.
    pub fn predictions(&self) -> Vec<u8> {
        let n = self.shown() * self.pixels();
        self.session().predictions()[..n].to_vec()
    }

    /// Height of the shown images: the scenes' size, or your image's height.
    #[wasm_bindgen(js_name = imageHeight)]
    pub fn image_height(&self) -> usize {
        self.session().view().height
    }

    /// Width of the shown images.
    #[wasm_bindgen(js_name = imageWidth)]
    pub fn image_width(&self) -> usize {
        self.session().view().width
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.session().view().classes
    }

    /// How many evaluation images the page shows (your image: 1, whole).
    #[wasm_bindgen(js_name = shownImages)]
    pub fn shown(&self) -> usize {
        SHOWN.min(self.session().view().count)
    }

    /// The shown images, (N, H, W, 3) in [0, 1].
    #[wasm_bindgen(js_name = validationImages)]
    pub fn validation_images(&self) -> Vec<f32> {
        self.session().view().images[..self.shown() * self.pixels() * 3].to_vec()
    }

    /// Their truth, (N, H, W): the scenes' true classes, or your painted labels (255: none).
    #[wasm_bindgen(js_name = validationLabels)]
    pub fn validation_labels(&self) -> Vec<u8> {
        let n = self.shown() * self.pixels();
        let session = self.session();
        let truth = &session.view().truth[..n];
        truth
            .iter()
            .map(|&c| u8::try_from(c).unwrap_or(u8::MAX))
            .collect()
    }

    /// `Σ_k |∂L/∂z_k|` per pixel of the first image of the last training batch, (H, W), as a
    /// promise of a `Float32Array` (empty before the first step). On the GPU a small kernel and a
    /// read-back of H·W values run on request, awaited without blocking; steps never pay for it.
    #[wasm_bindgen(js_name = gradientHeatAsync)]
    pub fn gradient_heat_async(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let heat = drive(&inner, Session::gradient_heat_advance).await?;
            Ok(js_sys::Float32Array::from(heat.unwrap_or_default().as_slice()).into())
        })
    }

    /// That image, (H, W, 3).
    #[wasm_bindgen(js_name = batchImage)]
    pub fn batch_image(&self) -> Vec<f32> {
        self.session().last_batch_first().0.to_vec()
    }

    /// Its training labels as annotated (255: ignored), (H, W).
    #[wasm_bindgen(js_name = batchLabels)]
    pub fn batch_labels(&self) -> Vec<u8> {
        let session = self.session();
        session
            .last_batch_first()
            .1
            .iter()
            .map(|&c| u8::try_from(c).unwrap_or(u8::MAX))
            .collect()
    }

    fn pixels(&self) -> usize {
        self.session().view().pixels()
    }
}
