//! `calls.toml`: the consultant's word on what each call of a batch is —
//! its files, who the client was, when it happened — where file names and
//! speaker names cannot say.
//!
//! ```toml
//! # Paths are relative to this file's folder.
//! [[call]]
//! files = ["mon/acme--ann.m4a", "mon/acme--dana.m4a"]
//! client = "Dana Lee"            # the person…
//! organisation = "Acme"          # …and/or the organisation
//! consultant = "Ann Smith"       # a track, a file or a speaker name, as --consultant
//! date = 2026-11-16T09:30:00     # or 2026-11-16
//! offsets = { "mon/acme--dana.m4a" = 1.5 }
//! language = "nl"                # transcribed (with base) and read as Dutch
//! tags = ["kick-off"]
//! ```
//!
//! Every key but `files` may be left out. A call's id (its name in the
//! output folder) is `id` when given, else the one discovery gives its
//! first file, so listing a call keeps its results; calls not listed are
//! found as without a manifest. What the manifest says about a call is
//! kept in its record, and changing it there re-labels the record without
//! analysing the call again (offsets and the consultant change the
//! transcript, so those do redo it).

use crate::audio::media_kind;
use crate::import;
use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use thiserror::Error;
use toml::Spanned;

/// The manifest a batch folder holds.
pub const FILE_NAME: &str = "calls.toml";

#[derive(Debug, Error)]
pub enum ManifestError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {reason}")]
    Invalid {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{path}: already exists; rapport writes a starting manifest only where there is none")]
    Exists { path: PathBuf },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What the manifest says about a call that the analysis does not use:
/// kept in the call's record for the summary and the promise ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallMeta {
    /// The client: a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The client's organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The language spoken, as a code ("en", "nl"): the call is
    /// transcribed in it (any but English with a multilingual model), and a
    /// transcript file is read as being in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl CallMeta {
    /// "Dana Lee (Acme)", "Dana Lee" or "Acme"; `None` when the manifest
    /// names no client.
    pub fn client_name(&self) -> Option<String> {
        match (&self.client, &self.organisation) {
            (Some(person), Some(org)) => Some(format!("{person} ({org})")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        }
    }
}

/// One call as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The manifest and the line its `[[call]]` starts on.
    pub manifest: PathBuf,
    pub line: usize,
    /// The id given, if one was.
    pub id: Option<String>,
    /// As found on disk, relative to the working directory.
    pub files: Vec<PathBuf>,
    pub meta: CallMeta,
    pub date: Option<Date>,
    pub time: Option<Time>,
    pub consultant: Option<String>,
    /// `PATH=SECONDS`, as `--offset` takes them.
    pub offsets: Vec<String>,
}

/// A manifest read and checked.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub path: PathBuf,
    pub calls: Vec<Listed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    call: Vec<Spanned<RawCall>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCall {
    #[serde(default)]
    files: Vec<Spanned<String>>,
    file: Option<Spanned<String>>,
    id: Option<Spanned<String>>,
    client: Option<String>,
    #[serde(alias = "organization")]
    organisation: Option<String>,
    consultant: Option<String>,
    date: Option<Spanned<toml::Value>>,
    #[serde(default)]
    offsets: BTreeMap<String, Spanned<toml::Value>>,
    language: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .split(|b| *b == b'\n')
        .count()
}

impl Manifest {
    /// Reads the manifest at `path`.
    pub fn read(path: &Path) -> Result<Self, ManifestError> {
        let text = crate::read_regular_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// The manifest `calls.toml` in `folder`, if there is one.
    pub fn in_folder(folder: &Path) -> Result<Option<Self>, ManifestError> {
        let path = folder.join(FILE_NAME);
        if path.is_file() {
            Self::read(&path).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Checks `text` (the manifest at `path`) and finds its files, relative
    /// to the folder it is in.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ManifestError> {
        let mut reader = Reader {
            path,
            text,
            folder: path.parent().unwrap_or(Path::new("")),
            owners: BTreeMap::new(),
            ids: BTreeMap::new(),
        };
        let raw: RawManifest = toml::from_str(text)
            .map_err(|e| reader.invalid(e.span().map_or(0, |s| s.start), e.message().trim()))?;
        let calls = raw
            .call
            .into_iter()
            .map(|call| reader.call(call))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            path: path.to_path_buf(),
            calls,
        })
    }
}

