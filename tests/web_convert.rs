//! The web layer's hand-written conversion (`dicelab::web::convert`) against serde-wasm-bindgen, the
//! crate it replaced, in headless Chromium: every value out has the shape serde gave it
//! (`json_compatible`), every object in reads as serde read it, and what serde refused is refused,
//! with the field named. The field lists of `convert` exist beside the serde derives; these tests
//! are what keeps the two from drifting. Also `num::Num`, which prints floats as JavaScript does.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used)]

use dicelab::data::{Annotation, DataConfig};
use dicelab::loss::{
    self, Activation, Aggregation, Formula, LossConfig, LossKind, LossReport, Reduction, Variant,
    Weights,
};
use dicelab::net::{InitKind, OptimConfig, OptimKind};
use dicelab::num::Num;
use dicelab::rng::Mulberry32;
use dicelab::train::{Confusion, Evaluation, Session, SessionConfig};
use dicelab::web::convert::{FromJs, ToJs};
use dicelab::web::{webgpu_status, Playground};
use ndarray::{Array3, Array4};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What serde-wasm-bindgen made of `value` (the web layer's former `to_js`).
fn serde_out<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

/// Where `a` and `b` differ as JavaScript values (keys as sets, `Object.is` on leaves), if anywhere.
fn differ(a: &JsValue, b: &JsValue, at: &str) -> Option<String> {
    let show = |v: &JsValue| format!("{v:?}");
    if js_sys::Array::is_array(a) || js_sys::Array::is_array(b) {
        let (Some(x), Some(y)) = (a.dyn_ref::<js_sys::Array>(), b.dyn_ref::<js_sys::Array>())
        else {
            return Some(format!("{at}: {} vs {}", show(a), show(b)));
        };
        if x.length() != y.length() {
            return Some(format!("{at}: length {} vs {}", x.length(), y.length()));
        }
        return (0..x.length()).find_map(|i| differ(&x.get(i), &y.get(i), &format!("{at}[{i}]")));
    }
    if a.is_object() && b.is_object() {
        let keys = |v: &JsValue| {
            let mut k: Vec<String> = js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>())
                .iter()
                .map(|k| k.as_string().unwrap())
                .collect();
            k.sort();
            k
        };
        let (ka, kb) = (keys(a), keys(b));
        if ka != kb {
            return Some(format!("{at}: keys {ka:?} vs {kb:?}"));
        }
        return ka.iter().find_map(|k| {
            let get = |v: &JsValue| js_sys::Reflect::get(v, &k.into()).unwrap();
            differ(&get(a), &get(b), &format!("{at}.{k}"))
        });
    }
    (!js_sys::Object::is(a, b)).then(|| format!("{at}: {} vs {}", show(a), show(b)))
}

/// `to_js` gives what serde gave.
fn same_as_serde<T: ToJs + Serialize>(value: &T) {
    let (ours, theirs) = (value.to_js(), serde_out(value));
    if let Some(d) = differ(&ours, &theirs, "value") {
        panic!("to_js differs from serde-wasm-bindgen at {d}");
    }
}

/// A JavaScript value from JSON text.
fn parse(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// Every field away from its default (so a field `convert` forgot, in or out, shows).
fn full_config() -> SessionConfig {
    SessionConfig {
        seed: 4_000_000_000,
        batch: 3,
        width: 8,
        init: InitKind::Glorot,
        data: DataConfig {
            classes: 4,
            size: 40,
            imbalance: 2.5,
            rare_absent: false,
            noise: 0.125,
            annotation: Annotation::SparseIgnore,
            polygons: 7,
            train_images: 9,
            val_images: 5,
        },
        optim: OptimConfig {
            kind: OptimKind::Sgd,
            lr: 0.03,
            beta1: 0.8,
            beta2: 0.99,
            epsilon: 1e-9,
            momentum: 0.5,
        },
        loss: LossConfig {
            kind: LossKind::DiceCe,
            formula: Formula::Seed,
            weights: Weights::Simple,
            reduction: Reduction::Sum,
            aggregation: Aggregation::PerImage,
            squared: true,
            smooth_nr: 0.25,
            smooth_dr: 1e-5,
            activation: Activation::Sigmoid,
            ignore_index: -1,
            include_background: false,
            // Part 2's options (ignored by dice+ce, but carried), `variant` left unset.
            variant: None,
            alpha: Some(0.3),
            beta: 0.7,
            gamma: Some(1.5),
            log_loss: false,
            eps: 1e-6,
            focal_activation: Activation::Softmax,
            lambda_dice: 0.5,
            lambda_focal: 2.0,
        },
    }
}

#[wasm_bindgen_test]
fn configs_go_out_as_serde_wrote_them() {
    for cfg in [SessionConfig::default(), full_config()] {
        same_as_serde(&cfg);
        same_as_serde(&cfg.loss);
        same_as_serde(&cfg.data);
        same_as_serde(&cfg.optim);
    }
}

/// Reads `value` both ways; both must accept it and agree.
fn reads_as_serde<T: FromJs + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &JsValue,
) -> T {
    let ours = T::from_js(value).map_err(|e| e.to_string()).unwrap();
    let theirs: T = serde_wasm_bindgen::from_value(value.clone()).unwrap();
    assert_eq!(ours, theirs);
    ours
}

