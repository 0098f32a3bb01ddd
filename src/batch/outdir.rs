//! The output folder of a batch: what a finished call leaves behind, and
//! how a re-run knows it finished.
//!
//! ```text
//! OUTDIR/calls/ID.json    the call's record: its analysis and the keys it was made with
//! OUTDIR/calls/ID.html    its page (and ID.txt with --format text)
//! OUTDIR/failed/ID.json   why the call failed, when it did
//! OUTDIR/summary.*        the week summary (see `summary`)
//! ```
//!
//! A call's pages are written before its record, each atomically, so the
//! record is the commit: a call with a record is finished, whatever
//! happened after. Everything is written owner-only, and the folders it
//! makes are owner-only too. One batch at a time
//! writes a folder (a lock file says so), and the temporary files a killed
//! run leaves are removed by the next.

use super::BatchError;
use crate::Analysis;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Bumped when a record field changes meaning; an older record is redone.
pub const RECORD_VERSION: u32 = 1;

/// How a call's date was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// A `2026-11-16` or `20261116` in the file name.
    FileName,
    /// The first input's modification time (local time zone).
    Modified,
    /// The calls manifest.
    Manifest,
}

/// A finished call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub record_version: u32,
    pub id: String,
    pub inputs: Vec<String>,
    pub date: Option<Date>,
    pub date_from: Option<DateSource>,
    /// The time of day the call began, when the manifest says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<jiff::civil::Time>,
    /// What the calls manifest says about the call (nothing when it is not listed).
    #[serde(default)]
    pub meta: super::CallMeta,
    /// Identifies the transcript: the inputs' bytes, the model and the settings.
    pub transcript_key: String,
    /// Identifies the analysis: the transcript key and the rubric.
    pub result_key: String,
    pub analysis: Analysis,
}

/// A call that could not be analysed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub record_version: u32,
    pub id: String,
    pub inputs: Vec<String>,
    pub error: String,
}

/// Renderings of a call written beside its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Html,
    Text,
}

impl Page {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Text => "txt",
        }
    }
}

/// An output folder, locked for this process while the value lives.
#[derive(Debug)]
pub struct Outdir {
    root: PathBuf,
    _lock: File,
}

impl Outdir {
    /// Creates the folder if needed, takes its lock and clears what a killed
    /// run left half-written.
    pub fn open(root: &Path) -> Result<Self, BatchError> {
        let io_error = |source: io::Error| BatchError::Outdir {
            path: root.to_path_buf(),
            source,
        };
        // Call ids are file names, and file names say who the client is.
        let mut folders = std::fs::DirBuilder::new();
        folders.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folders, 0o700);
        for sub in [CALLS, FAILED] {
            folders.create(root.join(sub)).map_err(io_error)?;
        }
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(root.join(".lock"))
            .map_err(io_error)?;
        lock.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => BatchError::Busy {
                path: root.to_path_buf(),
            },
            std::fs::TryLockError::Error(source) => io_error(source),
        })?;
        for sub in ["calls", "failed"] {
            for entry in std::fs::read_dir(root.join(sub))
                .map_err(io_error)?
                .flatten()
            {
                // write_atomically's temporary files.
                if entry.file_name().to_string_lossy().starts_with(".tmp") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(Self {
            root: root.to_path_buf(),
            _lock: lock,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn record_path(&self, id: &str) -> PathBuf {
        call_file(&self.root, CALLS, id, "json")
    }

    fn failure_path(&self, id: &str) -> PathBuf {
        call_file(&self.root, FAILED, id, "json")
    }

    /// The call's record, if a readable one of this version is there.
    pub fn record(&self, id: &str) -> Option<CallRecord> {
        read_record(&self.record_path(id)).ok()
    }

    /// Writes the call's pages, then its record; clears an old failure.
    pub fn finish(&self, record: &CallRecord, pages: &[Page]) -> io::Result<()> {
        for page in pages {
            let format = match page {
                Page::Html => crate::report::AnalysisFormat::Html,
                Page::Text => crate::report::AnalysisFormat::Text { color: false },
            };
            let path = call_file(&self.root, CALLS, &record.id, page.extension());
            crate::write_atomically(&path, |out| {
                crate::report::write_analysis(&record.analysis, format, out)
            })?;
        }
        crate::write_atomically(&self.record_path(&record.id), |out| {
            serde_json::to_writer(&mut *out, record).map_err(io::Error::other)
        })?;
        remove_if_there(&self.failure_path(&record.id))
    }

    /// Rewrites the call's record alone: for a change of what the manifest
    /// says, which the pages do not show.
    pub fn relabel(&self, record: &CallRecord) -> io::Result<()> {
        crate::write_atomically(&self.record_path(&record.id), |out| {
            serde_json::to_writer(&mut *out, record).map_err(io::Error::other)
        })
    }

    /// Records the failure. A record of the call from earlier inputs no
    /// longer describes them and goes.
    pub fn fail(&self, failure: &Failure) -> io::Result<()> {
        crate::write_atomically(&self.failure_path(&failure.id), |out| {
            serde_json::to_writer_pretty(&mut *out, failure).map_err(io::Error::other)
        })?;
        for ext in CALL_FILES {
            remove_if_there(&call_file(&self.root, CALLS, &failure.id, ext))?;
        }
        Ok(())
    }

    /// Copies the records, pages and failures in the output folders
    /// `sources` into this one, and returns the ids of the calls they hold.
    /// A call found in two sources is an error: it would count twice.
    pub fn merge_from(&self, sources: &[PathBuf]) -> Result<BTreeSet<String>, BatchError> {
        let here = std::fs::canonicalize(&self.root).ok();
        let mut owner: BTreeMap<String, PathBuf> = BTreeMap::new();
        for source in sources {
            if !source.join(CALLS).is_dir() {
                return Err(BatchError::NotAnOutdir {
                    path: source.clone(),
                });
            }
            let same = std::fs::canonicalize(source).ok() == here;
            for (sub, files) in [(CALLS, &CALL_FILES[..]), (FAILED, &["json"][..])] {
                for id in ids_in(&source.join(sub))? {
                    if let Some(first) = owner.get(&id)
                        && first != source
                    {
                        return Err(BatchError::Duplicate {
                            id,
                            first: first.clone(),
                            second: source.clone(),
                        });
                    }
                    if !same {
                        for ext in files {
                            copy_if_there(
                                &call_file(source, sub, &id, ext),
                                &call_file(&self.root, sub, &id, ext),
                            )?;
                        }
                    }
                    owner.insert(id, source.clone());
                }
            }
        }
        Ok(owner.into_keys().collect())
    }
}

const CALLS: &str = "calls";
const FAILED: &str = "failed";

/// What a finished call leaves in `calls/`, the record last: it is the
/// commit, so whatever copies or removes a call's files goes in this order.
const CALL_FILES: [&str; 3] = ["html", "txt", "json"];

fn call_file(root: &Path, sub: &str, id: &str, ext: &str) -> PathBuf {
    root.join(sub).join(format!("{id}.{ext}"))
}

fn copy_if_there(from: &Path, to: &Path) -> Result<(), BatchError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BatchError::Outdir { path, source }
    };
    let bytes = match std::fs::read(from) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        read => read.map_err(io_error(from))?,
    };
    crate::write_atomically(to, |out| out.write_all(&bytes)).map_err(io_error(to))
}