/// Checks a manifest's calls one by one, and across them.
struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    folder: &'a Path,
    /// Each file listed so far (canonical) and its line.
    owners: BTreeMap<PathBuf, usize>,
    /// Each id given so far and its line.
    ids: BTreeMap<String, usize>,
}

impl Reader<'_> {
    fn invalid(&self, offset: usize, reason: impl Into<String>) -> ManifestError {
        ManifestError::Invalid {
            path: self.path.to_path_buf(),
            line: line_of(self.text, offset),
            reason: reason.into(),
        }
    }

    fn call(&mut self, spanned: Spanned<RawCall>) -> Result<Listed, ManifestError> {
        let at = spanned.span().start;
        let raw = spanned.into_inner();
        let names: Vec<Spanned<String>> = raw.file.into_iter().chain(raw.files).collect();
        if names.is_empty() {
            return Err(self.invalid(at, "a call needs its files: files = [\"mon/acme.m4a\"]"));
        }
        let files = names
            .iter()
            .map(|name| self.file(name))
            .collect::<Result<Vec<_>, _>>()?;
        let id = raw.id.map(|id| self.id(&id)).transpose()?;
        let (date, time) = match &raw.date {
            Some(value) => when(value.get_ref())
                .map(|(d, t)| (Some(d), t))
                .ok_or_else(|| {
                    self.invalid(
                        value.span().start,
                        "the date is not a date: write date = 2026-11-16, or 2026-11-16T09:30:00 with the time",
                    )
                })?,
            None => (None, None),
        };
        let offsets = raw
            .offsets
            .iter()
            .map(|(name, seconds)| self.offset(name, seconds, &files))
            .collect::<Result<_, _>>()?;
        let language = raw.language.map(|l| self.language(&l)).transpose()?;
        let nonempty =
            |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Listed {
            manifest: self.path.to_path_buf(),
            line: line_of(self.text, at),
            id,
            files,
            meta: CallMeta {
                client: nonempty(raw.client),
                organisation: nonempty(raw.organisation),
                language,
                tags: raw.tags,
            },
            date,
            time,
            consultant: nonempty(raw.consultant),
            offsets,
        })
    }

    fn file(&mut self, name: &Spanned<String>) -> Result<PathBuf, ManifestError> {
        let file = self.folder.join(name.get_ref());
        let at = name.span().start;
        if !file.is_file() {
            return Err(self.invalid(
                at,
                format!(
                    "{}: no such file (paths are relative to the manifest's folder)",
                    file.display()
                ),
            ));
        }
        if media_kind(&file).is_none() && import::Format::of(&file).is_none() {
            return Err(self.invalid(
                at,
                format!(
                    "{}: neither a recording nor a transcript rapport reads",
                    file.display()
                ),
            ));
        }
        let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if let Some(first) = self.owners.insert(canonical, line_of(self.text, at)) {
            return Err(self.invalid(
                at,
                format!(
                    "{}: already listed on line {first}; a file belongs to one call",
                    file.display()
                ),
            ));
        }
        Ok(file)
    }

    fn id(&mut self, id: &Spanned<String>) -> Result<String, ManifestError> {
        let at = id.span().start;
        let safe = super::discover::safe_name(id.get_ref().trim());
        if safe.is_empty() {
            return Err(self.invalid(at, "the id is empty"));
        }
        if let Some(first) = self.ids.insert(safe.clone(), line_of(self.text, at)) {
            return Err(self.invalid(
                at,
                format!("id {safe:?} is already the id of the call on line {first}"),
            ));
        }
        Ok(safe)
    }

    fn offset(
        &self,
        name: &str,
        seconds: &Spanned<toml::Value>,
        files: &[PathBuf],
    ) -> Result<String, ManifestError> {
        let at = seconds.span().start;
        let file = self.folder.join(name);
        if !files.contains(&file) {
            return Err(self.invalid(
                at,
                format!("offsets: {name:?} is not one of this call's files"),
            ));
        }
        let value = match seconds.get_ref() {
            toml::Value::Float(s) => Some(*s),
            toml::Value::Integer(s) => Some(*s as f64),
            _ => None,
        }
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| {
            self.invalid(
                at,
                "an offset is a number of seconds ≥ 0 (delay the other files instead)",
            )
        })?;
        Ok(format!("{}={value}", file.display()))
    }

    fn language(&self, code: &Spanned<String>) -> Result<String, ManifestError> {
        let lower = code.get_ref().trim().to_lowercase();
        if (2..=3).contains(&lower.len()) && lower.chars().all(|c| c.is_ascii_lowercase()) {
            Ok(lower)
        } else {
            Err(self.invalid(
                code.span().start,
                format!(
                    "language {:?}: give a language code such as \"en\" or \"nl\"",
                    code.get_ref()
                ),
            ))
        }
    }
}

