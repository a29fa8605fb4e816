//! Your own image as the page hands it over: `{height, width, classes, rgb: Float32Array (H·W·3),
//! labels: Uint8Array (H·W, 255 = none)}`, read by hand like every configuration (`convert`), then
//! checked by `OwnImage::new`.

use crate::data::OwnImage;
use js_sys::{Float32Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsError, JsValue};

/// `None` for `undefined` or `null` (the synthetic scenes), else the checked image.
pub(super) fn own_image(value: &JsValue) -> Result<Option<OwnImage>, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let field =
        |name: &str| Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let int = |name: &str| {
        field(name)
            .as_f64()
            .filter(|v| v.fract() == 0.0 && (0.0..=65536.0).contains(v))
            .map(|v| v as usize)
            .ok_or_else(|| JsError::new(&format!("image.{name}: expected a whole number")))
    };
    let rgb = field("rgb")
        .dyn_into::<Float32Array>()
        .map_err(|_| JsError::new("image.rgb: expected a Float32Array"))?;
    let labels = field("labels")
        .dyn_into::<Uint8Array>()
        .map_err(|_| JsError::new("image.labels: expected a Uint8Array"))?;
    OwnImage::new(
        int("height")?,
        int("width")?,
        int("classes")?,
        rgb.to_vec(),
        &labels.to_vec(),
    )
    .map(Some)
    .map_err(|e| JsError::new(&e))
}
