//! TinySegNet trains in the browser: a session (CPU backend, wasm32) takes a few steps in headless
//! Chromium and its loss falls. Run with
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  WASM_BINDGEN_TEST_WEBDRIVER_JSON=tests/webdriver/nowebgpu.json
//!  cargo test --target wasm32-unknown-unknown --test web_train`.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs)]

use dicelab::data::{Annotation, DataConfig};
use dicelab::train::{Preset, Session, SessionConfig};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[wasm_bindgen_test]
fn a_few_training_steps_lower_the_loss_in_the_browser() {
    let cfg = SessionConfig {
        seed: 2,
        batch: 2,
        width: 8,
        data: DataConfig {
            size: 32,
            annotation: Annotation::Full,
            train_images: 4,
            val_images: 2,
            ..DataConfig::default()
        },
        loss: Preset::DiceCe.config(),
        ..SessionConfig::default()
    };
    let mut s = Session::new(cfg).expect("a valid session");
    s.step(40).expect("training steps");
    let losses: Vec<f64> = s.curve().iter().map(|r| r.loss).collect();
    assert_eq!(losses.len(), 40);
    assert!(
        mean(&losses[35..]) < 0.8 * mean(&losses[..5]),
        "loss did not fall: {losses:?}"
    );
    let e = s.evaluate().expect("evaluation");
    assert_eq!(e.classes.len(), 6);
    assert_eq!(s.predictions().len(), 2 * 32 * 32);
}

/// The CPU-only module (built without the `gpu` feature, as the page loads it where WebGPU is
/// missing): asked for the GPU, it trains on the CPU through the same asynchronous calls and says
/// why.
#[cfg(not(feature = "gpu"))]
#[wasm_bindgen_test]
async fn the_cpu_only_module_trains_and_says_why_it_has_no_gpu() {
    use dicelab::web::Playground;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::JsFuture;

    let config = js_sys::Object::new();
    let data = js_sys::Object::new();
    for (target, key, value) in [
        (&data, "size", 32.0),
        (&data, "train-images", 4.0),
        (&config, "batch", 2.0),
        (&config, "width", 8.0),
    ] {
        js_sys::Reflect::set(target, &key.into(), &JsValue::from_f64(value))
            .expect("a plain object");
    }
    js_sys::Reflect::set(&config, &"data".into(), &data).expect("a plain object");
    for backend in ["auto", "gpu"] {
        let pg = Playground::create(config.clone().into(), backend.into(), JsValue::UNDEFINED)
            .await
            .map_err(|_| "create")
            .expect("a CPU run");
        assert_eq!(pg.backend(), "cpu");
        let code = pg.fallback_code().expect("the reason is kept");
        // `DICELAB_WEB_BACKEND` (read at build time, set by `cargo xtask test`): `gpu` where the
        // browser offers an adapter (SwiftShader here: a software one; a GPU elsewhere), `cpu`
        // where it offers none.
        let expected: &[&str] = match option_env!("DICELAB_WEB_BACKEND") {
            Some("gpu") => &["software-adapter", "not-built"],
            Some("cpu") => &["no-webgpu", "no-adapter"],
            _ => &["no-webgpu", "no-adapter", "software-adapter", "not-built"],
        };
        assert!(expected.contains(&code.as_str()), "{backend}: {code}");
        assert!(pg.fallback_reason().is_some_and(|r| !r.is_empty()));
        JsFuture::from(pg.step_async(3))
            .await
            .map_err(|_| "steps")
            .expect("steps");
        assert_eq!(pg.steps(), 3.0);
    }
    let cpu = Playground::create(config.into(), "cpu".into(), JsValue::UNDEFINED)
        .await
        .map_err(|_| "create")
        .expect("a CPU run");
    assert_eq!(
        cpu.fallback_code(),
        None,
        "asked for the CPU: nothing to explain"
    );
}
