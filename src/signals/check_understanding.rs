//! Checking understanding: explaining, asking whether it landed, and
//! summarising the client back.
//!
//! ## What it detects
//!
//! Three kinds of sentence:
//!
//! - `check`: asking whether the explanation landed ("Does that make
//!   sense?", "Is that clear?", "Any questions so far?");
//! - `explain`: announcing or framing an explanation ("Let me explain",
//!   "In other words", "The way it works is");
//! - `summary`: playing the client's words back ("So what I'm hearing is",
//!   "If I understand you correctly", "It sounds like you").
//!
//! Whether an utterance does one of these is decided by the learned
//! detectors (`--detectors`, by default the ones rapport ships), which read
//! these cues among their features; a moment the model finds where no cue
//! is counts as a `check` when it asks, else as `explain`. Evidence
//! confidence is the model's probability; `--detectors rules` lets the cues
//! decide alone.
//!
//! The value is how many of these the consultant said; the measure
//! `understood` counts the checks and summaries alone, which the default
//! rubric scores (explanations the client did not ask for are the
//! directive side of a session: the expert-judged sessions of
//! `benches/score_validity.py` that were judged low explained more).
//!
//! ## Why it matters
//!
//! A client who "feels ignorant" (seed 003) will not say so on a video
//! call; a consultant who explains, checks that it landed and reflects the
//! client's words back makes not knowing safe, and shows they listened.
//!
//! ## Fires on
//!
//! - "Does that make sense?" (check)
//! - "Let me explain how the approval works." (explain)
//! - "So what I'm hearing is that the board wants a plan first." (summary)
//! - "It sounds like the timing worries you more than the cost." (summary)
//!
//! ## Does not fire on
//!
//! - "That makes no sense to me." (a view, not a check)
//! - "It sounds good." (agreement, not a summary of the client)
//! - "Let me send it." (a promise)
//!
//! ## Settings
//!
//! None.

use super::phrases::{Cues, patterns};
use super::{Input, Settings, Signal, SignalMeta, SignalOutput, decided, output, plural};
use crate::detectors::Label;
use crate::speakers::Role;
use crate::text::{Sentence, Token, Tokenized};
use std::sync::LazyLock;

#[derive(Debug)]
pub struct CheckUnderstanding;

static META: SignalMeta = SignalMeta {
    id: "check-understanding",
    source: include_str!("check_understanding.rs"),
};

const AGREEMENT: &[&str] = &[
    "good",
    "great",
    "fine",
    "fun",
    "nice",
    "perfect",
    "a",
    "an",
    "it",
    "that",
    "this",
    "lovely",
    "interesting",
    "right",
    "awesome",
    "wonderful",
    "excellent",
];

static CUES: LazyLock<[(&'static str, Cues); 3]> = LazyLock::new(|| {
    [
        (
            "check",
            patterns(&[
                "does|did|do that|this|it make sense",
                "make|makes sense so far",
                "is that|this|it clear",
                "do you follow",
                "are you with me",
                "any questions so|about|on",
                "do you have any questions",
                "does that|this answer|help",
                "am i making sense",
                "do you see what i mean",
                "is that what you mean|meant",
                "did i get that|it right",
                "have i got that|it right",
                "does that sound right",
                "is that a fair summary",
                "does that match",
                "how does that sound",
                "does that work for you",
            ]),
        ),
        (
            "explain",
            patterns(&[
                "let me explain|clarify",
                "let me walk you through",
                "let me break it|that|this down",
                "to put it simply",
                "put simply",
                "in other words",
                "what that|this means is",
                "the way it works",
                "think of it as|like",
                "in plain terms|english",
                "the short version",
                "here's how it works",
                "to explain",
            ]),
        ),
        (
            "summary",
            patterns(&[
                "what i'm hearing",
                "what i hear you saying|say",
                "i'm hearing that",
                "if i understand you|correctly|right",
                "if i understood you|correctly|right",
                "so you're saying",
                "it sounds|seems like",
                "sounds like",
                "to summarise|summarize|recap",
                "let me summarise|summarize|recap",
                "let me make sure i understand|understood|got",
                "let me play that|it back",
                "so for you",
                "if i'm hearing you",
            ]),
        ),
    ]
});

/// The kind of moment a sentence is (`check`, `explain`, `summary`), if any.
pub fn classify(text: &Tokenized, sentence: &Sentence) -> Option<&'static str> {
    let words: Vec<&Token> = text.words(sentence).collect();
    CUES.iter()
        .find(|(_, cues)| {
            cues.find(&words).is_some_and(|cue| {
                // "Sounds like a plan" agrees; it does not play anything back.
                !words
                    .get(cue.end)
                    .is_some_and(|next| AGREEMENT.contains(&next.norm.as_str()))
            })
        })
        .map(|(kind, _)| *kind)
}

impl Signal for CheckUnderstanding {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let evidence: Vec<_> = decided(
            input,
            Label::CheckUnderstanding,
            |i, sentence| classify(&input.texts[i], sentence),
            // What no cue names: a check when it asks, else an explanation.
            |_, sentence| {
                if sentence.terminator == Some('?') {
                    "check"
                } else {
                    "explain"
                }
            },
        )
        .into_iter()
        .map(|found| {
            let confidence = found.probability.unwrap_or(0.8);
            input.sentence_evidence(found.utterance, found.sentence, found.what, confidence)
        })
        .collect();
        let consultant = |kind: &str| {
            evidence
                .iter()
                .filter(|e| e.kind == kind && input.role(e.utterance) == Role::Consultant)
                .count()
        };
        let (checks, explains, summaries) = (
            consultant("check"),
            consultant("explain"),
            consultant("summary"),
        );
        if !input.has_roles() {
            let all = evidence.len();
            return output(
                &META,
                Some(all as f64),
                format!("{}; by whom is unknown", plural(all, "moment", "moments")),
                [("all", all as f64)],
                evidence,
            );
        }
        let all = checks + explains + summaries;
        output(
            &META,
            Some(all as f64),
            format!(
                "{}: the consultant asked whether it made sense {}, explained {}, summarised the client {}",
                plural(all, "moment", "moments"),
                plural(checks, "time", "times"),
                plural(explains, "time", "times"),
                plural(summaries, "time", "times"),
            ),
            [
                ("moments", all as f64),
                ("understood", (checks + summaries) as f64),
                ("checks", checks as f64),
                ("explanations", explains as f64),
                ("summaries", summaries as f64),
            ],
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
            &CheckUnderstanding,
            Role::Consultant,
            &[
                ("Does that make sense?", "check"),
                ("Is that clear so far?", "check"),
                ("Let me explain how the approval works.", "explain"),
                ("In other words, the board decides.", "explain"),
                (
                    "So what I'm hearing is that the board wants a plan first.",
                    "summary",
                ),
                (
                    "It sounds like the timing worries you more than the cost.",
                    "summary",
                ),
                ("If I understand you correctly, March is fixed.", "summary"),
            ],
            &[
                "That makes no sense to me.",
                "It sounds good.",
                "Let me send it.",
                "The plan is due in March.",
            ],
        );
    }

    #[test]
    fn shipped_table() {
        super::super::testing::check_shipped_table(
            &CheckUnderstanding,
            Role::Consultant,
            &[
                "Does that make sense?",
                "Do you have any questions for me?",
                "So, just to recap, the pain started on Sunday and it's worse when you walk.",
            ],
            &["Okay.", "How long has it been going on?", "Do you smoke?"],
        );
    }
}
