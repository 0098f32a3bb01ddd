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
//!
//! A transcript is a client's words, so the cache does not keep them for
//! ever: an entry older than the retention period (30 days unless
//! `[cache] keep_days` in `rapport.toml` says otherwise) is neither served
//! nor kept, and past the size limit (`max_mb`, 500 MiB) the oldest go
//! first. Both are applied whenever an entry is written, along with the
//! removal of temporary files a killed run left; `rapport cache list` shows
//! what is kept and `rapport cache clear` removes it.

use crate::CallOptions;
use crate::transcribe::WhisperSettings;
use crate::transcript::{Call, SCHEMA_VERSION};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long, and how much, the cache keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub keep: Duration,
    pub max_bytes: u64,
}

pub const DEFAULT_KEEP_DAYS: u64 = 30;
pub const DEFAULT_MAX_MB: u64 = 500;
const DAY: Duration = Duration::from_hours(24);
/// A temporary file older than this was left by a run that was killed:
/// none takes an hour to write one entry.
const STALE_TEMPORARY: Duration = Duration::from_hours(1);

impl Default for Retention {
    fn default() -> Self {
        Self {
            keep: DAY * DEFAULT_KEEP_DAYS as u32,
            max_bytes: DEFAULT_MAX_MB << 20,
        }
    }
}

impl Retention {
    /// `keep_days` and `max_mb` as `rapport.toml` gives them, the defaults
    /// for what it leaves out.
    pub fn from_config(keep_days: Option<u32>, max_mb: Option<u64>) -> Self {
        let default = Self::default();
        Self {
            keep: keep_days.map_or(default.keep, |d| DAY * d),
            max_bytes: max_mb.map_or(default.max_bytes, |mb| mb << 20),
        }
    }
}

/// A kept transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub path: PathBuf,
    pub bytes: u64,
    pub written: SystemTime,
}

/// What a pruning removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub entries: usize,
    pub bytes: u64,
    pub temporaries: usize,
}

/// A folder of cached transcripts.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    retention: Retention,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            retention: Retention::default(),
        }
    }

    #[must_use]
    pub fn with_retention(self, retention: Retention) -> Self {
        Self { retention, ..self }
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

    pub fn retention(&self) -> Retention {
        self.retention
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The cached call for `key`, if there is a readable one within the
    /// retention period.
    pub fn get(&self, key: &str) -> Option<Call> {
        let path = self.path(key);
        let written = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        if self.expired(written, SystemTime::now()) {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        let text = std::fs::read(&path).ok()?;
        serde_json::from_slice::<Call>(&text)
            .ok()
            .filter(|call| call.schema_version == SCHEMA_VERSION)
    }

    /// Keeps `call` under `key`, then applies the retention period and the
    /// size limit.
    pub fn put(&self, key: &str, call: &Call) -> io::Result<Pruned> {
        crate::write_atomically(&self.path(key), |out| {
            serde_json::to_writer(&mut *out, call).map_err(io::Error::other)
        })?;
        self.prune(SystemTime::now())
    }

    fn expired(&self, written: SystemTime, now: SystemTime) -> bool {
        now.duration_since(written)
            .is_ok_and(|age| age > self.retention.keep)
    }

    /// Every kept transcript, oldest first; none when the folder is not
    /// there.
    pub fn entries(&self) -> io::Result<Vec<Entry>> {
        let mut entries = Vec::new();
        let listing = match std::fs::read_dir(&self.dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(entries),
            Err(e) => return Err(self.named(&e)),
        };
        for item in listing {
            let item = item.map_err(|e| self.named(&e))?;
            let path = item.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(meta) = item.metadata() else { continue };
            entries.push(Entry {
                path,
                bytes: meta.len(),
                written: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            });
        }
        entries.sort_by(|a, b| a.written.cmp(&b.written).then(a.path.cmp(&b.path)));
        Ok(entries)
    }

    fn named(&self, e: &io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.dir.display()))
    }

    /// Removes what is past the retention period, then the oldest entries
    /// until the rest fit the size limit, and temporary files a killed run
    /// left behind.
    pub fn prune(&self, now: SystemTime) -> io::Result<Pruned> {
        let mut pruned = Pruned::default();
        let mut kept = Vec::new();
        for entry in self.entries()? {
            if self.expired(entry.written, now) {
                Self::remove(&entry, &mut pruned)?;
            } else {
                kept.push(entry);
            }
        }
        let mut total: u64 = kept.iter().map(|e| e.bytes).sum();
        for entry in &kept {
            if total <= self.retention.max_bytes {
                break;
            }
            total -= entry.bytes;
            Self::remove(entry, &mut pruned)?;
        }
        pruned.temporaries = remove_stale_temporaries(&self.dir, now)?;
        Ok(pruned)
    }

    /// Removes every entry, or those written more than `older_than` ago.
    pub fn clear(&self, older_than: Option<Duration>, now: SystemTime) -> io::Result<Pruned> {
        let mut pruned = Pruned::default();
        for entry in self.entries()? {
            let old_enough = older_than.is_none_or(|limit| {
                now.duration_since(entry.written)
                    .is_ok_and(|age| age > limit)
            });
            if old_enough {
                Self::remove(&entry, &mut pruned)?;
            }
        }
        pruned.temporaries = remove_stale_temporaries(&self.dir, now)?;
        Ok(pruned)
    }

    fn remove(entry: &Entry, pruned: &mut Pruned) -> io::Result<()> {
        match std::fs::remove_file(&entry.path) {
            Ok(()) => {
                pruned.entries += 1;
                pruned.bytes += entry.bytes;
                Ok(())
            }
            // Another run removed it first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io::Error::new(
                e.kind(),
                format!("{}: {e}", entry.path.display()),
            )),
        }
    }
}

