//! Browser tests of the web layer (wasm-bindgen-test in headless Chromium): the wasm build computes
//! the spec's values, its gradient agrees with finite differences, and bad input is an error, not a
//! panic.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used)]

use dicelab::web::evaluate_loss;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A JavaScript object from JSON text, as the page builds its configurations.
fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// The report as JSON, and the gradient (a `Float32Array` on the report).
fn eval(config: &str, shape: &[u32], z: &[f32], y: &[i32]) -> (serde_json::Value, Vec<f32>) {
    let report = evaluate_loss(obj(config), shape, z, y)
        .map_err(|_| "evaluate failed")
        .unwrap();
    let grad = js_sys::Reflect::get(&report, &"grad".into()).unwrap();
    let grad = js_sys::Float32Array::from(grad).to_vec();
    let json = String::from(js_sys::JSON::stringify(&report).unwrap());
    (serde_json::from_str(&json).unwrap(), grad)
}

/// MONAI's published value, in channels-last order.
#[wasm_bindgen_test]
fn monai_value_in_the_browser() {
    let z = [
        -1.0f32, 1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ];
    let y = [1, 0, 0, 1, 1, 0];
    let cfg = r#"{"aggregation":"per-image","smooth-nr":1e-4,"smooth-dr":1e-4}"#;
    let (v, _) = eval(cfg, &[2, 1, 3, 2], &z, &y);
    let loss = v["loss"].as_f64().unwrap();
    assert!((loss - 0.383713).abs() < 5e-7, "{loss}");
}

/// The gradient the page receives agrees with central differences of the loss, computed in wasm.
#[wasm_bindgen_test]
fn gradient_matches_finite_differences_in_the_browser() {
    let shape = [1, 2, 2, 3];
    let mut z = vec![
        0.3f32, -1.2, 0.8, 1.5, 0.1, -0.4, -0.7, 0.9, 0.2, 0.05, 0.6, -1.1,
    ];
    let y = [0, 2, 255, 1];
    for cfg in [
        r#"{"kind":"gdl","formula":"seed","squared":true}"#,
        r#"{"kind":"dice+ce","aggregation":"per-image","activation":"sigmoid"}"#,
    ] {
        let (_, grad) = eval(cfg, &shape, &z, &y);
        let grad: Vec<f64> = grad.into_iter().map(f64::from).collect();
        for i in 0..z.len() {
            let h = 1e-2f32;
            let z0 = z[i];
            z[i] = z0 + h;
            let up = eval(cfg, &shape, &z, &y).0["loss"].as_f64().unwrap();
            z[i] = z0 - h;
            let down = eval(cfg, &shape, &z, &y).0["loss"].as_f64().unwrap();
            z[i] = z0;
            let fd = (up - down) / (2.0 * f64::from(h));
            // f32 steps of 1e-2: second-order error ~1e-4.
            assert!(
                (fd - grad[i]).abs() < 1e-3,
                "{cfg}: logit {i}: {fd} vs {}",
                grad[i]
            );
        }
        assert!(
            grad[6..9].iter().all(|&g| g == 0.0),
            "ignored pixel has a gradient"
        );
    }
}

/// Bad input comes back as a JavaScript error with a message, never as a panic (which would abort).
#[wasm_bindgen_test]
fn bad_input_is_an_error() {
    let z = [0.0f32; 6];
    assert!(evaluate_loss(obj("{}"), &[1, 1, 2, 3], &z, &[0, 7]).is_err());
    assert!(evaluate_loss(obj("{}"), &[1, 1, 2], &z, &[0, 1]).is_err());
    assert!(evaluate_loss(obj(r#"{"kind":"dyce"}"#), &[1, 1, 2, 3], &z, &[0, 1]).is_err());
    assert!(evaluate_loss(obj(r#"{"smooth-dr":-1}"#), &[1, 1, 2, 3], &z, &[0, 1]).is_err());
    assert!(evaluate_loss(obj("{}"), &[1, 1, 2, 4], &z, &[0, 1]).is_err());
    let nan = [f32::NAN, 0.0, 0.0, 0.0, 0.0, 0.0];
    assert!(evaluate_loss(obj("{}"), &[1, 1, 2, 3], &nan, &[0, 1]).is_err());
}

/// Every user-chosen size is capped: an over-limit configuration is refused with a message naming
/// the option, before anything large is allocated.
#[wasm_bindgen_test]
fn over_limit_sizes_are_refused() {
    use dicelab::web::Playground;
    for (cfg, option) in [
        (r#"{"data":{"size":4096}}"#, "size"),
        (r#"{"data":{"classes":64}}"#, "classes"),
        (r#"{"batch":100000}"#, "batch"),
        (r#"{"width":4096}"#, "width"),
        (r#"{"data":{"train-images":100000000}}"#, "train-images"),
        (r#"{"loss":{"smooth-dr":-1}}"#, "smooth-dr"),
        (r#"{"seed":"x"}"#, "seed: expected an integer"),
    ] {
        let err = Playground::new(obj(cfg))
            .err()
            .map(wasm_bindgen::JsValue::from);
        let msg = err
            .and_then(|e| js_sys::Reflect::get(&e, &"message".into()).ok())
            .and_then(|m| m.as_string());
        let msg = msg.unwrap_or_default();
        assert!(msg.contains(option), "{cfg}: {msg:?}");
    }
    let ok = Playground::new(obj(r#"{"data":{"size":32},"batch":2}"#))
        .map_err(|_| "valid config")
        .unwrap();
    ok.step(2).map_err(|_| "step").unwrap();
    assert_eq!(ok.steps(), 2.0);
}
