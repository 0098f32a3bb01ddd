//! Checking understanding: explaining, asking whether it landed, and
//! saying the client's meaning back.
//!
//! ## What it detects
//!
//! Four kinds of sentence:
//!
//! - `check`: asking whether the explanation landed ("Does that make
//!   sense?", "Is that clear?", "Any questions so far?");
//! - `explain`: announcing or framing an explanation ("Let me explain",
//!   "In other words", "The way it works is");
//! - `summary`: playing the client's words back ("So what I'm hearing is",
//!   "If I understand you correctly", "It sounds like you");
//! - `reflection`: saying back, as a statement and right after the client
//!   spoke, what the client means or feels ("So you're worried about the
//!   cost.", "You've tried a lot of things already.", "Part of you wants to
//!   stop."). Motivational interviewing counts reflections as the surest
//!   sign that a counsellor listened.
//!
//! Whether an utterance does one of these is decided by the learned
//! detectors (`--detectors`, by default the ones rapport ships), which read
//! these cues among their features; a moment the model finds where no cue
//! is counts as a `check` when it asks, else as `explain`. Evidence
//! confidence is the model's probability; `--detectors rules` lets the cues
//! decide alone. Reflections are the rules' alone (the shipped detectors
//! were not taught them) and are looked for in the sentences no other kind
//! took: a statement by the consultant, after the client's turn, that opens
//! on the client ("you're", "you feel", "you've", "part of you") or on "it
//! sounds like", and gives no order ("So you need to stop" is directive
//! advice, not a reflection).
//!
//! The value is how many of these the consultant said; the measure
//! `understood` counts the checks, summaries and reflections, which the
//! default rubric scores (explanations the client did not ask for are the
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
//! - after the client spoke: "So you're not too happy to be here."
//!   (reflection)
//!
//! ## Does not fire on
//!
//! - "That makes no sense to me." (a view, not a check)
//! - "It sounds good." (agreement, not a summary of the client)
//! - "Let me send it." (a promise)
//! - "You're right.", "You could try a nasal spray.", "You need to stop."
//!   (agreement, an option, an order: not the client's meaning)
//!
//! ## In Dutch
//!
//! The rules alone decide checks, explanations and summaries (the
//! detectors learned English): "Is dat duidelijk?", "Snapt u wat ik
//! bedoel?", "Heeft u nog vragen?" (check); "Laat me uitleggen hoe het
//! werkt.", "Met andere woorden" (explain); "Als ik u goed begrijp…",
//! "Wat ik hoor is…", "Het klinkt alsof…" (summary). Reflections are found
//! in English only so far. Not: "Dat is mij niet duidelijk.", "Klinkt
//! goed.", "Ik stuur het morgen."
//!
//! ## Settings
//!
//! None.

use super::directive_advice;
use super::phrases::{Cues, core, patterns};
use super::{
    Input, Settings, Signal, SignalMeta, SignalOutput, TURN_PAUSE_SECONDS, add_untaken, decided,
    output,
};
use crate::detectors::Label;
use crate::speakers::Role;
use crate::t;
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

/// The same kinds in Dutch, formal (u) and informal (je).
static CUES_NL: LazyLock<[(&'static str, Cues); 3]> = LazyLock::new(|| {
    [
        (
            "check",
            patterns(&[
                "is dat|dit|het duidelijk",
                "is dat|dit|het zo duidelijk",
                "snapt|begrijpt|snap|begrijp u|je|jij wat ik bedoel",
                "kunt|kan u|je|jij me|mij volgen",
                "kunt|kan u|je|jij me|mij nog volgen",
                "volgt u|je|jij me|mij",
                "heeft|hebt|heb u|je|jij nog|verder vragen",
                "zijn er nog vragen",
                "nog vragen tot nu toe|zover",
                "heb ik dat|het goed begrepen",
                "is dat wat u|je|jij bedoelt",
                "bedoelt u|je|jij dat",
                "helpt dat|dit",
                "is dat een goede|juiste samenvatting",
                "klopt dat|dit zo",
                "hoe klinkt dat|dit",
                "werkt dat|dit voor u|je|jou",
                "maakt dat|dit het duidelijker",
            ]),
        ),
        (
            "explain",
            patterns(&[
                "laat me|mij uitleggen|verduidelijken",
                "laat me|mij even uitleggen",
                "ik leg het|dat|dit even uit",
                "ik leg het|dat|dit uit",
                "ik zal het|dat|dit uitleggen",
                "met andere woorden",
                "simpel|eenvoudig|kort gezegd",
                "het werkt zo",
                "zo werkt het",
                "wat dat|dit betekent is",
                "in het kort",
                "zie het als",
            ]),
        ),
        (
            "summary",
            patterns(&[
                "als ik u|je|jou goed begrijp",
                "als ik het goed begrijp",
                "als ik u|je|jou goed begrepen heb",
                "als ik het goed begrepen heb",
                "wat ik hoor is",
                "wat ik u|je|jou hoor zeggen",
                "ik hoor u|je|jou zeggen",
                "u zegt dus|eigenlijk",
                "je zegt dus|eigenlijk",
                "dus u zegt|bedoelt",
                "dus je zegt|bedoelt",
                "het klinkt alsof",
                "samengevat",
                "om samen te vatten",
                "laat me|mij even samenvatten",
                "laat me|mij samenvatten",
                "als ik het samenvat",
            ]),
        ),
    ]
});

