//! The consultant's longest monologue.
//!
//! ## What it detects
//!
//! Stretches of continuous consultant speech: consecutive consultant
//! utterances merged across pauses shorter than `merge-gap-seconds`, with the
//! client's backchannels ("mm-hm", "right", "I see") not counted as taking
//! the floor. The value is the longest stretch in seconds; the evidence is
//! that stretch and every other one longer than `report-over-seconds`,
//! each quoting its opening words.
//!
//! ## Why it matters
//!
//! On a video call a client cannot lean in or raise a hand to stop a
//! speaker; a long monologue takes the call away from them (seed 003: the
//! client "afraid that he will lose control"). Calls that go well keep the
//! consultant's longest stretch under two and a half minutes.
//!
//! ## Fires on
//!
//! - Consultant speech that runs on while the client only says "mm-hm".
//! - Two consultant utterances half a second apart (one stretch).
//!
//! ## Does not fire on
//!
//! - Speech the client breaks into with a real turn: the stretch ends there.
//! - A pause of `merge-gap-seconds` or more: the floor was open.
//! - Calls without known roles.
//!
//! ## In Dutch
//!
//! Timing, the same in every language; the client's Dutch backchannels
//! ("ja", "hm-hm", "precies", "klopt") do not break the consultant's
//! stretch, as the English ones do not.
//!
//! ## Settings
//!
//! - `merge-gap-seconds` (1.0): pauses shorter than this do not end a stretch.
//! - `backchannel-seconds` (1.0): the other side's backchannels up to this
//!   long do not end it.
//! - `report-over-seconds` (60.0): stretches longer than this are evidence.

use super::{
    Evidence, Input, Signal, SignalMeta, SignalOutput, is_backchannel, output, without_roles,
};
use crate::l10n::Arg;
use crate::report::timestamp;
use crate::speakers::Role;
use crate::t;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug)]
pub struct Monologue;

static META: SignalMeta = SignalMeta {
    id: "monologue",
    source: include_str!("monologue.rs"),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub merge_gap_seconds: f64,
    pub backchannel_seconds: f64,
    pub report_over_seconds: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            merge_gap_seconds: 1.0,
            backchannel_seconds: 1.0,
            report_over_seconds: 60.0,
        }
    }
}

/// A continuous stretch of one side's speech.
#[derive(Debug, Clone, PartialEq)]
pub struct Stretch {
    pub first: usize,
    pub last: usize,
    pub start: f64,
    pub end: f64,
}

impl Stretch {
    pub fn seconds(&self) -> f64 {
        self.end - self.start
    }
}

/// The stretches of `role`'s speech, in time order.
pub fn stretches(input: &Input, role: Role, settings: &Settings) -> Vec<Stretch> {
    let utterances = &input.call.utterances;
    let mut order: Vec<usize> = (0..utterances.len()).collect();
    order.sort_by(|&a, &b| utterances[a].start.total_cmp(&utterances[b].start));
    let mut out: Vec<Stretch> = Vec::new();
    let mut open = false;
    for i in order {
        let u = &utterances[i];
        if input.role(i) != role {
            if !is_backchannel(input, i, settings.backchannel_seconds) {
                open = false;
            }
            continue;
        }
        match out.last_mut() {
            Some(s) if open && u.start - s.end < settings.merge_gap_seconds => {
                s.last = i;
                s.end = s.end.max(u.end);
            }
            _ => {
                out.push(Stretch {
                    first: i,
                    last: i,
                    start: u.start,
                    end: u.end,
                });
                open = true;
            }
        }
    }
    out
}

/// Words of a stretch quoted in its evidence.
const QUOTE_WORDS: usize = 24;

