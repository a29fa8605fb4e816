//! The wasm-bindgen surface the page calls. It converts between JavaScript values and the engine's
//! types and owns no logic.
//!
//! Configurations arrive and reports leave as plain JavaScript objects (serde-wasm-bindgen), never
//! as JSON text: the bundle then carries no JSON codec (see ARCHITECTURE.md).

mod playground;
pub use playground::Playground;

// The API beyond the playground (bench.html, embedders, the browser tests): feature `extras`.
#[cfg(feature = "extras")]
mod bench;
#[cfg(feature = "extras")]
mod evaluate;
#[cfg(feature = "extras")]
mod gpu_status;
#[cfg(feature = "extras")]
pub use self::{
    bench::{GpuProtocolRun, ProtocolRun},
    evaluate::evaluate_loss,
    gpu_status::webgpu_status,
};

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