/// The cue kinds for `language`; none for a language rapport has no cues for.
fn cues_in(language: &str) -> Option<&'static [(&'static str, Cues); 3]> {
    match language {
        "en" => Some(&CUES),
        "nl" => Some(&CUES_NL),
        _ => None,
    }
}

/// How a reflection opens, once fillers are skipped: the client as the
/// subject of what they feel, think, want, did or are, or how it sounds.
static REFLECTIONS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "it sounds|seems|looks like|as|that",
        "sounds|seems|looks like",
        "you feel|felt|think|thought|want|wanted|wish|hope|worry|care|value|enjoy|like|love|believe|mentioned|said|sound|seem|noticed|realise|realize|recognise|recognize|really|also|still|already|never|were|are|have|had|can't|don't|didn't|haven't|aren't",
        "you're feeling|thinking|wondering|saying|hoping|trying|struggling|finding|worried|concerned|scared|afraid|angry|frustrated|upset|happy|unhappy|sad|tired|stuck|ready|unsure|torn|willing|not|really|also|still|already|kind|sort|pretty|just",
        "you've been|had|tried|done|got|noticed|made|thought|felt|said|mentioned|already|never|really|also|still",
        "you'd like|rather|prefer|love|want",
        "part of you",
        "on one|the one hand",
        "on the other hand",
        "for you",
        "i'm hearing",
        "i hear",
        "what you're saying",
    ])
});

/// How it sounds, said after what it is: "Almost overwhelming, it sounds
/// like."
static TRAILING: LazyLock<Cues> = LazyLock::new(|| patterns(&["it sounds|seems|looks like"]));

/// Words soon after a "you" opening that make it something other than the
/// client's meaning: agreement ("you're right"), courtesy, a forecast
/// ("you're going to"), a need ("you still need to…").
const NOT_REFLECTED: &[&str] = &["right", "welcome", "going", "gonna", "need", "needs"];

/// Whether a "you" opening tells rather than reflects.
fn tells(opening: &[&Token]) -> bool {
    let head = &opening[1..opening.len().min(4)];
    head.iter()
        .any(|w| NOT_REFLECTED.contains(&w.norm.as_str()))
        // "You have to", "you don't have to", "you've got to".
        || head
            .windows(2)
            .any(|pair| matches!(pair[0].norm.as_str(), "have" | "has" | "got") && pair[1].norm == "to")
}

/// The words that name the client; "you" itself only when it is not the
/// filler "you know".
const CLIENT_WORDS: &[&str] = &[
    "your",
    "yours",
    "yourself",
    "yourselves",
    "you're",
    "you've",
    "you'd",
    "you'll",
];

/// Whether the client is named in the words.
fn names_client(words: &[&Token]) -> bool {
    words
        .iter()
        .enumerate()
        .any(|(n, w)| match w.norm.as_str() {
            "you" => words.get(n + 1).is_none_or(|next| next.norm != "know"),
            word => CLIENT_WORDS.contains(&word),
        })
}

/// Whether a sentence of the consultant's says the client's meaning back:
/// a statement, right after someone else spoke, opening on the client or
/// on how it sounds, and not an order.
fn reflects(input: &Input, utterance: usize, sentence: &Sentence) -> bool {
    if sentence.terminator == Some('?') {
        return false;
    }
    if input.has_roles() && input.role(utterance) != Role::Consultant {
        return false;
    }
    // The client's turn is what is reflected: go back over the consultant's
    // own turn (speech recognition splits it at breaths) to who spoke before.
    let utterances = &input.call.utterances;
    let mut start = utterance;
    while start > 0 && utterances[start - 1].speaker == utterances[utterance].speaker {
        if utterances[start].start - utterances[start - 1].end >= TURN_PAUSE_SECONDS {
            return false;
        }
        start -= 1;
    }
    let Some(before) = start.checked_sub(1) else {
        return false;
    };
    if input.has_roles() && input.role(before) != Role::Client {
        return false;
    }
    let text = &input.texts[utterance];
    let words: Vec<&Token> = text.words(sentence).collect();
    let opening = core(&words);
    // "Almost overwhelming, it sounds like.": the opening said last.
    let said_last = words.len() >= 3 && TRAILING.whole(&words[words.len() - 3..]);
    opening.len() >= 3
        && (REFLECTIONS.starts(opening) || said_last)
        && !(opening[0].norm.starts_with("you") && tells(opening))
        // "It looks like a viral infection" is a finding, not the client's
        // meaning: a reflection is about the client.
        && names_client(opening)
        && !directive_advice::orders(&words)
}

