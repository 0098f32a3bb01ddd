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
//! With the learned detectors (`--detectors`, by default the ones rapport
//! ships) a lead stands only on an utterance the model judges to tell a
//! confidence; it learned from consultations, which name foods, places and
//! colleagues without telling anyone's secrets, and from examples the
//! project wrote of confidences told. An utterance it judges so without a
//! lead is flagged as `confidence` at its likeliest sentence. Without a
//! model the confidence is low on purpose: these are leads, never
//! verdicts; with one, it is the model's probability. The value is the
//! number of moments flagged in the consultant's speech.
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
//! ## In Dutch
//!
//! The same two kinds, by the same rules (the detectors learned English):
//! a confidence marked ("Onder ons gezegd, hun financieel directeur
//! vertrekt.", "Dit is strikt vertrouwelijk.", "Vertel het niet verder.")
//! and another client or a named organisation with its situation ("Een
//! andere klant van mij moet de helft van het team ontslaan.", "Bij
//! Northwind hadden ze vorig jaar een rechtszaak."). As in English,
//! promising to keep the client's own secrets does not fire ("Dit blijft
//! tussen ons.", "Wat u mij vertelt blijft vertrouwelijk."), nor "Ik zag
//! Dana op het congres."
//!
//! ## Settings
//!
//! None.

use super::phrases::{Cues, MONTHS, MONTHS_NL, WEEKDAYS, WEEKDAYS_NL, patterns};
use super::{Evidence, Input, Settings, Signal, SignalMeta, SignalOutput, output};
use crate::detectors::Label;
use crate::t;
use crate::text::{Sentence, Token, Tokenized};
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

/// The same cues in Dutch.
static CONFIDENCES_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "onder ons gezegd",
        "onder ons",
        "tussen ons gezegd",
        "tussen u|jou en mij",
        "off the record",
        "vertel|zeg het|dit|dat niet verder",
        "vertel|zeg het|dit|dat aan|tegen niemand",
        "hou|houd het|dit|dat voor je|jezelf|uzelf",
        "strikt vertrouwelijk",
        "dit|dat|het is|was vertrouwelijk",
        "in vertrouwen",
        "mag ik eigenlijk niet vertellen|zeggen",
        "niet van mij gehoord|gehad",
    ])
});

/// "Dit blijft tussen ons": a promise to keep the client's secret.
static REASSURANCES_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "blijft|blijven tussen ons",
        "blijft|blijven vertrouwelijk|geheim|binnenskamers",
        "wat u|je|jij me|mij vertelt|zegt|deelt",
        "uw|jouw informatie|gegevens|geheimen",
    ])
});

static THIRD_PARTIES_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "een andere klant|cliënt|opdrachtgever",
        "andere klanten|cliënten|opdrachtgevers",
        "een klant|cliënt|opdrachtgever van mij|ons",
        "een van mijn|onze klanten|cliënten|opdrachtgevers",
        "mijn andere klanten|cliënten|opdrachtgevers",
    ])
});

/// Dutch words that tell such a situation outright.
const SITUATIONS_NL: &[&str] = &[
    "ontslag",
    "ontslagen",
    "ontslaan",
    "rechtszaak",
    "aangeklaagd",
    "failliet",
    "faillissement",
    "fusie",
    "overname",
    "overgenomen",
    "schulden",
    "reorganisatie",
    "verloren",
    "fraude",
    "schandaal",
    "scheiding",
    "affaire",
    "opgestapt",
    "opstappen",
    "vertrekt",
    "datalek",
    "boete",
    "beboet",
];

/// Capitalised Dutch words that are not names of anyone ("U" is the
/// polite you).
const COMMON_CAPITALS_NL: &[&str] = &[
    "u",
    "ik",
    "nederland",
    "nederlands",
    "nederlandse",
    "belgië",
    "belgisch",
    "vlaams",
    "duits",
    "duitse",
    "engels",
    "engelse",
    "frans",
    "franse",
    "europees",
    "europese",
    "kerst",
    "pasen",
    "meneer",
    "mevrouw",
    "dokter",
];

