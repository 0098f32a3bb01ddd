//! Transcript text is untrusted: whatever bytes arrive, the importers (and
//! every signal and the score, run over what they import) must return a
//! call or an error, never panic. The first byte picks the format, the
//! consultant and whether the learned detectors or the rules decide.
//!
//! `cargo +nightly fuzz run transcripts -- -max_total_time=600`

#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::detectors::Detectors;
use rapport::import::{Format, from_text};
use rapport::score::Rubric;
use std::path::Path;
use std::sync::LazyLock;

static RUBRIC: LazyLock<Rubric> = LazyLock::new(Rubric::default_rubric);
static LEARNED: LazyLock<Detectors> = LazyLock::new(Detectors::default);

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let format = [Format::WebVtt, Format::Srt, Format::Json][usize::from(pick) % 3];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let consultant = (pick & 0x80 != 0).then_some("1");
    if let Ok(call) = from_text(Path::new("fuzz"), format, text, consultant, &[]) {
        let detectors = if pick & 0x40 == 0 { &*LEARNED } else { &Detectors::Rules };
        let _ = rapport::analyze(call, &RUBRIC, detectors);
    }
});
