//! `ReadySignal`: a `'static` future that resolves when a buffer mapping's callback has run. It holds
//! no borrow of the trainer, so the web layer can await it with its `RefCell` released (JavaScript may
//! call other methods while a step is in flight). Natively `device.poll` runs the callbacks; in a
//! browser the event loop does.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

#[derive(Debug, Default)]
struct State {
    /// `Some` once the callback ran: `Ok`, or why the mapping failed.
    result: Option<Result<(), String>>,
    /// Every task awaiting a clone of the signal: a step and an evaluation may await the same
    /// read-back, and each must wake.
    wakers: Vec<Waker>,
}

/// Resolves once the mapping it was made for completed (successfully or not).
#[derive(Debug, Clone, Default)]
pub struct ReadySignal(Arc<Mutex<State>>);

impl ReadySignal {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means a callback panicked mid-write; the state is still usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts mapping `range` of `buffer` for reading; the returned signal fires when it is done.
    #[cfg(feature = "gpu")]
    pub fn map_read(buffer: &wgpu::Buffer, range: std::ops::Range<u64>) -> Self {
        let signal = Self::default();
        let done = signal.clone();
        buffer.map_async(wgpu::MapMode::Read, range, move |r| {
            let mut s = done.state();
            s.result = Some(r.map_err(|e| e.to_string()));
            s.wakers.drain(..).for_each(Waker::wake);
        });
        signal
    }

    /// `None` while pending, else the mapping's outcome.
    pub fn outcome(&self) -> Option<Result<(), String>> {
        self.state().result.clone()
    }
}

impl Future for ReadySignal {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.state();
        if s.result.is_some() {
            Poll::Ready(())
        } else {
            if !s.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                s.wakers.push(cx.waker().clone());
            }
            Poll::Pending
        }
    }
}
