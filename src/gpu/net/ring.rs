//! The staging ring: `SLOTS` mappable buffers that the steps' loss reports (and, every
//! `CHECKPOINT_EVERY` steps, the weights) are copied into, mapped asynchronously and decoded when
//! their mapping has landed. The GPU thus runs up to `SLOTS` steps ahead of the reports, and nothing
//! waits on a mapping — natively `device.poll` drives the callbacks, in a browser the event loop.
//! Reports arrive in submission order (one queue), so only the oldest slot is ever waited on.

use crate::gpu::buffers::buffer;
use crate::gpu::GpuContext;
use crate::gpu::ReadySignal;
use crate::loss::LossConfig;
use std::collections::VecDeque;

/// Slots in the ring: how many steps may be in flight. Three keeps the GPU busy while the CPU
/// prepares the next batch and decodes the previous report, without letting the curve lag far.
pub const SLOTS: usize = 3;
/// Every this many steps a slot also carries the weights back: the checkpoint a lost device
/// continues from on the CPU.
pub const CHECKPOINT_EVERY: u64 = 16;

/// A step whose report is on its way.
#[derive(Debug)]
pub struct InFlight {
    /// The step (counting submissions of this trainer from 1).
    pub step: u64,
    /// Its loss configuration, to decode the report.
    pub loss: LossConfig,
    /// Whether the slot carries the weights after this step's update.
    pub checkpoint: bool,
    /// Which slot.
    pub slot: usize,
    /// Bytes mapped: the report, plus the weights for a checkpoint.
    bytes: u64,
    /// Fires when the slot is mapped.
    pub signal: ReadySignal,
}

/// The ring.
#[derive(Debug)]
pub struct Ring {
    slots: Vec<wgpu::Buffer>,
    free: Vec<usize>,
    pub(super) queue: VecDeque<InFlight>,
    /// Bytes of one report (the loss's small buffers end to end).
    pub(super) report_bytes: u64,
}

impl Ring {
    /// Slots for reports of `report_bytes` followed by `param_words` weights.
    pub fn new(ctx: &GpuContext, report_bytes: u64, param_words: u64) -> Self {
        let words = report_bytes / 4 + param_words;
        let usage = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
        Self {
            slots: (0..SLOTS)
                .map(|_| buffer(ctx, "report_ring", words, usage))
                .collect(),
            free: (0..SLOTS).rev().collect(),
            queue: VecDeque::with_capacity(SLOTS),
            report_bytes,
        }
    }

    /// Whether a slot is free for the next step.
    pub fn has_room(&self) -> bool {
        !self.free.is_empty()
    }

    /// The next free slot's buffer and index.
    pub fn next(&self) -> Option<(usize, &wgpu::Buffer)> {
        let i = *self.free.last()?;
        Some((i, &self.slots[i]))
    }

    /// Maps slot `i` (just submitted) and queues it.
    pub fn launch(&mut self, i: usize, step: u64, loss: LossConfig, checkpoint: bool) {
        self.free.retain(|&f| f != i);
        let end = if checkpoint {
            self.slots[i].size()
        } else {
            self.report_bytes
        };
        let signal = ReadySignal::map_read(&self.slots[i], 0..end);
        self.queue.push_back(InFlight {
            step,
            loss,
            checkpoint,
            slot: i,
            bytes: end,
            signal,
        });
    }

    /// The oldest step in flight, if its mapping has landed; the caller reads it with
    /// [`read`](Self::read).
    pub fn pop_ready(&mut self) -> Option<InFlight> {
        let ready = self.queue.front()?.signal.outcome().is_some();
        if ready {
            self.queue.pop_front()
        } else {
            None
        }
    }

    /// Hands the mapped words of `f` (report, then the weights if it carries them) to `read`, then
    /// unmaps and frees the slot.
    pub fn read<T>(&mut self, f: &InFlight, read: impl FnOnce(&[u8]) -> T) -> Result<T, String> {
        self.free.push(f.slot);
        let buffer = &self.slots[f.slot];
        f.signal.outcome().unwrap_or(Err("not mapped".into()))?;
        let out = {
            let view = buffer
                .get_mapped_range(0..f.bytes)
                .map_err(|e| e.to_string())?;
            read(&view)
        };
        buffer.unmap();
        Ok(out)
    }

    /// Steps in flight.
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    /// The steps' signals, oldest first.
    pub fn signals(&self) -> impl Iterator<Item = ReadySignal> + '_ {
        self.queue.iter().map(|f| f.signal.clone())
    }
}
