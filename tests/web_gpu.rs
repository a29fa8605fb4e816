//! The GPU engine in a browser (wasm-bindgen-test, headless Chromium): with WebGPU on (SwiftShader,
//! `tests/webdriver/webgpu.json`) the engine picks the GPU and matches the CPU engine on the case/
//! config grids (Part 1's and Part 2's) of the native tests; with WebGPU off (`tests/webdriver/nowebgpu.json`) it falls back
//! to the CPU, says why, and gives the CPU's numbers.
//!
//! `DICELAB_WEB_BACKEND=gpu` or `=cpu` at build time states which of the two the run must see, so a
//! run that expected WebGPU and did not get it fails instead of passing on the fallback.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, dead_code, clippy::unwrap_used)]

#[path = "native/cases.rs"]
mod cases;
#[path = "native/compare.rs"]
mod compare;
#[path = "native/reference.rs"]
mod reference;
#[path = "native/suite.rs"]
mod suite;

use cases::cases;
use dicelab::gpu::{BackendKind, LossEngine};
use dicelab::loss::{self, LossConfig, LossKind};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The backend this run must see, if the build says.
const EXPECTED: Option<&str> = option_env!("DICELAB_WEB_BACKEND");

/// Acquires the engine and checks it against [`EXPECTED`].
async fn engine() -> LossEngine {
    let engine = LossEngine::new().await;
    let reason = engine.fallback_reason().map(ToString::to_string);
    console_log!("backend {:?}, fallback reason {reason:?}", engine.backend());
    match EXPECTED {
        Some("gpu") => assert_eq!(engine.backend(), BackendKind::Gpu, "{reason:?}"),
        Some("cpu") => assert_eq!(engine.backend(), BackendKind::Cpu),
        _ => {}
    }
    engine
}

#[wasm_bindgen_test]
async fn the_engine_matches_the_cpu_engine_on_every_variant() {
    let mut engine = engine().await;
    let start = js_sys::Date::now();
    // Every configuration on the first case (absent class, ignored pixels), every 8th on the
    // others: the whole grid runs natively, and the browser's runner allows 20 s by default.
    let every = |n| if n == 0 { 1 } else { 8 };
    let checked = suite::gpu_matches_cpu(&mut engine, cases::configs, &[(0.3, 2.0)], every).await;
    assert_eq!(checked, 384 + 3 * 48);
    console_log!(
        "{checked} evaluations on the {} in {:.1} s",
        engine.backend().name(),
        (js_sys::Date::now() - start) / 1e3
    );
}

#[wasm_bindgen_test]
async fn part2_losses_match_the_cpu_engine() {
    let mut engine = engine().await;
    let start = js_sys::Date::now();
    // Part 2's grid: every 2nd configuration on the first case, every 16th on the others.
    let every = |n| if n == 0 { 2 } else { 16 };
    let checked =
        suite::gpu_matches_cpu(&mut engine, cases::part2_configs, &[(0.3, 2.0)], every).await;
    let n = cases::part2_configs(0.3, 2.0).len();
    assert_eq!(checked, n.div_ceil(2) + 3 * n.div_ceil(16));
    console_log!(
        "{checked} Part 2 evaluations on the {} in {:.1} s",
        engine.backend().name(),
        (js_sys::Date::now() - start) / 1e3
    );
}

#[wasm_bindgen_test]
async fn without_webgpu_the_cpu_is_chosen_with_a_reason() {
    let engine = engine().await;
    match engine.backend() {
        BackendKind::Gpu => assert!(engine.fallback_reason().is_none()),
        BackendKind::Cpu => {
            let reason = engine
                .fallback_reason()
                .expect("a CPU fallback keeps its reason");
            assert!(
                ["no-webgpu", "no-adapter", "device-request-failed"].contains(&reason.code()),
                "{reason}"
            );
            assert!(!reason.to_string().is_empty());
        }
    }
}

#[wasm_bindgen_test]
async fn a_lost_device_moves_the_engine_to_the_cpu() {
    let mut engine = engine().await;
    let Some(gpu) = engine.gpu() else {
        console_log!("no GPU in this run: nothing to lose");
        return;
    };
    gpu.context().destroy();
    let case = &cases()[0];
    let cfg = LossConfig {
        kind: LossKind::DiceCe,
        ..LossConfig::default()
    };
    let (z, y) = (case.logits.view(), case.labels.view());
    let got = engine.evaluate(&cfg, z, y, None).await.unwrap();
    assert_eq!(engine.backend(), BackendKind::Cpu);
    let reason = engine
        .fallback_reason()
        .expect("the loss is kept as the reason");
    console_log!("after destroy(): {reason}");
    assert!(
        ["device-lost", "gpu-failed"].contains(&reason.code()),
        "{reason}"
    );
    assert_eq!(got, loss::evaluate(&cfg, z, y, None).unwrap());
}
