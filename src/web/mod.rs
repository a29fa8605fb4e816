//! The wasm-bindgen surface the page calls. It converts between JavaScript values and the engine's
//! types and owns no logic.
//!
//! Configurations arrive and reports leave as plain JavaScript objects (serde-wasm-bindgen), never
//! as JSON text: the bundle then carries no JSON codec (see ARCHITECTURE.md).

mod bench;
mod gpu_status;
mod playground;

pub use bench::{GpuProtocolRun, ProtocolRun};
pub use gpu_status::webgpu_status;
pub use playground::Playground;

use crate::loss::{self, LossConfig};
use ndarray::{ArrayView3, ArrayView4};
use serde::de::DeserializeOwned;
use serde::Serialize;
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

/// A Rust value as a JavaScript object, shaped as its JSON would be (`null` for `None`).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js)
}

/// A JavaScript object as a Rust value (missing fields take their serde defaults).
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(js)
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
