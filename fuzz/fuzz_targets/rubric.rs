//! A rubric is a file a user writes: whatever it says, reading it gives a
//! rubric or an error, and scoring a call with what was read never panics
//! (weights, thresholds and bands as odd as TOML allows).
//!
//! `cargo +nightly fuzz run rubric -- -max_total_time=900`

#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::detectors::Detectors;
use rapport::import::{Format, from_text};
use rapport::score::Rubric;
use std::path::Path;
use std::sync::LazyLock;

/// A short call where most signals fire, so most of the rubric is used.
static CALL: LazyLock<rapport::transcript::Call> = LazyLock::new(|| {
    let text = include_str!("../../tests/fixtures/call.zoom.vtt");
    from_text(Path::new("call.vtt"), Format::WebVtt, text, None, &[]).unwrap()
});

static DETECTORS: LazyLock<Detectors> = LazyLock::new(Detectors::default);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rubric) = Rubric::parse(text, Path::new("rubric.toml")) {
        let _ = rapport::analyze(CALL.clone(), &rubric, &DETECTORS);
    }
});