/// Removes the temporary files (`.tmp…`, as [`crate::write_atomically`]
/// names them) in `dir` that are older than an hour: a run killed mid-write
/// left them, and they may hold a client's words. Returns how many.
pub fn remove_stale_temporaries(dir: &Path, now: SystemTime) -> io::Result<usize> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut removed = 0;
    for item in listing.flatten() {
        let name = item.file_name();
        if !name.to_string_lossy().starts_with(".tmp") {
            continue;
        }
        let stale = item
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_TEMPORARY));
        if stale && std::fs::remove_file(item.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
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
/// and a recording of one side is marked; 4: languages are recorded, and
/// short chunks are heard with 10 s of context; 5: fitted contexts are
/// whole multiples of 32 frames), so that no transcript cached before is
/// served.
const ASSEMBLY: u32 = 5;

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
        let mut file = crate::open_regular(input).map_err(named)?;
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
    use std::fs::File;

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

    fn age(path: &Path, days: u64) {
        let file = File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - DAY * days as u32)
            .unwrap();
    }

    #[test]
    fn entries_past_the_retention_period_are_neither_served_nor_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf())
            .with_retention(Retention::from_config(Some(7), None));
        let call = testing::sample_call();
        for key in ["old", "recent", "fresh"] {
            cache.put(key, &call).unwrap();
        }
        age(&cache.path("old"), 8);
        age(&cache.path("recent"), 6);
        assert!(cache.get("old").is_none());
        assert!(!cache.path("old").exists(), "served nothing, and removed");
        assert!(cache.get("recent").is_some());
        age(&cache.path("fresh"), 9);
        let pruned = cache.prune(SystemTime::now()).unwrap();
        assert_eq!(pruned.entries, 1);
        let left: Vec<PathBuf> = cache
            .entries()
            .unwrap()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(left, [cache.path("recent")]);
    }

    #[test]
    fn past_the_size_limit_the_oldest_go_first() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let call = testing::sample_call();
        cache.put("a", &call).unwrap();
        let one = std::fs::metadata(cache.path("a")).unwrap().len();
        let cache = cache.with_retention(Retention {
            keep: DAY,
            max_bytes: one * 2,
        });
        let mut pruned = Vec::new();
        for (key, hours) in [("a", 3), ("b", 2), ("c", 1)] {
            pruned.push(cache.put(key, &call).unwrap());
            let file = File::options().write(true).open(cache.path(key)).unwrap();
            file.set_modified(SystemTime::now() - Duration::from_secs(hours * 3600))
                .unwrap();
        }
        // Writing the third went past the limit: the oldest went.
        assert_eq!((pruned[2].entries, pruned[2].bytes), (1, one));
        assert!(cache.get("a").is_none() && cache.get("b").is_some() && cache.get("c").is_some());
    }

    #[test]
    fn clearing_removes_all_or_the_older_and_stale_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let call = testing::sample_call();
        for key in ["a", "b"] {
            cache.put(key, &call).unwrap();
        }
        age(&cache.path("a"), 3);
        let stale = dir.path().join(".tmpKilled");
        let live = dir.path().join(".tmpWriting");
        std::fs::write(&stale, b"half a transcript").unwrap();
        std::fs::write(&live, b"being written").unwrap();
        age(&stale, 1);
        let pruned = cache.clear(Some(DAY * 2), SystemTime::now()).unwrap();
        assert_eq!((pruned.entries, pruned.temporaries), (1, 1));
        assert!(
            !stale.exists() && live.exists(),
            "a fresh temporary may be another run's"
        );
        assert!(cache.get("b").is_some());
        assert_eq!(cache.clear(None, SystemTime::now()).unwrap().entries, 1);
        assert!(cache.entries().unwrap().is_empty());
        let absent = Cache::new(dir.path().join("never-made"));
        assert!(absent.entries().unwrap().is_empty());
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
