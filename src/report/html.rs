//! One self-contained HTML page: the score, a timeline of who spoke when
//! with markers for the moments that matter, and the evidence list.
//!
//! The page loads nothing (no scripts, fonts or images; a content security
//! policy says so to the browser), so it can be mailed or archived and
//! opened anywhere without the call's contents leaving the file. The
//! template engine (askama) escapes every value it inserts.

use super::{class_of, languages_heard, score_text, speaker_label, talk_shares, timestamp};
use crate::Analysis;
use crate::l10n::Lang;
use crate::speakers::Role;
use askama::Template;

/// Signals whose evidence is marked on the timeline.
const MARKED: &[&str] = &[
    "questions",
    "options-offered",
    "decision-handback",
    "promises",
    "interruptions",
    "check-understanding",
    "out-of-school",
];

pub(crate) const ROW_HEIGHT: f64 = 44.0;

#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    words: Lang,
    title: String,
    subtitle: String,
    overall: String,
    overall_class: &'static str,
    rubric: String,
    dimensions: Vec<DimensionView>,
    timeline_height: f64,
    rows: Vec<Row>,
    markers: Vec<Marker>,
    /// Each marked signal's id (its colour) and name.
    legend: Vec<(&'static str, String)>,
    signals: Vec<(String, String)>,
    evidence: Vec<EvidenceView>,
    notes: Vec<String>,
}

struct DimensionView {
    name: String,
    fear: String,
    score: String,
    class: &'static str,
    reasons: Vec<String>,
}

/// One participant's line on the timeline (the review page draws it too).
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) class: &'static str,
    pub(crate) label_y: f64,
    pub(crate) bar_y: f64,
    pub(crate) bars: Vec<Bar>,
}

pub(crate) struct Bar {
    pub(crate) x: String,
    pub(crate) width: String,
    pub(crate) title: String,
    /// Where the utterance starts, in seconds (the review page seeks there).
    pub(crate) start: String,
}

pub(crate) struct Marker {
    signal: String,
    x: String,
    y: f64,
    title: String,
}

struct EvidenceView {
    when: String,
    speaker: String,
    signal: String,
    signal_name: String,
    kind: String,
    quote: String,
}

pub(crate) type Quoted<'a> = (&'a str, &'a crate::signals::Evidence);

/// The rows of who spoke when, and the markers of the moments that matter,
/// labelled in `words`.
pub(crate) fn timeline(
    analysis: &Analysis,
    evidence: &[Quoted],
    words: Lang,
) -> (Vec<Row>, Vec<Marker>) {
    let call = &analysis.call;
    let span = call
        .utterances
        .iter()
        .map(|u| u.end)
        .fold(call.duration, f64::max)
        .max(1.0);
    // The timeline is 1000 units wide; names take the first 120.
    let x = |t: f64| format!("{:.1}", 120.0 + 870.0 * (t / span));
    let width = |a: f64, b: f64| format!("{:.1}", (870.0 * ((b - a) / span)).max(0.8));
    let row_of = |speaker: &str| {
        call.participants
            .iter()
            .position(|p| p.person.id == speaker)
            .unwrap_or(0)
    };
    let rows = call
        .participants
        .iter()
        .enumerate()
        .map(|(i, p)| Row {
            label: speaker_label(call, &p.person.id, words),
            class: match p.person.role {
                Role::Consultant => "bar-consultant",
                Role::Client => "bar-client",
                Role::Other => "bar-other",
            },
            label_y: i as f64 * ROW_HEIGHT + 15.0,
            bar_y: i as f64 * ROW_HEIGHT + 20.0,
            bars: call
                .utterances
                .iter()
                .filter(|u| u.speaker == p.person.id)
                .map(|u| Bar {
                    x: x(u.start),
                    width: width(u.start, u.end),
                    title: format!("{} {}", timestamp(u.start), u.text),
                    start: format!("{:.2}", u.start),
                })
                .collect(),
        })
        .collect();
    let markers = evidence
        .iter()
        .filter(|(signal, _)| MARKED.contains(signal))
        .map(|(signal, e)| Marker {
            signal: (*signal).to_string(),
            x: x(e.start),
            y: row_of(&e.speaker) as f64 * ROW_HEIGHT + 41.0,
            title: format!(
                "{} {}/{}: {}",
                timestamp(e.start),
                words.signal(signal),
                words.kind(&e.kind),
                e.quote
            ),
        })
        .collect();
    (rows, markers)
}

/// The page for an analysis, in its report language.
pub fn analysis_html(analysis: &Analysis) -> Result<String, askama::Error> {
    let (call, card, words) = (&analysis.call, &analysis.score, analysis.report_language);
    let evidence = analysis.evidence_by_time();
    let (rows, markers) = timeline(analysis, &evidence, words);
    let page = Page {
        words,
        title: call.recording.inputs.join(", "),
        subtitle: format!(
            "{} · {}{}",
            timestamp(call.duration),
            talk_shares(call, words),
            languages_heard(call, words)
                .map(|languages| format!(" · {languages}"))
                .unwrap_or_default()
        ),
        overall: score_text(card.overall, words),
        overall_class: class_of(card.overall),
        rubric: card.rubric.clone(),
        dimensions: card
            .order
            .iter()
            .map(|id| {
                let d = &card.dimensions[id];
                DimensionView {
                    name: d.name.clone(),
                    fear: d.fear.clone(),
                    score: score_text(d.score, words),
                    class: class_of(d.score),
                    // A withheld score's reason is said once, in the notes.
                    reasons: if card.withheld.is_some() {
                        Vec::new()
                    } else {
                        d.checks.iter().map(|c| c.reason.clone()).collect()
                    },
                }
            })
            .collect(),
        timeline_height: call.participants.len().max(1) as f64 * ROW_HEIGHT + 6.0,
        rows,
        markers,
        legend: MARKED.iter().map(|id| (*id, words.signal(id))).collect(),
        signals: analysis
            .signals
            .iter()
            .map(|s| (words.signal(&s.id), s.summary.clone()))
            .collect(),
        evidence: evidence
            .iter()
            .map(|(signal, e)| EvidenceView {
                when: format!("{}–{}", timestamp(e.start), timestamp(e.end)),
                speaker: speaker_label(call, &e.speaker, words),
                signal: (*signal).to_string(),
                signal_name: words.signal(signal),
                kind: words.kind(&e.kind),
                quote: e.quote.clone(),
            })
            .collect(),
        notes: call.notes.iter().map(|note| words.note(note)).collect(),
    };
    page.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Rubric;
    use crate::signals::testing;

    #[test]
    fn the_page_is_self_contained_and_escapes_what_was_said() {
        let call = testing::call(&[
            (
                Role::Client,
                0.0,
                "<script>alert('x')</script> & \"quotes\"",
            ),
            (Role::Consultant, 3.0, "What <b>worries</b> you?"),
        ]);
        let html = analysis_html(&crate::analyze(
            call,
            &Rubric::default_rubric(),
            &crate::detectors::Detectors::Rules,
            crate::l10n::ReportLanguage::Auto,
        ))
        .unwrap();
        assert!(!html.contains("<script>"), "unescaped script");
        assert!(!html.contains("<b>worries"), "unescaped tag");
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{html}"
        );
        for external in ["http://", "https://", "src=", "@import", "url("] {
            assert!(
                !html.contains(external),
                "the page must load nothing: {external}"
            );
        }
        assert!(html.contains("class=\"m-questions\""), "no question marker");
        // The week summary links to moments by their place in the list.
        assert!(html.contains("<tr id=\"e0\">"), "no anchors");
    }
}
