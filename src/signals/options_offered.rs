//! Options laid before the client: alternatives, suggestions and offers.
//!
//! ## What it detects
//!
//! Sentences that put a choice or a possibility in front of the other
//! person, in three kinds:
//!
//! - `alternatives`: more than one way named at once ("we could either
//!   delay the launch or cut the scope", "there are two ways to do this",
//!   "option A … option B", "alternatively", "or we could …");
//! - `suggestion`: one possibility put forward for the other to take or
//!   leave ("we could …", "why don't we …", "how about …", "I'd suggest …",
//!   "one option is …", "have you thought about …", "let's …");
//! - `offer`: the speaker offers to act ("would you like me to …", "shall
//!   I …", "I can … for you").
//!
//! Whether an utterance offers an option is decided by the learned
//! detectors (`--detectors`, by default the ones rapport ships), which read
//! these cues among their features; the cues then name the kind and point
//! at the words. An option the model finds where no cue names it is
//! `option`, quoted at its likeliest sentence. Evidence confidence is the
//! model's probability; `--detectors rules` lets the cues decide alone.
//!
//! The value is the number of options the consultant offered.
//!
//! ## Why it matters
//!
//! A client afraid of losing control (seed 003) keeps it when the
//! consultant lays out the choices and lets them pick, instead of handing
//! over one answer. Options are how advice stays the client's decision.
//!
//! ## Fires on
//!
//! - "We could either delay the launch or cut the scope." (alternatives)
//! - "There are two ways we can handle the board." (alternatives)
//! - "why don't we start with the pilot" (suggestion)
//! - "One option is to hire a contractor." (suggestion)
//! - "Would you like me to draft both versions?" (offer)
//!
//! ## Does not fire on
//!
//! - Statements of fact or plans already made: "We cut the scope last year.",
//!   "I'll send the plan on Friday." (a promise, not an option)
//! - "Could you send me the file?" (a request to the other person)
//! - "You could see it coming." (could as likelihood, not as a possibility
//!   to act on)
//! - Orders: "You need to quit.", "I think you should stop." (no choice is
//!   left; `directive-advice` counts them)
//! - Invitations to talk and questions about the client: "Why don't you
//!   start by telling me about yourself?", "How about your grades?"
//!
//! ## In Dutch
//!
//! The rules alone decide (the detectors learned English), on the same
//! three kinds: alternatives ("We kunnen de lancering uitstellen of de
//! scope verkleinen.", "Er zijn twee mogelijkheden.", "Een andere optie
//! is…"), suggestions ("Een optie is om een aannemer in te huren.", "Wat
//! als we met de pilot beginnen?", "U zou ook kunnen wachten.", "Zullen we
//! dinsdag afspreken?") and offers ("Wilt u dat ik beide versies maak?",
//! "Zal ik het plan sturen?", "Ik kan het voor u regelen."). Not: "We
//! hebben de scope vorig jaar verkleind.", "Kunt u mij het bestand
//! sturen?", "Ik stuur het plan vrijdag."
//!
//! ## Settings
//!
//! None. The rubric asks for at least one option in a call.

use super::directive_advice;
use super::phrases::{Cues, byte_span, core, patterns};
use super::questions::WH;
use super::{Input, Settings, Signal, SignalMeta, SignalOutput, decided, output};
use crate::detectors::Label;
use crate::speakers::Role;
use crate::t;
use crate::text::{Sentence, Token, Tokenized};
use std::ops::Range;
use std::sync::LazyLock;

#[derive(Debug)]
pub struct OptionsOffered;

static META: SignalMeta = SignalMeta {
    id: "options-offered",
    source: include_str!("options_offered.rs"),
};

static ALTERNATIVES: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "there are|there's|there're|we've|you've two|three|several|some|different ways|options|approaches|routes|paths|choices|alternatives",
        "we|you have two|three|several|some|different ways|options|approaches|routes|paths|choices|alternatives",
        "there are|there's a few|couple ways|options|approaches|routes|paths|choices|alternatives",
        "two|three|several|different|other options|alternatives|approaches|choices",
        "two|three ways",
        "option a|one|1|two|2|b",
        "plan a|b",
        "another option|way|approach|possibility|alternative|route",
        "the other option|way|approach|possibility|alternative|route",
        "alternatively",
        "or we|you could|can|might|should",
        "or else we|you could|can",
        "or maybe we|you",
        "or if you",
        "or you can",
        "either way",
        "the choice is",
    ])
});

