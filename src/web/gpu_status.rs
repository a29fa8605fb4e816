//! `webgpuStatus()`: whether this browser gives the loss kernels a WebGPU device, and if not, why —
//! for the page to show beside the backend in use.

use super::convert::{Fields, ToJs};
use crate::gpu::GpuContext;
use wasm_bindgen::prelude::*;

struct Status {
    available: bool,
    adapter: Option<String>,
    reason: Option<String>,
    code: Option<&'static str>,
}

impl ToJs for Status {
    fn to_js(&self) -> JsValue {
        Fields::new()
            .put("available", &self.available)
            .put("adapter", &self.adapter)
            .put("reason", &self.reason)
            .put("code", &self.code)
            .into()
    }
}

/// Tries to acquire a WebGPU device with the loss kernels compiled; returns
/// `{available, adapter, reason, code}` as a JavaScript object.
#[wasm_bindgen(js_name = webgpuStatus)]
pub async fn webgpu_status() -> Result<JsValue, JsError> {
    let status = match GpuContext::new().await {
        Ok(ctx) => {
            // Browsers may withhold the adapter's name (SwiftShader gives none).
            let adapter = match ctx.adapter() {
                a if a.starts_with(' ') || a.starts_with('(') => format!("unnamed{}", a.trim_end()),
                a => a,
            };
            ctx.destroy();
            Status {
                available: true,
                adapter: Some(adapter),
                reason: None,
                code: None,
            }
        }
        Err(reason) => Status {
            available: false,
            adapter: None,
            reason: Some(reason.to_string()),
            code: Some(reason.code()),
        },
    };
    Ok(status.to_js())
}