/// A date, and the time when there is one, from a TOML date or date-time
/// or a string holding one.
fn when(value: &toml::Value) -> Option<(Date, Option<Time>)> {
    let text = match value {
        toml::Value::Datetime(dt) => {
            // An offset date-time says when in some zone; the call's own
            // clock is what the consultant wrote.
            let date = dt.date?;
            let date = Date::new(
                i16::try_from(date.year).ok()?,
                i8::try_from(date.month).ok()?,
                i8::try_from(date.day).ok()?,
            )
            .ok()?;
            let time = match dt.time {
                Some(t) => Some(
                    Time::new(
                        i8::try_from(t.hour).ok()?,
                        i8::try_from(t.minute).ok()?,
                        i8::try_from(t.second.unwrap_or(0)).ok()?,
                        0,
                    )
                    .ok()?,
                ),
                None => None,
            };
            return Some((date, time));
        }
        toml::Value::String(s) => s.trim(),
        _ => return None,
    };
    if let Ok(date) = text.parse::<Date>() {
        return Some((date, None));
    }
    let dt: DateTime = text.replace(' ', "T").parse().ok()?;
    Some((dt.date(), Some(dt.time())))
}

/// A starting manifest for `calls` (found under `folder`): each call's
/// files and the date discovery found, with the client left for the user
/// to fill in.
pub fn starting_manifest(calls: &[super::CallInputs], folder: &Path) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = String::from(
        "# Which call was with whom: rapport follows promises only between calls\n\
         # with the same client. Fill in each call's client (a person and/or an\n\
         # organisation); delete the calls you do not want listed. Paths are\n\
         # relative to this file. See `rapport batch --help`.\n",
    );
    for call in calls {
        let files: Vec<String> = call
            .inputs
            .iter()
            .map(|p| {
                let relative = p.strip_prefix(folder).unwrap_or(p);
                quoted(&relative.to_string_lossy())
            })
            .collect();
        let _ = write!(out, "\n[[call]]\nfiles = [{}]\n", files.join(", "));
        let (date, from) = super::call_date(&call.inputs);
        match (date, from) {
            (Some(date), Some(super::DateSource::FileName)) => {
                let _ = writeln!(out, "date = {date}");
            }
            (Some(date), _) => {
                let _ = writeln!(out, "# date = {date}   # the file's modification day");
            }
            _ => {}
        }
        out.push_str("# client = \"\"\n# organisation = \"\"\n# consultant = \"\"\n");
    }
    out
}