static SUGGESTIONS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "we|you could|might|may",
        "we can",
        "maybe|perhaps we|you|it|i",
        "i think we|you should|could|might|need",
        "we|you need to",
        "we|you should|ought",
        "we|you might want|wanna",
        "why don't|dont we|you|i",
        "why not",
        "how|what about",
        "shall we",
        "i|i'd|we'd suggest|recommend|propose|advise",
        "i would|could|might suggest|recommend|propose|advise",
        "my|our suggestion|recommendation|advice|proposal",
        "one option|possibility|idea|approach|alternative",
        "an option|alternative|idea",
        "have you thought|considered|tried",
        "did you think|consider",
        "have you ever thought|considered|tried",
        "would you consider|be open|be willing|think about",
        "what if we|you|i",
        "would|wouldn't it be worth|better|easier|good|possible",
        "it would|might be worth|better|good|easier|nice|helpful|useful|great",
        "it'd be worth|better|good|easier|nice|helpful|useful|great",
        "it might be|help",
        "it could be worth",
        "maybe|perhaps try|just",
        "i'd|i would|we'd|we would go with|try|start",
        "you may want",
        "worth a try|trying|considering|looking",
        "is it appealing",
        "you'd need|want|be better",
        "the best thing|way",
        "might be worth",
    ])
});

static OFFERS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "would you like me|us to",
        "do you want me|us to",
        "would it help if i|we",
        "shall|should i|we",
        "i can|could * * for you",
        "i can|could * for you",
        "i can|could * * * for you",
        "i could",
        "can|could|may i help|offer|suggest",
        "i can try",
        "we can|could offer",
        "if you want|like|prefer i|we can|could",
        "i'm happy to",
        "i'd be happy to",
        "happy to",
    ])
});

/// Cues that name the speaker's own plan or a likelihood, not a possibility
/// for the other to take up.
static NOT_OPTIONS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "could|might|can|should see|tell|say|hear|imagine|understand|argue|be|have|get",
        "could|might|can|should not|never",
        "couldn't|can't|shouldn't",
        "could|can|would you please",
        "could|can you tell|send|give|show|let|help|do|check|make|get|call|put|pass|hold|wait",
        "could|can|should|would|may|might have been|done|gone|had",
        "let's|lets see|say|have|look|just|get|check|move|continue|go|start|come",
        "let us see|say|have|look",
        // "Why don't you start by telling me …": an invitation to talk.
        "you|we start|begin by telling|talking|describing|saying",
        "you|we tell|talk|describe|share|say",
        // "How about your grades?": a question about the client.
        "about your|yours|you|yourself|his|her|their|them|him",
    ])
});

const MODALS: &[&str] = &["could", "can", "might", "should", "would", "may"];

static ALTERNATIVES_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "er zijn twee|drie|enkele|verschillende|meerdere|een|wat mogelijkheden|opties|manieren|routes|keuzes|alternatieven|smaken",
        "er zijn een paar mogelijkheden|opties|manieren|routes|keuzes|alternatieven",
        "we|u|je hebben|heeft|hebt|heb twee|drie|enkele|verschillende|meerdere mogelijkheden|opties|manieren|routes|keuzes",
        "twee|drie|enkele|verschillende|andere mogelijkheden|opties|manieren|alternatieven|keuzes",
        "optie|plan|scenario a|b|1|2|één|een|twee",
        "een andere optie|mogelijkheid|manier|aanpak|route|weg",
        "nog een optie|mogelijkheid|manier|aanpak|route",
        "de andere optie|mogelijkheid|manier|aanpak|route",
        "of we|u|je kunnen|kunt|kan|zouden|zou",
        "of anders",
        "anders kunnen|zouden we",
        "anders kunt|zou u",
        "anders kun|kan|zou je",
        "alternatief",
        "hetzij",
    ])
});

static SUGGESTIONS_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "een|één optie|mogelijkheid|idee|suggestie|alternatief is",
        "wat als we|u|je|ik",
        "u|je|jij zou kunnen",
        "u|je|jij zou ook kunnen",
        "we zouden kunnen",
        "we zouden ook kunnen",
        "we kunnen ook|eventueel|misschien",
        "misschien kunnen we|kunt u|kun je",
        "wellicht kunnen we|kunt u|kun je",
        "u kunt ook|eventueel|altijd",
        "je kunt|kan ook|eventueel|altijd",
        "wat dacht u|je|jij van",
        "zullen we",
        "laten we",
        "waarom niet",
        "waarom proberen we",
        "ik stel voor",
        "ik zou voorstellen|adviseren|aanraden",
        "mijn|ons voorstel|advies|suggestie is",
        "heeft|hebt u overwogen",
        "heb je overwogen",
        "heeft|hebt u erover nagedacht",
        "heb je erover nagedacht",
        "het is misschien|wellicht|mogelijk de moeite waard",
        "het kan|zou helpen|schelen",
        "het zou de moeite waard|beter|handig|goed zijn",
    ])
});

