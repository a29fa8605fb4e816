//! Fuzzing with proptest (a few thousand cases in CI; `PROPTEST_CASES` raises it): the `.npy` reader
//! over random, mutated and hostile files, and the CLI over random option lists. Nothing may panic,
//! and a file that promises more data than it holds is refused before anything is allocated.

use clap::Parser;
use dicelab::cli::npy::{labels_from_bytes, logits_from_bytes};
use dicelab::cli::{run, Cli};
use ndarray::{Array3, Array4};
use ndarray_npy::WriteNpyExt;
use proptest::prelude::*;

fn npy_bytes<A: WriteNpyExt>(a: &A) -> Vec<u8> {
    let mut out = Vec::new();
    a.write_npy(&mut out).expect("write to memory");
    out
}

fn valid_files() -> (Vec<u8>, Vec<u8>) {
    let z = Array4::from_shape_fn((2, 3, 4, 3), |(b, h, w, c)| (b + h + w + c) as f32 * 0.1);
    let y = Array3::from_shape_fn((2, 3, 4), |(b, h, w)| ((b + h + w) % 3) as u8);
    (npy_bytes(&z), npy_bytes(&y))
}

/// A `.npy` file with a hand-written header (any text), padded as the format wants, and `data`.
fn with_header(header: &str, data: &[u8]) -> Vec<u8> {
    let mut h = header.to_string();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(h.len()).unwrap_or(u16::MAX).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = logits_from_bytes("fuzz", bytes.clone());
        let _ = labels_from_bytes("fuzz", bytes);
    }

    #[test]
    fn mutated_files_never_panic(
        which in any::<bool>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let (z, y) = valid_files();
        let mut f = if which { z } else { y };
        for (at, v) in flips {
            let i = at.index(f.len());
            f[i] = v;
        }
        if truncate {
            let n = cut.index(f.len());
            f.truncate(n);
        }
        let _ = logits_from_bytes("fuzz", f.clone());
        let _ = labels_from_bytes("fuzz", f);
    }

    #[test]
    fn hostile_headers_are_refused_without_allocating(
        descr in prop_oneof![
            Just("<f4".to_string()), Just("<f8".to_string()), Just("|u1".to_string()), Just("<i8".to_string()),
            Just(">f4".to_string()), Just("<f2".to_string()), Just("|b1".to_string()), Just("<c8".to_string()),
            "[<>|=]?[a-zA-Z][0-9]{0,3}",
        ],
        order in prop_oneof![Just("False"), Just("True"), Just("1"), Just("'x'")],
        dims in prop::collection::vec(prop_oneof![0u64..5, Just(u64::MAX), Just(1 << 40), Just(1 << 62), 0..u64::MAX], 0..6),
        data in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let shape = match dims.len() {
            0 => "()".to_string(),
            1 => format!("({},)", dims[0]),
            _ => format!("({})", dims.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
        };
        let header = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
        let f = with_header(&header, &data);
        let z = logits_from_bytes("fuzz", f.clone());
        let y = labels_from_bytes("fuzz", f);
        // Whatever the header claims, at most 64 bytes of data exist: anything larger is refused.
        let elements = dims.iter().fold(1u128, |n, &d| n.saturating_mul(u128::from(d)));
        if elements > 64 {
            prop_assert!(z.is_err() && y.is_err());
        }
    }

    #[test]
    fn random_cli_options_never_panic(
        picks in prop::collection::vec((0usize..24, 0usize..16), 0..8),
    ) {
        const OPTS: [&str; 24] = [
            "--loss", "--formula", "--weights", "--reduction", "--per-image", "--squared", "--smooth",
            "--smooth-nr", "--smooth-dr", "--activation", "--ignore-index", "--no-background",
            "--backend", "--grad-out", "--logits", "--labels", "--", "-x", "--loss=", "--smooth=1e309",
            "--ignore-index=-2147483649", "--weights=square", "--formula", "--help",
        ];
        const VALUES: [&str; 16] = [
            "dice", "gdl", "ce", "dice+ce", "seed", "corrected", "sum", "mean", "sigmoid", "-1",
            "nan", "1e-300", "", "\u{0}", "255", "/nonexistent/x.npy",
        ];
        let dir = std::env::temp_dir().join(format!("dicelab-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (z, y) = valid_files();
        let (zp, yp) = (dir.join("z.npy"), dir.join("y.npy"));
        std::fs::write(&zp, z).expect("write");
        std::fs::write(&yp, y).expect("write");
        let mut args: Vec<String> = vec!["dicelab".into(), "loss".into()];
        for (o, v) in picks {
            args.push(OPTS[o].into());
            args.push(VALUES[v].into());
        }
        args.extend(["--logits".into(), zp.display().to_string(), "--labels".into(), yp.display().to_string()]);
        // Never write a gradient anywhere but the temp dir.
        if let Some(i) = args.iter().position(|a| a == "--grad-out") {
            if let Some(v) = args.get_mut(i + 1) {
                *v = dir.join("g.npy").display().to_string();
            }
        }
        if let Ok(cli) = Cli::try_parse_from(&args) {
            let _ = run(cli);
        }
    }
}

/// Found by the fuzzer: a zero dimension beside huge ones made ndarray-npy panic.
#[test]
fn zero_beside_huge_dimensions_is_an_error() {
    let f = with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4611686018427387904, 4611686018427387904, 1), }", &[]);
    let err = logits_from_bytes("z.npy", f).err().unwrap_or_default();
    assert!(err.contains("too large"), "{err}");
}
