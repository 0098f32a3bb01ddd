//! The scorecard for a terminal: the score, the four dimensions with their
//! reasons, the key numbers, and the evidence with timestamps.

use super::{speaker_label, terminal_safe, timestamp};
use crate::Analysis;
use crate::score::CheckScore;
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
        match score {
            Some(s) if s >= 70.0 => self.good,
            Some(s) if s >= 40.0 => self.fair,
            Some(_) => self.poor,
            None => self.dim,
        }
    }
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_string(), |s| format!("{s:.0}"))
}

fn mark(check: &CheckScore) -> &'static str {
    match check.score {
        Some(s) if s >= 70.0 => "+",
        Some(s) if s >= 40.0 => "~",
        Some(_) => "-",
        None => "?",
    }
}

/// The scorecard, with ANSI colour when `color` is set.
pub fn analysis_text(analysis: &Analysis, color: bool) -> String {
    let p = Palette::new(color);
    let (call, card) = (&analysis.call, &analysis.score);
    let mut out = String::new();
    let h = p.heading;
    let _ = writeln!(
        out,
        "{h}{}{h:#} · {} · {}",
        terminal_safe(&call.recording.inputs.join(", ")),
        timestamp(call.duration),
        call.participants
            .iter()
            .map(|q| format!(
                "{} {:.0} %",
                speaker_label(call, &q.person.id),
                q.talk_share * 100.0
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Notes come first: they say what the numbers below can be trusted for
    // (roles assumed, one side not heard, a mixed track not scored).
    for note in &call.notes {
        let _ = writeln!(out, "{}note:{:#} {}", p.dim, p.dim, terminal_safe(note));
    }
    let s = p.for_score(card.overall);
    let _ = writeln!(
        out,
        "\n{h}Client in control:{h:#} {s}{}{s:#} / 100",
        score_text(card.overall)
    );
    for id in &card.order {
        let d = &card.dimensions[id];
        let s = p.for_score(d.score);
        let _ = writeln!(
            out,
            "\n  {h}{:<14}{h:#} {s}{:>3}{s:#}   {}\"{}\"{:#}",
            d.name,
            score_text(d.score),
            p.dim,
            d.fear,
            p.dim
        );
        for c in &d.checks {
            let _ = writeln!(out, "    {} {}", mark(c), terminal_safe(&c.reason));
        }
    }
    let _ = writeln!(out, "\n{h}Key numbers{h:#}");
    for signal in &analysis.signals {
        let _ = writeln!(
            out,
            "  {:<20} {}",
            signal.id,
            terminal_safe(&signal.summary)
        );
    }
    let mut evidence: Vec<_> = analysis
        .signals
        .iter()
        .flat_map(|s| s.evidence.iter().map(move |e| (s.id.as_str(), e)))
        .collect();
    evidence.sort_by(|a, b| a.1.start.total_cmp(&b.1.start).then(a.0.cmp(b.0)));
    if !evidence.is_empty() {
        let _ = writeln!(out, "\n{h}Evidence{h:#}");
    }
    for (signal, e) in evidence {
        let _ = writeln!(
            out,
            "  [{}–{}] {:<11} {}{signal}/{}{:#}  \"{}\"",
            timestamp(e.start),
            timestamp(e.end),
            speaker_label(call, &e.speaker),
            p.dim,
            e.kind,
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
        let analysis = crate::analyze(testing::sample_call(), &Rubric::default_rubric());
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
        let analysis = crate::analyze(testing::sample_call(), &Rubric::default_rubric());
        insta::assert_snapshot!(analysis_text(&analysis, false));
    }

    #[test]
    fn transcript_text_cannot_drive_the_terminal() {
        let call = testing::call(&[(
            crate::speakers::Role::Consultant,
            0.0,
            "Does that make sense?\u{1b}[2J",
        )]);
        let analysis = crate::analyze(call, &Rubric::default_rubric());
        assert!(!analysis_text(&analysis, false).contains('\u{1b}'));
    }
}