#[wasm_bindgen_test]
fn valid_objects_read_as_serde_read_them() {
    let full = full_config();
    // Every field given (as serde wrote it, and as we write it).
    assert_eq!(reads_as_serde::<SessionConfig>(&serde_out(&full)), full);
    assert_eq!(reads_as_serde::<SessionConfig>(&full.to_js()), full);
    // Partial objects, unknown keys, and an array (an object to both, with none of the fields).
    for json in [
        "{}",
        "[]",
        r#"{"batch":2,"loss":{"kind":"gdl","weights":"uniform"}}"#,
        r#"{"data":{"size":64,"rare-absent":false},"optim":{"lr":0.5}}"#,
        r#"{"foo":1,"loss":{"bar":true,"smooth-nr":0.5,"ignore-index":-7},"data":{"x":null}}"#,
        r#"{"seed":0,"width":32,"init":"he","optim":{"kind":"adam","epsilon":1e300}}"#,
        r#"{"seed":4294967295,"loss":{"ignore-index":-2147483648},"batch":-0}"#,
    ] {
        reads_as_serde::<SessionConfig>(&parse(json));
    }
    // Non-finite numbers are numbers to both (validation refuses them later, see below).
    let odd = parse(r#"{"smooth-nr":0}"#);
    js_sys::Reflect::set(&odd, &"smooth-nr".into(), &f64::NAN.into()).unwrap();
    js_sys::Reflect::set(&odd, &"smooth-dr".into(), &f64::INFINITY.into()).unwrap();
    let read: LossConfig = LossConfig::from_js(&odd)
        .map_err(|e| e.to_string())
        .unwrap();
    let serde: LossConfig = serde_wasm_bindgen::from_value(odd).unwrap();
    assert!(read.smooth_nr.is_nan() && serde.smooth_nr.is_nan());
    assert_eq!(read.smooth_dr, serde.smooth_dr);
    reads_as_serde::<LossConfig>(&parse(r#"{"kind":"ce","activation":"sigmoid"}"#));
    reads_as_serde::<LossConfig>(&parse(
        r#"{"kind":"tversky","variant":"smp","alpha":0.3,"gamma":null,"log-loss":true}"#,
    ));
    reads_as_serde::<DataConfig>(&parse(r#"{"annotation":"full","imbalance":1000}"#));
    reads_as_serde::<OptimConfig>(&parse(r#"{"kind":"sgd","momentum":0}"#));
}

/// `value` is refused by serde and by `convert`, whose message is `message` exactly.
fn refused(value: &JsValue, message: &str) {
    assert!(
        serde_wasm_bindgen::from_value::<SessionConfig>(value.clone()).is_err(),
        "serde accepted {value:?}"
    );
    match SessionConfig::from_js(value) {
        Ok(c) => panic!("accepted {value:?} as {c:?}"),
        Err(e) => assert_eq!(e.to_string(), message),
    }
}

#[wasm_bindgen_test]
fn invalid_objects_are_refused_naming_the_field() {
    let u32_range = "an integer from 0 to 4294967295";
    let i32_range = "an integer from -2147483648 to 2147483647";
    for (json, message) in [
        (
            r#"{"loss":{"smooth-nr":"x"}}"#,
            r#"loss.smooth-nr: expected a number, got "x""#.to_owned(),
        ),
        (
            r#"{"seed":"1"}"#,
            format!(r#"seed: expected {u32_range}, got "1""#),
        ),
        (
            r#"{"seed":1.5}"#,
            format!("seed: expected {u32_range}, got 1.5"),
        ),
        (
            r#"{"seed":-1}"#,
            format!("seed: expected {u32_range}, got -1"),
        ),
        (
            r#"{"seed":4294967296}"#,
            format!("seed: expected {u32_range}, got 4294967296"),
        ),
        (
            r#"{"batch":1e300}"#,
            format!("batch: expected {u32_range}, got 1e+300"),
        ),
        (
            r#"{"data":{"train-images":2.000001}}"#,
            format!("data.train-images: expected {u32_range}, got 2.000001"),
        ),
        (
            r#"{"loss":{"ignore-index":2147483648}}"#,
            format!("loss.ignore-index: expected {i32_range}, got 2147483648"),
        ),
        (
            r#"{"loss":{"ignore-index":-2147483649}}"#,
            format!("loss.ignore-index: expected {i32_range}, got -2147483649"),
        ),
        (
            r#"{"loss":{"squared":1}}"#,
            "loss.squared: expected true or false, got 1".to_owned(),
        ),
        (
            r#"{"data":{"rare-absent":"yes"}}"#,
            r#"data.rare-absent: expected true or false, got "yes""#.to_owned(),
        ),
        (
            r#"{"loss":{"kind":"dcie"}}"#,
            r#"loss.kind: expected one of dice, gdl, ce, dice+ce, jaccard, tversky, focal-tversky, focal, lovasz, dice+focal, got "dcie""#.to_owned(),
        ),
        (
            r#"{"init":"Glorot"}"#,
            r#"init: expected one of he, glorot, got "Glorot""#.to_owned(),
        ),
        (
            r#"{"data":{"annotation":3}}"#,
            "data.annotation: expected one of full, sparse, sparse-ignore, got 3".to_owned(),
        ),
        (
            r#"{"optim":{"kind":null}}"#,
            "optim.kind: expected one of adam, sgd, got null".to_owned(),
        ),
        (
            r#"{"optim":{"lr":[1]}}"#,
            "optim.lr: expected a number, got an array".to_owned(),
        ),
        (
            r#"{"optim":{"lr":{"v":1}}}"#,
            "optim.lr: expected a number, got an object".to_owned(),
        ),
        (
            r#"{"optim":null}"#,
            "optim: expected an object, got null".to_owned(),
        ),
        (
            r#"{"data":7}"#,
            "data: expected an object, got 7".to_owned(),
        ),
        ("null", "expected an object, got null".to_owned()),
        (r#""seed""#, r#"expected an object, got "seed""#.to_owned()),
    ] {
        refused(&parse(json), &message);
    }
    refused(&JsValue::UNDEFINED, "expected an object, got undefined");
    // A field that is there but `undefined` is not a missing one (to serde either).
    let loss = parse("{}");
    js_sys::Reflect::set(&loss, &"activation".into(), &JsValue::UNDEFINED).unwrap();
    let cfg = parse("{}");
    js_sys::Reflect::set(&cfg, &"loss".into(), &loss).unwrap();
    refused(
        &cfg,
        "loss.activation: expected one of softmax, sigmoid, got undefined",
    );
    // A BigInt is no number for an integer field: refused as serde did for a `u32`, and (stricter)
    // for a `usize`, which serde read through `u64` and so took as a BigInt.
    let with = |field: &str| {
        let cfg = parse("{}");
        js_sys::Reflect::set(&cfg, &field.into(), &js_sys::BigInt::from(16u32).into()).unwrap();
        cfg
    };
    refused(
        &with("seed"),
        &format!("seed: expected {u32_range}, got a bigint"),
    );
    assert!(serde_wasm_bindgen::from_value::<SessionConfig>(with("width")).is_ok());
    let err = SessionConfig::from_js(&with("width"))
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(
        err,
        Err(format!("width: expected {u32_range}, got a bigint"))
    );
    // Stricter than serde, which also took an enum in its externally tagged form.
    let tagged = parse(r#"{"kind":{"gdl":null}}"#);
    assert!(serde_wasm_bindgen::from_value::<LossConfig>(tagged.clone()).is_ok());
    let err = LossConfig::from_js(&tagged)
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(
        err,
        Err("kind: expected one of dice, gdl, ce, dice+ce, jaccard, tversky, focal-tversky, focal, lovasz, dice+focal, got an object".into())
    );
}

/// A random batch: logits in [-3, 3), labels in 0..C with every 7th pixel ignored.
fn batch(seed: u32, shape: [usize; 4]) -> (Array4<f32>, Array3<i32>) {
    let mut rng = Mulberry32::new(seed);
    let [b, h, w, c] = shape;
    let z = Array4::from_shape_fn(shape, |_| rng.next_f32() * 6.0 - 3.0);
    let mut i = 0;
    let y = Array3::from_shape_fn((b, h, w), |_| {
        i += 1;
        if i % 7 == 0 {
            255
        } else {
            rng.below(c) as i32
        }
    });
    (z, y)
}

#[wasm_bindgen_test]
fn loss_reports_go_out_as_serde_wrote_them() {
    let base = LossConfig::default();
    let configs = [
        base,
        LossConfig {
            kind: LossKind::Ce,
            ..base
        },
        LossConfig {
            kind: LossKind::DiceCe,
            include_background: false,
            ..base
        },
        LossConfig {
            kind: LossKind::Gdl,
            aggregation: Aggregation::PerImage,
            ..base
        },
        LossConfig {
            kind: LossKind::Gdl,
            weights: Weights::Uniform,
            smooth_dr: 0.0,
            ..base
        },
        LossConfig {
            ignore_index: 255,
            ..full_config().loss
        },
        // Part 2: the focal part and shares, the scores and terms, Lovász's unit values.
        LossConfig {
            kind: LossKind::DiceFocal,
            variant: Some(Variant::Smp),
            ..base
        },
        LossConfig {
            kind: LossKind::Lovasz,
            aggregation: Aggregation::PerImage,
            ..base
        },
        LossConfig {
            kind: LossKind::Tversky,
            alpha: Some(0.3),
            beta: 0.7,
            ..base
        },
    ];
    for (i, cfg) in configs.iter().enumerate() {
        let (z, y) = batch(i as u32 + 1, [2, 3, 4, 3]);
        let (report, _) = loss::loss_and_grad(cfg, z.view(), y.view()).unwrap();
        same_as_serde(&report);
        // The page's `lastReport()` lends it.
        same_as_serde(&Some(&report));
    }
    same_as_serde(&None::<&LossReport>);
    assert!(None::<&LossReport>.to_js().is_null());
}

#[wasm_bindgen_test]
fn evaluations_go_out_as_serde_wrote_them() {
    let cfg = parse(
        r#"{"batch":1,"width":8,"data":{"size":32,"classes":3,"train-images":2,"val-images":2}}"#,
    );
    let mut session = Session::new(
        SessionConfig::from_js(&cfg)
            .map_err(|e| e.to_string())
            .unwrap(),
    )
    .unwrap();
    session.step(1).unwrap();
    same_as_serde(&session.evaluate().unwrap());
    // A class nobody predicts and one absent from the truth: `null` ratios, `never_predicted`.
    let mut m = Confusion::new(3);
    m.add(&[0, 0, 1, 1, 1], &[0, 1, 1, 1, 2]);
    same_as_serde(&Evaluation::from_confusion(7, m));
    same_as_serde(&Evaluation::from_confusion(0, Confusion::new(2)));
}

#[wasm_bindgen_test]
async fn webgpu_status_has_its_four_fields() {
    let status = webgpu_status().await.map_err(|_| "status").unwrap();
    let get = |k: &str| js_sys::Reflect::get(&status, &k.into()).unwrap();
    let keys: Vec<String> = js_sys::Object::keys(status.unchecked_ref::<js_sys::Object>())
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect();
    assert_eq!(keys, ["available", "adapter", "reason", "code"]);
    if get("available").as_bool().unwrap() {
        assert!(get("adapter").as_string().is_some());
        assert!(get("reason").is_null() && get("code").is_null());
    } else {
        assert!(get("adapter").is_null());
        assert!(get("reason").as_string().is_some() && get("code").as_string().is_some());
    }
}

#[wasm_bindgen_test]
fn num_prints_as_javascript_does() {
    for (x, js) in [
        (0.1, "0.1"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (123456789012.5, "123456789012.5"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
        (-0.0, "0"),
        (-2.5, "-2.5"),
    ] {
        assert_eq!(Num(x).to_string(), js);
    }
    assert_eq!(Num(f32::NAN).to_string(), "NaN");
    assert_eq!(format!("[{:>5}]", Num(0.5)), "[  0.5]");
}

/// The page sees those digits in a refusal.
#[wasm_bindgen_test]
fn refusals_print_floats_as_javascript_does() {
    let message = |json: &str| {
        let err = Playground::new(parse(json)).map(|_| ()).unwrap_err();
        let err: JsValue = err.into();
        String::from(err.unchecked_into::<js_sys::Error>().message())
    };
    assert_eq!(
        message(r#"{"optim":{"lr":1e21}}"#),
        "learning rate must be in (0, 10], got 1e+21"
    );
    assert_eq!(
        message(r#"{"data":{"imbalance":0.0000001}}"#),
        "--imbalance must be between 1 and 1000, got 1e-7"
    );
    let cfg = parse(r#"{"loss":{}}"#);
    let loss = js_sys::Reflect::get(&cfg, &"loss".into()).unwrap();
    js_sys::Reflect::set(&loss, &"smooth-dr".into(), &f64::NEG_INFINITY.into()).unwrap();
    let err: JsValue = Playground::new(cfg).map(|_| ()).unwrap_err().into();
    let text = String::from(err.unchecked_into::<js_sys::Error>().message());
    assert_eq!(
        text,
        "smoothing smooth-dr must be a finite number >= 0, got -Infinity"
    );
}
