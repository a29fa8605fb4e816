//! The page's option table, defined once: every option a visitor can set, with its control's label,
//! group, help, range and where its value goes in `SessionConfig`. Allowed values come from the
//! `Named` enums, defaults from `SessionConfig::default()` and presets from `Preset::config`, so
//! nothing here restates the engine. `generated` renders the files made from it (`www/schema.js`
//! and `www/option_help.js` for the page, the web layer's field lists in
//! `src/web/convert/fields.in.rs`);
//! `tests/native/generated.rs` fails when they are stale and `cargo xtask codegen` rewrites them.

use crate::data::{range, Annotation};
use crate::loss::{
    Activation, Aggregation, Formula, LossConfig, LossKind, Reduction, Variant, Weights,
};
use crate::net::{OptimKind, WIDTHS};
use crate::options::Named;
use crate::train::{Preset, SessionConfig, BATCH};
use serde_json::{json, Value};
use std::ops::RangeInclusive;

/// The type of an option's control.
pub enum Control {
    /// One of the names of a `Named` enum.
    Enum(fn() -> Vec<&'static str>),
    /// One of a few numbers, shown as a menu (the engine takes the number).
    Choice(&'static [usize]),
    /// A page-only menu with its default (the engine never sees it).
    Page(&'static [&'static str], &'static str),
    /// A checkbox.
    Bool,
    /// A real number; `log` for a logarithmic slider, `step` `None` for any value.
    Number {
        /// Lowest and highest value the page accepts.
        range: RangeInclusive<f64>,
        /// The control's step (`None`: any).
        step: Option<f64>,
        /// A logarithmic scale.
        log: bool,
    },
    /// A whole number.
    Int {
        /// Lowest and highest value the page accepts.
        range: RangeInclusive<f64>,
        /// The control's step.
        step: Option<f64>,
    },
}

/// One option of the page.
pub struct PageOption {
    /// Its key in the URL hash and the page's state.
    pub key: &'static str,
    /// `loss`, `data` or `train`.
    pub group: &'static str,
    /// The control's label.
    pub label: &'static str,
    /// The control.
    pub control: Control,
    /// Where the value goes in `SessionConfig`'s JSON (empty: nowhere, a page setting). The first
    /// path gives the default; the value is written to each.
    pub paths: &'static [&'static [&'static str]],
    /// One line of help.
    pub help: &'static str,
    /// Run B of an A/B pair may differ in it.
    pub ab: bool,
    /// Changing it needs new runs (the others apply mid-run).
    pub restart: bool,
    /// The option may be unset (`null` in the engine's JSON: the loss's own default), shown as
    /// "auto" with the value in force.
    pub auto: bool,
}

/// An option that run B shares and that applies mid-run (see `ab` and `restart`).
const fn opt(
    key: &'static str,
    group: &'static str,
    label: &'static str,
    control: Control,
    paths: &'static [&'static [&'static str]],
    help: &'static str,
) -> PageOption {
    PageOption {
        key,
        group,
        label,
        control,
        paths,
        help,
        ab: false,
        restart: false,
        auto: false,
    }
}

impl PageOption {
    const fn ab(mut self) -> Self {
        self.ab = true;
        self
    }
    const fn restart(mut self) -> Self {
        self.restart = true;
        self
    }
    const fn auto(mut self) -> Self {
        self.auto = true;
        self
    }
}

const fn real(r: &RangeInclusive<usize>) -> RangeInclusive<f64> {
    (*r.start() as f64)..=(*r.end() as f64)
}

/// The option groups, in the page's order.
pub const GROUPS: [(&str, &str); 3] = [("loss", "Loss"), ("data", "Data"), ("train", "Training")];

/// Every option, in the page's order.
#[rustfmt::skip]
pub const OPTIONS: &[PageOption] = &[
    opt("loss", "loss", "Loss", Control::Enum(LossKind::names), &[&["loss", "kind"]],
        "Soft Dice, Generalized Dice (Sudre), cross-entropy, Dice + CE; soft Jaccard (IoU), Tversky, \
         focal Tversky, focal, Lovász-softmax, Dice + focal").ab(),
    opt("variant", "loss", "Library variant", Control::Enum(Variant::names), &[&["loss", "variant"]],
        "Whose formula where the libraries differ: MONAI's or segmentation_models_pytorch's (SMP) \
         smoothing, clamp and absent classes; paper: Abraham & Khan's focal Tversky").ab().auto(),
    opt("formula", "loss", "Smoothing formula", Control::Enum(Formula::names), &[&["loss", "formula"]],
        "corrected: 1 − (2I+s)/(R+P+s); seed (the question's bug): 1 − 2(I+s)/(R+P+s)").ab(),
    opt("weights", "loss", "Class weights (GDL)", Control::Enum(Weights::names), &[&["loss", "weights"]],
        "1/R², 1/R or 1, multiplied into the sums before the division").ab(),
    opt("reduction", "loss", "Reduction", Control::Enum(Reduction::names), &[&["loss", "reduction"]],
        "Mean or sum of the per-class (or per-image) terms").ab(),
    opt("agg", "loss", "Aggregation", Control::Enum(Aggregation::names), &[&["loss", "aggregation"]],
        "Sums over the whole batch, or per image").ab(),
    opt("squared", "loss", "Squared denominator", Control::Bool, &[&["loss", "squared"]],
        "Σp² in the denominator (V-Net)").ab(),
    opt("smooth", "loss", "Smoothing s", Control::Number { range: 0.0..=100.0, step: None, log: false },
        &[&["loss", "smooth-nr"], &["loss", "smooth-dr"]],
        "Added to numerator and denominator").ab(),
    opt("act", "loss", "Activation", Control::Enum(Activation::names), &[&["loss", "activation"]],
        "Softmax over classes or a sigmoid per class").ab(),
    opt("bg", "loss", "Include background", Control::Bool, &[&["loss", "include-background"]],
        "Whether class 0 takes part in the loss").ab(),
    opt("alpha", "loss", "α", Control::Number { range: 0.0..=1.0, step: Some(0.05), log: false },
        &[&["loss", "alpha"]], "Tversky: the weight of the false positives; focal: the weight of the \
         true class (unset: none)").ab().auto(),
    opt("beta", "loss", "β", Control::Number { range: 0.0..=1.0, step: Some(0.05), log: false },
        &[&["loss", "beta"]], "Tversky: the weight of false negatives; β > α favours recall, so small \
         regions are missed less").ab(),
    // Above 0: focal Tversky needs γ > 0 (its 1/γ and the power of a mean).
    opt("gamma", "loss", "γ", Control::Number { range: 0.05..=5.0, step: Some(0.05), log: false },
        &[&["loss", "gamma"]], "Focal: (1 − p)^γ down-weights easy pixels; focal Tversky: the \
         exponent").ab().auto(),
    opt("log", "loss", "−log of the score", Control::Bool, &[&["loss", "log-loss"]],
        "SMP's log_loss: −ln(score) instead of 1 − score").ab(),
    opt("focal-act", "loss", "Focal activation", Control::Enum(Activation::names), &[&["loss", "focal-activation"]],
        "Focal term: a sigmoid per class (SMP, MONAI's default) or the softmax (MONAI's use_softmax)").ab(),
    opt("lambda-dice", "loss", "λ Dice", Control::Number { range: 0.0..=10.0, step: Some(0.1), log: false },
        &[&["loss", "lambda-dice"]], "Dice + focal: the Dice term's weight").ab(),
    opt("lambda-focal", "loss", "λ focal", Control::Number { range: 0.0..=10.0, step: Some(0.1), log: false },
        &[&["loss", "lambda-focal"]], "Dice + focal: the focal term's weight").ab(),
    opt("source", "data", "Images", Control::Page(&["scenes", "yours"], "scenes"), &[],
        "scenes: synthetic materials; yours: your own image with the labels you paint on it (below), \
         kept in this browser"),
    opt("classes", "data", "Classes", Control::Int { range: real(&range::CLASSES), step: None },
        &[&["data", "classes"]], "Materials, class 0 is the background"),
    opt("size", "data", "Image size", Control::Int { range: real(&range::SIZE), step: Some(16.0) },
        &[&["data", "size"]], "Height and width in pixels"),
    opt("imbalance", "data", "Imbalance", Control::Number { range: range::IMBALANCE, step: None, log: true },
        &[&["data", "imbalance"]], "Share of the most frequent class over the rarest"),
    opt("rare", "data", "Rare class mostly absent", Control::Bool, &[&["data", "rare-absent"]],
        "The last class appears in one image in five"),
    opt("noise", "data", "Noise", Control::Number { range: range::NOISE, step: Some(0.01), log: false },
        &[&["data", "noise"]], "Pixel noise"),
    opt("labels", "data", "Annotation", Control::Enum(Annotation::names), &[&["data", "annotation"]],
        "sparse-ignore: a few parallelograms labelled per image, the rest ignored (the question's \
         annotation); sparse: the rest labelled background; full: every pixel labelled").ab().restart(),
    opt("polygons", "data", "Parallelograms per image", Control::Int { range: real(&range::POLYGONS), step: None },
        &[&["data", "polygons"]], "Labelled regions per image in the sparse modes"),
    opt("opt", "train", "Optimiser", Control::Enum(OptimKind::names), &[&["optim", "kind"]],
        "Adam or SGD with momentum 0.9").ab(),
    opt("lr", "train", "Learning rate", Control::Number { range: 1e-5..=1.0, step: None, log: true },
        &[&["optim", "lr"]], "Step size").ab(),
    // Half the engine's largest batch: a step stays short enough to keep the page responsive.
    opt("batch", "train", "Batch", Control::Int { range: 1.0..=(*BATCH.end() as f64 / 2.0), step: None },
        &[&["batch"]], "Images per step"),
    opt("width", "train", "Width", Control::Choice(&WIDTHS), &[&["width"]], "Hidden channels of TinySegNet"),
    opt("seed", "train", "Seed", Control::Int { range: 0.0..=(u32::MAX as f64), step: None }, &[&["seed"]],
        "Data, weights and batch order all follow from it"),
    opt("backend", "train", "Backend", Control::Page(&["auto", "webgpu", "cpu"], "auto"), &[],
        "auto: WebGPU on a hardware GPU, else the CPU; webgpu: WebGPU even on a software adapter"),
];

/// The value at `path` in a JSON object.
fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn engine_defaults() -> Value {
    serde_json::to_value(SessionConfig::default()).unwrap_or(Value::Null)
}

/// An option's default, as the page stores it (menus hold strings).
pub fn default_of(o: &PageOption) -> Value {
    if let Control::Page(_, d) = o.control {
        return json!(d);
    }
    let defaults = engine_defaults();
    let v = o.paths.first().and_then(|p| at(&defaults, p)).cloned();
    match (&o.control, v) {
        (Control::Choice(_), Some(Value::Number(n))) => json!(n.to_string()),
        (_, Some(v)) => v,
        (_, None) => Value::Null,
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// A JSON object with its keys in the given order (serde_json's `Map` would sort them).
fn obj(pairs: &[(&str, Value)]) -> String {
    let fields: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}:{v}", json!(k)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// One option as the page's table holds it.
fn option_json(o: &PageOption) -> String {
    let mut m = vec![
        ("key", json!(o.key)),
        ("group", json!(o.group)),
        ("label", json!(o.label)),
    ];
    let (ty, values) = match &o.control {
        Control::Enum(names) => ("enum", Some(json!(names()))),
        Control::Choice(xs) => {
            let v: Vec<String> = xs.iter().map(|x| x.to_string()).collect();
            ("enum", Some(json!(v)))
        }
        Control::Page(v, _) => ("enum", Some(json!(v))),
        Control::Bool => ("bool", None),
        Control::Number { .. } => ("number", None),
        Control::Int { .. } => ("int", None),
    };
    m.push(("type", json!(ty)));
    if let Some(v) = values {
        m.push(("values", v));
    }
    if let Control::Choice(_) = o.control {
        m.push(("numeric", json!(true)));
    }
    if let Control::Number { range: r, step, .. } | Control::Int { range: r, step } = &o.control {
        m.push(("min", number(*r.start())));
        m.push(("max", number(*r.end())));
        if let Some(s) = step {
            m.push(("step", number(*s)));
        }
    }
    if let Control::Number { log: true, .. } = o.control {
        m.push(("log", json!(true)));
    }
    m.push(("default", default_of(o)));
    m.push(("paths", json!(o.paths)));
    if o.auto {
        m.push(("auto", json!(true)));
    }
    if o.ab {
        m.push(("ab", json!(true)));
    }
    if o.restart {
        m.push(("restart", json!(true)));
    }
    obj(&m)
}

/// Each preset as the page's option values (the loss options, read back from `Preset::config`),
/// one `name: {…}` line each, in the CLI's order.
fn presets_js() -> String {
    let mut out = String::new();
    for p in Preset::ALL {
        let loss = serde_json::to_value(p.config()).unwrap_or(Value::Null);
        let values: Vec<(&str, Value)> = OPTIONS
            .iter()
            .filter(|o| o.group == "loss")
            .filter_map(|o| {
                let path = o.paths.first()?;
                Some((o.key, at(&loss, path.get(1..)?)?.clone()))
            })
            .collect();
        out.push_str(&format!("  {}: {},\n", json!(p.name()), obj(&values)));
    }
    out
}

/// Each loss's library variants, the one in force when none is chosen, and per variant the γ and
/// the Tversky α in force when unset.
fn kinds_js() -> String {
    LossKind::ALL
        .iter()
        .map(|&kind| {
            let cfg = LossConfig {
                kind,
                ..LossConfig::default()
            };
            let variants: Vec<&str> = kind.variants().iter().map(|v| v.name()).collect();
            let usual = match variants.is_empty() {
                true => Value::Null,
                false => json!(cfg.variant().name()),
            };
            let per_variant = |f: fn(&LossConfig) -> f64| {
                let pairs: Vec<(&str, Value)> = kind
                    .variants()
                    .iter()
                    .map(|&v| {
                        let c = LossConfig {
                            variant: Some(v),
                            ..cfg
                        };
                        (v.name(), json!(f(&c)))
                    })
                    .collect();
                obj(&pairs)
            };
            let value = format!(
                "{{\"variants\":{},\"usual\":{usual},\"gamma\":{},\"alpha\":{}}}",
                json!(variants),
                per_variant(LossConfig::gamma),
                per_variant(LossConfig::tversky_alpha),
            );
            format!("  {}: {value},\n", json!(kind.name()))
        })
        .collect()
}

const HEADER: &str = "Generated by `cargo xtask codegen` from src/options/schema.rs: do not edit.";

/// `www/schema.js`: the option table, the groups, the presets and the engine's loss defaults.
pub fn render_js() -> String {
    let options: String = OPTIONS
        .iter()
        .map(|o| format!("  {},\n", option_json(o)))
        .collect();
    let groups: String = GROUPS
        .iter()
        .map(|(key, label)| {
            format!(
                "  {},\n",
                obj(&[("key", json!(key)), ("label", json!(label))])
            )
        })
        .collect();
    // The struct's own serialisation keeps its field order.
    let loss = serde_json::to_string(&crate::loss::LossConfig::default()).unwrap_or_default();
    format!(
        "// {HEADER}\n\n\
         /** Every option a visitor can set, in the page's order. */\n\
         export const OPTIONS = [\n{options}];\n\n\
         export const GROUPS = [\n{groups}];\n\n\
         /** The presets of `dicelab train --preset`, as option values. */\n\
         export const PRESETS = {{\n{}}};\n\n\
         /** Each loss's library variants, the one in force when none is chosen, and per variant\n\
          * the γ and Tversky α in force when unset. */\n\
         export const KINDS = {{\n{}}};\n\n\
         /** The engine's `LossConfig` defaults (the fields the page has no control for). */\n\
         export const LOSS_DEFAULTS = {loss};\n\n\
         /** The shortest and longest side of your own image, as the engine accepts it. */\n\
         export const OWN_SIDE = [{}, {}];\n",
        presets_js(),
        kinds_js(),
        range::OWN_SIDE.start(),
        range::OWN_SIDE.end(),
    )
}

/// The web layer's field lists: each configuration's Rust fields with their JSON names.
pub fn render_fields() -> String {
    let defaults = engine_defaults();
    let config = |ty: &str, v: Option<&Value>| {
        let fields: String = v
            .and_then(Value::as_object)
            .map(|m| {
                m.keys()
                    .map(|k| format!("    {}: {},\n", k.replace('-', "_"), json!(k)))
                    .collect()
            })
            .unwrap_or_default();
        format!("config!({ty} {{\n{fields}}});\n")
    };
    [
        format!("// {HEADER}\n// Included by src/web/convert/types.rs: the field lists of the configurations the page sends.\n"),
        config("SessionConfig", Some(&defaults)),
        config("DataConfig", defaults.get("data")),
        config("OptimConfig", defaults.get("optim")),
        config("LossConfig", defaults.get("loss")),
    ]
    .join("\n")
}

/// `www/option_help.js`: each option's help, which the page loads when a "?" is first pressed.
pub fn render_help_js() -> String {
    let help: String = OPTIONS
        .iter()
        .map(|o| format!("  {}: {},\n", json!(o.key), json!(o.help)))
        .collect();
    format!(
        "// {HEADER}\n\n/** Each option's help, by key (loaded on first use). */\nexport const HELP = {{\n{help}}};\n"
    )
}

/// Every generated file: its path from the repository root and its content.
pub fn generated() -> [(&'static str, String); 3] {
    [
        ("www/schema.js", render_js()),
        ("www/option_help.js", render_help_js()),
        ("src/web/convert/fields.in.rs", render_fields()),
    ]
}