/// Words that tell a situation someone would not want told. Only words
/// that say it outright: "problem", "going", "fine" or "struggling" are
/// every consultation's words (a patient struggling with a fever is no
/// one's secret), and flagged half the consultations of the labelled ones.
const SITUATIONS: &[&str] = &[
    "layoff",
    "layoffs",
    "laid",
    "lay",
    "fired",
    "firing",
    "lawsuit",
    "sued",
    "suing",
    "bankrupt",
    "bankruptcy",
    "insolvent",
    "merger",
    "acquisition",
    "acquired",
    "takeover",
    "trouble",
    "debt",
    "debts",
    "audit",
    "investigation",
    "investigated",
    "restructuring",
    "lost",
    "fraud",
    "scandal",
    "divorce",
    "affair",
    "quitting",
    "resigned",
    "resigning",
    "breach",
    "fined",
    "redundant",
    "redundancies",
];

/// How long after naming another party the speaker's words may still be
/// about it.
const STORY_SECONDS: f64 = 20.0;

/// A capitalised word that a name would be: inside a clause (after another
/// word, not after a comma or a filler, where transcripts capitalise
/// anything), not all capitals (GP, ECG, TIA: consultations are full of
/// them), and not a pronoun, a day, a month, a title or a nationality.
fn name_in(
    text: &str,
    tokenized: &Tokenized,
    sentence: &Sentence,
    commons: &[&[&str]],
) -> Option<String> {
    let tokens = &tokenized.tokens[sentence.tokens.clone()];
    tokens.windows(2).find_map(|pair| {
        let (before, w) = (&pair[0], &pair[1]);
        if !w.is_word() || !before.is_word() || crate::text::FILLERS.contains(&before.norm.as_str())
        {
            return None;
        }
        let original = &text[w.span.clone()];
        let word = w.norm.as_str();
        let common = commons.iter().any(|list| list.contains(&word));
        let capitalised = original.starts_with(char::is_uppercase);
        let acronym = original
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
        (capitalised && !acronym && !common).then(|| original.to_string())
    })
}

/// Capitalised words, besides days and months, that are not names of anyone.
const COMMON_CAPITALS: &[&str] = &[
    "i",
    "i'm",
    "i'll",
    "i've",
    "i'd",
    "ok",
    "okay",
    "it",
    "q1",
    "q2",
    "q3",
    "q4",
    "zoom",
    "teams",
    "doctor",
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "sir",
    "madam",
    "english",
    "british",
    "scottish",
    "welsh",
    "irish",
    "american",
    "european",
    "african",
    "asian",
    "chinese",
    "indian",
    "thai",
    "japanese",
    "korean",
    "mexican",
    "italian",
    "french",
    "spanish",
    "german",
    "greek",
    "turkish",
    "polish",
    "christmas",
    "easter",
    "god",
    "internet",
    "google",
];

/// What one sentence holds toward another party's confidence, before the
/// story around it is weighed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clues {
    /// It promises to keep the client's own secrets ("this stays between us").
    pub reassurance: bool,
    /// It marks what it says as secret ("between us", "off the record").
    pub confidence: bool,
    /// Another party it tells of.
    pub party: Option<Party>,
    /// It tells a situation someone would not want told.
    pub situation: bool,
}

/// Another party a sentence tells of, as its words give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// Described, not named: "another client", "one of my customers".
    Described(String),
    /// A capitalised name.
    Named(String),
}

impl Party {
    pub fn into_words(self) -> String {
        match self {
            Party::Described(words) | Party::Named(words) => words,
        }
    }
}

/// The clues in an English sentence of `text` (the utterance, for its
/// capitals).
pub fn clues(text: &str, tokenized: &Tokenized, sentence: &Sentence) -> Clues {
    clues_in("en", text, tokenized, sentence)
}

