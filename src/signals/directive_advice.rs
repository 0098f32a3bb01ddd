//! Directive advice: the consultant tells the client what they must do,
//! unasked.
//!
//! ## What it detects
//!
//! Sentences that direct the client rather than lay a choice before them:
//! "You need to quit.", "You should take one every day.", "You have to
//! stick by the rules.", "I want you to cut down.", "You'd better call
//! her.", "Make sure you take it with food." Questions ("Do you need to
//! leave early?") and conditions ("If you need to talk, call me.") are not
//! directives; a condition that sets the client's goal does not soften the
//! order after it ("If you want results, you need to start now.").
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
//! sessions judged low held about eight times as many unasked directives
//! as those judged high. Advice given with permission is shown, not counted
//! against the consultant.
//!
//! ## Fires on
//!
//! - "You need to quit." (directive)
//! - "And you should take it every single day." (directive)
//! - "I really think you have to stop drinking like this." (directive)
//! - "I want you to call me on Friday." (directive)
//! - "I really need you to quit smoking." (directive)
//! - "If you want the results, you need to start now." (directive)
//! - after "Would it be OK if I shared an idea?" … "You should try walking
//!   to work." (with-permission)
//!
//! ## Does not fire on
//!
//! - Questions: "Do you need to leave early?", "What should I do?"
//! - Conditions: "If you need to talk, call me.", "If it gets worse, you
//!   should ring the surgery."
//! - Someone else's order, told or denied: "You were told you have to
//!   move.", "It doesn't mean you have to change."
//! - The consultant's promises: "I'll make sure you get the letter."
//! - Reassurance: "I don't think you need to worry about that."
//! - Options: "You could try a nasal spray."
//! - The consultant's own duties: "I need to check your blood pressure."
//!
//! ## In Dutch
//!
//! The same by Dutch rules: "U moet stoppen met roken.", "Je zou elke dag
//! moeten wandelen.", "Ik wil dat u mij vrijdag belt.", "Zorg ervoor dat u
//! het bij het eten neemt.", "Dan moet u nu beginnen." (directive), and
//! with permission after "Mag ik een suggestie doen?" or "Wat moet ik
//! doen?". Not: "Moet u vroeg weg?", "Als u wilt praten, bel me.", "Ze
//! hebben gezegd dat u moet verhuizen.", "U hoeft zich geen zorgen te
//! maken.", "U zou een neusspray kunnen proberen."
//!
//! ## Settings
//!
//! None. The rubric counts unasked directives against control.

use super::phrases::{Cues, core, patterns};
use super::{Input, Settings, Signal, SignalMeta, SignalOutput, output};
use crate::speakers::Role;
use crate::t;
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
        "you really|just|definitely|absolutely|do need|have|ought to",
        "you'll need|have to",
        "you will need|have to",
        "you're going to need|have to",
        "you're gonna need|have to",
        "you've|you got to",
        "you've really got to",
        "you gotta",
        "you should|must",
        "you really|just|definitely|absolutely should|must",
        "you'd|you better",
        "you had better",
        "i want|need you to",
        "i really|just|do want|need you to",
        "i wish you would|'d",
        "i'd like you to",
        "i would like you to",
    ])
});

/// A word before a directive that makes it a condition, not an order: "if
/// you need to talk, call me", "if it gets worse, you should ring us".
const CONDITIONS: &[&str] = &["if", "when", "whenever", "unless", "whether"];

/// A condition that names the client's own goal does not soften the order
/// after it: "if you want results, you need to start now". ("If you'd
/// like, you should…" leaves the choice to the client: an option.)
static GOAL_CONDITIONS: LazyLock<Cues> =
    LazyLock::new(|| patterns(&["if you want|wanna|wish", "if you really want|wanna"]));

/// Words just before a directive that make it someone else's order being
/// told ("you were told that you have to…") or denied ("it doesn't mean
/// you have to…"): not the consultant's order.
const REPORTED: &[&str] = &["told", "tell", "telling", "said", "says", "mean", "means"];

/// How many words before a directive a reporting word still governs it.
const REPORT_REACH: usize = 3;

/// What follows "you need to" in reassurance, not an order: "I don't think
/// you need to worry about that."
const REASSURANCES: &[&str] = &["worry", "panic", "apologise", "apologize", "fret"];

/// Orders that open a sentence: "Make sure you take it with food."
static OPENING_ORDERS: LazyLock<Cues> =
    LazyLock::new(|| patterns(&["make sure you|that|to", "be sure to"]));

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

