//! Reading buffers back, the same code natively and in a browser: `map_async` reports through a
//! `futures-channel` oneshot (std channels do not work on wasm) that is awaited. Natively
//! `device.poll` drives the callback before the await; in a browser it does nothing and the browser's
//! event loop fires the callback while the future waits.

use super::{FallbackReason, GpuContext, GpuError};
use futures_channel::oneshot;

/// A pending mapping of a buffer for reading.
pub struct Pending<'a> {
    buffer: &'a wgpu::Buffer,
    done: oneshot::Receiver<Result<(), wgpu::BufferAsyncError>>,
}

/// Starts mapping all of `buffer` for reading.
pub fn map_read(buffer: &wgpu::Buffer) -> Pending<'_> {
    let (tx, done) = oneshot::channel();
    buffer.map_async(wgpu::MapMode::Read, .., move |r| {
        // The receiver is only gone if the evaluation was abandoned; nothing to report then.
        let _ = tx.send(r);
    });
    Pending { buffer, done }
}

/// Natively, blocks until the queue is idle and the mapping callbacks have run; a no-op on the web.
pub fn poll(ctx: &GpuContext) -> Result<(), GpuError> {
    ctx.device()
        .poll(wgpu::PollType::wait_indefinitely())
        .map(|_| ())
        .map_err(|e| ctx.fail(FallbackReason::GpuFailed(e.to_string())))
}

impl Pending<'_> {
    /// Waits for the mapping, hands the mapped bytes to `read`, and unmaps.
    pub async fn read<T>(
        self,
        ctx: &GpuContext,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, GpuError> {
        let failed = |e: String| ctx.fail(FallbackReason::GpuFailed(e));
        self.done
            .await
            .map_err(|_| failed("the mapping callback was dropped".into()))?
            .map_err(|e| failed(format!("mapping a buffer failed: {e}")))?;
        let out = {
            let view = self
                .buffer
                .get_mapped_range(..)
                .map_err(|e| failed(e.to_string()))?;
            read(&view)
        };
        self.buffer.unmap();
        Ok(out)
    }
}
