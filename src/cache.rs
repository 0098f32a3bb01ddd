//! The transcript cache: a call transcribed once is not transcribed again.
//!
//! Transcription is the only slow stage; everything after it takes
//! milliseconds. So the [`Call`] is stored under a key made of everything
//! that decides it: the bytes of every input file, the consultant choice,
//! the model (its path, size and modification time: hashing gigabytes of
//! weights on every run would cost more than it saves), the decoding and
//! voice-activity settings, and the crate version. Change any of them and
//! the call is transcribed afresh; change only the rubric and it is not.
//!
//! Entries are JSON files written atomically and owner-only, like every
//! other file rapport writes about a client's call. An entry that cannot be
//! read back (a crash mid-write on another tool, a version with another
//! schema) is ignored and replaced, never trusted.

use crate::CallOptions;
use crate::transcribe::WhisperSettings;
use crate::transcript::{Call, SCHEMA_VERSION};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// A folder of cached transcripts.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// `$RAPPORT_CACHE`, else `$XDG_CACHE_HOME/rapport`, else
    /// `~/.cache/rapport`; `None` when none of them is set.
    pub fn default_dir() -> Option<PathBuf> {
        let from = |var: &str| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        from("RAPPORT_CACHE")
            .or_else(|| from("XDG_CACHE_HOME").map(|d| d.join("rapport")))
            .or_else(|| from("HOME").map(|d| d.join(".cache").join("rapport")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The cached call for `key`, if there is a readable one.
    pub fn get(&self, key: &str) -> Option<Call> {
        let text = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice::<Call>(&text)
            .ok()
            .filter(|call| call.schema_version == SCHEMA_VERSION)
    }

    pub fn put(&self, key: &str, call: &Call) -> io::Result<()> {
        crate::write_atomically(&self.path(key), |out| {
            serde_json::to_writer(&mut *out, call).map_err(io::Error::other)
        })
    }
}

/// The cache key of a transcription: a hex sha256 over the inputs' bytes
/// and `settings` (a description of everything else that decides the
/// result). Reading an input fails with the file named.
pub fn key(inputs: &[PathBuf], model: &Path, settings: &str) -> io::Result<String> {
    let meta = std::fs::metadata(model)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", model.display())))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let model_path = std::fs::canonicalize(model).unwrap_or_else(|_| model.to_path_buf());
    content_key(
        inputs,
        &format!(
            "{}|{}|{modified}|{settings}",
            model_path.display(),
            meta.len()
        ),
    )
}

/// Bumped when the same Whisper output is assembled into a different
/// call (2: utterances are runs of words between pauses, not Whisper's
/// segments; 3: talk time joins a person's speech across short pauses,
/// and a recording of one side is marked), so that no transcript cached
/// before is served.
const ASSEMBLY: u32 = 3;

/// The key of a call transcribed from recordings with `options`, `model`
/// and `whisper`.
pub fn transcript_key(
    inputs: &[PathBuf],
    options: &CallOptions,
    model: &Path,
    whisper: &WhisperSettings,
) -> io::Result<String> {
    // Threads, and how many chunks run side by side, do not change what
    // greedy decoding finds; leave them out.
    let decides = WhisperSettings {
        threads: 0,
        states: 0,
        ..whisper.clone()
    };
    let decides = format!("{options:?}|{decides:?}|assembly {ASSEMBLY}");
    key(inputs, model, &decides)
}

/// A hex sha256 over this version of rapport, the files' bytes and `extra`:
/// the identity of a result made from those files.
pub fn content_key(inputs: &[PathBuf], extra: &str) -> io::Result<String> {
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION"));
    hash.update(SCHEMA_VERSION.to_le_bytes());
    for input in inputs {
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", input.display()));
        let mut file = File::open(input).map_err(named)?;
        let mut content = Sha256::new();
        let mut buffer = vec![0; 1 << 16];
        loop {
            let n = file.read(&mut buffer).map_err(named)?;
            if n == 0 {
                break;
            }
            content.update(&buffer[..n]);
        }
        hash.update(content.finalize());
    }
    hash.update(extra);
    Ok(hex(&hash.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::testing;

    #[test]
    fn keys_change_with_content_and_settings_only() {
        let dir = tempfile::tempdir().unwrap();
        let (a, model) = (dir.path().join("a.wav"), dir.path().join("m.bin"));
        std::fs::write(&a, b"one").unwrap();
        std::fs::write(&model, b"weights").unwrap();
        let first = key(std::slice::from_ref(&a), &model, "s").unwrap();
        assert_eq!(first, key(std::slice::from_ref(&a), &model, "s").unwrap());
        assert_ne!(first, key(std::slice::from_ref(&a), &model, "t").unwrap());
        std::fs::write(&a, b"two").unwrap();
        assert_ne!(first, key(std::slice::from_ref(&a), &model, "s").unwrap());
        let missing = dir.path().join("gone.wav");
        let err = key(&[missing], &model, "s").unwrap_err();
        assert!(err.to_string().contains("gone.wav"), "{err}");
    }

    #[test]
    fn stores_calls_and_ignores_broken_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let call = testing::sample_call();
        assert!(cache.get("k").is_none());
        cache.put("k", &call).unwrap();
        assert_eq!(cache.get("k").as_ref(), Some(&call));
        std::fs::write(dir.path().join("k.json"), b"{\"schema_version\": 1, \"dur").unwrap();
        assert!(cache.get("k").is_none());
    }
}
