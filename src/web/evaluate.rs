//! `evaluateLoss()`: one loss evaluation from JavaScript, report and gradient (feature `extras`: the
//! playground itself never calls it).

use super::convert::ToJs;
use super::from_js;
use crate::loss::{self, LossConfig};
use ndarray::{ArrayView3, ArrayView4};
use wasm_bindgen::prelude::*;

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
    let out = report.to_js();
    let grad = grad
        .as_slice()
        .map(js_sys::Float32Array::from)
        .ok_or_else(|| JsError::new("gradient is not contiguous"))?;
    js_sys::Reflect::set(&out, &"grad".into(), &grad)
        .map_err(|_| JsError::new("cannot attach the gradient to the report"))?;
    Ok(out)
}
