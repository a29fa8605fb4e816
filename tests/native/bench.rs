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