/// Evidence for a stretch: timed as the stretch, pointing at its first
/// utterance, quoting its opening words (speech recognition can cut a
/// first utterance down to a word or two).
fn stretch_evidence(input: &Input, stretch: &Stretch, kind: &str) -> Evidence {
    let mut e = input.utterance_evidence(stretch.first, kind, 1.0);
    e.start = stretch.start;
    e.end = stretch.end;
    let speaker = &input.call.utterances[stretch.first].speaker;
    let words: Vec<&str> = input.call.utterances[stretch.first..=stretch.last]
        .iter()
        .filter(|u| u.speaker == *speaker)
        .flat_map(|u| u.text.split_whitespace())
        .collect();
    e.quote = words[..words.len().min(QUOTE_WORDS)].join(" ");
    if words.len() > QUOTE_WORDS {
        e.quote.push_str(" …");
    }
    e.details = BTreeMap::from([("seconds".into(), format!("{:.0}", stretch.seconds()))]);
    e
}

/// The longest stretch of `role` and every one over the reporting length.
pub fn measure(
    input: &Input,
    meta: &SignalMeta,
    role: Role,
    settings: &Settings,
    kind: &str,
) -> SignalOutput {
    let who = match role {
        Role::Client => "client",
        _ => "consultant",
    };
    if !input.has_roles() {
        return without_roles(meta, input);
    }
    let all = stretches(input, role, settings);
    let Some(longest) = all
        .iter()
        .max_by(|a, b| a.seconds().total_cmp(&b.seconds()))
    else {
        return output(
            meta,
            None,
            t!(input.words, "summary-stretch-silent", who = who),
            [],
            Vec::new(),
        );
    };
    let over: Vec<&Stretch> = all
        .iter()
        .filter(|s| s.seconds() > settings.report_over_seconds)
        .collect();
    let mut evidence: Vec<Evidence> = over
        .iter()
        .map(|s| stretch_evidence(input, s, kind))
        .collect();
    if !over.contains(&longest) {
        evidence.push(stretch_evidence(input, longest, kind));
    }
    output(
        meta,
        Some(longest.seconds()),
        t!(
            input.words,
            "summary-stretch",
            who = who,
            seconds = Arg::decimal(longest.seconds(), 0),
            from = timestamp(longest.start),
            over = over.len(),
            over_seconds = Arg::decimal(settings.report_over_seconds, 0)
        ),
        [
            ("longest_seconds", longest.seconds()),
            ("stretches_over", over.len() as f64),
        ],
        evidence,
    )
}

impl Signal for Monologue {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, settings: &super::Settings) -> SignalOutput {
        measure(
            input,
            &META,
            Role::Consultant,
            &settings.monologue,
            "monologue",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Lines, call};
    use super::*;
    use Role::{Client, Consultant};

    fn longest(lines: &[(Role, f64, &str)]) -> Option<f64> {
        Monologue
            .detect(
                &Input::new(&call(lines)),
                &super::super::Settings::default(),
            )
            .value
    }

    #[test]
    fn table() {
        // Each fixture word lasts 0.4 s; "a b c d e" is 2 s.
        let cases: &[(Lines, f64)] = &[
            // Merged across a 0.5 s pause and a client "mm-hm".
            (
                &[
                    (Consultant, 0.0, "a b c d e"),
                    (Client, 2.1, "mm-hm"),
                    (Consultant, 2.5, "a b c d e"),
                ],
                4.5,
            ),
            // A real client turn ends the stretch.
            (
                &[
                    (Consultant, 0.0, "a b c d e"),
                    (Client, 2.1, "but what about the cost"),
                    (Consultant, 4.5, "a b"),
                ],
                2.0,
            ),
            // A pause of a second or more ends it.
            (
                &[
                    (Consultant, 0.0, "a b c d e"),
                    (Consultant, 3.0, "a b c d e f"),
                    (Client, 6.0, "ok"),
                ],
                2.4,
            ),
        ];
        for (lines, expected) in cases {
            let got = longest(lines).unwrap();
            assert!(
                (got - expected).abs() < 1e-9,
                "{lines:?}: {got} s, expected {expected} s"
            );
        }
        assert_eq!(longest(&[(Role::Other, 0.0, "nobody knows who")]), None);
    }
}
