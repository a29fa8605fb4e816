//! The training step in headless Chromium: with WebGPU (SwiftShader, `tests/webdriver/webgpu.json`)
//! a few GPU steps through `Playground.create(…, "gpu")` and `stepAsync` agree with the CPU path, and
//! so does the gradient heatmap (`gradientHeatAsync`);
//! without it (`nowebgpu.json`) the same call falls back to the CPU with the reason kept, and trains.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used)]

use dicelab::web::{webgpu_status, Playground};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CONFIG: &str =
    r#"{"batch":2,"width":8,"data":{"size":32,"classes":3,"train-images":4,"val-images":2}}"#;

fn config() -> wasm_bindgen::JsValue {
    js_sys::JSON::parse(CONFIG).unwrap()
}

/// A report object as JSON.
fn json(v: &wasm_bindgen::JsValue) -> serde_json::Value {
    serde_json::from_str(&String::from(js_sys::JSON::stringify(v).unwrap())).unwrap()
}

async fn webgpu_available() -> bool {
    let status = webgpu_status().await.map_err(|_| "status").unwrap();
    js_sys::Reflect::get(&status, &"available".into())
        .unwrap()
        .as_bool()
        .unwrap()
}

#[wasm_bindgen_test]
async fn gpu_steps_agree_with_the_cpu_or_the_fallback_trains() {
    let gpu = Playground::create(config(), "gpu".into(), wasm_bindgen::JsValue::UNDEFINED)
        .await
        .map_err(|_| "create")
        .unwrap();
    // `DICELAB_WEB_BACKEND` (read at build time, set by `cargo xtask test`) names the backend this
    // run must see, so a run meant for WebGPU cannot pass on the fallback.
    match option_env!("DICELAB_WEB_BACKEND") {
        Some("gpu") => assert!(webgpu_available().await, "this run expects WebGPU"),
        Some("cpu") => assert!(!webgpu_available().await, "this run expects no WebGPU"),
        _ => {}
    }
    if webgpu_available().await {
        assert_eq!(gpu.backend(), "gpu");
        assert_eq!(gpu.fallback_reason(), None);
    } else {
        assert_eq!(gpu.backend(), "cpu");
        assert!(gpu.fallback_code().is_some(), "the reason is kept");
    }
    // Printed with --nocapture: which path this browser took.
    console_log!(
        "training on {} ({:?})",
        gpu.backend(),
        gpu.fallback_reason()
    );
    JsFuture::from(gpu.step_async(4))
        .await
        .map_err(|_| "stepAsync")
        .unwrap();
    let cpu = Playground::new(config()).map_err(|_| "new").unwrap();
    cpu.step(4).map_err(|_| "step").unwrap();
    let (g, c) = (gpu.curve_since(0), cpu.curve_since(0));
    assert_eq!(g.len(), 8, "four steps, each [step, loss]");
    for (a, b) in g.iter().zip(&c) {
        assert!((a - b).abs() < 1e-4 * b.abs().max(1.0), "{g:?} vs {c:?}");
    }
    // The |∂L/∂z| heatmap of the last batch: read back from the GPU without blocking, and equal to
    // the CPU's (tolerance as tests/native/gheat.rs).
    let heat = |p: &Playground| {
        let promise = p.gradient_heat_async();
        async move {
            let v = JsFuture::from(promise).await.map_err(|_| "heat").unwrap();
            js_sys::Float32Array::from(v).to_vec()
        }
    };
    let (gh, ch) = (heat(&gpu).await, heat(&cpu).await);
    assert_eq!(gh.len(), 32 * 32, "one value per pixel of the first image");
    let max = ch.iter().fold(0.0f32, |m, v| m.max(*v));
    assert!(max > 0.0, "the CPU heat is not all zero");
    let diff = gh
        .iter()
        .zip(&ch)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(diff < 1e-4 * max, "heat differs by {diff} (max {max})");
    let eval = JsFuture::from(gpu.evaluate_async())
        .await
        .map_err(|_| "evaluateAsync")
        .unwrap();
    let eval = json(&eval);
    let cpu_eval = json(&cpu.evaluate().map_err(|_| "evaluate").unwrap());
    let acc = |v: &serde_json::Value| {
        v["pixel-accuracy"]
            .as_f64()
            .or(v["pixel_accuracy"].as_f64())
            .unwrap()
    };
    assert!((acc(&eval) - acc(&cpu_eval)).abs() < 0.01);
}