/// The kind of moment an English sentence is (`check`, `explain`,
/// `summary`), if any.
pub fn classify(text: &Tokenized, sentence: &Sentence) -> Option<&'static str> {
    classify_in("en", text, sentence)
}

/// The kind of moment a sentence in `language` is, if any.
fn classify_in(language: &str, text: &Tokenized, sentence: &Sentence) -> Option<&'static str> {
    let words: Vec<&Token> = text.words(sentence).collect();
    cues_in(language)?
        .iter()
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
        let mut evidence: Vec<_> = decided(
            input,
            Label::CheckUnderstanding,
            |i, sentence| classify_in(input.language(i), &input.texts[i], sentence),
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
        add_untaken(input, &mut evidence, "reflection", 0.7, |i, sentence| {
            input.language(i) == "en" && reflects(input, i, sentence)
        });
        let consultant = |kind: &str| {
            evidence
                .iter()
                .filter(|e| e.kind == kind && input.role(e.utterance) == Role::Consultant)
                .count()
        };
        let (checks, explains, summaries, reflections) = (
            consultant("check"),
            consultant("explain"),
            consultant("summary"),
            consultant("reflection"),
        );
        if !input.has_roles() {
            let all = evidence.len();
            return output(
                &META,
                Some(all as f64),
                t!(input.words, "summary-check-understanding-unknown", n = all),
                [("all", all as f64)],
                evidence,
            );
        }
        let all = checks + explains + summaries + reflections;
        output(
            &META,
            Some(all as f64),
            t!(
                input.words,
                "summary-check-understanding",
                n = all,
                checks = checks,
                explains = explains,
                summaries = summaries,
                reflections = reflections,
            ),
            [
                ("moments", all as f64),
                ("understood", (checks + summaries + reflections) as f64),
                ("checks", checks as f64),
                ("explanations", explains as f64),
                ("summaries", summaries as f64),
                ("reflections", reflections as f64),
            ],
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, check_table, check_table_in};
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
                ("So, you're not too happy to be here.", "reflection"),
                ("You've tried a lot of things already.", "reflection"),
                (
                    "Part of you wants to stop, and part of you doesn't.",
                    "reflection",
                ),
                (
                    "Yeah, you really feel like you need that reward.",
                    "reflection",
                ),
            ],
            &[
                "That makes no sense to me.",
                "It sounds good.",
                "Let me send it.",
                "The plan is due in March.",
                "You're right.",
                "You could try a nasal spray.",
                "You need to stop.",
                "You still need to use the cream.",
                "So you're worried?",
                "So, it looks like it's just a viral infection.",
            ],
        );
    }

    #[test]
    fn table_in_dutch() {
        check_table_in(
            "nl",
            &CheckUnderstanding,
            Role::Consultant,
            &[
                ("Is dat duidelijk?", "check"),
                ("is dat duidelijk", "check"),
                ("Snapt u wat ik bedoel?", "check"),
                ("Heeft u nog vragen?", "check"),
                ("Kunt u me nog volgen?", "check"),
                ("Laat me uitleggen hoe de goedkeuring werkt.", "explain"),
                (
                    "Met andere woorden, het bestuur wil eerst een plan.",
                    "explain",
                ),
                (
                    "Als ik u goed begrijp, wil het bestuur eerst een plan.",
                    "summary",
                ),
                (
                    "Wat ik hoor is dat de planning u meer zorgen baart.",
                    "summary",
                ),
                ("Het klinkt alsof de timing het probleem is.", "summary"),
            ],
            &[
                "Dat is mij niet duidelijk.",
                "Klinkt goed.",
                "Ik stuur het morgen.",
                "Het regent vandaag.",
            ],
        );
    }

    #[test]
    fn a_reflection_follows_the_client() {
        let c = call(&[
            (Role::Client, 0.0, "I keep drinking when I'm stressed."),
            (Role::Consultant, 3.0, "You've noticed a pattern there."),
            (Role::Consultant, 6.0, "You've tried keeping a diary."),
            (
                Role::Consultant,
                20.0,
                "You've been coming here for a year.",
            ),
        ]);
        let out = CheckUnderstanding.detect(&Input::new(&c), &Settings::default());
        let found: Vec<(usize, &str)> = out
            .evidence
            .iter()
            .map(|e| (e.utterance, e.kind.as_str()))
            .collect();
        // The third line is the same turn, said at a breath; the last comes
        // after a pause in the consultant's own speech, not after the client.
        assert_eq!(found, [(1, "reflection"), (2, "reflection")]);
        assert!((out.measures["understood"] - 2.0).abs() < 1e-12);
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
                "So you're worried it might come back.",
            ],
            &["Okay.", "How long has it been going on?", "Do you smoke?"],
        );
    }
}
