//! Directive advice: the consultant tells the client what they must do,
//! unasked.
//!
//! ## What it detects
//!
//! Sentences that direct the client rather than lay a choice before them:
//! "You need to quit.", "You should take one every day.", "You have to
//! stick by the rules.", "I want you to cut down.", "You'd better call
//! her." Questions ("Do you need to leave early?") and conditions ("If you
//! need to talk, call me.") are not directives.
//!
//! Advice is `with-permission` when it was asked for: the consultant asked
//! first ("Would it be OK if I shared an idea?", "Can I make a
//! suggestion?") or the client asked ("What should I do?") within the last
//! three utterances before it. Otherwise it is `directive`.
//!
//! The value is how many directives the consultant gave unasked.
//!
//! ## Why it matters
//!
//! Telling a client what they need to do takes the decision from them: the
//! client "afraid that he will lose control" (seed 003) hears an order, not
//! an option. Motivational interviewing calls it the righting reflex and
//! gives information or advice only after asking permission. In the 67
//! counselling sessions experts judged (`benches/score_validity.py`), the
//! sessions judged low held six times as many unasked directives as those
//! judged high. Advice given with permission is shown, not counted against
//! the consultant.
//!
//! ## Fires on
//!
//! - "You need to quit." (directive)
//! - "And you should take it every single day." (directive)
//! - "I really think you have to stop drinking like this." (directive)
//! - "I want you to call me on Friday." (directive)
//! - after "Would it be OK if I shared an idea?" … "You should try walking
//!   to work." (with-permission)
//!
//! ## Does not fire on
//!
//! - Questions: "Do you need to leave early?", "What should I do?"
//! - Conditions: "If you need to talk, call me."
//! - Options: "You could try a nasal spray."
//! - The consultant's own duties: "I need to check your blood pressure."
//!
//! ## Settings
//!
//! None. The rubric counts unasked directives against control.

use super::phrases::{Cues, patterns};
use super::{Input, Settings, Signal, SignalMeta, SignalOutput, output, plural};
use crate::speakers::Role;
use crate::text::{Sentence, Token, Tokenized};
use std::sync::LazyLock;

#[derive(Debug)]
pub struct DirectiveAdvice;

static META: SignalMeta = SignalMeta {
    id: "directive-advice",
    source: include_str!("directive_advice.rs"),
};

static DIRECTIVES: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "you need|have|ought to",
        "you really|just|definitely|absolutely need|have|ought to",
        "you've|you got to",
        "you've really got to",
        "you gotta",
        "you should|must",
        "you really|just|definitely|absolutely should|must",
        "you'd|you better",
        "you had better",
        "i want|need you to",
        "i'd like you to",
        "i would like you to",
    ])
});

/// The word before a directive that makes it a condition, not an order.
const CONDITIONS: &[&str] = &["if", "when", "whenever", "unless", "whether"];

static PERMISSION: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "would|will|is it be ok|okay|alright if i",
        "would|will|is it ok|okay|alright if i",
        "would it be all right if i",
        "is it all right if i",
        "would you mind if i",
        "do you mind if i",
        "can|could|may i share|make|give|offer|suggest|tell",
        "would you like some|my|me|to hear",
        "would you be interested in hearing|some|my",
        "what should|can|do i do",
        "what would you do",
        "what do you think i should",
        "what do you suggest|recommend|advise",
        "any advice|suggestions|ideas",
        "do you have any advice|suggestions|ideas",
    ])
});

/// Whether a sentence directs the other person unconditionally.
pub fn directs(text: &Tokenized, sentence: &Sentence) -> bool {
    let words: Vec<&Token> = text.words(sentence).collect();
    let asks = text.tokens[sentence.tokens.clone()]
        .iter()
        .any(|t| t.norm == "?");
    if asks {
        return false;
    }
    DIRECTIVES.find(&words).is_some_and(|at| {
        !words[..at.start]
            .iter()
            .any(|w| CONDITIONS.contains(&w.norm.as_str()))
    })
}

/// Whether advice at `utterance` was asked for: permission sought, or
/// advice requested, in the three utterances before it.
fn asked_for(input: &Input, utterance: usize) -> bool {
    (utterance.saturating_sub(3)..utterance).any(|i| {
        input.texts[i].sentences.iter().any(|sentence| {
            let words: Vec<&Token> = input.texts[i].words(sentence).collect();
            PERMISSION.find(&words).is_some()
        })
    })
}

impl Signal for DirectiveAdvice {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let mut evidence = Vec::new();
        for (i, sentence) in input.sentences() {
            if !directs(&input.texts[i], sentence) {
                continue;
            }
            let kind = if asked_for(input, i) {
                "with-permission"
            } else {
                "directive"
            };
            evidence.push(input.sentence_evidence(i, sentence, kind, 0.7));
        }
        let consultant = |kind: &str| {
            evidence
                .iter()
                .filter(|e| e.kind == kind && input.role(e.utterance) == Role::Consultant)
                .count()
        };
        if !input.has_roles() {
            let all = evidence.len();
            return output(
                &META,
                Some(all as f64),
                format!(
                    "{}; by whom is unknown",
                    plural(all, "directive", "directives")
                ),
                [("all", all as f64)],
                evidence,
            );
        }
        let (unasked, asked) = (consultant("directive"), consultant("with-permission"));
        output(
            &META,
            Some(unasked as f64),
            format!(
                "the consultant told the client what to do {} unasked and {} with permission",
                plural(unasked, "time", "times"),
                plural(asked, "time", "times"),
            ),
            [
                ("unasked", unasked as f64),
                ("with_permission", asked as f64),
            ],
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, check_table};
    use super::*;

    #[test]
    fn table() {
        check_table(
            &DirectiveAdvice,
            Role::Consultant,
            &[
                ("You need to quit.", "directive"),
                ("And you should take it every single day.", "directive"),
                (
                    "I really think you have to stop drinking like this.",
                    "directive",
                ),
                ("I want you to call me on Friday.", "directive"),
                ("you just need to take the tablets", "directive"),
            ],
            &[
                "Do you need to leave early?",
                "What should I do?",
                "If you need to talk, call me.",
                "You could try a nasal spray.",
                "I need to check your blood pressure.",
            ],
        );
    }

    #[test]
    fn advice_after_permission_is_not_counted_against() {
        let c = call(&[
            (Role::Consultant, 0.0, "Would it be OK if I shared an idea?"),
            (Role::Client, 3.0, "Sure."),
            (Role::Consultant, 5.0, "You should try walking to work."),
            (Role::Client, 9.0, "Hm."),
            (Role::Consultant, 11.0, "You need to quit."),
        ]);
        let out = DirectiveAdvice.detect(&Input::new(&c), &Settings::default());
        let kinds: Vec<&str> = out.evidence.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["with-permission", "directive"]);
        assert_eq!(out.value, Some(1.0));
        assert!((out.measures["with_permission"] - 1.0).abs() < 1e-12);
    }
}
