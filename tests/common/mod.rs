//! What the end-to-end test binaries share: where the project is, the
//! real model, and turns at Whisper.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The model `scripts/test` installs; without it the tests fail, they never skip.
pub fn model() -> PathBuf {
    let path = project().join("models/ggml-tiny.en-q8_0.bin");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/test (it installs the model)",
        path.display()
    );
    path
}

/// ggml threads spin while they wait, so two transcriptions sharing the
/// cores run many times slower: tests in one binary take turns.
static WHISPER: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn whisper_turn() -> std::sync::MutexGuard<'static, ()> {
    WHISPER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `cmd` with `--format=json`, which must succeed, and parses what it prints.
#[allow(dead_code, reason = "not every test binary reads JSON")]
pub fn json_of<T: serde::de::DeserializeOwned>(cmd: &mut Command) -> T {
    let output = cmd.arg("--format=json").output().unwrap();
    assert!(
        output.status.success(),
        "rapport failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the JSON output parses into its type")
}
