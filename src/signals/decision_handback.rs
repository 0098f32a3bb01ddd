//! Decisions handed back: the consultant leaves the choice to the client.
//!
//! ## What it detects
//!
//! Sentences that give the decision to the other person: asking for their
//! preference ("Which would you prefer?", "How would you like to proceed?",
//! "Would you rather …"), or saying outright that it is theirs ("It's your
//! call", "That's up to you", "Whatever you decide").
//!
//! Whether an utterance hands a decision back is decided by the learned
//! detectors (`--detectors`, by default the ones rapport ships), which read
//! these cues among their features and learned the hand-backs that consultations
//! phrase otherwise ("Are you happy to try that?"); the evidence is the
//! sentence a cue found, else the model's likeliest one, at the model's
//! probability. `--detectors rules` lets the cues decide alone. Saying
//! outright, as a statement, that the decision is the client's ("It's up
//! to you", "That is your choice", "I can't make that decision for you",
//! "You're the boss of your own life") stands whatever the model says: the
//! 42 labelled consultations the shipped detectors learned from hold one
//! such sentence, too few to teach them what motivational interviewing
//! calls emphasising autonomy.
//!
//! The value is the number of times the consultant handed a decision back.
//!
//! ## Why it matters
//!
//! Options only keep the client in control if the client then chooses
//! (seed 003: the client "afraid that he will lose control"). A consultant
//! who lays out A and B and then picks B for them has only dressed up a
//! recommendation; handing the decision back is the moment control changes
//! hands.
//!
//! ## Fires on
//!
//! - "Which would you prefer?"
//! - "how would you like to proceed"
//! - "It's your call."
//! - "That's entirely up to you."
//! - "Would you rather start with the pilot?"
//! - "I can't make those choices for you."
//!
//! ## Does not fire on
//!
//! - The decision kept or put elsewhere: "It's my call.", "That's up to the
//!   board.", "I'll decide later."
//! - Preferences asked about the past: "Which one did you buy?"
//!
//! ## In Dutch
//!
//! The rules alone decide (the detectors learned English), on the same
//! two kinds of cue: asking for a preference ("Wat heeft uw voorkeur?",
//! "Hoe wilt u verder?", "Zou je liever eerst de pilot doen?") and saying
//! the decision is theirs ("Het is aan u.", "U beslist.", "Dat is jouw
//! keuze.", "Ik kan die keuze niet voor u maken.", "Wat u maar wilt.").
//! Not: "Het is mijn keuze.", "Dat is aan het bestuur.", "Ik beslis later.",
//! "Welke heeft u gekocht?".
//!
//! ## Settings
//!
//! None. The rubric asks for at least one hand-back when options were
//! offered.

use super::phrases::{Cues, patterns};
use super::{Input, Settings, Signal, SignalMeta, SignalOutput, add_untaken, decided, output};
use crate::detectors::Label;
use crate::t;
use crate::text::{Sentence, Token, Tokenized};
use std::sync::LazyLock;

#[derive(Debug)]
pub struct DecisionHandback;

static META: SignalMeta = SignalMeta {
    id: "decision-handback",
    source: include_str!("decision_handback.rs"),
};

static CUES: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "which|what would|do you prefer|want|choose|pick|like",
        "which one|option|way|approach|version would|do|should you",
        "which one|option|way|approach|version would|do you",
        "what would you like to do",
        "what do you want to do",
        "how would|do you like|want to proceed|go|move|handle|play|continue|approach",
        "how would|do you want|like to proceed|go|move|handle|play|continue|approach",
        "where do you want to go",
        "what do you think we should",
        "what would you like",
        "would you prefer|rather",
        "do you prefer",
        "your call|decision|choice",
        "up to you",
        "you decide|choose",
        "you tell me",
        "whatever you prefer|decide|choose|want|think",
        "whichever you prefer|choose|want",
        "leave it|that|this to|with you",
        "leave the decision|choice to|with you",
        "what works best|better for you",
        "how do you feel about going",
        "do you want to go with",
        "would you like to go with|start|proceed",
        "which direction",
        "what's your preference",
        "your preference",
    ])
});

/// The same in Dutch, formal (u, uw) and informal (je, jij, jouw).
static CUES_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "wat|welke heeft|is uw|jouw|je voorkeur",
        "wat|welke heeft|is de voorkeur",
        "heeft|hebt u een voorkeur",
        "heb je|jij een voorkeur",
        "welke optie|variant|aanpak|richting|kant kiest|wilt|wil|neemt|verkiest u|je|jij",
        "welke kiest|wilt|wil|neemt|verkiest u|je|jij",
        "wat kiest|verkiest u|je|jij",
        "hoe wilt|wil u|je|jij verder|doorgaan|verdergaan",
        "hoe wilt|wil u|je|jij het aanpakken|doen|spelen",
        "wat wilt|wil u|je|jij doen",
        "wat zou u|je|jij willen doen",
        "zou u|je|jij liever",
        "wat zou u|je|jij liever",
        "wat vindt u dat we moeten",
        "wat vind je|jij dat we moeten",
        "hoe wilt|wil u|je|jij dat we",
        "het|dat is aan u|jou",
        "het|dat is helemaal|echt|volledig|gewoon aan u|jou",
        "aan u|jou de keuze|beslissing",
        "de keuze|beslissing is aan u|jou",
        "de keuze|beslissing ligt bij u|jou",
        "de keuze|beslissing is de uwe|jouwe",
        "het|dat is uw|jouw|je keuze|beslissing",
        "het|dat is echt|helemaal|volledig uw|jouw|je keuze|beslissing",
        "u|jij beslist|bepaalt|kiest",
        "beslist|bepaalt|kiest u|jij",
        "wat u|je|jij maar wilt|kiest|beslist",
        "zoals u|je|jij wilt",
        "keuze|keuzes|beslissing|beslissingen niet voor u|jou",
        "u|jij bent de baas",
        "u|jij zit aan het stuur",
    ])
});