static OFFERS_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "wilt u dat ik|we|wij",
        "wil je|jij dat ik|we|wij",
        "zal ik|wij",
        "zullen wij",
        "ik kan|zou * voor u|je|jou",
        "ik kan|zou * * voor u|je|jou",
        "ik kan|zou * * * voor u|je|jou",
        "ik help u|je|jou graag",
        "ik wil u|je|jou graag helpen",
        "als u|je wilt kan|kunnen ik|we",
        "ik ben graag bereid",
        "dat wil ik graag doen",
    ])
});

/// Finds an option in a Dutch sentence, as [`classify`] does in English:
/// alternatives first (a modal with an "of" after it, or a cue), then an
/// offer, then a suggestion.
fn classify_nl(text: &Tokenized, sentence: &Sentence) -> Option<(&'static str, Range<usize>)> {
    const MODALS_NL: &[&str] = &["kunnen", "kunt", "kun", "kan", "zouden", "zou"];
    let words: Vec<&Token> = text.words(sentence).collect();
    // "We kunnen A doen of B": a "we/u/je" and a modal, then "of".
    let modal = words.windows(2).position(|pair| {
        let (a, b) = (pair[0].norm.as_str(), pair[1].norm.as_str());
        let person = |w: &str| matches!(w, "we" | "wij" | "u" | "je" | "jij");
        (person(a) && MODALS_NL.contains(&b)) || (MODALS_NL.contains(&a) && person(b))
    });
    if let Some(at) = modal
        && words[at + 2..].iter().any(|w| w.norm == "of")
    {
        return Some(("alternatives", byte_span(&words, at..words.len())));
    }
    if let Some(cue) = ALTERNATIVES_NL.find(&words) {
        return Some(("alternatives", byte_span(&words, cue)));
    }
    if let Some(cue) = OFFERS_NL.find(&words) {
        return Some(("offer", byte_span(&words, cue.start..words.len())));
    }
    SUGGESTIONS_NL
        .find(&words)
        .map(|cue| ("suggestion", byte_span(&words, cue.start..words.len())))
}

/// Finds an option in a sentence in `language`.
fn classify_in(
    language: &str,
    text: &Tokenized,
    sentence: &Sentence,
) -> Option<(&'static str, Range<usize>)> {
    match language {
        "en" => classify(text, sentence),
        "nl" => classify_nl(text, sentence),
        _ => None,
    }
}

/// Finds an option in a sentence: its kind and the words of the cue.
pub fn classify(text: &Tokenized, sentence: &Sentence) -> Option<(&'static str, Range<usize>)> {
    let words: Vec<&Token> = text.words(sentence).collect();
    let start = words.len() - core(&words).len();
    // "We could either … or …", "either we … or": not "it's either this or that".
    let either = words.iter().position(|w| w.norm == "either").filter(|&at| {
        let before = &words[at.saturating_sub(3)..at];
        before.iter().any(|w| MODALS.contains(&w.norm.as_str()))
            || words
                .get(at + 1)
                .is_some_and(|w| matches!(w.norm.as_str(), "we" | "you" | "i"))
    });
    if let Some(at) = either
        && words[at..].iter().any(|w| w.norm == "or")
    {
        return Some(("alternatives", byte_span(&words, at..words.len())));
    }
    if let Some(cue) = ALTERNATIVES.find(&words) {
        return Some(("alternatives", byte_span(&words, cue)));
    }
    let rest = |cue: &Range<usize>| &words[cue.end - 1..];
    if let Some(cue) = OFFERS.find(&words)
        // "How can I help you?" asks; it does not offer a particular thing.
        && !(cue.start > 0 && WH.contains(&words[cue.start - 1].norm.as_str()))
    {
        return Some(("offer", byte_span(&words, cue.start..words.len())));
    }
    // "You need to quit.": an order, which directive-advice counts; it
    // takes the choice away rather than offering one.
    if directive_advice::directs(text, sentence) {
        return None;
    }
    if let Some(cue) = SUGGESTIONS.find(&words)
        && (cue.start <= start + 4)
        && !NOT_OPTIONS.starts(rest(&cue))
        && !is_conditional_of_fact(&words[..cue.start])
    {
        return Some(("suggestion", byte_span(&words, cue.start..words.len())));
    }
    None
}

/// "If we could …", "when you can …": a condition, not a proposal.
fn is_conditional_of_fact(before: &[&Token]) -> bool {
    before.last().is_some_and(|w| {
        matches!(
            w.norm.as_str(),
            "if" | "when" | "whether" | "that" | "wish" | "hope" | "said" | "think"
        )
    })
}

