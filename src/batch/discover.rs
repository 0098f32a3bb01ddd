//! Which calls a batch holds: the recordings and transcripts under the
//! folders, files and patterns given, one call per file, except that the
//! one-per-person files of one call are grouped.
//!
//! The naming rule: in one folder, media files named `CALL--PERSON.EXT`
//! with the same `CALL` are one call, one file per person
//! (`acme-mon--ann.m4a` and `acme-mon--dana.m4a` are the call `acme-mon`).
//! Every other recording, and every transcript, is a call of its own.
//!
//! A [`Manifest`] (`calls.toml` in a folder given, or `--manifest`) lists
//! calls outright: its files are its calls', whatever their names say.

use super::BatchError;
use super::manifest::{self, Listed, Manifest};
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
    /// What the manifest says about the call, when one lists it.
    pub listed: Option<Listed>,
}

/// What was found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// In id order.
    pub calls: Vec<CallInputs>,
    /// Files that are neither recordings nor transcripts.
    pub ignored: Vec<PathBuf>,
    /// The manifests read.
    pub manifests: Vec<PathBuf>,
}

/// A file found, with where it sits under the folder it was found in.
struct Found {
    path: PathBuf,
    /// The folders between the given folder and the file.
    folder: Vec<String>,
}

/// Finds the calls under `targets` (folders, searched recursively; files;
/// or glob patterns), leaving out hidden files, the folder `skip` (the
/// batch's own output) and any other batch's output folder. The calls of
/// `manifest`, else of the `calls.toml` of each folder given, are taken as
/// it lists them.
pub fn discover(
    targets: &[PathBuf],
    skip: &Path,
    manifest: Option<&Path>,
) -> Result<Discovered, BatchError> {
    let manifests: Vec<Manifest> = match manifest {
        Some(path) => vec![Manifest::read(path)?],
        None => targets
            .iter()
            .filter(|t| t.is_dir())
            .filter_map(|t| Manifest::in_folder(t).transpose())
            .collect::<Result<_, _>>()?,
    };
    let claimed = claimed_once(&manifests)?;
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
    found.retain(|f| {
        let canonical = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
        !claimed.contains(&canonical) && seen.insert(canonical)
    });
    // Listed calls first, so that they keep their ids when a found call
    // would take the same.
    let mut named: Vec<(String, Vec<PathBuf>, Option<Listed>)> = Vec::new();
    for listed in manifests.iter().flat_map(|m| &m.calls) {
        let base = listed.id.clone().unwrap_or_else(|| {
            let first = &listed.files[0];
            let folder = listed.manifest.parent().unwrap_or(Path::new(""));
            let relative = first.strip_prefix(folder).unwrap_or(first);
            let parts: Vec<String> = relative
                .parent()
                .map(|p| {
                    p.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            base_id(&parts, &call_name(first))
        });
        named.push((base, listed.files.clone(), Some(listed.clone())));
    }
    let mut groups: BTreeMap<(Vec<String>, String), Vec<PathBuf>> = BTreeMap::new();
    let mut ignored = Vec::new();
    for Found { path, folder } in found {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let call = if media_kind(&path).is_some() || import::Format::of(&path).is_some() {
            call_name(&path)
        } else if name.ends_with(crate::annotations::SUFFIX)
            || (name == manifest::FILE_NAME && folder.is_empty())
        {
            // A coach's labels on a call beside it, or the manifest: part
            // of the batch, not something left out.
            continue;
        } else {
            ignored.push(path);
            continue;
        };
        groups.entry((folder, call)).or_default().push(path);
    }
    for ((folder, call), mut inputs) in groups {
        inputs.sort();
        named.push((base_id(&folder, &call), inputs, None));
    }
    let mut calls: Vec<CallInputs> = Vec::new();
    let mut ids = BTreeSet::new();
    for (base, inputs, listed) in named {
        let (mut id, mut n) = (base.clone(), 1);
        while ids.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        ids.insert(id.clone());
        calls.push(CallInputs { id, inputs, listed });
    }
    calls.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Discovered {
        calls,
        ignored,
        manifests: manifests.into_iter().map(|m| m.path).collect(),
    })
}

/// The files the manifests list, canonical; a file two manifests list is
/// an error (one manifest checks its own).
fn claimed_once(manifests: &[Manifest]) -> Result<BTreeSet<PathBuf>, BatchError> {
    let mut owner: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    for m in manifests {
        for file in m.calls.iter().flat_map(|c| &c.files) {
            let canonical = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
            if let Some(first) = owner.insert(canonical, &m.path)
                && first != m.path
            {
                return Err(BatchError::ClaimedTwice {
                    file: file.clone(),
                    first: first.to_path_buf(),
                    second: m.path.clone(),
                });
            }
        }
    }
    Ok(owner.into_keys().collect())
}

/// The naming rule: `CALL--PERSON.EXT` recordings are the call `CALL`;
/// any other file is a call named by its file name.
fn call_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if media_kind(path).is_some() {
        let stem = crate::audio::file_stem(path);
        if let Some((call, _)) = stem.rsplit_once("--")
            && !call.trim().is_empty()
        {
            return call.to_string();
        }
    }
    name
}

/// A call's id before it is made unique: the folders it is in and its name.
fn base_id(folder: &[String], call: &str) -> String {
    folder
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(call))
        .map(safe_name)
        .collect::<Vec<_>>()
        .join("__")
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
        // Links, FIFOs and devices are taken like files, so that one named
        // like a call's file fails by name with its reason (a link to a
        // file is simply followed); only folders are walked into.
        if entry.file_type().is_dir() {
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
pub(super) fn safe_name(name: &str) -> String {
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
        let found = discover(&[dir.path().to_path_buf()], &dir.path().join("out"), None).unwrap();
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
        let found = discover(&[pattern], Path::new("none"), None).unwrap();
        assert_eq!(found.calls.len(), 2);
        let err = discover(&[dir.path().join("gone")], Path::new("none"), None).unwrap_err();
        assert!(err.to_string().contains("gone"), "{err}");
        let err = discover(&[dir.path().join("*.mp3")], Path::new("none"), None).unwrap_err();
        assert!(err.to_string().contains("*.mp3"), "{err}");
    }

    #[test]
    fn names_become_safe_and_stay_unique() {
        assert_eq!(safe_name("Ann's call 1/2"), "Ann_s_call_1_2");
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), &["a b.wav", "a_b.wav"]);
        let found = discover(&[dir.path().to_path_buf()], Path::new("none"), None).unwrap();
        let ids: Vec<&str> = found.calls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a_b.wav", "a_b.wav-2"]);
    }
}