fn remove_if_there(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The ids of the (not hidden) `.json` files in `dir`, sorted; none when
/// there is no such folder.
fn ids_in(dir: &Path) -> Result<Vec<String>, BatchError> {
    let entries = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        entries => entries.map_err(|source| BatchError::Outdir {
            path: dir.to_path_buf(),
            source,
        })?,
    };
    let mut ids: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let id = name.strip_suffix(".json")?;
            (!id.starts_with('.')).then(|| id.to_string())
        })
        .collect();
    ids.sort();
    Ok(ids)
}

fn read_record(path: &Path) -> Result<CallRecord, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let record: CallRecord = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    if record.record_version != RECORD_VERSION {
        return Err(format!(
            "record version {} (this rapport writes {RECORD_VERSION})",
            record.record_version
        ));
    }
    Ok(record)
}

fn read_failure(path: &Path) -> Result<Failure, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// Every file of one kind (`calls/` records or `failed/` failures) in `root`.
fn read_each<T>(
    root: &Path,
    sub: &str,
    parse: fn(&Path) -> Result<T, String>,
) -> Result<Vec<T>, BatchError> {
    ids_in(&root.join(sub))?
        .into_iter()
        .map(|id| {
            let path = call_file(root, sub, &id, "json");
            parse(&path).map_err(|reason| BatchError::BadRecord { path, reason })
        })
        .collect()
}

/// Every record and failure in the output folder `root`, in id order: what
/// a summary is made of.
pub fn read_all(root: &Path) -> Result<(Vec<CallRecord>, Vec<Failure>), BatchError> {
    if !root.join(CALLS).is_dir() {
        return Err(BatchError::NotAnOutdir {
            path: root.to_path_buf(),
        });
    }
    Ok((
        read_each(root, CALLS, read_record)?,
        read_each(root, FAILED, read_failure)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_batch_at_a_time_and_leftovers_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("calls")).unwrap();
        std::fs::write(dir.path().join("calls/.tmpAbC123"), b"half").unwrap();
        let first = Outdir::open(dir.path()).unwrap();
        assert!(!dir.path().join("calls/.tmpAbC123").exists());
        let err = Outdir::open(dir.path()).unwrap_err();
        assert!(matches!(err, BatchError::Busy { .. }), "{err}");
        drop(first);
        Outdir::open(dir.path()).unwrap();
    }
}