/// The same cues in Dutch.
static DIRECTIVES_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "u|je|jij moet|moeten",
        "moet u|je|jij",
        "u|je|jij zou|zoudt moeten",
        "u|je|jij kunt|kan beter",
        "ik wil dat u|je|jij",
        "ik wil graag dat u|je|jij",
        "ik zou willen dat u|je|jij",
    ])
});

/// Dutch words before a directive that make it a condition.
const CONDITIONS_NL: &[&str] = &["als", "wanneer", "indien", "tenzij", "mocht", "mits"];

/// A Dutch condition that names the client's goal ("als u resultaat wilt").
static GOAL_CONDITIONS_NL: LazyLock<Cues> =
    LazyLock::new(|| patterns(&["als u|je|jij * wilt|wil", "als u|je|jij echt * wilt|wil"]));

/// Dutch words that make a directive someone else's, told or denied.
const REPORTED_NL: &[&str] = &[
    "gezegd", "verteld", "zegt", "zei", "zeiden", "betekent", "vertelt", "vertelde", "dat",
];

static OPENING_ORDERS_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "zorg ervoor|dat",
        "zorgt u ervoor|dat",
        "let erop dat",
        "let u erop dat",
        "denk eraan|erom",
    ])
});

static PERMISSION_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "mag ik",
        "vindt u het goed als|dat ik",
        "vind je het goed als|dat ik",
        "zal ik u|je|jou een idee|tip|suggestie|advies",
        "wilt u een idee|tip|suggestie|advies",
        "wil je een idee|tip|suggestie|advies",
        "wat moet|zou|kan ik doen",
        "wat raadt u aan",
        "wat raad je aan",
        "wat zou u|jij doen",
        "heeft u|heb je advies|tips|ideeën",
    ])
});

/// Whether a Dutch sentence directs the other person unconditionally.
fn directs_nl(text: &Tokenized, sentence: &Sentence) -> bool {
    let words: Vec<&Token> = text.words(sentence).collect();
    if text.tokens[sentence.tokens.clone()]
        .iter()
        .any(|t| t.norm == "?")
    {
        return false;
    }
    if OPENING_ORDERS_NL.starts(core(&words)) {
        return true;
    }
    // "U hoeft zich geen zorgen te maken", "u moet zich geen zorgen maken".
    let reassures = words
        .windows(2)
        .any(|pair| pair[0].norm == "geen" && pair[1].norm == "zorgen");
    // "U zou … kunnen proberen" offers: an option, not an order.
    let offers = words.iter().any(|w| w.norm == "kunnen");
    // "U zou naar uw werk moeten lopen": the "moeten" comes last.
    let should = words.windows(2).position(|pair| {
        matches!(pair[0].norm.as_str(), "u" | "je" | "jij")
            && matches!(pair[1].norm.as_str(), "zou" | "zoudt")
    });
    let should = should
        .filter(|&at| words[at + 2..].iter().any(|w| w.norm == "moeten"))
        .map(|at| at..at + 2);
    DIRECTIVES_NL.find(&words).or(should).is_some_and(|at| {
        let before = &words[..at.start];
        let conditional = before
            .iter()
            .any(|w| CONDITIONS_NL.contains(&w.norm.as_str()))
            && GOAL_CONDITIONS_NL.find(before).is_none();
        let reported = before[at.start.saturating_sub(REPORT_REACH)..]
            .iter()
            .any(|w| REPORTED_NL.contains(&w.norm.as_str()));
        !(conditional || reported || reassures || offers)
    })
}

/// Whether a sentence in `language` directs the other person.
fn directs_in(language: &str, text: &Tokenized, sentence: &Sentence) -> bool {
    match language {
        "en" => directs(text, sentence),
        "nl" => directs_nl(text, sentence),
        _ => false,
    }
}

/// Whether words hold an order, conditional or not ("if you want results,
/// you have to…" still tells the client what to do).
pub fn orders(words: &[&Token]) -> bool {
    DIRECTIVES.find(words).is_some()
}

