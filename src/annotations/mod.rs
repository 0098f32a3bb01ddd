//! Coaches' labels on a call, kept in a sidecar file beside it
//! (`call.wav` → `call.annotations.jsonl`).
//!
//! The file is JSON Lines and only ever appended to, so no action of a
//! coach is overwritten: each line is one versioned record. A `call` record
//! holds the transcript the coach saw (so the labels keep their meaning
//! when the model or the detectors change, and the file alone is enough to
//! measure and export); `label` records then add, confirm, reject or correct
//! a label on an utterance or a time range of that transcript, with who,
//! when, a comment and a rating. The state of a moment is its latest record.
//!
//! Every write takes an exclusive lock on the file and appends one whole
//! line with a single write, then syncs: two browser tabs, two servers or a
//! script can write at once and no line is interleaved or lost. A writer
//! killed mid-line leaves a fragment without a newline; the next writer
//! starts on a fresh line, and readers report the fragment (and any line
//! they cannot read) by line number instead of dropping it silently.

pub mod agreement;
pub mod export;

use crate::transcript::Call;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The version of the record format this build writes and reads.
pub const RECORD_VERSION: u32 = 1;

/// What a sidecar's name ends with.
pub const SUFFIX: &str = ".annotations.jsonl";

/// Labels with a meaning rapport knows: the evaluation data's and the
/// product's own. Coaches may also use free tags (see [`check_label`]).
pub const VOCABULARY: [&str; 10] = [
    "question",
    "question.open",
    "question.closed",
    "option",
    "commitment",
    "decision-handback",
    "out-of-school",
    "interruption",
    "check-understanding",
    "vague-promise",
];

/// The longest label and comment accepted, in characters.
const MAX_LABEL: usize = 48;
const MAX_COMMENT: usize = 4000;

#[derive(Debug, Error)]
pub enum AnnotationError {
    #[error("{}: cannot {doing}: {source}", path.display())]
    Io {
        path: PathBuf,
        doing: &'static str,
        source: std::io::Error,
    },
    #[error("{}: no transcript in it (no `call` record): not an annotations file", path.display())]
    NoCall { path: PathBuf },
    #[error(
        "{}:{line}: written by a newer rapport (record version {version}; this one reads {RECORD_VERSION}): update rapport to add to it",
        path.display()
    )]
    Newer {
        path: PathBuf,
        line: usize,
        version: u32,
    },
    #[error("{0}")]
    Invalid(String),
}

fn io_error(path: &Path, doing: &'static str) -> impl FnOnce(std::io::Error) -> AnnotationError {
    let path = path.to_path_buf();
    move |source| AnnotationError::Io {
        path,
        doing,
        source,
    }
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub record_version: u32,
    #[serde(flatten)]
    pub record: Record,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Record {
    Call(Box<CallSnapshot>),
    Label(Label),
}

/// The transcript the labels that follow refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallSnapshot {
    /// A hash of `call`: labels name the transcript they were made on.
    pub key: String,
    pub at: jiff::Timestamp,
    /// The recordings, relative to the sidecar's folder when they are in
    /// it (empty for a call read from a transcript).
    pub audio: Vec<String>,
    /// Where each recording starts on the call's timeline, in seconds.
    pub offsets: Vec<f64>,
    pub call: Call,
}

/// One coach action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub id: String,
    pub at: jiff::Timestamp,
    pub coach: String,
    /// The [`CallSnapshot::key`] of the transcript labelled.
    pub call: String,
    pub action: Action,
    pub label: String,
    /// For `correct`: the label this one replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    pub target: Target,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The coach marks the label (a moment the detectors may have missed).
    Add,
    /// The coach agrees with a detected (or another coach's) label.
    Confirm,
    /// The coach says the label does not hold here.
    Reject,
    /// `previous` does not hold here; `label` does.
    Correct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    Good,
    Missed,
    Poor,
}

/// An utterance, or a stretch of the call's timeline (seconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utterance: Option<usize>,
    pub start: f64,
    pub end: f64,
}

impl Target {
    /// The utterances the target covers: its utterance, or those whose
    /// middle lies in its time range.
    pub fn utterances(&self, call: &Call) -> Vec<usize> {
        match self.utterance {
            Some(i) if i < call.utterances.len() => vec![i],
            Some(_) => Vec::new(),
            None => call
                .utterances
                .iter()
                .enumerate()
                .filter(|(_, u)| (self.start..=self.end).contains(&f64::midpoint(u.start, u.end)))
                .map(|(i, _)| i)
                .collect(),
        }
    }
}

