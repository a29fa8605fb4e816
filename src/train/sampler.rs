//! Batch order: epochs over the training set, each a Fisher–Yates shuffle from the session's stream.

use crate::rng::Mulberry32;

/// Hands out training-image indices, one shuffled epoch after another.
#[derive(Debug, Clone)]
pub struct Sampler {
    order: Vec<usize>,
    next: usize,
    rng: Mulberry32,
}

impl Sampler {
    /// A sampler over `0..count` from stream `seed`.
    pub fn new(count: usize, seed: u32) -> Self {
        let mut s = Self {
            order: (0..count).collect(),
            next: count,
            rng: Mulberry32::new(seed),
        };
        s.shuffle();
        s
    }

    fn shuffle(&mut self) {
        for i in (1..self.order.len()).rev() {
            let j = self.rng.below(i + 1);
            self.order.swap(i, j);
        }
        self.next = 0;
    }

    /// Fills `out` with the next indices (a new epoch starts when one runs out).
    pub fn fill(&mut self, out: &mut [usize]) {
        for o in out {
            if self.next == self.order.len() {
                self.shuffle();
            }
            *o = self.order[self.next];
            self.next += 1;
        }
    }
}
