//! Talking out of school: possible breaches of someone else's confidence.
//!
//! ## What it detects
//!
//! Two kinds of sentence, each flagged for a person to review:
//!
//! - `confidence`: the speaker marks what follows as secret ("between us",
//!   "off the record", "don't tell anyone", "you didn't hear this from me",
//!   "this is confidential");
//! - `third-party`: another client or a named organisation, and within the
//!   next few sentences of the same speaker its situation ("another client
//!   of mine is about to lay people off"; "it happened at Northwind last
//!   month … they lost two weeks … their director nearly resigned": a
//!   capitalised name inside a sentence, then words like lawsuit, layoffs,
//!   merger, trouble, lost, resigned).
//!
//! Confidence is low on purpose: these are leads, never verdicts. The value
//! is the number of moments flagged in the consultant's speech.
//!
//! ## Why it matters
//!
//! A client is "anxious about his secrets" (seed 003). A consultant who
//! tells them someone else's troubles shows them what will happen to
//! theirs (seed 002): every "between us" about another client costs the
//! trust of the one listening.
//!
//! ## Fires on
//!
//! - "Between us, their CFO is leaving." (confidence)
//! - "Off the record, the merger is not happening." (confidence)
//! - "Another client of mine is about to lay off half the team." (third-party)
//! - "Over at Northwind they had the same trouble last year." (third-party)
//!
//! ## Does not fire on
//!
//! - Reassurance about the client's own secrets: "Everything you tell me is
//!   confidential.", "This stays between us."
//! - Names without a situation: "I met Dana at the conference."
//! - "Between the two options, I prefer the first."
//!
//! ## Settings
//!
//! None.

use super::phrases::{Cues, MONTHS, WEEKDAYS, patterns};
use super::{Input, Settings, Signal, SignalMeta, SignalOutput, output, plural};
use crate::text::Token;
use std::sync::LazyLock;

#[derive(Debug)]
pub struct OutOfSchool;

static META: SignalMeta = SignalMeta {
    id: "out-of-school",
    source: include_str!("out_of_school.rs"),
};

static CONFIDENCES: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "between us",
        "between you and me|i",
        "off the record",
        "don't|dont tell|repeat anyone|anybody|this|that",
        "do not tell|repeat anyone|anybody|this|that",
        "keep this|it|that to yourself|quiet|under wraps",
        "not supposed to tell|say|share|mention|know",
        "in confidence",
        "confidentially",
        "this|that|it is|was confidential",
        "strictly confidential",
        "you didn't hear this|that|it from me",
        "hush hush",
        "between ourselves",
    ])
});

/// "This stays between us": a promise to keep the client's secret.
static REASSURANCES: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "stays|stay|remain|remains|kept|keep between us",
        "be kept between us",
        "stay|stays|remain|remains|be confidential|private",
        "you tell|share|say me",
        "your information|data|details|secrets",
        "is|are|stays|remain|remains confidential",
    ])
});

static THIRD_PARTIES: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "another|other client|clients|customer|customers",
        "a client|customer of mine|ours",
        "one of my|our clients|customers",
        "my other clients|customers",
        "a company i|we work|worked|advise|advised",
    ])
});

/// Words that tell a situation someone would not want told.
const SITUATIONS: &[&str] = &[
    "layoff",
    "layoffs",
    "laid",
    "lay",
    "laying",
    "fired",
    "firing",
    "lawsuit",
    "sued",
    "suing",
    "bankrupt",
    "bankruptcy",
    "merger",
    "acquisition",
    "acquired",
    "acquiring",
    "trouble",
    "troubles",
    "struggling",
    "debt",
    "debts",
    "audit",
    "investigation",
    "restructuring",
    "losing",
    "lost",
    "fraud",
    "scandal",
    "divorce",
    "leaving",
    "quitting",
    "resigned",
    "problems",
    "problem",
    "crisis",
    "cuts",
    "cutting",
    "going",
    "under",
    "salary",
    "salaries",
    "revenue",
    "margins",
    "breach",
    "leak",
    "deal",
    "sale",
    "selling",
    "fine",
    "fined",
];

/// How long after naming another party the speaker's words may still be
/// about it.
const STORY_SECONDS: f64 = 20.0;

