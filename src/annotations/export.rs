//! Coaches' labelled moments as a training and example set.
//!
//! A moment is one coach's latest word on one target (an utterance or a
//! time range) of one transcript: the labels that hold, the labels rejected
//! (negatives are training data too), the rating and the comments, with the
//! words said, who said them in what role, when, and the three utterances
//! before as context. Redaction replaces the call's participants' names,
//! e-mail addresses and anything with a digit in it (phone numbers, amounts,
//! account numbers) by placeholders; it cannot know other names said aloud,
//! and says so in the README.

use super::agreement::Annotated;
use super::{Label, Rating, Target};
use crate::audio::{self, AudioError};
use crate::speakers::Role;
use crate::transcript::Call;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Seconds of audio kept before and after a moment in its clip.
const CLIP_PADDING: f64 = 0.5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    /// The annotated call (its sidecar's name) and the transcript's key.
    pub call: String,
    pub transcript: String,
    pub coach: String,
    pub labels: Vec<String>,
    pub rejected: Vec<String>,
    pub rating: Option<Rating>,
    pub comment: String,
    pub start: f64,
    pub end: f64,
    /// The utterance labelled, when the target was one.
    pub utterance: Option<usize>,
    pub speaker: String,
    pub role: Option<Role>,
    pub text: String,
    /// Up to three utterances before, oldest first, as `Name: text`.
    pub context: Vec<String>,
    /// The clip's file, when clips were written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip: Option<String>,
}

/// Every labelled moment of the files, in call and time order.
pub fn moments(files: &[Annotated]) -> Vec<Moment> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for file in files {
        let mut labels: Vec<&Label> = file
            .annotations
            .labels
            .iter()
            .filter(|l| seen.insert(l.id.as_str()))
            .collect();
        labels.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        // (transcript, coach, target) → the moment so far.
        let mut by_target: BTreeMap<(String, String, TargetKey), Moment> = BTreeMap::new();
        for label in labels {
            let Some(snapshot) = file.annotations.call(&label.call) else {
                continue;
            };
            let key = (
                label.call.clone(),
                label.coach.clone(),
                TargetKey::of(&label.target),
            );
            let moment = by_target
                .entry(key)
                .or_insert_with(|| blank(&file.name, label, &snapshot.call));
            for (name, holds) in label.verdicts() {
                let (add, remove) = if holds {
                    (&mut moment.labels, &mut moment.rejected)
                } else {
                    (&mut moment.rejected, &mut moment.labels)
                };
                remove.retain(|l| l != name);
                if !add.iter().any(|l| l == name) {
                    add.push(name.to_string());
                }
            }
            if label.rating.is_some() {
                moment.rating = label.rating;
            }
            if !label.comment.trim().is_empty() {
                if !moment.comment.is_empty() {
                    moment.comment.push_str(" | ");
                }
                moment.comment.push_str(label.comment.trim());
            }
        }
        let mut moments: Vec<Moment> = by_target.into_values().collect();
        moments.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.coach.cmp(&b.coach)));
        out.extend(moments);
    }
    out
}

/// Targets compared exactly (times to the millisecond).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum TargetKey {
    Utterance(usize),
    Range(i64, i64),
}

impl TargetKey {
    fn of(target: &Target) -> Self {
        match target.utterance {
            Some(i) => Self::Utterance(i),
            None => Self::Range(
                (target.start * 1000.0).round() as i64,
                (target.end * 1000.0).round() as i64,
            ),
        }
    }
}

