//! The files generated from the option schema (`src/options/schema.rs`) are up to date. With
//! `DICELAB_UPDATE_GENERATED=1` (what `cargo xtask codegen` sets) the test rewrites them instead.

use dicelab::data::DataConfig;
use dicelab::options::schema::{default_of, generated, Control, OPTIONS};
use dicelab::train::SessionConfig;
use std::path::Path;

#[test]
fn generated_files_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("DICELAB_UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (path, content) in generated() {
        let file = root.join(path);
        if std::fs::read_to_string(&file).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        if update {
            std::fs::write(&file, content).unwrap();
        } else {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `cargo xtask codegen`"
    );
}

/// Sets the option's value in a default configuration, as the page does.
fn with(key: &str, value: f64) -> Result<(), String> {
    let o = OPTIONS.iter().find(|o| o.key == key).unwrap();
    let mut cfg = serde_json::to_value(SessionConfig::default()).unwrap();
    for path in o.paths {
        let (last, parents) = path.split_last().unwrap();
        let mut at = &mut cfg;
        for p in parents {
            at = &mut at[*p];
        }
        at[*last] = if value.fract() == 0.0 {
            serde_json::json!(value as i64)
        } else {
            serde_json::json!(value)
        };
    }
    let cfg: SessionConfig = serde_json::from_value(cfg).map_err(|e| e.to_string())?;
    cfg.validate().map(|_| ())
}

#[test]
fn every_page_range_is_accepted_by_the_engine() {
    for o in OPTIONS {
        let r = match &o.control {
            Control::Number { range, .. } | Control::Int { range, .. } => range,
            _ => continue,
        };
        for v in [*r.start(), *r.end()] {
            assert_eq!(with(o.key, v), Ok(()), "{} = {v}", o.key);
        }
    }
}

#[test]
fn every_engine_option_has_a_default() {
    for o in OPTIONS {
        // Only an option the page may leave unset defaults to null.
        assert_eq!(default_of(o).is_null(), o.auto, "{}", o.key);
    }
    assert_eq!(DataConfig::default(), SessionConfig::default().data);
}
