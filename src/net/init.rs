//! Initial weights from a mulberry32 stream, drawn in the benchmark protocol's order: layer after
//! layer, the `k·k·cin·cout` weights in HWIO row-major order, each `(2u − 1)·lim`; biases 0.
//!
//! - `he` (default): He uniform, `lim = √(6 / fan_in)` with `fan_in = k·k·cin` — keeps the
//!   activation variance through ReLU layers (He et al. 2015).
//! - `glorot`: Glorot uniform, `lim = √(6 / (fan_in + fan_out))` with `fan_out = k·k·cout` — the
//!   protocol's (and Keras') default, so TensorFlow.js can start from the identical weights.

use super::spec::NetSpec;
use crate::options::named;
use crate::rng::Mulberry32;

named! {
    /// Which uniform limit the weights are drawn with.
    InitKind ("init") {
        /// He uniform (default).
        He => "he",
        /// Glorot uniform (the benchmark protocol).
        Glorot => "glorot",
    }
}

/// The initial flat parameter vector of `spec` (see [`NetSpec::offsets`]) from stream `seed`.
pub fn init_params(spec: &NetSpec, kind: InitKind, seed: u32) -> Vec<f32> {
    let mut rng = Mulberry32::new(seed);
    let mut params = Vec::with_capacity(spec.param_count());
    for l in spec.layers() {
        let fan_in = (l.k * l.k * l.cin) as f64;
        let fan_out = (l.k * l.k * l.cout) as f64;
        let lim = match kind {
            InitKind::He => (6.0 / fan_in).sqrt(),
            InitKind::Glorot => (6.0 / (fan_in + fan_out)).sqrt(),
        };
        params.extend((0..l.weight_len()).map(|_| ((2.0 * rng.next_f64() - 1.0) * lim) as f32));
        params.extend(std::iter::repeat_n(0.0f32, l.cout));
    }
    params
}
