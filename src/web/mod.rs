//! The wasm-bindgen surface the page calls. It converts between JavaScript values and the engine's
//! types and owns no logic.

mod bench;
mod gpu_status;
mod playground;

pub use bench::ProtocolRun;
pub use gpu_status::webgpu_status;
pub use playground::Playground;

use crate::loss::{self, LossConfig};
use ndarray::{ArrayView3, ArrayView4};
use wasm_bindgen::prelude::*;

/// Bytes of this module's WebAssembly memory (it only grows): the soak (`cargo xtask soak`) reads
/// it at the start and the end of a long run.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size::<0>() as f64) * 65536.0
}

/// Evaluates a loss in the browser. `config` is a JSON `LossConfig` (option names as on the CLI),
/// `logits` is (B, H, W, C) row-major, `labels` is (B, H, W). Returns the report as JSON, with the
/// gradient under `"grad"`.
#[wasm_bindgen(js_name = evaluateLoss)]
pub fn evaluate_loss(
    config: &str,
    shape: &[u32],
    logits: &[f32],
    labels: &[i32],
) -> Result<String, JsError> {
    let cfg: LossConfig = serde_json::from_str(config)?;
    let [b, h, w, c] = match shape {
        [b, h, w, c] => [*b, *h, *w, *c].map(|d| d as usize),
        _ => return Err(JsError::new("shape must have 4 dimensions (B, H, W, C)")),
    };
    let z = ArrayView4::from_shape((b, h, w, c), logits)?;
    let y = ArrayView3::from_shape((b, h, w), labels)?;
    let (report, grad) = loss::loss_and_grad(&cfg, z, y)?;
    let mut v = serde_json::to_value(&report)?;
    v["grad"] = grad.iter().copied().collect::<Vec<f32>>().into();
    Ok(v.to_string())
}
