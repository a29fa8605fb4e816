//! `Playground`: the training session as the page's worker sees it. Configurations arrive as JSON
//! (the option names of the CLI and the URL), results leave as JSON for small structured data and as
//! typed arrays for pixels. Converts only: every decision is the session's.

use crate::loss::LossConfig;
use crate::net::OptimConfig;
use crate::train::{Session, SessionConfig};
use wasm_bindgen::prelude::*;

/// Validation images shown on the page.
const SHOWN: usize = 3;

fn js(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// One training run.
#[wasm_bindgen]
pub struct Playground {
    session: Session,
}

#[wasm_bindgen]
impl Playground {
    /// A new run from a `SessionConfig` JSON (missing fields take their defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str) -> Result<Playground, JsError> {
        let cfg: SessionConfig = serde_json::from_str(config).map_err(js)?;
        Ok(Self {
            session: Session::new(cfg).map_err(js)?,
        })
    }

    /// Advances `n` steps.
    pub fn step(&mut self, n: u32) -> Result<(), JsError> {
        self.session.step(u64::from(n)).map_err(js)
    }

    /// Steps done.
    pub fn steps(&self) -> f64 {
        self.session.steps() as f64
    }

    /// Changes the loss from the next step on (a `LossConfig` JSON).
    #[wasm_bindgen(js_name = setLoss)]
    pub fn set_loss(&mut self, loss: &str) -> Result<(), JsError> {
        let loss: LossConfig = serde_json::from_str(loss).map_err(js)?;
        loss.validate().map_err(js)?;
        self.session.set_loss(loss).map_err(js)
    }

    /// Changes the optimiser from the next step on (an `OptimConfig` JSON).
    #[wasm_bindgen(js_name = setOptimizer)]
    pub fn set_optimizer(&mut self, optim: &str) -> Result<(), JsError> {
        let optim: OptimConfig = serde_json::from_str(optim).map_err(js)?;
        self.session.set_optimizer(optim).map_err(js)
    }

    /// The loss curve from step index `from` on, flattened as `[step, loss, step, loss, …]`.
    #[wasm_bindgen(js_name = curveSince)]
    pub fn curve_since(&self, from: u32) -> Vec<f64> {
        let curve = self.session.curve();
        let from = (from as usize).min(curve.len());
        curve[from..]
            .iter()
            .flat_map(|r| [r.step as f64, r.loss])
            .collect()
    }

    /// The last step's loss report as JSON (`null` before the first step).
    #[wasm_bindgen(js_name = lastReport)]
    pub fn last_report(&self) -> Result<String, JsError> {
        serde_json::to_string(&self.session.last_report()).map_err(js)
    }

    /// Validation metrics as JSON (predicts every validation image).
    pub fn evaluate(&mut self) -> Result<String, JsError> {
        let e = self.session.evaluate().map_err(js)?;
        serde_json::to_string(&e).map_err(js)
    }

    /// Predicted classes of the shown validation images, as of the last `evaluate`.
    pub fn predictions(&self) -> Vec<u8> {
        let n = self.shown() * self.pixels();
        self.session.predictions()[..n].to_vec()
    }

    /// Image height and width.
    #[wasm_bindgen(js_name = imageSize)]
    pub fn image_size(&self) -> usize {
        self.session.validation().size
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.session.validation().classes
    }

    /// How many validation images the page shows.
    #[wasm_bindgen(js_name = shownImages)]
    pub fn shown(&self) -> usize {
        SHOWN.min(self.session.validation().count)
    }

    /// The shown validation images, (N, H, W, 3) in [0, 1].
    #[wasm_bindgen(js_name = validationImages)]
    pub fn validation_images(&self) -> Vec<f32> {
        self.session.validation().images[..self.shown() * self.pixels() * 3].to_vec()
    }

    /// Their true classes, (N, H, W).
    #[wasm_bindgen(js_name = validationLabels)]
    pub fn validation_labels(&self) -> Vec<u8> {
        let n = self.shown() * self.pixels();
        let truth = &self.session.validation().truth[..n];
        truth
            .iter()
            .map(|&c| u8::try_from(c).unwrap_or(u8::MAX))
            .collect()
    }

    /// `Σ_k |∂L/∂z_k|` per pixel of the first image of the last training batch, (H, W); empty
    /// before the first step.
    #[wasm_bindgen(js_name = gradientHeat)]
    pub fn gradient_heat(&self) -> Vec<f32> {
        self.session.gradient_heat().unwrap_or_default()
    }

    /// That image, (H, W, 3).
    #[wasm_bindgen(js_name = batchImage)]
    pub fn batch_image(&self) -> Vec<f32> {
        self.session.last_batch_first().0.to_vec()
    }

    /// Its training labels as annotated (255: ignored), (H, W).
    #[wasm_bindgen(js_name = batchLabels)]
    pub fn batch_labels(&self) -> Vec<u8> {
        let labels = self.session.last_batch_first().1;
        labels
            .iter()
            .map(|&c| u8::try_from(c).unwrap_or(u8::MAX))
            .collect()
    }

    fn pixels(&self) -> usize {
        self.session.validation().pixels()
    }
}
