//! Whether the platform offers WebGPU at all: the one question that needs
//! `cfg(target_arch = "wasm32")`, since only a browser can lack `navigator.gpu` (an adapter request
//! would fail either way, but the UI should say which).

/// `true` in a browser (or worker) whose `navigator` has no `gpu`.
#[cfg(target_arch = "wasm32")]
pub fn webgpu_missing() -> bool {
    use wasm_bindgen::JsValue;
    let get = |target: &JsValue, key: &str| {
        js_sys::Reflect::get(target, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    get(&js_sys::global().into(), "navigator")
        .and_then(|nav| get(&nav, "gpu"))
        .is_none()
}

/// Natively the backends decide; there is no browser API to miss.
#[cfg(not(target_arch = "wasm32"))]
pub fn webgpu_missing() -> bool {
    false
}
