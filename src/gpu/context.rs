//! `GpuContext`: adapter, device, queue and pipelines, acquired once and shared (every field is a
//! cheap handle, so clones share the device). It also watches the device: a loss or an uncaptured
//! error is recorded, never a panic, and the next evaluation reports it so the caller can fall back.

use super::pipelines::Pipelines;
use super::{webgpu_missing, FallbackReason, GpuError};
use std::sync::{Arc, Mutex};

/// A device ready to run the loss kernels.
#[derive(Debug, Clone)]
pub struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipelines: Pipelines,
    adapter: wgpu::AdapterInfo,
    limits: wgpu::Limits,
    fault: Fault,
}

/// The first thing that went wrong with the device, written by wgpu's callbacks.
#[derive(Debug, Clone, Default)]
struct Fault(Arc<Mutex<Option<FallbackReason>>>);

impl Fault {
    fn record(&self, reason: FallbackReason) {
        // A poisoned lock only means another callback panicked mid-write; the slot is still usable.
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(reason);
    }

    fn get(&self) -> Option<FallbackReason> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl GpuContext {
    /// Acquires the default adapter (natively `WGPU_BACKEND` and the other wgpu environment
    /// variables apply; in a browser, WebGPU) and compiles the kernels.
    pub async fn new() -> Result<Self, FallbackReason> {
        Self::with_descriptor(
            wgpu::InstanceDescriptor::new_without_display_handle_from_env(),
            true,
        )
        .await
    }

    /// Like [`new`](Self::new), but a software rasteriser (SwiftShader, lavapipe) is refused with
    /// [`FallbackReason::SoftwareAdapter`] as soon as the adapter is known: no device is requested
    /// and no kernel compiled, which on a software adapter takes a second or more.
    pub async fn new_hardware() -> Result<Self, FallbackReason> {
        Self::with_descriptor(
            wgpu::InstanceDescriptor::new_without_display_handle_from_env(),
            false,
        )
        .await
    }

    /// Like [`new`](Self::new), restricted to `backends`.
    pub async fn with_backends(backends: wgpu::Backends) -> Result<Self, FallbackReason> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = backends;
        Self::with_descriptor(desc, true).await
    }

    async fn with_descriptor(
        desc: wgpu::InstanceDescriptor,
        software: bool,
    ) -> Result<Self, FallbackReason> {
        if webgpu_missing() {
            return Err(FallbackReason::NoWebGpu);
        }
        let instance = wgpu::Instance::new(desc);
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| FallbackReason::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        if !software && info.device_type == wgpu::DeviceType::Cpu {
            return Err(FallbackReason::SoftwareAdapter(describe(&info)));
        }
        let limits = required_limits(&adapter.limits())?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("dicelab"),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| FallbackReason::DeviceRequestFailed(e.to_string()))?;

        let fault = Fault::default();
        let lost = fault.clone();
        device.set_device_lost_callback(move |reason, message| {
            lost.record(FallbackReason::DeviceLost(format!("{reason:?}: {message}")));
        });
        // wgpu's default handler panics; a GPU error must instead switch the caller to the CPU.
        let failed = fault.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            failed.record(FallbackReason::GpuFailed(e.to_string()));
        }));

        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let pipelines = Pipelines::new(&device);
        if let Some(e) = scope.pop().await {
            return Err(FallbackReason::PipelineFailed(e.to_string()));
        }
        Ok(Self {
            device,
            queue,
            pipelines,
            adapter: info,
            limits,
            fault,
        })
    }

    /// The device.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// The compiled kernels.
    pub fn pipelines(&self) -> &Pipelines {
        &self.pipelines
    }

    /// The adapter's name, backend and type, e.g. `llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, software)`.
    pub fn adapter(&self) -> String {
        describe(&self.adapter)
    }

    /// Whether the adapter is a software rasteriser (SwiftShader, lavapipe) rather than a GPU.
    pub fn is_software(&self) -> bool {
        self.adapter.device_type == wgpu::DeviceType::Cpu
    }

    /// The limits the device was created with.
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// Destroys the device, as a driver reset or the browser would: every later use reports
    /// [`FallbackReason::DeviceLost`]. Lets tests and the page exercise the fallback.
    pub fn destroy(&self) {
        self.device.destroy();
    }

    /// `Err` once the device is lost or has reported an error.
    pub fn check(&self) -> Result<(), GpuError> {
        self.fault.get().map_or(Ok(()), |r| Err(GpuError::Fault(r)))
    }

    /// Records a failure seen by the caller (e.g. a failed mapping) and returns it as an error.
    pub(crate) fn fail(&self, reason: FallbackReason) -> GpuError {
        self.fault.record(reason);
        // The first recorded fault wins: a mapping fails *because* the device was lost.
        self.check()
            .err()
            .unwrap_or(GpuError::Fault(FallbackReason::GpuFailed("unknown".into())))
    }
}

/// wgpu's portable downlevel limits with WebGPU's guaranteed 8 storage buffers per stage (the
/// kernels bind up to 5) and the adapter's own buffer size limits, so large batches fit.
fn required_limits(adapter: &wgpu::Limits) -> Result<wgpu::Limits, FallbackReason> {
    let mut want = wgpu::Limits::downlevel_defaults();
    want.max_storage_buffers_per_shader_stage = 8;
    want.max_storage_buffer_binding_size = adapter.max_storage_buffer_binding_size;
    want.max_buffer_size = adapter.max_buffer_size;
    if want.check_limits(adapter) {
        Ok(want)
    } else {
        Err(FallbackReason::DeviceRequestFailed(
            "the adapter lacks WebGPU's default compute limits".into(),
        ))
    }
}

/// An adapter as the UI names it: `name (backend, device type)`.
/// A readable adapter name: `llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, software)`; an adapter
/// without a name (the browser's WebGPU hides it) says so rather than print nothing.
fn describe(a: &wgpu::AdapterInfo) -> String {
    let name = if a.name.trim().is_empty() {
        "unnamed adapter"
    } else {
        a.name.trim()
    };
    let kind = match a.device_type {
        wgpu::DeviceType::Cpu => "software",
        wgpu::DeviceType::IntegratedGpu => "integrated GPU",
        wgpu::DeviceType::DiscreteGpu => "discrete GPU",
        wgpu::DeviceType::VirtualGpu => "virtual GPU",
        wgpu::DeviceType::Other => "GPU",
    };
    let backend = match a.backend {
        wgpu::Backend::BrowserWebGpu => "WebGPU".to_string(),
        other => format!("{other:?}"),
    };
    format!("{name} ({backend}, {kind})")
}