/// The cues that hand a decision back in `language`; none for a language
/// rapport has no cues for.
fn cues_in(language: &str) -> Option<&'static Cues> {
    match language {
        "en" => Some(&CUES),
        "nl" => Some(&CUES_NL),
        _ => None,
    }
}

/// Saying outright that the decision is the other person's.
static AUTONOMY: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        // Whose the decision is, said of it: not "thank you for your call".
        "it's|that's your call|decision|choice",
        "it's|that's your own call|decision|choice",
        "it's|that's really|entirely|totally|completely your call|decision|choice",
        "it|that is your call|decision|choice",
        "the decision|choice is yours",
        "up to you",
        "whatever you decide|choose",
        "can't|cannot|won't make that|this|those|the|these choice|choices|decision|decisions for you",
        "you're the boss|expert",
        "you are the boss|expert",
        "you're|you are in charge|control",
        "in the driver's seat",
        "it's your life",
        "not here to tell you what",
    ])
});

/// Whether a statement leaves the decision, outright, to the other person.
fn grants_autonomy(text: &Tokenized, sentence: &Sentence) -> bool {
    let words: Vec<&Token> = text.words(sentence).collect();
    sentence.terminator != Some('?') && AUTONOMY.find(&words).is_some()
}

/// Whether an English sentence hands a decision to the other person.
pub fn hands_back(text: &Tokenized, sentence: &Sentence) -> bool {
    hands_back_in("en", text, sentence)
}

/// Whether a sentence in `language` hands a decision to the other person.
fn hands_back_in(language: &str, text: &Tokenized, sentence: &Sentence) -> bool {
    let words: Vec<&Token> = text.words(sentence).collect();
    cues_in(language).is_some_and(|cues| cues.find(&words).is_some())
}

impl Signal for DecisionHandback {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let mut evidence: Vec<_> = decided(
            input,
            Label::Handback,
            |i, sentence| hands_back_in(input.language(i), &input.texts[i], sentence).then_some(()),
            |_, _| (),
        )
        .into_iter()
        .map(|found| {
            let confidence = found.probability.unwrap_or(0.8);
            input.sentence_evidence(found.utterance, found.sentence, "handback", confidence)
        })
        .collect();
        // The model only sees English; elsewhere the rules already decided.
        add_untaken(input, &mut evidence, "handback", 0.8, |i, sentence| {
            input.language(i) == "en" && grants_autonomy(&input.texts[i], sentence)
        });
        let all = evidence.len();
        match input.consultant_count(&evidence) {
            Some(consultant) => output(
                &META,
                Some(consultant as f64),
                t!(input.words, "summary-handback", n = consultant),
                [("handbacks", consultant as f64)],
                evidence,
            ),
            None => output(
                &META,
                Some(all as f64),
                t!(input.words, "summary-handback-unknown", n = all),
                [("all", all as f64)],
                evidence,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_table, check_table_in};
    use super::*;
    use crate::speakers::Role;

    #[test]
    fn table() {
        check_table(
            &DecisionHandback,
            Role::Consultant,
            &[
                ("Which would you prefer?", "handback"),
                ("how would you like to proceed", "handback"),
                ("It's your call.", "handback"),
                ("That's entirely up to you.", "handback"),
                ("Would you rather start with the pilot?", "handback"),
                ("Whatever you decide, we'll support it.", "handback"),
                ("I can't make those choices for you.", "handback"),
                (
                    "You're in the driver's seat, so it's just to put the cards on the table.",
                    "handback",
                ),
            ],
            &[
                "It's my call.",
                "That's up to the board.",
                "I'll decide later.",
                "Which one did you buy?",
                "We could do either.",
                "That's up to the school, not you.",
            ],
        );
    }

    #[test]
    fn table_in_dutch() {
        check_table_in(
            "nl",
            &DecisionHandback,
            Role::Consultant,
            &[
                ("Wat heeft uw voorkeur?", "handback"),
                ("wat heeft uw voorkeur", "handback"),
                ("Hoe wilt u verder?", "handback"),
                ("Het is aan u.", "handback"),
                ("Dat is helemaal aan jou.", "handback"),
                ("U beslist.", "handback"),
                ("Dat is jouw keuze.", "handback"),
                ("Zou je liever eerst met de pilot beginnen?", "handback"),
                ("Welke optie kiest u?", "handback"),
                ("Heeft u een voorkeur?", "handback"),
                ("Ik kan die keuze niet voor u maken.", "handback"),
                ("Wat u maar wilt, wij steunen het.", "handback"),
            ],
            &[
                "Het is mijn keuze.",
                "Dat is aan het bestuur.",
                "Ik beslis later.",
                "Welke heeft u gekocht?",
                "We kunnen allebei doen.",
                "Dat is aan de school, niet aan u.",
                "Wat wilt u weten?",
            ],
        );
    }

    #[test]
    fn shipped_table() {
        super::super::testing::check_shipped_table(
            &DecisionHandback,
            Role::Consultant,
            &[
                "Which of the two would you prefer?",
                "That is your choice.",
                "It's very much up to you, you're the boss of your own life.",
                "Would you be happy to try the spray first?",
                "How would you like to go ahead?",
            ],
            &[
                "Thank you for your call.",
                "How long has the cough been there?",
                "Does that make sense?",
                "Is it okay if I ask about your family?",
                "Take the tablets with food.",
            ],
        );
    }
}
