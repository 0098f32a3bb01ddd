//! What the rules say about an utterance, in words.
//!
//! Not a signal: every text signal's rule, run over each sentence of an
//! utterance, gives its verdict as a `signal:kind` word (`questions:open`,
//! `promises:vague`, `confidence:named`). The learned detectors read these
//! words as features ([`crate::detectors::Observation::cues`]), so what a
//! rule knows is never lost when a model decides; and the words say where
//! in the utterance the rule fired (`@end`: in its last sentence).

use super::{
    check_understanding, decision_handback, options_offered, out_of_school, promises, questions,
};
use crate::text::Tokenized;

/// The rules' verdicts on an utterance: each word once, in a fixed order.
pub fn of(text: &str, tokenized: &Tokenized) -> Vec<&'static str> {
    let mut cues: Vec<&'static str> = Vec::new();
    let last = tokenized.sentences.len().saturating_sub(1);
    for (n, sentence) in tokenized.sentences.iter().enumerate() {
        let at_end = n == last;
        match questions::classify(tokenized, sentence) {
            Some(questions::Kind::Open) => {
                cues.push("questions:open");
                if at_end {
                    cues.push("questions:open@end");
                }
            }
            Some(questions::Kind::Closed) => {
                cues.push("questions:closed");
                if at_end {
                    cues.push("questions:closed@end");
                }
            }
            None => {}
        }
        if let Some((kind, _)) = options_offered::classify(tokenized, sentence) {
            cues.push(match kind {
                "alternatives" => "options:alternatives",
                "offer" => "options:offer",
                _ => "options:suggestion",
            });
        }
        if let Some(commitment) = promises::classify(tokenized, sentence) {
            cues.push(if commitment.is_specific() {
                "promises:specific"
            } else {
                "promises:vague"
            });
            if commitment.due.is_some() {
                cues.push("promises:dated");
            }
        }
        if decision_handback::hands_back(tokenized, sentence) {
            cues.push("handback");
        }
        if let Some(kind) = check_understanding::classify(tokenized, sentence) {
            cues.push(match kind {
                "check" => "check:check",
                "explain" => "check:explain",
                _ => "check:summary",
            });
        }
        let confidence = out_of_school::clues(text, tokenized, sentence);
        let (described, named) = match confidence.party {
            Some(out_of_school::Party::Described(_)) => (true, false),
            Some(out_of_school::Party::Named(_)) => (false, true),
            None => (false, false),
        };
        for (holds, cue) in [
            (confidence.reassurance, "confidence:reassurance"),
            (confidence.confidence, "confidence:marked"),
            (described, "confidence:other-client"),
            (named, "confidence:name"),
            (confidence.situation, "confidence:situation"),
        ] {
            if holds {
                cues.push(cue);
            }
        }
    }
    cues.sort_unstable();
    cues.dedup();
    cues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn cues(text: &str) -> Vec<&'static str> {
        of(text, &tokenize(text))
    }

    #[test]
    fn each_rule_speaks_in_its_own_words() {
        assert_eq!(
            cues("What worries you most?"),
            ["questions:open", "questions:open@end"]
        );
        assert!(cues("I'll send you the letter by Friday.").contains(&"promises:specific"));
        assert!(cues("We could either try a cream or tablets.").contains(&"options:alternatives"));
        assert!(cues("Which would you prefer?").contains(&"handback"));
        assert!(cues("Does that make sense?").contains(&"check:check"));
        assert!(cues("Between us, their CFO is leaving.").contains(&"confidence:marked"));
        assert!(cues("Okay.").is_empty());
    }

    #[test]
    fn a_question_before_the_last_sentence_is_not_at_the_end() {
        let found = cues("How is the pain? I'll send the letter today.");
        assert!(found.contains(&"questions:open"), "{found:?}");
        assert!(!found.contains(&"questions:open@end"), "{found:?}");
    }
}
