//! Hand-written conversion between JavaScript values and the engine's types: `ToJs` (reports out)
//! and `FromJs` (configurations in), in place of serde-wasm-bindgen. Without it, and without the
//! core float printer its error messages kept in (see `crate::num`), the page's wasm + glue went
//! from 147.3 to 130.3 KB gzipped (ARCHITECTURE.md).
//!
//! The shapes are serde's, as `serde_wasm_bindgen::Serializer::json_compatible()` made them: field
//! names as the serde attributes spell them, `None` as `null`, `skip_serializing_if` fields left
//! out, enums by name, `u64` as a number. In: a field that is missing takes its default, unknown
//! fields are ignored, and a value of the wrong type, a non-integer or out-of-range integer, or an
//! unknown option name is a one-line error naming the field (`loss.smooth-nr: expected a number,
//! got "x"`). `tests/web_convert.rs` holds both directions against serde-wasm-bindgen, so the field
//! lists here cannot drift from the serde derives.

mod types;

use crate::num::Num;
use crate::options::Named;
use js_sys::{Array, Object, Reflect};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// A Rust value that becomes a JavaScript value.
pub trait ToJs {
    /// The value as JavaScript builds it: objects, arrays, numbers, strings, `null`.
    fn to_js(&self) -> JsValue;
}

/// A Rust value read from a JavaScript value.
pub trait FromJs: Sized {
    /// The value, or why `value` is not one.
    fn from_js(value: &JsValue) -> Result<Self, Mismatch>;
}

/// A JavaScript value that does not fit: where (the field path) and why.
#[derive(Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Field names from the innermost out (each level adds its own on the way up).
    path: Vec<&'static str>,
    message: String,
}

impl Mismatch {
    fn new(message: String) -> Self {
        Self {
            path: Vec::new(),
            message,
        }
    }