impl Label {
    /// The labels this record says hold (`true`) or do not (`false`).
    pub fn verdicts(&self) -> Vec<(&str, bool)> {
        match self.action {
            Action::Add | Action::Confirm => vec![(&self.label, true)],
            Action::Reject => vec![(&self.label, false)],
            Action::Correct => self
                .previous
                .iter()
                .map(|p| (p.as_str(), false))
                .chain([(self.label.as_str(), true)])
                .collect(),
        }
    }
}

/// A label is one of the [`VOCABULARY`] or a free tag: lower-case letters,
/// digits, `-`, `.` and `:`.
pub fn check_label(label: &str) -> Result<(), AnnotationError> {
    let ok = !label.is_empty()
        && label.chars().count() <= MAX_LABEL
        && label
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.:".contains(c));
    if ok {
        Ok(())
    } else {
        Err(AnnotationError::Invalid(format!(
            "label {label:?}: use one of {} or a tag of lower-case letters, digits, '-', '.', ':' (at most {MAX_LABEL})",
            VOCABULARY.join(", ")
        )))
    }
}

/// Checks a label record against the transcript it names, and fills in
/// the times of an utterance target.
pub fn check(label: &mut Label, call: &Call) -> Result<(), AnnotationError> {
    check_label(&label.label)?;
    if let Some(previous) = &label.previous {
        check_label(previous)?;
    }
    if label.action == Action::Correct && label.previous.is_none() {
        return Err(AnnotationError::Invalid(
            "a correction names the label it replaces (`previous`)".into(),
        ));
    }
    if label.comment.chars().count() > MAX_COMMENT {
        return Err(AnnotationError::Invalid(format!(
            "the comment is longer than {MAX_COMMENT} characters"
        )));
    }
    if label.coach.trim().is_empty() {
        return Err(AnnotationError::Invalid("no coach name".into()));
    }
    let target = &mut label.target;
    if let Some(i) = target.utterance {
        let utterance = call.utterances.get(i).ok_or_else(|| {
            AnnotationError::Invalid(format!(
                "utterance {i}: the call has {}",
                call.utterances.len()
            ))
        })?;
        target.start = utterance.start;
        target.end = utterance.end;
    } else if !(target.start.is_finite()
        && target.end.is_finite()
        && 0.0 <= target.start
        && target.start < target.end)
    {
        return Err(AnnotationError::Invalid(format!(
            "time range {}–{}: give a start before its end, in seconds",
            target.start, target.end
        )));
    }
    Ok(())
}

/// A fresh random id (hex) from the operating system's random source, for
/// records, session tokens and nonces.
pub fn random_id(bytes: usize) -> Result<String, AnnotationError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| AnnotationError::Invalid(format!("the system's random source failed: {e}")))?;
    Ok(crate::cache::hex(&buf))
}

/// The sidecar of a call: beside its first input, named after the call
/// (`CALL--PERSON.m4a` files share `CALL.annotations.jsonl`).
pub fn sidecar_path(first_input: &Path) -> PathBuf {
    let stem = crate::audio::file_stem(first_input);
    let call = stem
        .split_once("--")
        .map_or(stem.as_str(), |(call, _)| call);
    first_input.with_file_name(format!("{call}{SUFFIX}"))
}

/// How the sidecar names the recordings: by file name when they sit in its
/// folder (the pair can be moved together), else by absolute path.
pub fn relative_to(sidecar: &Path, inputs: &[PathBuf]) -> Vec<String> {
    let folder = sidecar
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let folder = folder
        .canonicalize()
        .unwrap_or_else(|_| folder.to_path_buf());
    inputs
        .iter()
        .map(|input| {
            let input = input.canonicalize().unwrap_or_else(|_| input.clone());
            match (input.parent(), input.file_name()) {
                (Some(parent), Some(name)) if parent == folder => {
                    name.to_string_lossy().into_owned()
                }
                _ => input.display().to_string(),
            }
        })
        .collect()
}

/// Every sidecar under a folder, in path order.
pub fn find(dir: &Path) -> Result<Vec<PathBuf>, AnnotationError> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| AnnotationError::Io {
            path: e.path().unwrap_or(dir).to_path_buf(),
            doing: "list the folder",
            source: e.into(),
        })?;
        if entry.file_type().is_file() && entry.file_name().to_string_lossy().ends_with(SUFFIX) {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

#[derive(Deserialize)]
struct Versioned {
    record_version: u32,
}

/// A line that could not be read, kept in the file and reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
    /// The record's version, when it is one this rapport does not read.
    pub newer: Option<u32>,
}