fn blank(name: &str, label: &Label, call: &Call) -> Moment {
    let covered = label.target.utterances(call);
    let name_of = |id: &str| {
        call.participant(id)
            .map_or_else(|| id.to_string(), |p| p.person.name.clone())
    };
    let speakers: BTreeSet<&str> = covered
        .iter()
        .map(|&i| call.utterances[i].speaker.as_str())
        .collect();
    let (speaker, role) = match speakers.iter().next() {
        Some(id) if speakers.len() == 1 => {
            (name_of(id), call.participant(id).map(|p| p.person.role))
        }
        Some(_) => ("several".to_string(), None),
        None => (String::new(), None),
    };
    let first = covered.first().copied().unwrap_or_else(|| {
        call.utterances
            .iter()
            .position(|u| u.start >= label.target.start)
            .unwrap_or(call.utterances.len())
    });
    Moment {
        call: name.to_string(),
        transcript: label.call.clone(),
        coach: label.coach.clone(),
        labels: Vec::new(),
        rejected: Vec::new(),
        rating: None,
        comment: String::new(),
        start: label.target.start,
        end: label.target.end,
        utterance: label.target.utterance,
        speaker,
        role,
        text: covered
            .iter()
            .map(|&i| call.utterances[i].text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        context: call.utterances[first.saturating_sub(3)..first]
            .iter()
            .map(|u| format!("{}: {}", name_of(&u.speaker), u.text))
            .collect(),
        clip: None,
    }
}

/// What rapport calls people it has no names for ("Consultant", "channel
/// 2", "Speaker 1"): words, not names, so never redacted.
const GENERIC_NAMES: [&str; 6] = [
    "consultant",
    "client",
    "other",
    "channel",
    "speaker",
    "track",
];

/// Replaces names, e-mail addresses and numbers in exported text.
#[derive(Debug, Default)]
pub struct Redactor {
    names: BTreeSet<String>,
}

impl Redactor {
    /// Knows the participants' names of every transcript in the files.
    pub fn for_files(files: &[Annotated]) -> Self {
        let names = files
            .iter()
            .flat_map(|f| &f.annotations.calls)
            .flat_map(|c| &c.call.participants)
            .flat_map(|p| {
                p.person
                    .name
                    .split_whitespace()
                    .map(fold)
                    .filter(|n| n.chars().count() > 1 && !GENERIC_NAMES.contains(&n.as_str()))
                    .collect::<Vec<_>>()
            })
            .collect();
        Self { names }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while !rest.is_empty() {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (word, after) = rest.split_at(end);
            out.push_str(&self.redact_word(word));
            let spaces = after.len() - after.trim_start().len();
            out.push_str(&after[..spaces]);
            rest = &after[spaces..];
        }
        out
    }

    fn redact_word(&self, word: &str) -> String {
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        if core.is_empty() {
            return word.to_string();
        }
        let possessive = core
            .strip_suffix("'s")
            .or_else(|| core.strip_suffix("’s"))
            .unwrap_or(core);
        let (core, placeholder) = if core.contains('@') && core.contains('.') {
            (core, "[email]")
        } else if core.chars().any(|c| c.is_ascii_digit()) {
            (core, "[number]")
        } else if self.names.contains(&fold(possessive)) {
            (possessive, "[name]")
        } else {
            return word.to_string();
        };
        let start = word.find(core).unwrap_or(0);
        format!(
            "{}{placeholder}{}",
            &word[..start],
            &word[start + core.len()..]
        )
    }

    /// Redacts every piece of text in the moment, comments included.
    pub fn moment(&self, moment: &mut Moment) {
        moment.text = self.redact(&moment.text);
        moment.comment = self.redact(&moment.comment);
        for line in &mut moment.context {
            *line = self.redact(line);
        }
        moment.speaker = self.redact(&moment.speaker);
    }
}

fn fold(word: &str) -> String {
    word.to_lowercase()
}

/// One JSON object per line.
pub fn write_jsonl(moments: &[Moment], out: &mut dyn Write) -> std::io::Result<()> {
    for moment in moments {
        serde_json::to_writer(&mut *out, moment)?;
        writeln!(out)?;
    }
    Ok(())
}

/// One row per moment; lists joined with `;` (context with ` / `). Cells
/// that a spreadsheet would run as a formula are quoted as text.
pub fn write_csv(moments: &[Moment], out: &mut dyn Write) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "call",
        "transcript",
        "coach",
        "labels",
        "rejected",
        "rating",
        "comment",
        "start",
        "end",
        "utterance",
        "speaker",
        "role",
        "text",
        "context",
        "clip",
    ])?;
    for m in moments {
        let rating = m.rating.map(|r| {
            serde_json::to_value(r)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        });
        let role = m.role.map(|r| r.label().to_string());
        let row = [
            m.call.clone(),
            m.transcript.clone(),
            m.coach.clone(),
            m.labels.join(";"),
            m.rejected.join(";"),
            rating.unwrap_or_default(),
            m.comment.clone(),
            format!("{:.2}", m.start),
            format!("{:.2}", m.end),
            m.utterance.map(|u| u.to_string()).unwrap_or_default(),
            m.speaker.clone(),
            role.unwrap_or_default(),
            m.text.clone(),
            m.context.join(" / "),
            m.clip.clone().unwrap_or_default(),
        ];
        csv.write_record(
            row.iter()
                .map(|cell| crate::summary::spreadsheet_safe(cell)),
        )?;
    }
    csv.flush()
}

#[derive(Debug, thiserror::Error)]
pub enum ClipError {
    #[error("{}: the call was read from a transcript; there is no audio to cut clips from", file.display())]
    NoAudio { file: PathBuf },
    #[error("{}: {source}", file.display())]
    Audio { file: PathBuf, source: AudioError },
}

