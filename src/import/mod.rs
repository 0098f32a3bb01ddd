//! Transcripts instead of audio: the [`Call`] built from a WebVTT, SRT or
//! Whisper JSON file (or rapport's own JSON), skipping decoding and Whisper.
//!
//! Each format's parser turns the file into [`Cue`]s; this module makes the
//! call of them: speaker names become participants in order of first
//! speech, each cue one utterance (with Whisper's word times where the file
//! has them, else its words spread evenly over the cue). Overlapping cues
//! stay overlapping: two people talking at once is what the interruptions
//! signal reads. Cues out of order are sorted, and the call says so. The
//! text is untrusted: it is only ever stored and escaped on output.

mod json;
mod subtitles;

use crate::speakers::{self, Participant, Role, RoleSource};
use crate::transcribe::Word;
use crate::transcript::{Call, SCHEMA_VERSION, Utterance};
use std::io::Read;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A transcript larger than this is not a call's transcript (an hour of
/// talk is ~100 KB of WebVTT; whisper.cpp's full JSON ~10 MB).
const MAX_BYTES: u64 = 256 << 20;

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {} MB is too large for a transcript (at most {} MB)", size >> 20, MAX_BYTES >> 20)]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{path}: not UTF-8 text; save the transcript as UTF-8")]
    NotText { path: PathBuf },
    #[error("{path}{}: {reason}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        reason: String,
    },
    #[error("{path}: the transcript has no cues with text")]
    NoCues { path: PathBuf },
    #[error(
        "{path}: written by a newer rapport (schema version {version}; this one reads up to {SCHEMA_VERSION})"
    )]
    NewerSchema { path: PathBuf, version: u32 },
    #[error("{path}: {source}")]
    Speakers {
        path: PathBuf,
        source: speakers::SpeakersError,
    },
}

/// Why a parser gave up: the 1-based line where the file has one.
#[derive(Debug)]
pub struct ParseError {
    pub line: Option<usize>,
    pub reason: String,
}

impl ParseError {
    fn at(line: usize, reason: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            reason: reason.into(),
        }
    }
}

/// One cue of a transcript, as its parser read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Line of its timing (0 where the format has no lines to speak of).
    pub line: usize,
    pub speaker: Option<String>,
    pub start: f64,
    pub end: f64,
    pub text: String,
    /// Timed words, where the file has them.
    pub words: Option<Vec<Word>>,
}

/// The transcript formats, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    WebVtt,
    Srt,
    Json,
}

impl Format {
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "vtt" => Some(Self::WebVtt),
            "srt" => Some(Self::Srt),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// Parses the text of a transcript into cues.
fn parse(format: Format, text: &str) -> Result<Vec<Cue>, ParseError> {
    match format {
        Format::WebVtt => subtitles::parse_vtt(text),
        Format::Srt => subtitles::parse_srt(text),
        Format::Json => json::parse(text),
    }
}

/// Reads a transcript into a call. `consultant` is `--consultant` (a
/// speaker's name or 1-based number); `known_names` are the consultant's
/// names from `rapport.toml`.
pub fn read(
    path: &Path,
    format: Format,
    consultant: Option<&str>,
    known_names: &[String],
) -> Result<Call, ImportError> {
    let text = read_text(path)?;
    from_text(path, format, &text, consultant, known_names)
}

/// The call in a transcript's `text`; `path` names it in errors and notes.
pub fn from_text(
    path: &Path,
    format: Format,
    text: &str,
    consultant: Option<&str>,
    known_names: &[String],
) -> Result<Call, ImportError> {
    let parse_error = |e: ParseError| ImportError::Parse {
        path: path.to_path_buf(),
        line: e.line,
        reason: e.reason,
    };
    if format == Format::Json
        && let Some(call) = own_call(path, text)?
    {
        return with_roles(call, path, consultant, known_names);
    }
    let mut cues = parse(format, text).map_err(parse_error)?;
    cues.retain(|c| !c.text.trim().is_empty());
    if let Some(cue) = cues
        .iter()
        .find(|c| !(c.start.is_finite() && c.end.is_finite() && c.start >= 0.0 && c.end >= c.start))
    {
        return Err(parse_error(ParseError {
            line: (cue.line > 0).then_some(cue.line),
            reason: format!(
                "a cue's times are not a stretch of the call ({} to {})",
                cue.start, cue.end
            ),
        }));
    }
    if cues.is_empty() {
        return Err(ImportError::NoCues {
            path: path.to_path_buf(),
        });
    }
    let file = path.display().to_string();
    let mut notes = vec![crate::note!("note-imported", file = &file)];
    if cues.windows(2).any(|w| w[1].start < w[0].start) {
        cues.sort_by(|a, b| a.start.total_cmp(&b.start));
        notes.push(crate::note!("note-cues-sorted", file = &file));
    }
    let mut call = build(path, cues, consultant, known_names)?;
    call.notes.splice(0..0, notes);
    Ok(call)
}

fn read_text(path: &Path) -> Result<String, ImportError> {
    let read_error = |source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = crate::open_regular(path).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    if size > MAX_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_path_buf(),
            size,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    String::from_utf8(bytes).map_err(|_| ImportError::NotText {
        path: path.to_path_buf(),
    })
}

/// rapport's own transcript or analysis JSON, read back as it was written.
fn own_call(path: &Path, text: &str) -> Result<Option<Call>, ImportError> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(None);
    };
    let Some(version) = value.get("schema_version") else {
        return Ok(None);
    };
    if version
        .as_u64()
        .is_some_and(|v| v > u64::from(SCHEMA_VERSION))
    {
        return Err(ImportError::NewerSchema {
            path: path.to_path_buf(),
            version: version.as_u64().unwrap_or_default() as u32,
        });
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| ImportError::Parse {
            path: path.to_path_buf(),
            line: None,
            reason: format!("read as a rapport transcript: {e}"),
        })
}

