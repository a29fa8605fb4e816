//! The wasm-bindgen surface the page calls. It converts between JavaScript values and the engine's
//! types and owns no logic.
//!
//! Configurations arrive and reports leave as plain JavaScript objects, never as JSON text, converted
//! by hand (`convert`: no serde-wasm-bindgen, no JSON codec in the bundle; see ARCHITECTURE.md).

pub mod convert;
mod own;
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
    bench::{CpuBenchRun, GpuBenchRun},
    evaluate::evaluate_loss,
    gpu_status::webgpu_status,
};
use convert::FromJs;
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

/// The same, as the value a promise rejects with.
pub(crate) fn js_err(e: impl std::fmt::Display) -> JsValue {
    js(e).into()
}

/// Drives a non-blocking call to completion: calls it, awaits each signal it hands back, calls
/// again. The one promise loop of the web layer; no borrow of `cell` is held across an await, so
/// the page may call in between.
pub(crate) async fn drive<S, T, E: std::fmt::Display>(
    cell: &std::cell::RefCell<S>,
    mut call: impl FnMut(&mut S) -> Result<crate::train::Progress<T>, E>,
) -> Result<T, JsValue> {
    loop {
        let progress = call(&mut cell.borrow_mut()).map_err(js_err)?;
        match progress {
            crate::train::Progress::Wait(signal) => signal.await,
            crate::train::Progress::Done(t) => return Ok(t),
        }
    }
}

/// A JavaScript object as a Rust value (missing fields take their defaults; the error names the
/// field).
pub(crate) fn from_js<T: FromJs>(value: JsValue) -> Result<T, JsError> {
    T::from_js(&value).map_err(js)
}
