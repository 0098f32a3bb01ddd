//! An annotations sidecar is a file coaches share: whatever it holds, the
//! reader must list its records and skip what it cannot read, and every
//! label it reads must be checked against its call, never panic.
//!
//! `cargo +nightly fuzz run sidecar -- -max_total_time=900`

#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::annotations::{Annotations, check};

fuzz_target!(|data: &[u8]| {
    let annotations = Annotations::parse(&String::from_utf8_lossy(data));
    for label in &annotations.labels {
        if let Some(snapshot) = annotations.call(&label.call) {
            let _ = check(&mut label.clone(), &snapshot.call);
        }
    }
});
