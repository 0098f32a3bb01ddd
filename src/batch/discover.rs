//! Which calls a batch holds: the recordings and transcripts under the
//! folders, files and patterns given, one call per file, except that the
//! one-per-person files of one call are grouped.
//!
//! The naming rule: in one folder, media files named `CALL--PERSON.EXT`
//! with the same `CALL` are one call, one file per person
//! (`acme-mon--ann.m4a` and `acme-mon--dana.m4a` are the call `acme-mon`).
//! Every other recording, and every transcript, is a call of its own.

use super::BatchError;
use crate::audio::media_kind;
use crate::import;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One call's input files and its id: its name in the output folder,
/// stable for as long as the files keep their names and places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInputs {
    pub id: String,
    pub inputs: Vec<PathBuf>,
}

/// What was found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// In id order.
    pub calls: Vec<CallInputs>,
    /// Files that are neither recordings nor transcripts.
    pub ignored: Vec<PathBuf>,
}

/// A file found, with where it sits under the folder it was found in.
struct Found {
    path: PathBuf,
    /// The folders between the given folder and the file.
    folder: Vec<String>,
}

/// Finds the calls under `targets` (folders, searched recursively; files;
/// or glob patterns), leaving out hidden files, the folder `skip` (the
/// batch's own output) and any other batch's output folder.
pub fn discover(targets: &[PathBuf], skip: &Path) -> Result<Discovered, BatchError> {
    let skip = std::fs::canonicalize(skip).ok();
    let mut found = Vec::new();
    for target in targets {
        if target.is_dir() {
            walk(target, skip.as_deref(), &mut found)?;
        } else if target.is_file() {
            found.push(Found {
                path: target.clone(),
                folder: Vec::new(),
            });
        } else {
            expand(target, &mut found)?;
        }
    }
    let mut seen = BTreeSet::new();
    found
        .retain(|f| seen.insert(std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone())));
    let mut groups: BTreeMap<(Vec<String>, String), Vec<PathBuf>> = BTreeMap::new();
    let mut ignored = Vec::new();
    for Found { path, folder } in found {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let call = if media_kind(&path).is_some() {
            let stem = crate::audio::file_stem(&path);
            match stem.rsplit_once("--") {
                Some((call, _)) if !call.trim().is_empty() => call.to_string(),
                _ => name,
            }
        } else if import::Format::of(&path).is_some() {
            name
        } else if name.ends_with(crate::annotations::SUFFIX) {
            // A coach's labels on a call beside it: part of the call, not
            // something left out.
            continue;
        } else {
            ignored.push(path);
            continue;
        };
        groups.entry((folder, call)).or_default().push(path);
    }
    let mut calls: Vec<CallInputs> = Vec::new();
    let mut ids = BTreeSet::new();
    for ((folder, call), mut inputs) in groups {
        inputs.sort();
        let base = folder
            .iter()
            .chain(std::iter::once(&call))
            .map(|part| safe_name(part))
            .collect::<Vec<_>>()
            .join("__");
        let (mut id, mut n) = (base.clone(), 1);
        while ids.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        ids.insert(id.clone());
        calls.push(CallInputs { id, inputs });
    }
    calls.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Discovered { calls, ignored })
}

fn walk(root: &Path, skip: Option<&Path>, found: &mut Vec<Found>) -> Result<(), BatchError> {
    let entries = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
            let skipped =
                skip.is_some_and(|s| std::fs::canonicalize(e.path()).is_ok_and(|p| p == s));
            // Another batch's output: its records are not transcripts.
            let output = e.depth() > 0
                && e.file_type().is_dir()
                && e.path().join(".lock").is_file()
                && e.path().join("calls").is_dir();
            !hidden && !skipped && !output
        });
    for entry in entries {
        let entry = entry.map_err(|e| BatchError::Walk {
            path: e.path().unwrap_or(root).to_path_buf(),
            reason: e.to_string(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let folder = entry
            .path()
            .parent()
            .and_then(|p| p.strip_prefix(root).ok())
            .map(|rel| {
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        found.push(Found {
            path: entry.into_path(),
            folder,
        });
    }
    Ok(())
}

/// A target that is neither a folder nor a file: a glob pattern that the
/// shell did not expand (quoted, or on a system whose shell does not).
fn expand(pattern: &Path, found: &mut Vec<Found>) -> Result<(), BatchError> {
    let text = pattern.to_string_lossy();
    let missing = || BatchError::NoSuchTarget {
        path: pattern.to_path_buf(),
    };
    if !text.contains(['*', '?', '[']) {
        return Err(missing());
    }
    let paths = glob::glob(&text).map_err(|e| BatchError::Pattern {
        pattern: text.to_string(),
        reason: e.to_string(),
    })?;
    let before = found.len();
    for path in paths.flatten() {
        if path.is_file() {
            found.push(Found {
                path,
                folder: Vec::new(),
            });
        }
    }
    if found.len() == before {
        return Err(missing());
    }
    Ok(())
}

/// A file-name-safe form of a name: letters, digits, `.`, `-` and `_` kept,
/// anything else `_`.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, names: &[&str]) {
        for name in names {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
    }

    #[test]
    fn one_call_per_file_and_per_person_files_grouped() {
        let dir = tempfile::tempdir().unwrap();
        touch(
            dir.path(),
            &[
                "mon/acme.m4a",
                "mon/acme.vtt",
                "mon/globex--ann.m4a",
                "mon/globex--dana.m4a",
                "tue/acme.m4a",
                "tue/notes.txt",
                "tue/acme.annotations.jsonl",
                ".hidden/x.wav",
                "out/calls/old.json",
                "last-week/.lock",
                "last-week/calls/acme.m4a.json",
            ],
        );
        let found = discover(&[dir.path().to_path_buf()], &dir.path().join("out")).unwrap();
        let ids: Vec<&str> = found.calls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "mon__acme.m4a",
                "mon__acme.vtt",
                "mon__globex",
                "tue__acme.m4a"
            ]
        );
        assert_eq!(found.calls[2].inputs.len(), 2);
        assert_eq!(found.ignored, [dir.path().join("tue/notes.txt")]);
    }

    #[test]
    fn patterns_expand_and_missing_targets_are_named() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), &["a.wav", "b.wav", "c.srt"]);
        let pattern = dir.path().join("*.wav");
        let found = discover(&[pattern], Path::new("none")).unwrap();
        assert_eq!(found.calls.len(), 2);
        let err = discover(&[dir.path().join("gone")], Path::new("none")).unwrap_err();
        assert!(err.to_string().contains("gone"), "{err}");
        let err = discover(&[dir.path().join("*.mp3")], Path::new("none")).unwrap_err();
        assert!(err.to_string().contains("*.mp3"), "{err}");
    }

    #[test]
    fn names_become_safe_and_stay_unique() {
        assert_eq!(safe_name("Ann's call 1/2"), "Ann_s_call_1_2");
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), &["a b.wav", "a_b.wav"]);
        let found = discover(&[dir.path().to_path_buf()], Path::new("none")).unwrap();
        let ids: Vec<&str> = found.calls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a_b.wav", "a_b.wav-2"]);
    }
}