impl Signal for OptionsOffered {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let evidence: Vec<_> = decided(
            input,
            Label::Option,
            |i, sentence| classify_in(input.language(i), &input.texts[i], sentence),
            |i, sentence| ("option", input.texts[i].span(sentence)),
        )
        .into_iter()
        .map(|found| {
            let (kind, span) = found.what;
            let confidence =
                found
                    .probability
                    .unwrap_or(if kind == "alternatives" { 0.8 } else { 0.6 });
            input.evidence(found.utterance, span, kind, confidence)
        })
        .collect();
        let by_role = |role: Role| {
            evidence
                .iter()
                .filter(|e| input.role(e.utterance) == role)
                .count()
        };
        if !input.has_roles() {
            let n = evidence.len();
            return output(
                &META,
                Some(n as f64),
                t!(input.words, "summary-options-unknown", n = n),
                [("all", n as f64)],
                evidence,
            );
        }
        let consultant = by_role(Role::Consultant);
        let alternatives = evidence
            .iter()
            .filter(|e| e.kind == "alternatives" && input.role(e.utterance) == Role::Consultant)
            .count();
        output(
            &META,
            Some(consultant as f64),
            t!(
                input.words,
                "summary-options",
                n = consultant,
                alternatives = alternatives,
                client = by_role(Role::Client)
            ),
            [
                ("consultant_options", consultant as f64),
                ("consultant_alternatives", alternatives as f64),
                ("client_options", by_role(Role::Client) as f64),
            ],
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_table, check_table_in};
    use super::*;

    #[test]
    fn table_in_dutch() {
        check_table_in(
            "nl",
            &OptionsOffered,
            Role::Consultant,
            &[
                (
                    "We kunnen de lancering uitstellen of de scope verkleinen.",
                    "alternatives",
                ),
                ("Er zijn twee mogelijkheden.", "alternatives"),
                ("Een andere optie is om te wachten.", "alternatives"),
                ("Een optie is om een aannemer in te huren.", "suggestion"),
                ("Wat als we met de pilot beginnen?", "suggestion"),
                ("U zou ook kunnen wachten tot maart.", "suggestion"),
                ("Zullen we dinsdag afspreken?", "suggestion"),
                ("Wilt u dat ik beide versies maak?", "offer"),
                ("Zal ik het plan sturen?", "offer"),
                ("Ik kan het voor u regelen.", "offer"),
            ],
            &[
                "We hebben de scope vorig jaar verkleind.",
                "Kunt u mij het bestand sturen?",
                "Ik stuur het plan vrijdag.",
                "Het team is moe.",
            ],
        );
    }

    #[test]
    fn table() {
        check_table(
            &OptionsOffered,
            Role::Consultant,
            &[
                (
                    "We could either delay the launch or cut the scope.",
                    "alternatives",
                ),
                (
                    "There are two ways we can handle the board.",
                    "alternatives",
                ),
                ("Option A is cheaper, option B is faster.", "alternatives"),
                (
                    "Alternatively, we keep the date and add people.",
                    "alternatives",
                ),
                ("why don't we start with the pilot", "suggestion"),
                ("One option is to hire a contractor.", "suggestion"),
                ("So maybe we could run it past legal first.", "suggestion"),
                ("Have you thought about a phased rollout?", "suggestion"),
                ("How about Tuesday?", "suggestion"),
                ("How about we meet on Friday instead?", "suggestion"),
                ("Why don't we try the cream first?", "suggestion"),
                ("I'd suggest we keep the launch date.", "suggestion"),
                ("Would you like me to draft both versions?", "offer"),
                ("Shall I set up a call with finance?", "offer"),
                ("I can run the numbers for you.", "offer"),
            ],
            &[
                "We cut the scope last year.",
                "I'll send the plan on Friday.",
                "Could you send me the file?",
                "You could see it coming.",
                "If we could get the data we would know.",
                "What do you think?",
                "The launch is in March.",
                "You need to quit.",
                "I think you should stop as soon as possible.",
                "So why don't you start by telling me a little bit about yourself?",
                "How about your grades?",
            ],
        );
    }

    #[test]
    fn shipped_table() {
        super::super::testing::check_shipped_table(
            &OptionsOffered,
            Role::Consultant,
            &[
                "We could either try a nasal spray or start you on antihistamines.",
                "You could try a nasal spray, or we could start you on antihistamines.",
                "One option is to wait a week and see if it settles on its own.",
            ],
            &[
                "It could be a chest infection.",
                "Take two paracetamol four times a day.",
                "Have you tried ibuprofen for it?",
                "Your blood pressure is normal today.",
                "I'll write to your GP this afternoon.",
            ],
        );
    }
}