/// The clues in a sentence in `language`; none in a language rapport has
/// no cues for.
fn clues_in(language: &str, text: &str, tokenized: &Tokenized, sentence: &Sentence) -> Clues {
    let (confidences, reassurances, third_parties, situations, commons): (
        &Cues,
        &Cues,
        &Cues,
        &[&str],
        [&[&str]; 3],
    ) = match language {
        "en" => (
            &CONFIDENCES,
            &REASSURANCES,
            &THIRD_PARTIES,
            SITUATIONS,
            [COMMON_CAPITALS, WEEKDAYS, MONTHS],
        ),
        "nl" => (
            &CONFIDENCES_NL,
            &REASSURANCES_NL,
            &THIRD_PARTIES_NL,
            SITUATIONS_NL,
            [COMMON_CAPITALS_NL, WEEKDAYS_NL, MONTHS_NL],
        ),
        _ => return Clues::default(),
    };
    let words: Vec<&Token> = tokenized.words(sentence).collect();
    let phrase = third_parties.find(&words).map(|r| {
        words[r]
            .iter()
            .map(|w| w.norm.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    });
    let name = if phrase.is_none() {
        name_in(text, tokenized, sentence, &commons)
    } else {
        None
    };
    Clues {
        reassurance: reassurances.find(&words).is_some(),
        confidence: confidences.find(&words).is_some(),
        party: phrase.map(Party::Described).or(name.map(Party::Named)),
        situation: words.iter().any(|w| situations.contains(&w.norm.as_str())),
    }
}

/// The rules' leads where a model decides: those on utterances it judges
/// to tell a confidence stay (at its probability), the others go, and an
/// utterance it judges so without a lead gets its likeliest sentence.
fn decide(input: &Input, leads: &[Evidence]) -> Vec<Evidence> {
    let mut kept = Vec::new();
    for i in 0..input.texts.len() {
        let here = leads.iter().filter(|e| e.utterance == i);
        match input.decision(i, Label::OutOfSchool) {
            None => kept.extend(here.cloned()),
            Some(d) if !d.holds => {}
            Some(d) => {
                let before = kept.len();
                kept.extend(here.cloned().map(|mut e| {
                    e.confidence = d.probability;
                    e
                }));
                if kept.len() == before
                    && let Some(sentence) = input.likeliest_sentence(i, Label::OutOfSchool)
                {
                    kept.push(input.sentence_evidence(i, sentence, "confidence", d.probability));
                }
            }
        }
    }
    kept
}

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
            let clues = clues_in(&u.language, &u.text, &input.texts[i], sentence);
            if clues.reassurance {
                continue;
            }
            let span = input.texts[i].span(sentence);
            if let Some(party) = clues.party {
                named.retain(|(speaker, _, _)| *speaker != u.speaker);
                named.push((u.speaker.clone(), u.start, party.into_words()));
            }
            let about = named
                .iter()
                .find(|(speaker, at, _)| *speaker == u.speaker && u.start - at <= STORY_SECONDS)
                .map(|(_, _, party)| party.clone());
            let mut e = if clues.confidence {
                input.evidence(i, span, "confidence", 0.6)
            } else if let (true, Some(party)) = (clues.situation, &about) {
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
        let evidence = decide(input, &evidence);
        let all = evidence.len();
        let (value, measure) = match input.consultant_count(&evidence) {
            Some(consultant) => (consultant, "flagged"),
            None => (all, "all"),
        };
        output(
            &META,
            Some(value as f64),
            if measure == "all" {
                t!(input.words, "summary-out-of-school-unknown", n = value)
            } else {
                t!(input.words, "summary-out-of-school", n = value)
            },
            [(measure, value as f64)],
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_table, check_table_in};
    use super::*;
    use crate::speakers::Role;

    #[test]
    fn table_in_dutch() {
        check_table_in(
            "nl",
            &OutOfSchool,
            Role::Consultant,
            &[
                (
                    "Onder ons gezegd, hun financieel directeur vertrekt.",
                    "confidence",
                ),
                ("Dit is strikt vertrouwelijk.", "confidence"),
                (
                    "Vertel het niet verder, maar de fusie gaat niet door.",
                    "confidence",
                ),
                (
                    "Een andere klant van mij moet de helft van het team ontslaan.",
                    "third-party",
                ),
                (
                    "Bij Northwind hadden ze vorig jaar een rechtszaak.",
                    "third-party",
                ),
            ],
            &[
                "Dit blijft tussen ons.",
                "Wat u mij vertelt blijft vertrouwelijk.",
                "Ik zag Dana op het congres.",
                "Tussen de twee opties kies ik de eerste.",
                "Zullen we op Maandag afspreken?",
            ],
        );
    }

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

    #[test]
    fn shipped_table() {
        super::super::testing::check_shipped_table(
            &OutOfSchool,
            Role::Consultant,
            &["Between you and me, Mrs Patel across the road has just been fired."],
            &[
                "Have you had anything unusual to eat, like a Chinese takeaway?",
                "Many people get this after a cold.",
                "Your GP, Dr Ahmed, can follow this up.",
                "Everything you tell me stays confidential.",
            ],
        );
    }
}
