//! What the platform offers before any device exists: whether a browser has WebGPU at all (the one
//! question that needs `cfg(target_arch = "wasm32")`, since only a browser can lack `navigator.gpu`),
//! and, in the CPU-only build, why there is no GPU run, asked of WebGPU directly since that build
//! has no wgpu.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsValue;

/// `target[key]`, unless missing, `undefined` or `null`.
#[cfg(target_arch = "wasm32")]
fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `navigator.gpu` of this window or worker.
#[cfg(target_arch = "wasm32")]
fn navigator_gpu() -> Option<JsValue> {
    get(&js_sys::global().into(), "navigator").and_then(|nav| get(&nav, "gpu"))
}

/// `true` in a browser (or worker) whose `navigator` has no `gpu`.
#[cfg(target_arch = "wasm32")]
pub fn webgpu_missing() -> bool {
    navigator_gpu().is_none()
}

/// Natively the backends decide; there is no browser API to miss.
#[cfg(not(target_arch = "wasm32"))]
pub fn webgpu_missing() -> bool {
    false
}

/// Why the CPU-only build trains on the CPU when asked for the GPU: what the page's choice of build
/// (www/engine.js) saw, by the rule wgpu's WebGPU backend applies (`isFallbackAdapter` means a
/// software adapter).
#[cfg(all(target_arch = "wasm32", not(feature = "gpu")))]
pub async fn cpu_build_reason() -> super::FallbackReason {
    use super::FallbackReason;
    let Some(gpu) = navigator_gpu() else {
        return FallbackReason::NoWebGpu;
    };
    let request = get(&gpu, "requestAdapter")
        .map(js_sys::Function::from)
        .and_then(|f| f.call0(&gpu).ok())
        .map(js_sys::Promise::from);
    let Some(request) = request else {
        return FallbackReason::NoAdapter("requestAdapter failed".into());
    };
    match wasm_bindgen_futures::JsFuture::from(request).await {
        Ok(adapter) if adapter.is_null() || adapter.is_undefined() => {
            FallbackReason::NoAdapter("the browser offered none".into())
        }
        Ok(adapter) => {
            let info = get(&adapter, "info");
            let flag = |key: &str| info.as_ref().and_then(|i| get(i, key));
            if flag("isFallbackAdapter").and_then(|v| v.as_bool()) == Some(true) {
                let name = flag("description").and_then(|v| v.as_string());
                FallbackReason::SoftwareAdapter(name.unwrap_or_else(|| "unnamed".into()))
            } else {
                FallbackReason::NotBuilt
            }
        }
        // A rejection carries an exception (its `message`), not a string.
        Err(e) => FallbackReason::NoAdapter(
            get(&e, "message")
                .and_then(|m| m.as_string())
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "requestAdapter was refused".into()),
        ),
    }
}