/// Writes `text` to `path`, which must not exist yet.
pub fn write_new(path: &Path, text: &str) -> Result<(), ManifestError> {
    use std::io::Write;
    let mut file = std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                ManifestError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                ManifestError::Write {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
    file.write_all(text.as_bytes())
        .map_err(|source| ManifestError::Write {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        dir
    }

    fn parse(dir: &Path, text: &str) -> Result<Manifest, String> {
        Manifest::parse(&dir.join(FILE_NAME), text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_call_is_its_files_client_date_and_offsets() {
        let dir = folder_with(&["mon/acme--ann.m4a", "mon/acme--dana.m4a", "tue.vtt"]);
        let manifest = parse(
            dir.path(),
            r#"
[[call]]
files = ["mon/acme--ann.m4a", "mon/acme--dana.m4a"]
client = "Dana Lee"
organization = " Acme "
consultant = "mon/acme--ann.m4a"
date = 2026-11-16T09:30:00
offsets = { "mon/acme--dana.m4a" = 1.5 }
language = "EN"
tags = ["kick-off"]

[[call]]
file = "tue.vtt"
id = "Dana, Tuesday"
date = "2026-11-17"
"#,
        )
        .unwrap();
        let [first, second] = manifest.calls.as_slice() else {
            panic!("{manifest:?}");
        };
        assert_eq!(first.line, 2);
        assert_eq!(first.files.len(), 2);
        assert_eq!(first.meta.client_name().as_deref(), Some("Dana Lee (Acme)"));
        assert_eq!(first.meta.language.as_deref(), Some("en"));
        assert_eq!(
            first.date.map(|d| d.to_string()).as_deref(),
            Some("2026-11-16")
        );
        assert_eq!(
            first.time.map(|t| t.to_string()).as_deref(),
            Some("09:30:00")
        );
        assert_eq!(
            first.offsets,
            [format!(
                "{}=1.5",
                dir.path().join("mon/acme--dana.m4a").display()
            )]
        );
        assert_eq!(second.id.as_deref(), Some("Dana__Tuesday"));
        assert_eq!(second.time, None);
        assert_eq!(second.meta, CallMeta::default());
    }

    #[test]
    fn mistakes_are_named_by_line() {
        let dir = folder_with(&["a.vtt", "b.vtt", "notes.txt"]);
        let cases = [
            (
                "[[call]]\nfiles = [\"a.vtt\"]\nclinet = \"x\"\n",
                ":3: unknown field `clinet`",
            ),
            ("[[call]]\nfiles = [\"gone.vtt\"]\n", ":2: "),
            (
                "[[call]]\nfiles = [\"notes.txt\"]\n",
                "neither a recording nor a transcript",
            ),
            (
                "\n[[call]]\nclient = \"Dana\"\n",
                ":2: a call needs its files",
            ),
            (
                "[[call]]\nfiles = [\"a.vtt\"]\n[[call]]\nfiles = [\"b.vtt\",\n  \"a.vtt\"]\n",
                ":5: ",
            ),
            (
                "[[call]]\nfile = \"a.vtt\"\ndate = \"monday\"\n",
                ":3: the date is not a date",
            ),
            ("[[call]]\nfile = \"a.vtt\"\ndate = 2026-02-30\n", ":3: "),
            (
                "[[call]]\nfile = \"a.vtt\"\noffsets = { \"b.vtt\" = 1 }\n",
                ":3: offsets",
            ),
            (
                "[[call]]\nfile = \"a.vtt\"\noffsets = { \"a.vtt\" = -1 }\n",
                ":3: an offset",
            ),
            (
                "[[call]]\nfile = \"a.vtt\"\nlanguage = \"Dutch\"\n",
                ":3: language",
            ),
            (
                "[[call]]\nfile = \"a.vtt\"\nid = \"x\"\n[[call]]\nfile = \"b.vtt\"\nid = \"x\"\n",
                ":6: id",
            ),
            ("[[calls]]\nfile = \"a.vtt\"\n", ":1: unknown field `calls`"),
            ("[[call]\n", ":1: "),
        ];
        for (text, want) in cases {
            let err = parse(dir.path(), text).unwrap_err();
            assert!(
                err.contains(FILE_NAME) && err.contains(want),
                "{text:?}: {err}"
            );
        }
        let err = parse(
            dir.path(),
            "[[call]]\nfiles = [\"b.vtt\", \"a.vtt\"]\n[[call]]\nfile = \"a.vtt\"\n",
        )
        .unwrap_err();
        assert!(
            err.contains(":4: ") && err.contains("already listed on line 2"),
            "{err}"
        );
    }

    #[test]
    fn a_starting_manifest_reads_back() {
        let dir = folder_with(&[
            "mon/acme--ann.m4a",
            "mon/acme--dana.m4a",
            "2026-11-17 bo.vtt",
        ]);
        let found =
            super::super::discover(&[dir.path().to_path_buf()], Path::new("none"), None).unwrap();
        let text = starting_manifest(&found.calls, dir.path());
        assert!(text.contains("date = 2026-11-17"), "{text}");
        let manifest = parse(dir.path(), &text).unwrap();
        assert_eq!(manifest.calls.len(), 2);
        assert_eq!(manifest.calls[1].files.len(), 2);
        write_new(&dir.path().join(FILE_NAME), &text).unwrap();
        let again = write_new(&dir.path().join(FILE_NAME), &text).unwrap_err();
        assert!(matches!(again, ManifestError::Exists { .. }), "{again}");
    }
}