/// A call read back keeps its roles unless `--consultant` or the
/// configuration now says who the consultant is.
fn with_roles(
    mut call: Call,
    path: &Path,
    consultant: Option<&str>,
    known_names: &[String],
) -> Result<Call, ImportError> {
    if consultant.is_none() && known_names.is_empty() {
        return Ok(call);
    }
    let names: Vec<String> = call
        .participants
        .iter()
        .map(|p| p.person.name.clone())
        .collect();
    let (people, source) =
        speakers::assign_named(&names, consultant, known_names).map_err(|source| {
            ImportError::Speakers {
                path: path.to_path_buf(),
                source,
            }
        })?;
    if source == RoleSource::AssumedFirstSpeaker {
        return Ok(call);
    }
    for (participant, person) in call.participants.iter_mut().zip(people) {
        participant.person.role = person.role;
    }
    call.roles = source;
    Ok(call)
}

fn build(
    path: &Path,
    cues: Vec<Cue>,
    consultant: Option<&str>,
    known_names: &[String],
) -> Result<Call, ImportError> {
    const UNNAMED: &str = "Unnamed speaker";
    let mut names: Vec<String> = Vec::new();
    for cue in &cues {
        let name = cue.speaker.as_deref().unwrap_or(UNNAMED);
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    let (people, roles) = if names == [UNNAMED] {
        let everyone = Participant {
            id: "p1".into(),
            name: UNNAMED.into(),
            role: Role::Other,
            track: 1,
        };
        (vec![everyone], RoleSource::Unnamed)
    } else {
        speakers::assign_named(&names, consultant, known_names).map_err(|source| {
            ImportError::Speakers {
                path: path.to_path_buf(),
                source,
            }
        })?
    };
    let utterances = cues
        .into_iter()
        .map(|cue| {
            let name = cue.speaker.as_deref().unwrap_or(UNNAMED);
            let speaker = &people[names.iter().position(|n| n == name).unwrap_or(0)].id;
            utterance(speaker, cue)
        })
        .collect();
    Ok(Call::from_utterances(
        people,
        utterances,
        roles,
        vec![path.display().to_string()],
        None,
    ))
}

fn utterance(speaker: &str, cue: Cue) -> Utterance {
    if let Some(words) = cue.words {
        return Utterance {
            speaker: speaker.to_string(),
            start: cue.start,
            end: cue.end,
            text: cue.text,
            words,
            // Set by the call it joins (`Call::from_utterances`).
            language: String::new(),
        };
    }
    let count = cue.text.split_whitespace().count().max(1);
    Utterance::evenly_timed(
        speaker,
        cue.start,
        &cue.text,
        (cue.end - cue.start) / count as f64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn overlapping_cues_stay_overlapping_and_words_fill_the_cue() {
        let dir = tempfile::tempdir().unwrap();
        let vtt = write(
            dir.path(),
            "talk.vtt",
            "WEBVTT\n\n00:00.000 --> 00:04.000\n<v Ann>one two three four\n\n\
             00:03.000 --> 00:05.000\n<v Dana>five six\n",
        );
        let call = read(&vtt, Format::WebVtt, Some("Ann"), &[]).unwrap();
        let (a, b) = (&call.utterances[0], &call.utterances[1]);
        assert!(b.start < a.end, "the overlap is kept");
        assert_eq!(a.words.len(), 4);
        assert!((a.words[3].end - 4.0).abs() < 1e-9);
        assert!((call.participants[0].talk_seconds - 4.0).abs() < 1e-9);
        assert_eq!(call.roles, RoleSource::Given);
    }

    #[test]
    fn cues_without_words_are_dropped_and_none_left_is_an_error() {
        let json = r#"[{"start": 0, "end": 1, "text": "   "}]"#;
        let err = from_text(Path::new("blank.json"), Format::Json, json, None, &[]).unwrap_err();
        assert!(matches!(err, ImportError::NoCues { .. }), "{err}");
    }

    #[test]
    fn a_transcript_without_names_is_one_unnamed_speaker() {
        let dir = tempfile::tempdir().unwrap();
        let srt = write(
            dir.path(),
            "plain.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nHello.\n",
        );
        let call = read(&srt, Format::Srt, None, &[]).unwrap();
        assert_eq!(call.roles, RoleSource::Unnamed);
        assert_eq!(call.participants[0].person.role, Role::Other);
        assert!(
            call.notes
                .iter()
                .any(|n| n.text.contains("names no speakers"))
        );
    }

    #[test]
    fn rapport_json_reads_back_and_can_be_given_new_roles() {
        let dir = tempfile::tempdir().unwrap();
        let vtt = write(
            dir.path(),
            "talk.vtt",
            "WEBVTT\n\n00:00.000 --> 00:02.000\nAnn: Hello there.\n\n00:02.500 --> 00:04.000\nDana: Hi.\n",
        );
        let call = read(&vtt, Format::WebVtt, None, &[]).unwrap();
        let json = dir.path().join("call.json");
        std::fs::write(&json, serde_json::to_string(&call).unwrap()).unwrap();
        assert_eq!(read(&json, Format::Json, None, &[]).unwrap(), call);
        let swapped = read(&json, Format::Json, Some("Dana"), &[]).unwrap();
        assert_eq!(swapped.participants[1].person.role, Role::Consultant);
        assert_eq!(swapped.roles, RoleSource::Given);

        std::fs::write(&json, "{\"schema_version\": 99, \"utterances\": []}").unwrap();
        let err = read(&json, Format::Json, None, &[]).unwrap_err();
        assert!(err.to_string().contains("newer rapport"), "{err}");
    }
}
