//! `CpuBackend`: TinySegNet, its workspace and its optimiser on the CPU, with the loss engine between
//! forward and backward. Allocates nothing per step except the loss report.

use super::backend::{check_batch, TrainBackend, TrainError};
use crate::loss::{self, LossConfig, LossReport};
use crate::net::{
    argmax, gradient_heat, Dims, InitKind, NetSpec, OptimConfig, Optimizer, TinySegNet, Workspace,
};
use ndarray::{ArrayView3, ArrayView4, ArrayViewMut4};

/// The CPU backend.
#[derive(Debug, Clone)]
pub struct CpuBackend {
    net: TinySegNet,
    ws: Workspace,
    opt: Optimizer,
}

impl CpuBackend {
    /// A net of shape `spec` initialised from stream `seed`, for batches up to `capacity`.
    pub fn new(
        spec: NetSpec,
        capacity: Dims,
        init: InitKind,
        seed: u32,
        optim: OptimConfig,
    ) -> Self {
        let net = TinySegNet::new(spec, init, seed);
        let opt = Optimizer::new(optim, spec.param_count());
        Self {
            net,
            ws: Workspace::new(&spec, capacity),
            opt,
        }
    }

    /// The net.
    pub fn net(&self) -> &TinySegNet {
        &self.net
    }

    /// The logits of the last forward pass, (batch, H, W, C).
    pub fn logits(&self, batch: usize) -> &[f32] {
        self.ws.logits(batch)
    }

    /// Forward only, leaving the logits in the workspace.
    pub fn forward(&mut self, images: &[f32], batch: usize) -> Result<(), TrainError> {
        check_batch(self.ws.capacity(), batch, images.len(), None)?;
        self.net.forward(&mut self.ws, images, batch);
        Ok(())
    }

    fn shape4(&self, batch: usize) -> (usize, usize, usize, usize) {
        let cap = self.ws.capacity();
        (batch, cap.height, cap.width, self.net.spec().classes)
    }
}

fn shape_error(e: ndarray::ShapeError) -> TrainError {
    TrainError::Backend(format!("internal: batch view: {e}"))
}

impl TrainBackend for CpuBackend {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn spec(&self) -> NetSpec {
        self.net.spec()
    }

    fn capacity(&self) -> Dims {
        self.ws.capacity()
    }

    fn submit_step(
        &mut self,
        images: &[f32],
        labels: &[i32],
        batch: usize,
        cfg: &LossConfig,
    ) -> Result<Option<LossReport>, TrainError> {
        check_batch(self.ws.capacity(), batch, images.len(), Some(labels.len()))?;
        let shape = self.shape4(batch);
        self.net.forward(&mut self.ws, images, batch);
        let (logits, dlogits) = self.ws.logits_and_dlogits(batch);
        let z = ArrayView4::from_shape(shape, logits).map_err(shape_error)?;
        let y = ArrayView3::from_shape((shape.0, shape.1, shape.2), labels).map_err(shape_error)?;
        let g = ArrayViewMut4::from_shape(shape, dlogits).map_err(shape_error)?;
        // The step number is the session's; the backend reports 0 and the session fills it in.
        let report = loss::fast::evaluate(cfg, z, y, Some(g), 1)
            .map_err(|source| TrainError::Loss { step: 0, source })?;
        self.net.backward(&mut self.ws, images, batch);
        self.opt.update(self.net.params_mut(), self.ws.grads());
        Ok(Some(report))
    }

    fn submit_predict(
        &mut self,
        images: &[f32],
        batch: usize,
        classes: &mut [u8],
    ) -> Result<bool, TrainError> {
        check_batch(self.ws.capacity(), batch, images.len(), Some(classes.len()))?;
        self.net.forward(&mut self.ws, images, batch);
        argmax(self.ws.logits(batch), self.net.spec().classes, classes);
        Ok(true)
    }

    fn params(&mut self) -> Result<Vec<f32>, TrainError> {
        Ok(self.net.params().to_vec())
    }

    fn set_params(&mut self, params: &[f32]) -> Result<(), TrainError> {
        let dst = self.net.params_mut();
        if dst.len() != params.len() {
            return Err(TrainError::Backend(format!(
                "expected {} parameters, got {}",
                dst.len(),
                params.len()
            )));
        }
        dst.copy_from_slice(params);
        Ok(())
    }

    fn take_heat(&mut self) -> Result<Option<Vec<f32>>, TrainError> {
        Ok(Some(gradient_heat(
            self.ws.dlogits(1),
            self.net.spec().classes,
        )))
    }

    fn set_optimizer(&mut self, cfg: OptimConfig) {
        self.opt.reconfigure(cfg);
    }
}
