//! Talking out of school: possible breaches of someone else's confidence.
//!
//! ## What it detects
//!
//! Two kinds of sentence, each flagged for a person to review:
//!
//! - `confidence`: the speaker marks what follows as secret ("between us",
//!   "off the record", "don't tell anyone", "you didn't hear this from me",
//!   "this is confidential");
//! - `third-party`: another client or a named organisation together with its
//!   situation ("another client of mine is about to lay people off",
//!   "over at Northwind they had the same trouble": a capitalised name in the
//!   middle of a sentence next to words like lawsuit, layoffs, merger,
//!   trouble, debt).
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

use super::phrases::{Pattern, find_any, patterns};
use super::{Input, Settings, Signal, SignalMeta, SignalOutput, output, plural};
use crate::speakers::Role;
use crate::text::Token;
use std::sync::LazyLock;

#[derive(Debug)]
pub struct OutOfSchool;

static META: SignalMeta = SignalMeta {
    id: "out-of-school",
    source: include_str!("out_of_school.rs"),
};

static CONFIDENCES: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
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
static REASSURANCES: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    patterns(&[
        "stays|stay|remain|remains|kept|keep between us",
        "be kept between us",
        "stay|stays|remain|remains|be confidential|private",
        "you tell|share|say me",
        "your information|data|details|secrets",
        "is|are|stays|remain|remains confidential",
    ])
});

static THIRD_PARTIES: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
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
    "layoff", "layoffs", "laid", "lay", "laying", "fired", "firing", "lawsuit", "sued", "suing",
    "bankrupt", "bankruptcy", "merger", "acquisition", "acquired", "acquiring", "trouble",
    "troubles", "struggling", "debt", "debts", "audit", "investigation", "restructuring",
    "losing", "lost", "fraud", "scandal", "divorce", "leaving", "quitting", "resigned",
    "problems", "problem", "crisis", "cuts", "cutting", "going", "under", "salary", "salaries",
    "revenue", "margins", "breach", "leak", "deal", "sale", "selling", "fine", "fined",
];

/// Capitalised words that are not names of anyone.
const COMMON_CAPITALS: &[&str] = &[
    "i", "i'm", "i'll", "i've", "i'd", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "ok", "okay", "ceo", "cfo", "cto",
    "coo", "hr", "it", "q1", "q2", "q3", "q4", "english", "zoom", "teams",
];

impl Signal for OutOfSchool {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let mut evidence = Vec::new();
        for (i, sentence) in input.sentences() {
            let text = &input.call.utterances[i].text;
            let words: Vec<&Token> = input.texts[i].words(sentence).collect();
            if find_any(&REASSURANCES, &words).is_some() {
                continue;
            }
            let situation = words.iter().any(|w| SITUATIONS.contains(&w.norm.as_str()));
            let named = words.iter().skip(1).any(|w| {
                text[w.span.clone()].starts_with(char::is_uppercase)
                    && !COMMON_CAPITALS.contains(&w.norm.as_str())
            });
            let kind = if find_any(&CONFIDENCES, &words).is_some() {
                Some(("confidence", 0.6))
            } else if situation && find_any(&THIRD_PARTIES, &words).is_some() {
                Some(("third-party", 0.5))
            } else if situation && named {
                Some(("third-party", 0.3))
            } else {
                None
            };
            if let Some((kind, confidence)) = kind {
                evidence.push(input.sentence_evidence(i, sentence, kind, confidence));
            }
        }
        let consultant = evidence
            .iter()
            .filter(|e| input.role(e.utterance) == Role::Consultant)
            .count();
        let value = if input.has_roles() { consultant } else { evidence.len() };
        output(
            &META,
            Some(value as f64),
            format!(
                "{} to review for another party's confidences",
                plural(value, "moment", "moments")
            ),
            [("flagged", value as f64)],
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::check_table;
    use super::*;

    #[test]
    fn table() {
        check_table(
            &OutOfSchool,
            Role::Consultant,
            &[
                ("Between us, their CFO is leaving.", "confidence"),
                ("Off the record, the merger is not happening.", "confidence"),
                ("Another client of mine is about to lay off half the team.", "third-party"),
                ("Over at Northwind they had the same trouble last year.", "third-party"),
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