/// What a sidecar holds, in file order.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    pub calls: Vec<CallSnapshot>,
    pub labels: Vec<Label>,
    pub skipped: Vec<Skipped>,
}

impl Annotations {
    /// Parses the file's text; lines that are not records are listed in
    /// `skipped` with their number and why.
    pub fn parse(text: &str) -> Self {
        let mut annotations = Self::default();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let skip = |reason: String| Skipped {
                line: n + 1,
                reason,
                newer: None,
            };
            // The version first: a newer record is reported as newer, not
            // as malformed.
            match serde_json::from_str::<Versioned>(line) {
                Ok(Versioned { record_version }) if record_version != RECORD_VERSION => {
                    annotations.skipped.push(Skipped {
                        newer: Some(record_version),
                        ..skip(format!(
                            "record version {record_version} (this rapport reads {RECORD_VERSION})"
                        ))
                    });
                }
                Ok(_) => match serde_json::from_str::<Line>(line) {
                    Ok(Line { record, .. }) => match record {
                        Record::Call(call) => annotations.calls.push(*call),
                        Record::Label(label) => annotations.labels.push(label),
                    },
                    Err(err) => annotations.skipped.push(skip(err.to_string())),
                },
                Err(err) => annotations.skipped.push(skip(err.to_string())),
            }
        }
        annotations
    }

    /// Reads a sidecar (under a shared lock, so never half a line being
    /// written).
    pub fn load(path: &Path) -> Result<Self, AnnotationError> {
        let mut file = crate::open_regular(path).map_err(io_error(path, "read the annotations"))?;
        file.lock_shared()
            .map_err(io_error(path, "lock the annotations"))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(io_error(path, "read the annotations"))?;
        Ok(Self::parse(&String::from_utf8_lossy(&bytes)))
    }

    /// The transcript with this key.
    pub fn call(&self, key: &str) -> Option<&CallSnapshot> {
        self.calls.iter().rev().find(|c| c.key == key)
    }
}

/// A sidecar held open for writing.
#[derive(Debug)]
pub struct Sidecar {
    path: PathBuf,
}

impl Sidecar {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Before adding to the file: refuses one a newer rapport wrote, or
    /// one with something in it but no record (not an annotations file);
    /// returns the lines that will be skipped (a writer killed mid-line
    /// leaves one), which stay in the file. A file not there yet is fine.
    pub fn check(&self) -> Result<Vec<Skipped>, AnnotationError> {
        if !self.path.exists() {
            return Ok(Vec::new());
        }
        let annotations = Annotations::load(&self.path)?;
        if let Some(newer) = annotations.skipped.iter().find(|s| s.newer.is_some()) {
            return Err(AnnotationError::Newer {
                path: self.path.clone(),
                line: newer.line,
                version: newer.newer.unwrap_or_default(),
            });
        }
        if annotations.calls.is_empty()
            && annotations.labels.is_empty()
            && !annotations.skipped.is_empty()
        {
            return Err(AnnotationError::NoCall {
                path: self.path.clone(),
            });
        }
        Ok(annotations.skipped)
    }

    /// Makes sure the file holds this transcript (appending it when no
    /// record has it), and returns its key.
    pub fn record_call(
        &self,
        call: &Call,
        audio: Vec<String>,
        offsets: Vec<f64>,
    ) -> Result<String, AnnotationError> {
        let key = call_key(call);
        self.with_lock(|file| {
            let mut bytes = Vec::new();
            file.seek(SeekFrom::Start(0))
                .and_then(|_| file.read_to_end(&mut bytes))
                .map_err(io_error(&self.path, "read the annotations"))?;
            let existing = Annotations::parse(&String::from_utf8_lossy(&bytes));
            if existing.calls.iter().any(|c| c.key == key) {
                return Ok(());
            }
            let snapshot = CallSnapshot {
                key: key.clone(),
                at: jiff::Timestamp::now(),
                audio,
                offsets,
                call: call.clone(),
            };
            append(file, &self.path, Record::Call(Box::new(snapshot)))
        })?;
        Ok(key)
    }

    /// Appends one label record.
    pub fn record_label(&self, label: &Label) -> Result<(), AnnotationError> {
        self.with_lock(|file| append(file, &self.path, Record::Label(label.clone())))
    }

    /// Everything in the file.
    pub fn load(&self) -> Result<Annotations, AnnotationError> {
        Annotations::load(&self.path)
    }

