//! The benchmark protocol's run: its first-step losses are the protocol's check values, and it
//! trains (the Dice falls over a few steps).

use dicelab::bench::{check_value, ProtocolLoss, ProtocolRun, CHECK_VALUES};

#[test]
fn first_step_losses_match_the_protocol() {
    for &(batch, size, dice, ce) in &CHECK_VALUES {
        for (loss, want) in [(ProtocolLoss::Dice, dice), (ProtocolLoss::Ce, ce)] {
            let got = ProtocolRun::new(batch, size, loss).unwrap().step().unwrap();
            assert!(
                (got - want).abs() < 1e-5,
                "{loss:?} at {batch}×{size}: {got} vs protocol {want}"
            );
            assert_eq!(check_value(batch, size, loss), Some(want));
        }
    }
}

#[test]
fn the_run_trains() {
    let mut run = ProtocolRun::new(2, 16, ProtocolLoss::Dice).unwrap();
    let first = run.step().unwrap();
    let mut last = first;
    for _ in 0..20 {
        last = run.step().unwrap();
    }
    assert!(last < first, "Dice did not fall: {first} -> {last}");
}

#[test]
fn bad_arguments_are_errors() {
    assert!(ProtocolLoss::parse("gdl").is_err());
    assert!(ProtocolRun::new(0, 48, ProtocolLoss::Dice).is_err());
    assert!(ProtocolRun::new(4096, 4096, ProtocolLoss::Ce).is_err());
    assert_eq!(check_value(3, 48, ProtocolLoss::Dice), None);
}

/// The bench page's `dicelab-gpu` engine: the same run on the GPU backend. Its first-step loss is
/// the protocol's check value and the CPU engine's within 1e-5 (the protocol's first-step
/// tolerance; the page checks the same), and it trains.
#[test]
fn the_gpu_run_starts_from_the_same_first_step_and_trains() {
    let Some(ctx) = crate::gpu::gpu("the_gpu_run_starts_from_the_same_first_step_and_trains")
    else {
        return;
    };
    let (batch, size, dice, ce) = CHECK_VALUES[0];
    for (loss, want) in [(ProtocolLoss::Dice, dice), (ProtocolLoss::Ce, ce)] {
        let mut gpu =
            pollster::block_on(ProtocolRun::on_gpu(ctx.clone(), batch, size, loss)).unwrap();
        assert_eq!(gpu.backend(), "gpu");
        let cpu = ProtocolRun::new(batch, size, loss).unwrap().step().unwrap();
        let first = gpu.step().unwrap();
        eprintln!(
            "{loss:?}: GPU first step {first}, CPU {cpu}, |Δ| {:e}",
            (first - cpu).abs()
        );
        assert!(
            (first - cpu).abs() < 1e-5,
            "{loss:?}: GPU {first} vs CPU {cpu}"
        );
        assert!(
            (first - want).abs() < 1e-5,
            "{loss:?}: GPU {first} vs {want}"
        );
        // The non-blocking path the page takes: submit, then collect once the signal fires.
        assert_eq!(
            gpu.submit().unwrap(),
            None,
            "a GPU step is not done at once"
        );
        let second = loop {
            ctx.device()
                .poll(wgpu::PollType::wait_indefinitely())
                .unwrap();
            pollster::block_on(gpu.ready_signal().unwrap());
            if let Some(l) = gpu.collect().unwrap() {
                break l;
            }
        };
        let mut last = second;
        for _ in 0..5 {
            last = gpu.step().unwrap();
        }
        assert!(
            last < first,
            "{loss:?}: {first} -> {second} -> {last} did not fall"
        );
    }
}
