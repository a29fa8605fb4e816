//! Your own image as the page hands it over: `{height, width, classes, rgb: Float32Array (H·W·3),
//! labels: Uint8Array (H·W, 255 = none)}`, read by hand like every configuration (`convert`), then
//! checked by `OwnImage::new`. Feature `own`: without it an image is refused in one line, so that
//! the light modules leave the image code out (the page then loads the full module).

use crate::data::OwnImage;
use wasm_bindgen::{JsError, JsValue};

/// `None` for `undefined` or `null` (the synthetic scenes), else the checked image.
#[cfg(feature = "own")]
pub(super) fn own_image(value: &JsValue) -> Result<Option<OwnImage>, JsError> {
    use js_sys::{Float32Array, Reflect, Uint8Array};
    use wasm_bindgen::JsCast;
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

/// This build trains on the synthetic scenes only.
#[cfg(not(feature = "own"))]
pub(super) fn own_image(value: &JsValue) -> Result<Option<OwnImage>, JsError> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        Err(JsError::new(
            "training on your own image is not in this build of dicelab",
        ))
    }
}