    /// The same mismatch inside field `name`.
    fn within(mut self, name: &'static str) -> Self {
        self.path.push(name);
        self
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.path.iter().rev().enumerate() {
            f.write_str(if i == 0 { "" } else { "." })?;
            f.write_str(name)?;
        }
        if !self.path.is_empty() {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// `expected {what}, got …`, the value shown as a person would type it.
fn expected(what: &str, got: &JsValue) -> Mismatch {
    let got = if let Some(s) = got.as_string() {
        format!("{s:?}")
    } else if let Some(x) = got.as_f64() {
        Num(x).to_string()
    } else if let Some(b) = got.as_bool() {
        b.to_string()
    } else if got.is_null() {
        "null".to_owned()
    } else if got.is_undefined() {
        "undefined".to_owned()
    } else if Array::is_array(got) {
        "an array".to_owned()
    } else if got.is_object() {
        "an object".to_owned()
    } else {
        format!("a {}", got.js_typeof().as_string().unwrap_or_default())
    };
    Mismatch::new(format!("expected {what}, got {got}"))
}

/// `value` as an object whose fields can be read (arrays count, as for serde).
pub(crate) fn object(value: &JsValue) -> Result<&Object, Mismatch> {
    if value.is_object() {
        Ok(value.unchecked_ref())
    } else {
        Err(expected("an object", value))
    }
}

/// Field `name` of `obj`, or `default` when the object has no such field. A field that is present
/// but `undefined` is a value, and wrong for every type we read (as serde has it).
pub(crate) fn field<T: FromJs>(
    obj: &Object,
    name: &'static str,
    default: T,
) -> Result<T, Mismatch> {
    match get(obj, name) {
        Some(value) => T::from_js(&value).map_err(|e| e.within(name)),
        None => Ok(default),
    }
}

/// Field `name` of `obj`, `None` when there is no such field (kept out of `field`: once, not per
/// type).
fn get(obj: &Object, name: &str) -> Option<JsValue> {
    let key = JsValue::from_str(name);
    // A getter that throws reads as `undefined`, which no field takes.
    let value = Reflect::get(obj, &key).unwrap_or(JsValue::UNDEFINED);
    (!value.is_undefined() || Reflect::has(obj, &key).unwrap_or(false)).then_some(value)
}

/// A JavaScript object built field by field, in the order serde writes them.
pub(crate) struct Fields(Object);

impl Fields {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Self(Object::new())
    }

    /// Sets field `name`.
    pub(crate) fn put(self, name: &str, value: &impl ToJs) -> Self {
        // Setting a string key on a plain object we just made cannot throw.
        let _ = Reflect::set(&self.0, &JsValue::from_str(name), &value.to_js());
        self
    }

    /// Sets field `name` unless `value` is `None` (serde's `skip_serializing_if = "Option::is_none"`).
    pub(crate) fn put_some(self, name: &str, value: &Option<impl ToJs>) -> Self {
        match value {
            Some(v) => self.put(name, v),
            None => self,
        }
    }
}

impl From<Fields> for JsValue {
    fn from(fields: Fields) -> Self {
        fields.0.into()
    }
}

impl ToJs for f64 {
    fn to_js(&self) -> JsValue {
        JsValue::from_f64(*self)
    }
}

/// Counts and indices as numbers. serde-wasm-bindgen refused a `u64` above 2^53; no count of
/// pixels or steps gets there, so this one rounds instead of failing.
macro_rules! count_to_js {
    ($($t:ty),*) => {$(
        impl ToJs for $t {
            fn to_js(&self) -> JsValue {
                JsValue::from_f64(*self as f64)
            }
        }
    )*};
}
count_to_js!(u32, u64, usize, i32);

impl ToJs for bool {
    fn to_js(&self) -> JsValue {
        JsValue::from_bool(*self)
    }
}

// Not `impl ToJs for &T` in general: it would overlap the `Named` impl below (another crate could
// implement `Named` for a reference). The two references that cross are listed.
impl ToJs for &str {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl ToJs for String {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl<T: ToJs> ToJs for Option<T> {
    fn to_js(&self) -> JsValue {
        self.as_ref().map_or(JsValue::NULL, ToJs::to_js)
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    fn to_js(&self) -> JsValue {
        self.as_slice().to_js()
    }
}

impl<T: ToJs, const N: usize> ToJs for [T; N] {
    fn to_js(&self) -> JsValue {
        self.as_slice().to_js()
    }
}

impl<T: ToJs> ToJs for [T] {
    fn to_js(&self) -> JsValue {
        self.iter().map(ToJs::to_js).collect::<Array>().into()
    }
}

/// Every option enum, by its user-facing name.
impl<T: Named> ToJs for T {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self.name())
    }
}

impl FromJs for f64 {
    fn from_js(value: &JsValue) -> Result<Self, Mismatch> {
        value.as_f64().ok_or_else(|| expected("a number", value))
    }
}

/// `null` is `None` (serde's `Option`); anything else must be a `T`.
impl<T: FromJs> FromJs for Option<T> {
    fn from_js(value: &JsValue) -> Result<Self, Mismatch> {
        match value.is_null() {
            true => Ok(None),
            false => T::from_js(value).map(Some),
        }
    }
}

impl FromJs for bool {
    fn from_js(value: &JsValue) -> Result<Self, Mismatch> {
        value
            .as_bool()
            .ok_or_else(|| expected("true or false", value))
    }
}

/// A number with no fractional part in `min..=max` (serde-wasm-bindgen's safe integer, then
/// serde's range check). Stricter than serde for `usize`, which it read through `u64` and so also
/// took from a BigInt; the page sends numbers.
fn integer(value: &JsValue, min: f64, max: f64) -> Result<f64, Mismatch> {
    match value.as_f64() {
        Some(x) if x.fract() == 0.0 && (min..=max).contains(&x) => Ok(x),
        _ => Err(expected(
            &format!("an integer from {} to {}", Num(min), Num(max)),
            value,
        )),
    }
}

/// The integer types a configuration holds (the range is the type's, so the cast is exact).
macro_rules! int_from_js {
    ($($t:ty),*) => {$(
        impl FromJs for $t {
            fn from_js(value: &JsValue) -> Result<Self, Mismatch> {
                integer(value, <$t>::MIN as f64, <$t>::MAX as f64).map(|x| x as $t)
            }
        }
    )*};
}
int_from_js!(u32, usize, i32);

/// Every option enum, from its user-facing name; the message lists the allowed ones. serde also
/// took `{"dice": null}` for `"dice"` (its externally tagged form); only the name is accepted here.
impl<T: Named> FromJs for T {
    fn from_js(value: &JsValue) -> Result<Self, Mismatch> {
        let names = T::names();
        match value
            .as_string()
            .and_then(|s| names.iter().position(|n| *n == s))
        {
            Some(i) => Ok(T::ALL[i]),
            None => Err(one_of(&names, value)),
        }
    }
}

/// `expected one of a, b, c, got …` (kept out of the generic impl: once, not per enum).
fn one_of(names: &[&str], got: &JsValue) -> Mismatch {
    expected(&format!("one of {}", names.join(", ")), got)
}
