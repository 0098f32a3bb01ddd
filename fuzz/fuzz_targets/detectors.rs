//! A detectors file (`--detectors FILE`, what `rapport train` writes) can
//! come from anywhere: whatever its bytes, reading it gives a model or an
//! error, and a call analysed with what was read never panics.
//!
//! `cargo +nightly fuzz run detectors -- -max_total_time=900`

#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::detectors::{Detectors, Model};
use rapport::import::{Format, from_text};
use rapport::score::Rubric;
use std::path::Path;
use std::sync::{Arc, LazyLock};

static RUBRIC: LazyLock<Rubric> = LazyLock::new(Rubric::default_rubric);
static CALL: LazyLock<rapport::transcript::Call> = LazyLock::new(|| {
    let text = include_str!("../../tests/fixtures/call.zoom.vtt");
    from_text(Path::new("call.vtt"), Format::WebVtt, text, None, &[]).unwrap()
});

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = Model::read(data, Path::new("fuzz.detectors")) {
        let _ = rapport::analyze(CALL.clone(), &RUBRIC, &Detectors::Learned(Arc::new(model)));
    }
});