    /// Runs `write` with the file open for appending under an exclusive
    /// lock, after ending any torn last line (only the last byte is read:
    /// a label costs the same in a long file).
    fn with_lock(
        &self,
        write: impl FnOnce(&mut File) -> Result<(), AnnotationError>,
    ) -> Result<(), AnnotationError> {
        let path = &self.path;
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
            .map_err(io_error(path, "open the annotations for writing"))?;
        file.lock()
            .map_err(io_error(path, "lock the annotations"))?;
        let length = file
            .metadata()
            .map_err(io_error(path, "read the annotations"))?
            .len();
        if length > 0 {
            let mut last = [0u8];
            file.read_exact_at(&mut last, length - 1)
                .map_err(io_error(path, "read the annotations"))?;
            if last[0] != b'\n' {
                // A writer died mid-line: keep its fragment, start afresh.
                file.write_all(b"\n")
                    .map_err(io_error(path, "write the annotations"))?;
            }
        }
        write(&mut file)
        // Closing the file releases the lock.
    }
}

/// One whole line in one write, then synced to disk. A write that fails
/// part way (the disk full) is cut back off, so the next label does not
/// follow a torn line; the lock is held, so no other writer is behind it.
fn append(file: &mut File, path: &Path, record: Record) -> Result<(), AnnotationError> {
    let line = Line {
        record_version: RECORD_VERSION,
        record,
    };
    let mut bytes = serde_json::to_vec(&line).map_err(|e| AnnotationError::Io {
        path: path.to_path_buf(),
        doing: "encode a record",
        source: e.into(),
    })?;
    bytes.push(b'\n');
    let length = file
        .metadata()
        .map_err(io_error(path, "read the annotations"))?
        .len();
    file.write_all(&bytes)
        .and_then(|()| file.sync_data())
        .map_err(|err| {
            let _ = file.set_len(length);
            io_error(path, "write the annotations")(err)
        })
}

