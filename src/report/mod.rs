//! Renderers for what the pipeline produced: one per output format.
//!
//! The transcript is untrusted text (it is whatever was said, or whatever an
//! imported file claims was said), so the text renderers strip control
//! characters (a transcript must never be able to drive the terminal) and
//! the HTML page escapes everything it quotes (its template engine escapes
//! by default). All renderers read the same [`Analysis`]; JSON is its serde
//! form.

pub(crate) mod html;
mod text;

pub use html::analysis_html;
pub use text::analysis_text;

use crate::Analysis;
use crate::l10n::Lang;
use crate::speakers::Role;
use crate::t;
use crate::transcript::Call;
use std::fmt::Write as _;
use std::io::{self, Write};

/// How a 0–100 score reads: good from 70, fair from 40.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grade {
    Good,
    Fair,
    Poor,
    Unmeasured,
}

impl Grade {
    fn of(score: Option<f64>) -> Self {
        match score {
            Some(s) if s >= 70.0 => Self::Good,
            Some(s) if s >= 40.0 => Self::Fair,
            Some(_) => Self::Poor,
            None => Self::Unmeasured,
        }
    }
}

/// A page's CSS class for a score.
pub(crate) fn class_of(score: Option<f64>) -> &'static str {
    match Grade::of(score) {
        Grade::Good => "good",
        Grade::Fair => "fair",
        Grade::Poor => "poor",
        Grade::Unmeasured => "none",
    }
}

/// A score as printed: whole points, or "n/a" in `words`.
pub(crate) fn score_text(score: Option<f64>, words: Lang) -> String {
    score.map_or_else(|| t!(words, "not-available"), |s| format!("{s:.0}"))
}

/// The languages spoken, by name, when not all English ("Dutch", "Dutch
/// and English"): the scorecard says so beside the talk shares.
fn languages_heard(call: &Call, words: Lang) -> Option<String> {
    let codes = || {
        call.participants
            .iter()
            .filter_map(|p| p.language.as_deref())
    };
    codes()
        .any(|code| code != crate::language::ENGLISH)
        .then(|| words.language_names(codes()))
}

/// "Consultant 68 %, Client 32 %".
fn talk_shares(call: &Call, words: Lang) -> String {
    call.participants
        .iter()
        .map(|p| {
            format!(
                "{} {} %",
                speaker_label(call, &p.person.id, words),
                words.decimal(p.talk_share * 100.0, 0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What decided the utterances, for a reader: "rules" in `words`, or the
/// learned model's name.
fn detectors_text(identity: &str, words: Lang) -> String {
    if identity == crate::detectors::Detectors::Rules.identity() {
        t!(words, "detectors-rules")
    } else {
        terminal_safe(identity)
    }
}

/// Output formats of `rapport analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalysisFormat {
    /// A scorecard for a terminal; `color` adds ANSI styles.
    Text { color: bool },
    /// The [`Analysis`] as JSON.
    Json,
    /// One self-contained HTML page.
    Html,
}

/// Writes `analysis` in `format`.
pub fn write_analysis(
    analysis: &Analysis,
    format: AnalysisFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        AnalysisFormat::Text { color } => out.write_all(analysis_text(analysis, color).as_bytes()),
        AnalysisFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, analysis)?;
            out.write_all(b"\n")
        }
        AnalysisFormat::Html => out.write_all(
            analysis_html(analysis)
                .map_err(io::Error::other)?
                .as_bytes(),
        ),
    }
}

/// Output formats of `rapport transcribe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per utterance: `[00:12.3–00:15.0] Consultant: …`.
    Text,
    /// The [`Call`] as JSON.
    Json,
}

/// `m:ss.s`, or `h:mm:ss.s` from an hour on; the issue's `[00:12.3–00:15.0]`
/// form keeps two digits of minutes.
pub fn timestamp(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    let (h, rest) = (tenths / 36_000, tenths % 36_000);
    let (m, rest) = (rest / 600, rest % 600);
    let (s, t) = (rest / 10, rest % 10);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{t}")
    } else {
        format!("{m:02}:{s:02}.{t}")
    }
}

/// Drops characters that could move the cursor, recolour or retitle a
/// terminal; keeps every printable character.
pub fn terminal_safe(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// "Consultant", "Client" (in `words`), or the person's name when roles do
/// not tell people apart.
pub fn speaker_label(call: &Call, id: &str, words: Lang) -> String {
    let Some(p) = call.participant(id) else {
        return terminal_safe(id);
    };
    let same_role = call
        .participants
        .iter()
        .filter(|q| q.person.role == p.person.role)
        .count();
    match p.person.role {
        Role::Other => terminal_safe(&p.person.name),
        role if same_role > 1 => {
            format!("{} ({})", words.role(role), terminal_safe(&p.person.name))
        }
        role => words.role(role),
    }
}

/// The attributed transcript for reading in a terminal, its headings and
/// notes in `words`.
pub fn transcript_text(call: &Call, words: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · {} · {}",
        terminal_safe(&call.recording.inputs.join(", ")),
        timestamp(call.duration),
        t!(words, "participants", n = call.participants.len())
    );
    for p in &call.participants {
        let _ = writeln!(
            out,
            "  {:<12} {:<16} {} {:>6} s ({:>3} %){}",
            speaker_label(call, &p.person.id, words),
            terminal_safe(&p.person.name),
            t!(words, "label-talk"),
            words.decimal(p.talk_seconds, 1),
            words.decimal(p.talk_share * 100.0, 0),
            p.language
                .as_deref()
                .map(|code| format!("  {}", words.language_name(code)))
                .unwrap_or_default()
        );
    }
    for note in &call.notes {
        let _ = writeln!(
            out,
            "{}: {}",
            t!(words, "label-note"),
            terminal_safe(&words.note(note))
        );
    }
    out.push('\n');
    for u in &call.utterances {
        let _ = writeln!(
            out,
            "[{}–{}] {}: {}",
            timestamp(u.start),
            timestamp(u.end),
            speaker_label(call, &u.speaker, words),
            terminal_safe(&u.text)
        );
    }
    out
}

/// Writes `call` in `format`; text in `words`.
pub fn write_call(call: &Call, format: Format, words: Lang, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => out.write_all(transcript_text(call, words).as_bytes()),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, call)?;
            out.write_all(b"\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_like_a_player() {
        assert_eq!(timestamp(12.34), "00:12.3");
        assert_eq!(timestamp(75.0), "01:15.0");
        assert_eq!(timestamp(3_725.06), "1:02:05.1");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(terminal_safe("ok\u{1b}[2Jgone\u{7}\n"), "ok[2Jgone");
    }
}
