//! Recordings are untrusted: whatever bytes a file holds, under whatever
//! name, rapport's own decode path (symphonia, and libopus for Opus, as
//! `audio::load_file` drives them) must return tracks or an error, never
//! panic, abort or hang. The first byte picks the file's extension, so
//! each container's probe is tried first.
//!
//! `cargo +nightly fuzz run audio -- -max_total_time=900 -timeout=20`

#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::audio::{MEDIA_EXTENSIONS, load_file, stated_seconds};
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    // Every extension rapport reads, and a name with none.
    let extension = MEDIA_EXTENSIONS.get(usize::from(pick) % (MEDIA_EXTENSIONS.len() + 1));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(match extension {
        Some(ext) => format!("call.{ext}"),
        None => "call".to_string(),
    });
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(bytes))
        .unwrap();
    let _ = stated_seconds(&path);
    if let Ok(tracks) = load_file(&path) {
        for track in &tracks {
            let _ = track.read(0, track.duration() as usize);
        }
    }
});
