//! The side-by-side benchmark protocol (`shared/guides/bench-protocol.md`) as one training run that
//! the browser benchmark page (`web::CpuBenchRun`, `web::GpuBenchRun`) and `dicelab bench train`
//! share: TinySegNet width 16 with 6 classes, the protocol's batch (mulberry32 seed 42), Glorot
//! weights (seed 1234), Adam lr 1e-2, β 0.9/0.999, ε 1e-7, and soft Dice (corrected, global, mean)
//! or mean cross-entropy.

mod peak;
mod profile;
mod run;

pub use peak::{simd_peak_flops, simd_peak_run, step_flops, CHAINS};
pub use profile::StepProfile;
pub use run::{
    check_value, ProtocolLoss, ProtocolRun, CHECK_VALUES, CLASSES, DATA_SEED, WEIGHT_SEED,
};
