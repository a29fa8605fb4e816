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