/// A capitalised word inside the sentence (the first word is capitalised
/// anyway) that is not a pronoun, a day or a common title: a name.
fn name_in(text: &str, words: &[&Token]) -> Option<String> {
    words.iter().skip(1).find_map(|w| {
        let original = &text[w.span.clone()];
        let word = w.norm.as_str();
        let common = [COMMON_CAPITALS, WEEKDAYS, MONTHS]
            .iter()
            .any(|list| list.contains(&word));
        (original.starts_with(char::is_uppercase) && !common).then(|| original.to_string())
    })
}

/// Capitalised words, besides days and months, that are not names of anyone.
const COMMON_CAPITALS: &[&str] = &[
    "i", "i'm", "i'll", "i've", "i'd", "ok", "okay", "ceo", "cfo", "cto", "coo", "hr", "it", "q1",
    "q2", "q3", "q4", "english", "zoom", "teams",
];

impl Signal for OutOfSchool {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let mut evidence = Vec::new();
        // The last other party each speaker named, and when: "at Northwind
        // … they lost two weeks … their director resigned" tells a story
        // over several sentences.
        let mut named: Vec<(String, f64, String)> = Vec::new();
        for (i, sentence) in input.sentences() {
            let u = &input.call.utterances[i];
            let words: Vec<&Token> = input.texts[i].words(sentence).collect();
            if REASSURANCES.find(&words).is_some() {
                continue;
            }
            let span = input.texts[i].span(sentence);
            if let Some(party) = THIRD_PARTIES
                .find(&words)
                .map(|r| {
                    words[r]
                        .iter()
                        .map(|w| w.norm.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .or_else(|| name_in(&u.text, &words))
            {
                named.retain(|(speaker, _, _)| *speaker != u.speaker);
                named.push((u.speaker.clone(), u.start, party));
            }
            let situation = words.iter().any(|w| SITUATIONS.contains(&w.norm.as_str()));
            let about = named
                .iter()
                .find(|(speaker, at, _)| *speaker == u.speaker && u.start - at <= STORY_SECONDS)
                .map(|(_, _, party)| party.clone());
            let mut e = if CONFIDENCES.find(&words).is_some() {
                input.evidence(i, span, "confidence", 0.6)
            } else if let (true, Some(party)) = (situation, &about) {
                let mut e = input.evidence(i, span, "third-party", 0.4);
                e.details.insert("about".into(), party.clone());
                e
            } else {
                continue;
            };
            if let Some(party) = about {
                e.details.insert("about".into(), party);
            }
            evidence.push(e);
        }
        let all = evidence.len();
        let (value, measure) = match input.consultant_count(&evidence) {
            Some(consultant) => (consultant, "flagged"),
            None => (all, "all"),
        };
        output(
            &META,
            Some(value as f64),
            format!(
                "{} to review for another party's confidences{}",
                plural(value, "moment", "moments"),
                if measure == "all" {
                    "; by whom is unknown"
                } else {
                    ""
                }
            ),
            [(measure, value as f64)],
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::check_table;
    use super::*;
    use crate::speakers::Role;

    #[test]
    fn a_story_told_over_several_sentences_is_one_lead() {
        use super::super::testing::call;
        let call = call(&[
            (
                Role::Consultant,
                0.0,
                "The same thing happened at Northwind Logistics last month.",
            ),
            (Role::Consultant, 4.0, "They lost two weeks of orders,"),
            (
                Role::Consultant,
                6.0,
                "and their finance director nearly resigned.",
            ),
        ]);
        let output = OutOfSchool.detect(&Input::new(&call), &Settings::default());
        let kinds: Vec<(usize, &str)> = output
            .evidence
            .iter()
            .map(|e| (e.utterance, e.kind.as_str()))
            .collect();
        assert_eq!(kinds, [(1, "third-party"), (2, "third-party")]);
        assert_eq!(output.evidence[0].details["about"], "Northwind");
    }

    #[test]
    fn table() {
        check_table(
            &OutOfSchool,
            Role::Consultant,
            &[
                ("Between us, their CFO is leaving.", "confidence"),
                ("Off the record, the merger is not happening.", "confidence"),
                (
                    "Another client of mine is about to lay off half the team.",
                    "third-party",
                ),
                (
                    "Over at Northwind they had the same trouble last year.",
                    "third-party",
                ),
                ("Please don't tell anyone about Acme.", "confidence"),
            ],
            &[
                "Everything you tell me is confidential.",
                "This stays between us.",
                "I met Dana at the conference.",
                "Between the two options, I prefer the first.",
                "We had some trouble with the projector.",
            ],
        );
    }
}