/// A transcript's identity: the hash of its JSON.
pub fn call_key(call: &Call) -> String {
    let json = serde_json::to_vec(call).unwrap_or_default();
    crate::cache::hex(&Sha256::digest(&json)[..12])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::testing;
    use crate::speakers::Role;

    pub(crate) fn sample_call() -> Call {
        testing::call(&[
            (Role::Client, 0.0, "We missed the March deadline."),
            (Role::Consultant, 3.0, "What happened with the deadline?"),
            (Role::Client, 6.0, "The vendor slipped."),
            (Role::Consultant, 9.0, "I'll look into it."),
        ])
    }

    pub(crate) fn label(coach: &str, key: &str, action: Action, label: &str, u: usize) -> Label {
        Label {
            id: random_id(6).unwrap(),
            at: jiff::Timestamp::now(),
            coach: coach.into(),
            call: key.into(),
            action,
            label: label.into(),
            previous: None,
            target: Target {
                utterance: Some(u),
                start: 0.0,
                end: 0.0,
            },
            comment: String::new(),
            rating: None,
        }
    }

    pub(crate) fn annotated(name: &str, call: &Call, labels: Vec<Label>) -> agreement::Annotated {
        agreement::Annotated {
            path: PathBuf::from(format!("{name}.annotations.jsonl")),
            name: name.into(),
            annotations: Annotations {
                calls: vec![CallSnapshot {
                    key: call_key(call),
                    at: jiff::Timestamp::now(),
                    audio: vec![],
                    offsets: vec![],
                    call: call.clone(),
                }],
                labels,
                skipped: vec![],
            },
        }
    }

    #[test]
    fn the_sidecar_sits_beside_the_call() {
        assert_eq!(
            sidecar_path(Path::new("week/mon.wav")),
            Path::new("week/mon.annotations.jsonl")
        );
        assert_eq!(
            sidecar_path(Path::new("week/mon--ann.m4a")),
            Path::new("week/mon.annotations.jsonl")
        );
    }

    #[test]
    fn records_round_trip_and_the_call_is_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let sidecar = Sidecar::new(dir.path().join("c.annotations.jsonl"));
        let call = sample_call();
        let key = sidecar.record_call(&call, vec![], vec![]).unwrap();
        assert_eq!(sidecar.record_call(&call, vec![], vec![]).unwrap(), key);
        let mut l = label("dana", &key, Action::Add, "question.open", 1);
        check(&mut l, &call).unwrap();
        let said = &call.utterances[1];
        assert_eq!((l.target.start, l.target.end), (said.start, said.end));
        sidecar.record_label(&l).unwrap();
        let loaded = sidecar.load().unwrap();
        assert_eq!(loaded.calls.len(), 1);
        assert_eq!(loaded.labels, vec![l]);
        assert!(loaded.skipped.is_empty());
        // Going back to a transcript recorded before adds nothing.
        let other = testing::call(&[(Role::Client, 0.0, "Another call.")]);
        assert_ne!(sidecar.record_call(&other, vec![], vec![]).unwrap(), key);
        sidecar.record_call(&call, vec![], vec![]).unwrap();
        assert_eq!(sidecar.load().unwrap().calls.len(), 2);
        let mode = std::fs::metadata(sidecar.path()).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
    }

    #[test]
    fn bad_labels_and_targets_are_refused() {
        let call = sample_call();
        for (name, edit) in [
            (
                "html",
                Box::new(|l: &mut Label| l.label = "<b>".into()) as Box<dyn Fn(&mut Label)>,
            ),
            ("empty", Box::new(|l: &mut Label| l.label = String::new())),
            (
                "utterance",
                Box::new(|l: &mut Label| l.target.utterance = Some(9)),
            ),
            (
                "range",
                Box::new(|l: &mut Label| {
                    l.target = Target {
                        utterance: None,
                        start: 5.0,
                        end: f64::NAN,
                    };
                }),
            ),
            (
                "correct",
                Box::new(|l: &mut Label| l.action = Action::Correct),
            ),
            ("coach", Box::new(|l: &mut Label| l.coach = " ".into())),
        ] {
            let mut l = label("dana", "k", Action::Add, "option", 0);
            edit(&mut l);
            assert!(check(&mut l, &call).is_err(), "{name} accepted");
        }
        let mut free_tag = label("dana", "k", Action::Add, "missed-chance:options", 0);
        check(&mut free_tag, &call).unwrap();
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.annotations.jsonl");
        let call = sample_call();
        let key = Sidecar::new(path.clone())
            .record_call(&call, vec![], vec![])
            .unwrap();
        std::thread::scope(|s| {
            for writer in 0..8 {
                let (path, key) = (path.clone(), key.clone());
                s.spawn(move || {
                    let sidecar = Sidecar::new(path);
                    for n in 0..50 {
                        let mut l =
                            label(&format!("coach{writer}"), &key, Action::Add, "option", 0);
                        l.comment = format!("{n} {}", "x".repeat(3000));
                        sidecar.record_label(&l).unwrap();
                    }
                });
            }
        });
        let loaded = Annotations::load(&path).unwrap();
        assert_eq!(loaded.labels.len(), 400);
        assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
    }

    #[test]
    fn a_torn_line_is_kept_reported_and_written_past() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.annotations.jsonl");
        let sidecar = Sidecar::new(path.clone());
        let call = sample_call();
        let key = sidecar.record_call(&call, vec![], vec![]).unwrap();
        // A writer killed half-way through its line.
        let whole = serde_json::to_string(&Line {
            record_version: 1,
            record: Record::Label(label("bo", &key, Action::Add, "option", 0)),
        })
        .unwrap();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(&whole.as_bytes()[..40]).unwrap();
        drop(file);
        sidecar
            .record_label(&label("dana", &key, Action::Reject, "option", 0))
            .unwrap();
        let loaded = sidecar.load().unwrap();
        assert_eq!(loaded.labels.len(), 1);
        assert_eq!(loaded.labels[0].coach, "dana");
        assert_eq!(loaded.skipped.len(), 1);
        assert_eq!(loaded.skipped[0].line, 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&whole[..40]), "the fragment was dropped");
    }

    #[test]
    fn unknown_versions_and_garbage_are_skipped_with_reasons() {
        let text = "{\"record_version\":2,\"type\":\"label\"}\nnot json\n\n";
        let parsed = Annotations::parse(text);
        assert_eq!(parsed.skipped.len(), 2);
        assert!(
            parsed.skipped[0].reason.contains("version 2"),
            "{:?}",
            parsed.skipped
        );
        assert_eq!(parsed.skipped[1].line, 2);
    }

    #[test]
    fn a_correction_rejects_the_old_label_and_adds_the_new() {
        let mut l = label("dana", "k", Action::Correct, "question.closed", 1);
        l.previous = Some("question.open".into());
        assert_eq!(
            l.verdicts(),
            vec![("question.open", false), ("question.closed", true)]
        );
    }

    #[test]
    fn a_range_covers_the_utterances_centred_in_it() {
        let call = sample_call();
        let range = Target {
            utterance: None,
            start: 2.5,
            end: 8.0,
        };
        assert_eq!(range.utterances(&call), vec![1, 2]);
    }
}
