//! The wasm-bindgen surface the page calls. It converts between JavaScript values and the engine's
//! types and owns no logic.
//!
//! Configurations arrive and reports leave as plain JavaScript objects, never as JSON text, converted
//! by hand (`convert`: no serde-wasm-bindgen, no JSON codec in the bundle; see ARCHITECTURE.md).

mod bench;
pub mod convert;
mod gpu_status;
mod playground;

pub use bench::{GpuProtocolRun, ProtocolRun};
pub use gpu_status::webgpu_status;
pub use playground::Playground;

use crate::loss::{self, LossConfig};
use convert::{FromJs, ToJs};
use ndarray::{ArrayView3, ArrayView4};
use wasm_bindgen::prelude::*;

/// Bytes of this module's WebAssembly memory (it only grows): the soak (`cargo xtask soak`) reads
/// it at the start and the end of a long run.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size::<0>() as f64) * 65536.0
}

/// An error for JavaScript from anything that prints.
pub(crate) fn js(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// A Rust value as a JavaScript object, shaped as its JSON would be (`null` for `None`). Cannot
/// fail; the `Result` is the callers' `?`.
pub(crate) fn to_js<T: ToJs>(value: &T) -> Result<JsValue, JsError> {
    Ok(value.to_js())
}

/// A JavaScript object as a Rust value (missing fields take their defaults; the error names the
/// field).
pub(crate) fn from_js<T: FromJs>(value: JsValue) -> Result<T, JsError> {
    T::from_js(&value).map_err(js)
}

/// Evaluates a loss in the browser. `config` is a `LossConfig` object (option names as on the
/// CLI), `logits` is (B, H, W, C) row-major, `labels` is (B, H, W). Returns the report object with
/// the gradient as a `Float32Array` under `grad`.
#[wasm_bindgen(js_name = evaluateLoss)]
pub fn evaluate_loss(
    config: JsValue,
    shape: &[u32],
    logits: &[f32],
    labels: &[i32],
) -> Result<JsValue, JsError> {
    let cfg: LossConfig = from_js(config)?;
    let [b, h, w, c] = match shape {
        [b, h, w, c] => [*b, *h, *w, *c].map(|d| d as usize),
        _ => return Err(JsError::new("shape must have 4 dimensions (B, H, W, C)")),
    };
    let z = ArrayView4::from_shape((b, h, w, c), logits)?;
    let y = ArrayView3::from_shape((b, h, w), labels)?;
    let (report, grad) = loss::loss_and_grad(&cfg, z, y)?;
    let out = to_js(&report)?;
    let grad = grad
        .as_slice()
        .map(js_sys::Float32Array::from)
        .ok_or_else(|| JsError::new("gradient is not contiguous"))?;
    js_sys::Reflect::set(&out, &"grad".into(), &grad)
        .map_err(|_| JsError::new("cannot attach the gradient to the report"))?;
    Ok(out)
}
