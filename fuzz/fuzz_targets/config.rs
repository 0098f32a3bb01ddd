//! `rapport.toml` is a file a user writes: whatever it says, reading it
//! gives a configuration or an error, and what the configuration then
//! decides (the cache's retention) never panics.
//!
//! `cargo +nightly fuzz run config -- -max_total_time=900`

#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::config::Config;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = Config::parse(Path::new("project/rapport.toml"), text) {
        let _ = config.cache.retention();
    }
});
