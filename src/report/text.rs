//! The scorecard for a terminal: the score, the four dimensions with their
//! reasons, the key numbers, and the evidence with timestamps.

use super::{
    Grade, detectors_text, languages_heard, score_text, speaker_label, talk_shares, terminal_safe,
    timestamp,
};
use crate::Analysis;
use crate::score::CheckScore;
use crate::t;
use anstyle::{AnsiColor, Style};
use std::fmt::Write as _;

/// Styles, or none at all when colour is off.
struct Palette {
    heading: Style,
    dim: Style,
    good: Style,
    fair: Style,
    poor: Style,
}

impl Palette {
    fn new(color: bool) -> Self {
        if !color {
            let plain = Style::new();
            return Self {
                heading: plain,
                dim: plain,
                good: plain,
                fair: plain,
                poor: plain,
            };
        }
        Self {
            heading: Style::new().bold(),
            dim: Style::new().dimmed(),
            good: AnsiColor::Green.on_default().bold(),
            fair: AnsiColor::Yellow.on_default().bold(),
            poor: AnsiColor::Red.on_default().bold(),
        }
    }

    fn for_score(&self, score: Option<f64>) -> Style {
        match Grade::of(score) {
            Grade::Good => self.good,
            Grade::Fair => self.fair,
            Grade::Poor => self.poor,
            Grade::Unmeasured => self.dim,
        }
    }
}

fn mark(check: &CheckScore) -> &'static str {
    match Grade::of(check.score) {
        Grade::Good => "+",
        Grade::Fair => "~",
        Grade::Poor => "-",
        Grade::Unmeasured => "?",
    }
}

/// The scorecard, with ANSI colour when `color` is set, in the analysis's
/// report language.
pub fn analysis_text(analysis: &Analysis, color: bool) -> String {
    let p = Palette::new(color);
    let (call, card, words) = (&analysis.call, &analysis.score, analysis.report_language);
    let mut out = String::new();
    let h = p.heading;
    let _ = writeln!(
        out,
        "{h}{}{h:#} · {} · {}{}",
        terminal_safe(&call.recording.inputs.join(", ")),
        timestamp(call.duration),
        talk_shares(call, words),
        languages_heard(call, words)
            .map(|languages| format!(" · {languages}"))
            .unwrap_or_default()
    );
    // Notes come first: they say what the numbers below can be trusted for
    // (roles assumed, one side not heard, a mixed track not scored).
    for note in &call.notes {
        let _ = writeln!(
            out,
            "{}{}:{:#} {}",
            p.dim,
            t!(words, "label-note"),
            p.dim,
            terminal_safe(&words.note(note))
        );
    }
    let s = p.for_score(card.overall);
    let _ = writeln!(
        out,
        "\n{h}{}:{h:#} {s}{}{s:#} / 100",
        t!(words, "heading-score"),
        score_text(card.overall, words)
    );
    let width = card
        .dimensions
        .values()
        .map(|d| d.name.chars().count())
        .fold(14, usize::max);
    for id in &card.order {
        let d = &card.dimensions[id];
        let s = p.for_score(d.score);
        let _ = writeln!(
            out,
            "\n  {h}{:<width$}{h:#} {s}{:>3}{s:#}   {}\"{}\"{:#}",
            d.name,
            score_text(d.score, words),
            p.dim,
            d.fear,
            p.dim
        );
        // A withheld score's reason is said once, in the notes.
        if card.withheld.is_none() {
            for c in &d.checks {
                let _ = writeln!(out, "    {} {}", mark(c), terminal_safe(&c.reason));
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{h}{}{h:#} {}({}: {}){:#}",
        t!(words, "heading-key-numbers"),
        p.dim,
        t!(words, "label-detectors"),
        detectors_text(&analysis.detectors, words),
        p.dim
    );
    for signal in &analysis.signals {
        let _ = writeln!(
            out,
            "  {:<20} {}",
            words.signal(&signal.id),
            terminal_safe(&signal.summary)
        );
    }
    let evidence = analysis.evidence_by_time();
    if !evidence.is_empty() {
        let _ = writeln!(out, "\n{h}{}{h:#}", t!(words, "heading-evidence"));
    }
    for (signal, e) in evidence {
        let _ = writeln!(
            out,
            "  [{}–{}] {:<11} {}{}/{}{:#}  \"{}\"",
            timestamp(e.start),
            timestamp(e.end),
            speaker_label(call, &e.speaker, words),
            p.dim,
            words.signal(signal),
            words.kind(&e.kind),
            p.dim,
            terminal_safe(&e.quote)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Rubric;
    use crate::signals::testing;

    #[test]
    fn plain_when_colour_is_off_and_styled_when_on() {
        let analysis = crate::analyze(
            testing::sample_call(),
            &Rubric::default_rubric(),
            &crate::detectors::Detectors::Rules,
            crate::l10n::ReportLanguage::Auto,
        );
        let plain = analysis_text(&analysis, false);
        assert!(!plain.contains('\u{1b}'), "{plain}");
        assert!(plain.contains("Client in control: "), "{plain}");
        assert!(plain.contains("Control"), "{plain}");
        assert!(
            plain.contains("\"I'll send you the revised plan by Friday\""),
            "{plain}"
        );
        assert!(analysis_text(&analysis, true).contains('\u{1b}'));
    }

    #[test]
    fn scorecard_of_the_fixture_call() {
        let analysis = crate::analyze(
            testing::sample_call(),
            &Rubric::default_rubric(),
            &crate::detectors::Detectors::Rules,
            crate::l10n::ReportLanguage::Auto,
        );
        insta::assert_snapshot!(analysis_text(&analysis, false));
    }

    #[test]
    fn transcript_text_cannot_drive_the_terminal() {
        let call = testing::call(&[(
            crate::speakers::Role::Consultant,
            0.0,
            "Does that make sense?\u{1b}[2J",
        )]);
        let analysis = crate::analyze(
            call,
            &Rubric::default_rubric(),
            &crate::detectors::Detectors::Rules,
            crate::l10n::ReportLanguage::Auto,
        );
        assert!(!analysis_text(&analysis, false).contains('\u{1b}'));
    }
}