/// Whether a sentence directs the other person unconditionally.
pub fn directs(text: &Tokenized, sentence: &Sentence) -> bool {
    let words: Vec<&Token> = text.words(sentence).collect();
    let asks = text.tokens[sentence.tokens.clone()]
        .iter()
        .any(|t| t.norm == "?");
    if asks {
        return false;
    }
    if OPENING_ORDERS.starts(core(&words)) {
        return true;
    }
    DIRECTIVES.find(&words).is_some_and(|at| {
        let before = &words[..at.start];
        let conditional = before.iter().any(|w| CONDITIONS.contains(&w.norm.as_str()))
            && GOAL_CONDITIONS.find(before).is_none();
        let reported = before[at.start.saturating_sub(REPORT_REACH)..]
            .iter()
            .any(|w| REPORTED.contains(&w.norm.as_str()));
        let reassures = words
            .get(at.end)
            .is_some_and(|next| REASSURANCES.contains(&next.norm.as_str()));
        !(conditional || reported || reassures)
    })
}

/// Whether advice at `utterance` was asked for: permission sought, or
/// advice requested, in the three utterances before it.
fn asked_for(input: &Input, utterance: usize) -> bool {
    (utterance.saturating_sub(3)..utterance).any(|i| {
        input.texts[i].sentences.iter().any(|sentence| {
            let words: Vec<&Token> = input.texts[i].words(sentence).collect();
            let permission: &Cues = if input.language(i) == "nl" {
                &PERMISSION_NL
            } else {
                &PERMISSION
            };
            permission.find(&words).is_some()
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
            if !directs_in(input.language(i), &input.texts[i], sentence) {
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
                t!(input.words, "summary-directive-unknown", n = all),
                [("all", all as f64)],
                evidence,
            );
        }
        let (unasked, asked) = (consultant("directive"), consultant("with-permission"));
        output(
            &META,
            Some(unasked as f64),
            t!(
                input.words,
                "summary-directive",
                unasked = unasked,
                asked = asked
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
    use super::super::testing::{call, call_in, check_table, check_table_in};
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
                ("Well, you do need to take your medicine.", "directive"),
                ("You're going to have to cut down.", "directive"),
                ("You'll need to fit it in your schedule.", "directive"),
                ("I really need you to quit smoking.", "directive"),
                ("Anyway, I wish you would quit.", "directive"),
                (
                    "And make sure that you actually quit drinking.",
                    "directive",
                ),
                (
                    "If you want the results that you want, you need to start now.",
                    "directive",
                ),
                (
                    "If you wanna be a student here, you'll need to follow our rules.",
                    "directive",
                ),
            ],
            &[
                "Do you need to leave early?",
                "What should I do?",
                "If you need to talk, call me.",
                "When you really have to go, just go.",
                "I'll make sure you get the letter.",
                "No, I don't think that you need to worry about that.",
                "If it gets worse, you should ring the surgery.",
                "If you'd like, you should try the cream first.",
                "Just because we write them down, it doesn't mean that you have to change them.",
                "That's pretty shocking to be told that you have to get rid of your dog.",
                "You could try a nasal spray.",
                "I need to check your blood pressure.",
            ],
        );
    }

    #[test]
    fn table_in_dutch() {
        check_table_in(
            "nl",
            &DirectiveAdvice,
            Role::Consultant,
            &[
                ("U moet stoppen met roken.", "directive"),
                ("Je zou elke dag moeten wandelen.", "directive"),
                ("Ik wil dat u mij vrijdag belt.", "directive"),
                ("Zorg ervoor dat u het bij het eten neemt.", "directive"),
                ("Dan moet u nu beginnen.", "directive"),
                ("Als u resultaat wilt, moet u nu beginnen.", "directive"),
            ],
            &[
                "Moet u vroeg weg?",
                "Als u wilt praten, bel me.",
                "Ze hebben gezegd dat u moet verhuizen.",
                "U hoeft zich geen zorgen te maken.",
                "U zou een neusspray kunnen proberen.",
                "Ik moet uw bloeddruk meten.",
            ],
        );
    }

    #[test]
    fn dutch_advice_after_permission_is_not_counted_against() {
        let c = call_in(
            "nl",
            &[
                (Role::Consultant, 0.0, "Mag ik een suggestie doen?"),
                (Role::Client, 3.0, "Graag."),
                (Role::Consultant, 5.0, "U zou naar uw werk moeten lopen."),
                (Role::Client, 9.0, "Hm."),
                (Role::Consultant, 11.0, "U moet stoppen."),
            ],
        );
        let out = DirectiveAdvice.detect(&Input::new(&c), &Settings::default());
        let kinds: Vec<&str> = out.evidence.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["with-permission", "directive"]);
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
