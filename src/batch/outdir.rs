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
}

/// A finished call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub record_version: u32,
    pub id: String,
    pub inputs: Vec<String>,
    pub date: Option<Date>,
    pub date_from: Option<DateSource>,
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
        for sub in ["calls", "failed"] {
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
        self.root.join("calls").join(format!("{id}.json"))
    }

    fn failure_path(&self, id: &str) -> PathBuf {
        self.root.join("failed").join(format!("{id}.json"))
    }

    /// The call's record, if a readable one of this version is there.
    pub fn record(&self, id: &str) -> Option<CallRecord> {
        read_record(&self.record_path(id)).ok()
    }

    /// Writes the call's pages, then its record; clears an old failure.
    pub fn finish(&self, record: &CallRecord, pages: &[Page]) -> io::Result<()> {
        for page in pages {
            let path = self
                .root
                .join("calls")
                .join(format!("{}.{}", record.id, page.extension()));
            let format = match page {
                Page::Html => crate::report::AnalysisFormat::Html,
                Page::Text => crate::report::AnalysisFormat::Text { color: false },
            };
            crate::write_atomically(&path, |out| {
                crate::report::write_analysis(&record.analysis, format, out)
            })?;
        }
        crate::write_atomically(&self.record_path(&record.id), |out| {
            serde_json::to_writer(&mut *out, record).map_err(io::Error::other)
        })?;
        remove_if_there(&self.failure_path(&record.id))
    }

    /// Records the failure. A record of the call from earlier inputs no
    /// longer describes them and goes.
    pub fn fail(&self, failure: &Failure) -> io::Result<()> {
        crate::write_atomically(&self.failure_path(&failure.id), |out| {
            serde_json::to_writer_pretty(&mut *out, failure).map_err(io::Error::other)
        })?;
        remove_if_there(&self.record_path(&failure.id))?;
        for page in [Page::Html, Page::Text] {
            remove_if_there(&self.root.join("calls").join(format!(
                "{}.{}",
                failure.id,
                page.extension()
            )))?;
        }
        Ok(())
    }
}

impl Outdir {
    /// Copies the records, pages and failures in the output folders
    /// `sources` into this one, and returns the ids of the calls they hold.
    /// A call found in two sources is an error: it would count twice.
    pub fn merge_from(&self, sources: &[PathBuf]) -> Result<BTreeSet<String>, BatchError> {
        let here = std::fs::canonicalize(&self.root).ok();
        let mut owner: BTreeMap<String, PathBuf> = BTreeMap::new();
        for source in sources {
            if !source.join("calls").is_dir() {
                return Err(BatchError::NotAnOutdir {
                    path: source.clone(),
                });
            }
            let same = std::fs::canonicalize(source).ok() == here;
            for sub in ["calls", "failed"] {
                let dir = source.join(sub);
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                files.sort();
                for file in files {
                    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
                    let Some(name) = name.filter(|n| !n.starts_with('.')) else {
                        continue;
                    };
                    let Some(id) = name.strip_suffix(".json") else {
                        continue;
                    };
                    if let Some(first) = owner.get(id)
                        && first != source
                    {
                        return Err(BatchError::Duplicate {
                            id: id.to_string(),
                            first: first.clone(),
                            second: source.clone(),
                        });
                    }
                    owner.insert(id.to_string(), source.clone());
                    if same {
                        continue;
                    }
                    let extensions: &[&str] = if sub == "calls" {
                        &["html", "txt", "json"]
                    } else {
                        &["json"]
                    };
                    // The record last: it is the commit, as in a batch.
                    for ext in extensions {
                        let from = dir.join(format!("{id}.{ext}"));
                        if !from.exists() {
                            continue;
                        }
                        let bytes = std::fs::read(&from).map_err(|source| BatchError::Outdir {
                            path: from.clone(),
                            source,
                        })?;
                        let to = self.root.join(sub).join(format!("{id}.{ext}"));
                        crate::write_atomically(&to, |out| out.write_all(&bytes)).map_err(
                            |source| BatchError::Outdir {
                                path: to.clone(),
                                source,
                            },
                        )?;
                    }
                }
            }
        }
        Ok(owner.into_keys().collect())
    }
}

fn remove_if_there(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
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

/// Every record and failure in the output folder `root`, in id order: what
/// a summary is made of.
pub fn read_all(root: &Path) -> Result<(Vec<CallRecord>, Vec<Failure>), BatchError> {
    let list = |sub: &str| -> Result<Vec<PathBuf>, BatchError> {
        let dir = root.join(sub);
        let entries = std::fs::read_dir(&dir).map_err(|source| BatchError::Outdir {
            path: dir.clone(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "json")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        paths.sort();
        Ok(paths)
    };
    if !root.join("calls").is_dir() {
        return Err(BatchError::NotAnOutdir {
            path: root.to_path_buf(),
        });
    }
    let records = list("calls")?
        .into_iter()
        .map(|path| {
            read_record(&path).map_err(|reason| BatchError::BadRecord {
                path: path.clone(),
                reason,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let failures = if root.join("failed").is_dir() {
        list("failed")?
            .into_iter()
            .map(|path| {
                std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| serde_json::from_slice::<Failure>(&b).map_err(|e| e.to_string()))
                    .map_err(|reason| BatchError::BadRecord { path, reason })
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    Ok((records, failures))
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
