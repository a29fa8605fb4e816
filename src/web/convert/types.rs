//! `ToJs` / `FromJs` for the engine's types that cross to the page: the configurations both ways
//! (their field lists are generated into `fields.rs`), the loss report and the validation metrics out. Field names
//! are the serde derives' (`rename_all = "kebab-case"` on the configurations, none on the reports).

use super::{field, object, Fields, FromJs, Mismatch, ToJs};
use crate::data::DataConfig;
use crate::loss::{ClassTerms, LossConfig, LossReport, UnitReport};
use crate::net::OptimConfig;
use crate::train::{ClassMetrics, Confusion, Evaluation, SessionConfig};
use wasm_bindgen::JsValue;

/// Both directions of a `#[serde(default, rename_all = "kebab-case")]` configuration from one field
/// list: in, every field from the object or its default; out, every field.
macro_rules! config {
    ($ty:ty { $($field:ident: $name:literal),+ $(,)? }) => {
        impl FromJs for $ty {
            fn from_js(value: &JsValue) -> Result<Self, Mismatch> {
                let obj = object(value)?;
                let default = Self::default();
                Ok(Self { $($field: field(obj, $name, default.$field)?),+ })
            }
        }
        impl ToJs for $ty {
            fn to_js(&self) -> JsValue {
                Fields::new()$(.put($name, &self.$field))+.into()
            }
        }
    };
}

// The configurations' field lists, generated from their serde names.
include!("fields.in.rs");

impl ToJs for LossReport {
    fn to_js(&self) -> JsValue {
        Fields::new()
            .put("loss", &self.loss)
            .put_some("dice", &self.dice)
            .put_some("ce", &self.ce)
            .put_some("focal", &self.focal)
            .put("shape", &self.shape)
            .put("valid_pixels", &self.valid_pixels)
            .put("config", &self.config)
            .put("per_class", &self.per_class)
            .put("units", &self.units)
            .into()
    }
}

/// The session lends its last report.
impl ToJs for &LossReport {
    fn to_js(&self) -> JsValue {
        (**self).to_js()
    }
}

impl ToJs for UnitReport {
    fn to_js(&self) -> JsValue {
        Fields::new()
            .put("unit", &self.unit)
            .put_some("gdl", &self.gdl)
            .put_some("lovasz", &self.lovasz)
            .put("classes", &self.classes)
            .into()
    }
}

impl ToJs for ClassTerms {
    fn to_js(&self) -> JsValue {
        Fields::new()
            .put("class", &self.class)
            .put("intersection", &self.intersection)
            .put("truth", &self.truth)
            .put("pred", &self.pred)
            .put("weight", &self.weight)
            .put("dice", &self.dice)
            .put("included", &self.included)
            .put_some("score", &self.score)
            .put_some("term", &self.term)
            .put_some("focal", &self.focal)
            .into()
    }
}

impl ToJs for Evaluation {
    fn to_js(&self) -> JsValue {
        Fields::new()
            .put("step", &self.step)
            .put("classes", &self.classes)
            .put("miou", &self.miou)
            .put("pixel_accuracy", &self.pixel_accuracy)
            .put("never_predicted", &self.never_predicted)
            .put("confusion", &self.confusion)
            .into()
    }
}

impl ToJs for ClassMetrics {
    fn to_js(&self) -> JsValue {
        Fields::new()
            .put("class", &self.class)
            .put("pixel_share", &self.pixel_share)
            .put("iou", &self.iou)
            .put("precision", &self.precision)
            .put("recall", &self.recall)
            .put("predicted_share", &self.predicted_share)
            .into()
    }
}

impl ToJs for Confusion {
    fn to_js(&self) -> JsValue {
        Fields::new()
            .put("classes", &self.classes)
            .put("counts", &self.counts)
            .into()
    }
}