/// Writes each moment's audio (with half a second either side) to
/// `dir/CALL-NNN-LABEL.wav` and records the file name in the moment.
/// Recordings are found where the sidecar says, relative to its folder.
pub fn write_clips(
    files: &[Annotated],
    moments: &mut [Moment],
    dir: &Path,
) -> Result<usize, ClipError> {
    let mut written = 0;
    for file in files {
        let folder = file.path.parent().unwrap_or(Path::new("."));
        let mut by_transcript: BTreeMap<&str, Vec<&mut Moment>> = BTreeMap::new();
        // Two files of one name (copies, or two folders' `call`) are told
        // apart by the transcript; a moment is cut once.
        for moment in moments
            .iter_mut()
            .filter(|m| m.call == file.name && m.clip.is_none())
        {
            by_transcript
                .entry(
                    file.annotations
                        .call(&moment.transcript)
                        .map_or("", |c| c.key.as_str()),
                )
                .or_default()
                .push(moment);
        }
        for (key, moments) in by_transcript {
            let Some(snapshot) = file.annotations.call(key) else {
                continue;
            };
            if snapshot.audio.is_empty() {
                return Err(ClipError::NoAudio {
                    file: file.path.clone(),
                });
            }
            let inputs: Vec<PathBuf> = snapshot.audio.iter().map(|a| folder.join(a)).collect();
            let audio_error = |source| ClipError::Audio {
                file: file.path.clone(),
                source,
            };
            let tracks = audio::load(&inputs, &snapshot.offsets).map_err(audio_error)?;
            for moment in moments {
                written += 1;
                let label = moment
                    .labels
                    .first()
                    .or(moment.rejected.first())
                    .map_or("moment", String::as_str);
                let name = format!("{}-{written:04}-{label}.wav", moment.call);
                let end = (moment.end + CLIP_PADDING).max(moment.start + 0.1);
                audio::write_mix(
                    &tracks,
                    (moment.start - CLIP_PADDING).max(0.0),
                    end,
                    &dir.join(&name),
                )
                .map_err(audio_error)?;
                moment.clip = Some(name);
            }
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{annotated, label};
    use super::super::{Action, call_key};
    use super::*;
    use crate::signals::testing;

    #[test]
    fn a_moment_is_the_coachs_latest_word_on_a_target() {
        let call = testing::call(&[
            (Role::Client, 0.0, "Call me on 555 0100 or ann@example.com."),
            (Role::Consultant, 4.0, "Would Friday or Monday suit you?"),
        ]);
        let key = call_key(&call);
        let mut first = label("dana", &key, Action::Add, "question.open", 1);
        first.comment = "nice".into();
        let mut fix = label("dana", &key, Action::Correct, "option", 1);
        fix.previous = Some("question.open".into());
        fix.rating = Some(Rating::Good);
        fix.at = first.at + jiff::SignedDuration::from_secs(1);
        let files = vec![annotated("mon", &call, vec![first, fix])];
        let moments = moments(&files);
        assert_eq!(moments.len(), 1);
        let m = &moments[0];
        assert_eq!(m.labels, ["option"]);
        assert_eq!(m.rejected, ["question.open"]);
        assert_eq!(m.rating, Some(Rating::Good));
        assert_eq!(m.comment, "nice");
        assert_eq!(m.role, Some(Role::Consultant));
        assert_eq!(m.context.len(), 1);
        assert!(
            m.context[0].starts_with("Client: Call me"),
            "{:?}",
            m.context
        );
    }

    #[test]
    fn redaction_knows_participants_but_not_role_words() {
        let mut call = testing::call(&[(Role::Client, 0.0, "The client asked Consultant Ann.")]);
        call.participants[0].person.name = "Ann Lee".into();
        let redactor = Redactor::for_files(&[annotated("mon", &call, vec![])]);
        assert_eq!(
            redactor.redact("The client asked Consultant Ann."),
            "The client asked Consultant [name]."
        );
    }

    #[test]
    fn redaction_hides_names_emails_and_numbers() {
        let redactor = Redactor {
            names: ["ann".to_string(), "smith".to_string()].into(),
        };
        assert_eq!(
            redactor.redact("Ann Smith's number is 555-0100, mail ann@example.com."),
            "[name] [name]'s number is [number], mail [email]."
        );
        assert_eq!(redactor.redact("Annual plan  ok"), "Annual plan  ok");
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        let call = testing::call(&[(Role::Client, 0.0, "=HYPERLINK(\"x\")")]);
        let label = label("dana", &call_key(&call), Action::Add, "x", 0);
        let files = vec![annotated("mon", &call, vec![label])];
        let mut out = Vec::new();
        write_csv(&moments(&files), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(",=HYPERLINK"), "{text}");
    }
}
