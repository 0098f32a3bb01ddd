//! Promises: who committed to do what, and by when.
//!
//! ## What it detects
//!
//! Sentences in which the speaker commits to a future action: a first
//! person and a future or a pledge ("I'll send the revised plan by Friday",
//! "we're going to look at the contract", "let me check with finance", "I
//! promise", "leave it with me"). For each it pulls out *what* (the words
//! after the pledge) and *when* if it was said, with the due time
//! normalised where it can be: "by Friday" → `friday`, "end of next week" →
//! `end of next week`, "tomorrow morning" → `tomorrow morning`, "in two
//! days" → `within 2 days`.
//!
//! The consultant's commitments are `promise` evidence, or `vague-promise`
//! when there is no deliverable ("I'll look into it") or no time ("I'll send
//! it over"). The client's commitments are listed apart as
//! `client-commitment`; with roles unknown every one is a `commitment`.
//! Whether an utterance commits is decided by the learned detectors
//! (`--detectors`, by default the ones rapport ships), which read the
//! pledge cues among their features; the cues then pull out the what and
//! the when. A commitment the model finds where no pledge cue is is read
//! whole: its what the words after its first "I" or "we", its when any due
//! time it names. Evidence confidence is the model's probability;
//! `--detectors rules` lets the cues decide alone.
//!
//! The value is the number of promises the consultant made; the measure
//! `next_steps` counts them with the client's own commitments: the steps
//! someone took on before the call ended.
//!
//! ## Why it matters
//!
//! A remote client cannot see the work being done; what they have is what
//! was promised (seed 003: the client "worried about the risks"). A promise
//! with a what and a when can be checked and kept, and kept promises are
//! what reliability is made of (seed 004: results). A vague promise is a
//! risk handed back to the client.
//!
//! ## Fires on
//!
//! - "I'll send you the revised plan by Friday." (promise, due `friday`)
//! - "We're going to have the numbers to you by end of next week." (promise;
//!   an undated "we're going to" is a plan under discussion, not a pledge)
//! - "Let me check with finance." (vague-promise: no time)
//! - "I'll look into it." (vague-promise: no deliverable, no time)
//!
//! ## Does not fire on
//!
//! - Figures of speech that are not pledges: "I'll be honest", "I'll tell you
//!   what", "I'll admit it was hard".
//! - Questions and predictions: "Will you send it?", "It'll be fine", "The
//!   board will decide".
//! - The past: "I sent it last week."
//! - Acts on the client's behalf or against them, which take a decision
//!   from the client rather than give them something to count on: "I'm
//!   going to tell your parents", "I'll have to report this", "I will
//!   write you up".
//!
//! ## In Dutch
//!
//! The rules alone decide (the detectors learned English). A pledge is
//! "ik zal", "we zullen", "ik ga", "ik beloof", "laat mij", "ik zorg
//! ervoor", "ik kom erop terug", or, since Dutch promises in the present
//! tense, "ik" or "we" with a verb and a due time ("Ik stuur u het plan
//! vóór vrijdag."). Due times are normalised to the same forms as in
//! English, so the promise ledger follows Dutch promises as it does English
//! ones: "vóór vrijdag" → `friday`, "morgenochtend" → `tomorrow morning`,
//! "eind volgende week" → `end of next week`, "binnen twee dagen" →
//! `within 2 days`, "uiterlijk 15 maart" → `march 15`, "zo snel mogelijk"
//! → `as soon as possible`. Not: "Ik zal eerlijk zijn.", "Ik zal je
//! uitleggen hoe het werkt." (what one is about to say), "Stuurt u het
//! vrijdag?", "Ik stuurde het vorige week.", "Ik ga uw werkgever bellen."
//!
//! ## Settings
//!
//! None. The rubric asks that every promise have a what and a when.

use super::phrases::{Cues, MONTHS, MONTHS_NL, WEEKDAYS, WEEKDAYS_NL, patterns};
use super::{Found, Input, Settings, Signal, SignalMeta, SignalOutput, decided, output};
use crate::detectors::Label;
use crate::speakers::Role;
use crate::t;
use crate::text::{Sentence, Token, Tokenized};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

#[derive(Debug)]
pub struct Promises;

static META: SignalMeta = SignalMeta {
    id: "promises",
    source: include_str!("promises.rs"),
};

/// A first person with a future or a pledge.
static PLEDGES: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "i'll|we'll|ill",
        "i|we will|shall",
        "i'm|i gonna",
        "i'm going to",
        "i am going to",
        "let me|us",
        "i|we promise",
        "i|we can promise",
        "i|we won't",
        "i|we will not",
        "leave it with me",
        "consider it done",
        "i'm on it",
        "i'd be happy|glad to",
        "i'm happy to",
        "i|we have to get|send|call|check|follow|finish|write|talk|find|make|put",
    ])
});

/// "We're going to …": in meetings mostly a plan being discussed, so a
/// pledge only when it comes with a time ("we're going to have the numbers
/// to you by Friday").
static GROUP_PLANS: LazyLock<Cues> =
    LazyLock::new(|| patterns(&["we're|we going to", "we are going to", "we're|we gonna"]));

/// Verbs and phrases after a pledge that are speech habits, not commitments.
static NOT_PLEDGES: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "be honest|frank|brief|quick|blunt|straight",
        "tell you what",
        "admit|bet|grant|say|guess",
        "give you that",
        "see what i mean",
        "just say",
        "me see",
        "me think",
        "me just say",
        "me be",
        "me tell you",
        "me ask",
        "me explain",
        "me walk|show you",
        "me put it",
        "us say",
        "be",
        "see",
        "need|want|like",
        "not be|have",
        "never",
        "probably|maybe|likely get|have|need",
        "have to see",
        "never know",
        "probably|maybe|likely|definitely be",
    ])
});

/// Acts announced on the client's behalf or against them: telling their
/// family, school, employer or the authorities, reporting them, sanctions.
/// The consultant decides for the client there; the client gains nothing
/// to count on, so these are not promises whatever decides the utterance.
static UNILATERAL: LazyLock<Cues> = LazyLock::new(|| {
    // The client's own people: telling them goes over the client's head.
    macro_rules! theirs {
        () => {
            "parents|parent|mom|mum|dad|mother|father|family|wife|husband|partner|boyfriend|girlfriend|boss|employer|school|teacher|teachers|coach|principal|probation|parole"
        };
    }
    // Authorities: "I'll report it to the engineers" is a service, "I'll
    // call the police" is not.
    macro_rules! authorities {
        () => {
            "police|cops|court|judge|authorities|school|principal|dean"
        };
    }
    macro_rules! acts {
        () => {
            "tell|call|inform|notify|contact|ring|phone|email|text|warn|report"
        };
    }
    patterns(&[
        concat!(acts!(), " your ", theirs!()),
        concat!(acts!(), " to your ", theirs!()),
        concat!(acts!(), " the ", authorities!()),
        concat!(acts!(), " to the ", authorities!()),
        concat!("talk|speak to|with your ", theirs!()),
        concat!("let your ", theirs!(), " know"),
        "report you",
        concat!("report this|that|it to the ", authorities!()),
        concat!("report this|that|it to your ", theirs!()),
        "write you up",
        "write a|the violation|citation|ticket",
        "suspend|expel|ban|punish|ground you",
        "kick you out|off",
    ])
});

/// Words a deliverable needs besides these: "I'll look into it" has none.
const LIGHT_WORDS: &[&str] = &[
    "it",
    "that",
    "this",
    "them",
    "those",
    "these",
    "something",
    "things",
    "thing",
    "stuff",
    "into",
    "at",
    "on",
    "for",
    "to",
    "you",
    "up",
    "back",
    "a",
    "the",
    "an",
    "with",
    "about",
    "of",
    "in",
    "out",
    "over",
    "look",
    "do",
    "get",
    "see",
    "try",
    "think",
    "figure",
    "sort",
    "handle",
    "deal",
    "come",
    "go",
    "have",
    "make",
    "just",
    "also",
    "then",
    "again",
    "more",
    "some",
    "bit",
    "and",
    "so",
    "what",
    "can",
    "i",
    "we",
    "us",
    "me",
    "definitely",
    "certainly",
    "really",
    "sure",
    "all",
    "right",
    "away",
    "there",
    "here",
    "now",
    "soon",
    "later",
    "know",
    "let",
    "be",
];

const PARTS_OF_DAY: &[&str] = &["morning", "afternoon", "evening", "night", "lunchtime"];
const NUMBERS: &[(&str, u32)] = &[
    ("a", 1),
    ("an", 1),
    ("one", 1),
    ("two", 2),
    ("couple", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("few", 3),
];

/// A due time: where it starts in the words, and its normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Due {
    words: Range<usize>,
    normal: String,
}

/// The first due time in `words` from `from` on: `at` says, for a word,
/// how many words from it make a due time, and its normal form.
fn first_due(
    words: &[&Token],
    from: usize,
    at: impl Fn(usize) -> Option<(usize, String)>,
) -> Option<Due> {
    (from..words.len()).find_map(|i| {
        at(i).map(|(len, normal)| Due {
            words: i..(i + len).min(words.len()),
            normal,
        })
    })
}

/// Prepositions before an English due time, left out of what is promised.
const DUE_PREPOSITIONS: &[&str] = &["by", "on", "before", "until", "within", "in"];

/// How due times are read in one language.
struct DueReader {
    find: fn(&[&Token], usize) -> Option<Due>,
    prepositions: &'static [&'static str],
}

const ENGLISH_DUE: DueReader = DueReader {
    find: due,
    prepositions: DUE_PREPOSITIONS,
};

const DUTCH_DUE: DueReader = DueReader {
    find: due_nl,
    prepositions: DUE_PREPOSITIONS_NL,
};

/// Finds a due time in `words` from `from` on.
fn due(words: &[&Token], from: usize) -> Option<Due> {
    let w = |i: usize| words.get(i).map_or("", |t| t.norm.as_str());
    first_due(words, from, |i| {
        let here = w(i);
        match here {
            "today" | "tonight" => Some((1, here.into())),
            "tomorrow" if PARTS_OF_DAY.contains(&w(i + 1)) => {
                Some((2, format!("tomorrow {}", w(i + 1))))
            }
            "tomorrow" => Some((1, "tomorrow".into())),
            "eod" | "cob" => Some((1, "end of today".into())),
            "asap" => Some((1, "as soon as possible".into())),
            "end" if w(i + 1) == "of" => {
                let (skip, which) = match w(i + 2) {
                    "the" | "this" => (3, "this"),
                    "next" => (3, "next"),
                    _ => (2, "this"),
                };
                let unit = w(i + skip);
                match unit {
                    "day" if which == "this" => Some((skip + 1, "end of today".into())),
                    "week" | "month" | "quarter" | "year" | "day" => {
                        Some((skip + 1, format!("end of {which} {unit}")))
                    }
                    _ if MONTHS.contains(&unit) => Some((skip + 1, format!("end of {unit}"))),
                    _ => None,
                }
            }
            "this" | "next" | "later" if PARTS_OF_DAY.contains(&w(i + 1)) && here != "next" => {
                Some((2, format!("today {}", w(i + 1))))
            }
            "this" | "next"
                if matches!(w(i + 1), "week" | "month" | "quarter" | "year" | "weekend") =>
            {
                Some((2, format!("{here} {}", w(i + 1))))
            }
            "this" | "next" | "on" | "by" | "before" | "until" | "till"
                if WEEKDAYS.contains(&w(i + 1)) =>
            {
                let prefix = if here == "next" { "next " } else { "" };
                let part = if PARTS_OF_DAY.contains(&w(i + 2)) {
                    format!(" {}", w(i + 2))
                } else {
                    String::new()
                };
                Some((
                    2 + usize::from(!part.is_empty()),
                    format!("{prefix}{}{part}", w(i + 1)),
                ))
            }
            _ if WEEKDAYS.contains(&here) => Some((1, here.into())),
            "by" | "before" | "until" | "on" | "in"
                if MONTHS.contains(&w(i + 1)) && w(i + 1) != "may" =>
            {
                Some((2, w(i + 1).into()))
            }
            "in" | "within" => {
                let (skip, n) = match (w(i + 1), w(i + 2)) {
                    ("a", "couple" | "few") => {
                        (3, NUMBERS.iter().find(|n| n.0 == w(i + 2)).map(|n| n.1))
                    }
                    (number, _) => (
                        1,
                        NUMBERS
                            .iter()
                            .find(|n| n.0 == number)
                            .map(|n| n.1)
                            .or_else(|| number.parse().ok()),
                    ),
                };
                let skip = if w(i + skip + 1) == "of" {
                    skip + 1
                } else {
                    skip
                };
                let unit = w(i + skip + 1).trim_end_matches('s');
                match (n, unit) {
                    (Some(n), "minute" | "hour" | "day" | "week" | "month") => Some((
                        skip + 2,
                        format!("within {n} {unit}{}", if n == 1 { "" } else { "s" }),
                    )),
                    _ => None,
                }
            }
            "as" if w(i + 1) == "soon" && w(i + 2) == "as" && w(i + 3) == "possible" => {
                Some((4, "as soon as possible".into()))
            }
            "right" | "straight" if w(i + 1) == "away" => Some((2, "as soon as possible".into())),
            "first" if w(i + 1) == "thing" => Some((2, "first thing".into())),
            _ => None,
        }
    })
}

/// A commitment found in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// Byte span of the commitment in the utterance.
    pub span: Range<usize>,
    pub what: String,
    /// The due time as said ("by friday") and normalised ("friday").
    pub when_said: Option<String>,
    pub due: Option<String>,
}

impl Commitment {
    /// Has a deliverable (a word beyond light verbs and pronouns) and a time.
    pub fn is_specific(&self) -> bool {
        self.is_specific_in(LIGHT_WORDS)
    }

    /// The same, with the light words of the promise's language.
    fn is_specific_in(&self, light: &[&str]) -> bool {
        self.due.is_some()
            && self
                .what
                .split(' ')
                .any(|w| !w.is_empty() && !light.contains(&w))
    }
}

/// Dutch light words: "Ik zal het vrijdag uitzoeken" has no deliverable.
const LIGHT_WORDS_NL: &[&str] = &[
    "het",
    "dat",
    "dit",
    "er",
    "ernaar",
    "erin",
    "ervan",
    "erop",
    "eraan",
    "u",
    "je",
    "jou",
    "jullie",
    "ons",
    "me",
    "mij",
    "even",
    "wel",
    "nog",
    "ook",
    "naar",
    "op",
    "in",
    "aan",
    "kijken",
    "kijk",
    "uitzoeken",
    "zoek",
    "uit",
    "regelen",
    "regel",
    "doen",
    "doe",
    "zorgen",
    "zorg",
    "terug",
    "komen",
    "kom",
    "iets",
    "wat",
    "dingen",
    "mee",
    "bekijken",
    "bekijk",
    "checken",
    "check",
    "na",
    "nagaan",
    "ga",
    "gaan",
    "zal",
    "zullen",
    "dan",
    "snel",
    "zo",
    "voor",
    "ervoor",
    "dat",
    "alles",
    "mee",
    "bezig",
];

/// A first person with a future or a pledge, in Dutch.
static PLEDGES_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "ik|wij|we zal|zullen",
        "ik ga",
        "ik beloof",
        "we|wij beloven",
        "dat beloof ik",
        "laat mij|me",
        "ik zorg ervoor|dat|voor",
        "ik kom erop|daarop terug",
        "ik kom bij u|je|jou terug",
        "ik regel het|dat",
        "ik pak het|dat op",
        "laat het|dat maar aan mij over",
        "ik neem het|dat op me|mij",
    ])
});

/// "We gaan …", or a first person with a present-tense verb: a pledge in
/// Dutch only with a due time ("Ik stuur u het plan vóór vrijdag").
static PLANS_NL: LazyLock<Cues> = LazyLock::new(|| patterns(&["we|wij gaan", "ik|we|wij *"]));

/// What follows a Dutch pledge that is a speech habit or a state, not a
/// commitment: "Ik zal eerlijk zijn", "ik ben…", "ik stuurde…".
const NOT_PLEDGED_NL: &[&str] = &[
    "eerlijk", "zeggen", "toegeven", "wedden", "wel", "zien", "denken", "maar", "niet", "nooit",
    "was", "waren", "had", "hadden", "heb", "hebben", "ben", "zijn", "vind", "vond", "denk",
    "dacht", "weet", "wist", "hoop", "wil", "wilde", "moet", "moest", "kan", "kon", "mag", "mocht",
    "zou", "zouden", "snap", "begrijp", "hoor", "zie", "geloof", "bedoel", "vraag", "kijken",
    "even", "twijfel",
];

/// Verbs that announce what one is about to say ("Ik zal je uitleggen hoe
/// zulke verhuizingen gaan", "ik zal u vertellen wat ik zag"): a speech
/// habit, as "let me explain" is. With a time they are a promise ("ik zal
/// het u vrijdag uitleggen").
const SAID_NOW_NL: &[&str] = &[
    "uitleggen",
    "vertellen",
    "toelichten",
    "schetsen",
    "samenvatten",
];

/// Dutch acts on the client's behalf or against them: telling their own
/// people or the authorities (the verb comes last in Dutch, so the two are
/// looked for anywhere in the sentence).
fn unilateral_nl(words: &[&Token]) -> bool {
    let theirs = words.windows(2).any(|pair| {
        matches!(pair[0].norm.as_str(), "uw" | "je" | "jouw")
            && matches!(
                pair[1].norm.as_str(),
                "ouders"
                    | "baas"
                    | "werkgever"
                    | "partner"
                    | "familie"
                    | "school"
                    | "leraar"
                    | "vrouw"
                    | "man"
                    | "vader"
                    | "moeder"
            )
    }) || words
        .iter()
        .any(|w| matches!(w.norm.as_str(), "politie" | "rechter" | "justitie"));
    let acts = words.iter().any(|w| {
        matches!(
            w.norm.as_str(),
            "bellen"
                | "vertellen"
                | "informeren"
                | "inlichten"
                | "melden"
                | "waarschuwen"
                | "aangeven"
                | "bel"
                | "vertel"
                | "informeer"
                | "meld"
                | "waarschuw"
        )
    });
    theirs && acts
}

/// Dutch number words, for "binnen twee dagen".
const NUMBERS_NL: &[(&str, u32)] = &[
    ("een", 1),
    ("één", 1),
    ("twee", 2),
    ("drie", 3),
    ("vier", 4),
    ("vijf", 5),
    ("zes", 6),
    ("zeven", 7),
    ("acht", 8),
    ("negen", 9),
    ("tien", 10),
    ("paar", 2),
    ("enkele", 3),
];

/// Dutch parts of the day, and their English normal names.
const PARTS_OF_DAY_NL: &[(&str, &str)] = &[
    ("ochtend", "morning"),
    ("morgen", "morning"),
    ("middag", "afternoon"),
    ("avond", "evening"),
    ("nacht", "night"),
];

/// The English name of a Dutch weekday or month (same order).
fn english_name(word: &str) -> Option<&'static str> {
    WEEKDAYS_NL
        .iter()
        .position(|d| *d == word)
        .map(|i| WEEKDAYS[i])
        .or_else(|| MONTHS_NL.iter().position(|m| *m == word).map(|i| MONTHS[i]))
}

/// A Dutch weekday with a part of the day written as one word
/// ("vrijdagmiddag"): the weekday's and the part's English names.
fn weekday_part(word: &str) -> Option<(&'static str, Option<&'static str>)> {
    WEEKDAYS_NL.iter().enumerate().find_map(|(i, day)| {
        let rest = word.strip_prefix(day)?;
        if rest.is_empty() {
            return Some((WEEKDAYS[i], None));
        }
        PARTS_OF_DAY_NL
            .iter()
            .find(|(nl, _)| *nl == rest)
            .map(|(_, en)| (WEEKDAYS[i], Some(*en)))
    })
}

/// The English name of a Dutch unit of time.
fn unit_en(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "week" | "weken" => "week",
        "maand" | "maanden" => "month",
        "kwartaal" | "kwartalen" => "quarter",
        "jaar" | "jaren" => "year",
        "dag" | "dagen" => "day",
        "uur" | "uren" => "hour",
        "minuut" | "minuten" => "minute",
        "weekend" => "weekend",
        _ => return None,
    })
}

/// "eind (van) (de|deze|volgende) week|maand|…", "eind maart" at `i`: how
/// many words, and the normal form.
fn end_of_nl<'a>(w: &dyn Fn(usize) -> &'a str, i: usize) -> Option<(usize, String)> {
    let mut at = i + 1;
    if w(at) == "van" {
        at += 1;
    }
    let which = match w(at) {
        "deze" | "dit" | "de" | "het" => {
            at += 1;
            "this"
        }
        "volgende" | "volgend" => {
            at += 1;
            "next"
        }
        _ => "this",
    };
    let unit = w(at);
    let len = at + 1 - i;
    match unit_en(unit) {
        Some(u @ ("week" | "month" | "quarter" | "year")) => {
            Some((len, format!("end of {which} {u}")))
        }
        Some("day") => Some((len, "end of today".into())),
        _ if unit == "vandaag" => Some((len, "end of today".into())),
        _ => english_name(unit)
            .filter(|_| MONTHS_NL.contains(&unit))
            .map(|month| (len, format!("end of {month}"))),
    }
}

/// "binnen|over twee dagen" at `i`: how many words, and the normal form.
fn within_nl<'a>(w: &dyn Fn(usize) -> &'a str, i: usize) -> Option<(usize, String)> {
    let (skip, n) = match (w(i + 1), w(i + 2)) {
        ("een", "paar") => (2, Some(2)),
        (number, _) => (
            1,
            NUMBERS_NL
                .iter()
                .find(|n| n.0 == number)
                .map(|n| n.1)
                .or_else(|| number.parse().ok()),
        ),
    };
    match (n, unit_en(w(i + skip + 1))) {
        (Some(n), Some(unit @ ("minute" | "hour" | "day" | "week" | "month"))) => Some((
            skip + 2,
            format!("within {n} {unit}{}", if n == 1 { "" } else { "s" }),
        )),
        _ => None,
    }
}

/// Finds a Dutch due time in `words` from `from` on, in the English normal
/// form the ledger reads.
fn due_nl(words: &[&Token], from: usize) -> Option<Due> {
    let w = |i: usize| words.get(i).map_or("", |t| t.norm.as_str());
    first_due(words, from, |i| {
        let here = w(i);
        match here {
            "vandaag" | "vanavond" => Some((
                1,
                if here == "vandaag" {
                    "today"
                } else {
                    "tonight"
                }
                .into(),
            )),
            "vanmiddag" => Some((1, "today afternoon".into())),
            "vanochtend" | "vanmorgen" => Some((1, "today morning".into())),
            "morgen" => match PARTS_OF_DAY_NL.iter().find(|(nl, _)| *nl == w(i + 1)) {
                Some((_, part)) => Some((2, format!("tomorrow {part}"))),
                None => Some((1, "tomorrow".into())),
            },
            "morgenochtend" | "morgenvroeg" => Some((1, "tomorrow morning".into())),
            "morgenmiddag" => Some((1, "tomorrow afternoon".into())),
            "morgenavond" => Some((1, "tomorrow evening".into())),
            "overmorgen" => Some((1, "within 2 days".into())),
            "zo" if w(i + 1) == "snel" && w(i + 2) == "mogelijk" => {
                Some((3, "as soon as possible".into()))
            }
            "zsm" | "meteen" | "direct" | "onmiddellijk" => Some((1, "as soon as possible".into())),
            "eind" | "einde" => end_of_nl(&w, i),
            "deze" | "dit" | "volgende" | "volgend"
                if unit_en(w(i + 1)).is_some_and(|u| {
                    matches!(u, "week" | "month" | "quarter" | "year" | "weekend")
                }) =>
            {
                let which = if here.starts_with("volgend") {
                    "next"
                } else {
                    "this"
                };
                Some((
                    2,
                    format!("{which} {}", unit_en(w(i + 1)).unwrap_or_default()),
                ))
            }
            "binnen" | "over" => within_nl(&w, i),
            // "uiterlijk 15 maart", "vóór 3 april": a day of a month.
            _ if here.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
                && MONTHS_NL.contains(&w(i + 1)) =>
            {
                Some((
                    2,
                    format!("{} {here}", english_name(w(i + 1)).unwrap_or_default()),
                ))
            }
            "volgende" if weekday_part(w(i + 1)).is_some() => {
                let (day, part) = weekday_part(w(i + 1))?;
                Some((
                    2,
                    format!(
                        "next {day}{}",
                        part.map(|p| format!(" {p}")).unwrap_or_default()
                    ),
                ))
            }
            _ if weekday_part(here).is_some() => {
                let (day, part) = weekday_part(here)?;
                match (part, PARTS_OF_DAY_NL.iter().find(|(nl, _)| *nl == w(i + 1))) {
                    (Some(part), _) => Some((1, format!("{day} {part}"))),
                    (None, Some((_, part))) => Some((2, format!("{day} {part}"))),
                    (None, None) => Some((1, day.into())),
                }
            }
            "vóór" | "voor" | "uiterlijk" | "in"
                if MONTHS_NL.contains(&w(i + 1)) && w(i + 1) != "mei" =>
            {
                Some((2, english_name(w(i + 1)).unwrap_or_default().into()))
            }
            _ => None,
        }
    })
}

/// Prepositions before a Dutch due time, left out of what is promised.
const DUE_PREPOSITIONS_NL: &[&str] = &[
    "vóór",
    "voor",
    "op",
    "uiterlijk",
    "tot",
    "binnen",
    "over",
    "in",
];

/// Finds a commitment in a Dutch sentence.
fn classify_nl(text: &Tokenized, sentence: &Sentence) -> Option<Commitment> {
    if sentence.terminator == Some('?') {
        return None;
    }
    let words: Vec<&Token> = text.words(sentence).collect();
    let core_start = words.len() - super::phrases::core(&words).len();
    let pledge = if let Some(pledge) = PLEDGES_NL.find(&words) {
        pledge
    } else {
        // "Ik stuur …" opens the sentence; a verb in the past or of a
        // state ("ik was", "ik denk") pledges nothing.
        let plan = PLANS_NL.find(&words).filter(|p| p.start <= core_start)?;
        let verb = words[plan.end - 1].norm.as_str();
        let past = verb.len() > 4 && ["de", "te", "den", "ten"].iter().any(|e| verb.ends_with(e));
        if NOT_PLEDGED_NL.contains(&verb) || past || due_nl(&words, plan.end).is_none() {
            return None;
        }
        // The verb is part of what is promised: "stuur u het plan".
        plan.start..plan.start + 1
    };
    let after = &words[pledge.end..];
    if after
        .first()
        .is_some_and(|w| NOT_PLEDGED_NL.contains(&w.norm.as_str()))
        && !(words[pledge.start].norm == "laat" && after.len() > 2)
    {
        return None;
    }
    if after.is_empty() && words[pledge.start].norm != "ik" {
        return None;
    }
    let when = due_nl(&words, pledge.end);
    if when.is_none()
        && after
            .iter()
            .take(3)
            .any(|w| SAID_NOW_NL.contains(&w.norm.as_str()))
    {
        return None;
    }
    let what: Vec<&str> = words[pledge.end..]
        .iter()
        .enumerate()
        .filter(|(k, _)| {
            when.as_ref()
                .is_none_or(|d| !d.words.contains(&(pledge.end + k)))
        })
        .map(|(_, t)| t.norm.as_str())
        .filter(|w| !DUE_PREPOSITIONS_NL.contains(w))
        .collect();
    let said = when.as_ref().map(|d| said(&words, d, DUE_PREPOSITIONS_NL));
    Some(Commitment {
        span: words[pledge.start].span.start..words[words.len() - 1].span.end,
        what: what.join(" "),
        when_said: said,
        due: when.map(|d| d.normal),
    })
}

/// Finds a commitment in a sentence.
pub fn classify(text: &Tokenized, sentence: &Sentence) -> Option<Commitment> {
    if sentence.terminator == Some('?') {
        return None;
    }
    let words: Vec<&Token> = text.words(sentence).collect();
    let pledge = match PLEDGES.find(&words) {
        Some(pledge) => pledge,
        None => GROUP_PLANS
            .find(&words)
            .filter(|plan| due(&words, plan.end).is_some())?,
    };
    let after = &words[pledge.end..];
    if after.is_empty()
        && !matches!(
            words[pledge.start].norm.as_str(),
            "consider" | "leave" | "i'm"
        )
    {
        return None;
    }
    let pledge_word = words[pledge.end - 1].norm.as_str();
    let tail = if pledge_word == "let" || pledge_word == "me" || pledge_word == "us" {
        &words[pledge.end - 1..]
    } else {
        after
    };
    if NOT_PLEDGES.starts(after) || NOT_PLEDGES.starts(tail) {
        return None;
    }
    // "I don't think we'll…", "I doubt I'll…": doubts, not pledges.
    let before = &words[..pledge.start];
    if before.iter().any(|w| w.norm == "doubt")
        || before
            .windows(2)
            .any(|w| w[0].norm == "don't" && w[1].norm == "think")
    {
        return None;
    }
    // "What I'll do is…", "whether we'll…": describing or asking, not pledging.
    if pledge.start > 0
        && matches!(
            words[pledge.start - 1].norm.as_str(),
            "what" | "whether" | "how" | "where" | "when" | "wonder"
        )
    {
        return None;
    }
    let when = due(&words, pledge.end);
    let what_end = when.as_ref().map_or(words.len(), |d| d.words.start);
    let what_end = what_end.max(pledge.end);
    let what: Vec<&str> = words[pledge.end..what_end]
        .iter()
        .map(|t| t.norm.as_str())
        .filter(|w| !DUE_PREPOSITIONS.contains(w))
        .collect();
    let last = when
        .as_ref()
        .map_or(words.len(), |d| d.words.end.max(what_end));
    Some(Commitment {
        span: words[pledge.start].span.start..words[last.max(pledge.end) - 1].span.end,
        what: what.join(" "),
        when_said: when.as_ref().map(|d| said(&words, d, DUE_PREPOSITIONS)),
        due: when.map(|d| d.normal),
    })
}

/// A commitment the model found where no pledge cue is: the whole
/// sentence, its deliverable the words after its first "I" or "we" (or all
/// of them), its time whatever due time it names.
fn read_whole(text: &Tokenized, sentence: &Sentence) -> Commitment {
    let words: Vec<&Token> = text.words(sentence).collect();
    let when = due(&words, 0);
    let first_person = words
        .iter()
        .position(|w| {
            matches!(
                w.norm.as_str(),
                "i" | "we" | "i'll" | "we'll" | "i'm" | "we're" | "i'd" | "we'd" | "me" | "us"
            )
        })
        .map_or(0, |p| p + 1);
    let what_end = when.as_ref().map_or(words.len(), |d| d.words.start);
    let what: Vec<&str> = words
        .get(first_person.min(what_end)..what_end)
        .unwrap_or_default()
        .iter()
        .map(|t| t.norm.as_str())
        .filter(|w| !DUE_PREPOSITIONS.contains(w))
        .collect();
    Commitment {
        span: text.span(sentence),
        what: what.join(" "),
        when_said: when.as_ref().map(|d| said(&words, d, DUE_PREPOSITIONS)),
        due: when.map(|d| d.normal),
    }
}

/// A due time as said, with the preposition before it of `prepositions`
/// ("by friday", "vóór vrijdag").
fn said(words: &[&Token], due: &Due, prepositions: &[&str]) -> String {
    let start = if due.words.start > 0
        && prepositions.contains(&words[due.words.start - 1].norm.as_str())
    {
        due.words.start - 1
    } else {
        due.words.start
    };
    words[start..due.words.end]
        .iter()
        .map(|t| t.norm.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Speech recognition splits sentences at pauses: "I'll send you the plan,"
/// … "and the schedule by Friday." A promise without a time borrows one
/// from the next sentence of the same turn, and its deliverable grows by
/// the words before that time.
fn complete_from(commitment: &mut Commitment, next: &[&Token], reader: &DueReader) {
    if commitment.due.is_some() {
        return;
    }
    if let Some(due) = (reader.find)(next, 0) {
        let before: Vec<&str> = next[..due.words.start]
            .iter()
            .map(|t| t.norm.as_str())
            .filter(|w| !reader.prepositions.contains(w))
            .collect();
        if !before.is_empty() {
            commitment.what = format!("{} {}", commitment.what, before.join(" "));
        }
        commitment.when_said = Some(said(next, &due, reader.prepositions));
        commitment.due = Some(due.normal);
    }
}

impl Signal for Promises {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let mut evidence = Vec::new();
        let found = decided(
            input,
            Label::Commitment,
            |i, sentence| match input.language(i) {
                "en" => classify(&input.texts[i], sentence),
                "nl" => classify_nl(&input.texts[i], sentence),
                _ => None,
            },
            |i, sentence| read_whole(&input.texts[i], sentence),
        );
        for Found {
            utterance: i,
            sentence,
            what: mut commitment,
            probability,
        } in found
        {
            let words: Vec<&Token> = input.texts[i].words(sentence).collect();
            let dutch = input.language(i) == "nl";
            if UNILATERAL.find(&words).is_some() || (dutch && unilateral_nl(&words)) {
                continue;
            }
            if let Some((j, next)) = input.next_in_turn(i, sentence) {
                complete_from(
                    &mut commitment,
                    &input.texts[j].words(next).collect::<Vec<_>>(),
                    if dutch { &DUTCH_DUE } else { &ENGLISH_DUE },
                );
            }
            let specific =
                commitment.is_specific_in(if dutch { LIGHT_WORDS_NL } else { LIGHT_WORDS });
            let kind = match (input.role(i), specific) {
                (Role::Consultant, true) => "promise",
                (Role::Consultant, false) => "vague-promise",
                (Role::Client, _) => "client-commitment",
                (Role::Other, true) => "commitment",
                (Role::Other, false) => "vague-commitment",
            };
            let mut e =
                input.evidence(i, commitment.span.clone(), kind, probability.unwrap_or(0.7));
            let mut details = BTreeMap::new();
            details.insert("what".into(), commitment.what.clone());
            if let (Some(due), Some(said)) = (&commitment.due, &commitment.when_said) {
                details.insert("when".into(), said.clone());
                details.insert("due".into(), due.clone());
            }
            e.details = details;
            evidence.push(e);
        }
        let count = |kind: &str| evidence.iter().filter(|e| e.kind == kind).count();
        if !input.has_roles() {
            let all = evidence.len();
            return output(
                &META,
                Some(all as f64),
                t!(
                    input.words,
                    "summary-promises-unknown",
                    n = all,
                    specific = count("commitment")
                ),
                [("all", all as f64)],
                evidence,
            );
        }
        let (specific, vague) = (count("promise"), count("vague-promise"));
        let made = specific + vague;
        let client = count("client-commitment");
        let mut measures = vec![
            ("consultant_promises", made as f64),
            ("consultant_vague", vague as f64),
            ("client_commitments", client as f64),
            ("next_steps", (made + client) as f64),
        ];
        // With no promise made there is no share to judge, not a perfect one.
        if made > 0 {
            measures.push(("specific_share", specific as f64 / made as f64));
        }
        output(
            &META,
            Some(made as f64),
            t!(
                input.words,
                "summary-promises",
                n = made,
                vague = vague,
                client = client
            ),
            measures,
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_table, check_table_in};
    use super::*;
    use crate::text::tokenize;

    fn due_of_nl(text: &str) -> Option<String> {
        let t = tokenize(text);
        classify_nl(&t, &t.sentences[0]).and_then(|c| c.due)
    }

    #[test]
    fn dutch_due_times_are_normalised_as_english_ones_are() {
        for (text, due) in [
            ("Ik stuur u het plan vóór vrijdag.", "friday"),
            (
                "Ik stuur u het plan voor vrijdagmiddag.",
                "friday afternoon",
            ),
            ("Ik bel u morgenochtend.", "tomorrow morning"),
            ("Ik bel je morgen.", "tomorrow"),
            (
                "We zullen de cijfers eind volgende week hebben.",
                "end of next week",
            ),
            (
                "Ik zal het eind van de maand afronden.",
                "end of this month",
            ),
            ("Ik stuur de offerte binnen twee dagen.", "within 2 days"),
            ("Ik lever het rapport uiterlijk 15 maart.", "march 15"),
            ("Ik zal het voorstel eind maart sturen.", "end of march"),
            ("Ik mail u zo snel mogelijk.", "as soon as possible"),
            ("Ik zal het volgende week dinsdag sturen.", "next week"),
            ("Ik stuur het vandaag nog.", "today"),
        ] {
            assert_eq!(due_of_nl(text).as_deref(), Some(due), "{text}");
        }
    }

    #[test]
    fn dutch_due_times_fall_on_the_calendar() {
        use crate::summary::ledger::due_date;
        // Said on Wednesday 18 November 2026.
        let said = jiff::civil::date(2026, 11, 18);
        for (text, date) in [
            ("Ik stuur u het plan vóór vrijdag.", "2026-11-20"),
            ("Ik bel u morgenochtend.", "2026-11-19"),
            (
                "We zullen de cijfers eind volgende week hebben.",
                "2026-11-27",
            ),
            ("Ik stuur de offerte binnen twee dagen.", "2026-11-20"),
            ("Ik lever het rapport uiterlijk 15 maart.", "2027-03-15"),
            ("Ik zal het voorstel eind maart sturen.", "2027-03-31"),
        ] {
            let due = due_of_nl(text).unwrap();
            assert_eq!(
                due_date(&due, said).map(|d| d.to_string()).as_deref(),
                Some(date),
                "{text}: {due}"
            );
        }
    }

    #[test]
    fn table_in_dutch() {
        check_table_in(
            "nl",
            &Promises,
            Role::Consultant,
            &[
                ("Ik stuur u het plan vóór vrijdag.", "promise"),
                ("Ik zal de offerte morgenochtend sturen.", "promise"),
                ("We zullen de cijfers eind volgende week hebben.", "promise"),
                ("Ik beloof u het rapport uiterlijk 15 maart.", "promise"),
                ("Ik kom erop terug.", "vague-promise"),
                ("Ik zal het uitzoeken.", "vague-promise"),
                ("Laat mij even navragen bij financiën.", "vague-promise"),
            ],
            &[
                "Ik zal eerlijk zijn.",
                "Ik zal je uitleggen hoe zulke verhuizingen meestal gaan.",
                "Ik zal u vertellen wat ik daar zag.",
                "Stuurt u het vrijdag?",
                "Ik stuurde het vorige week.",
                "Ik ga uw werkgever bellen.",
                "Ik denk dat het vrijdag klaar is.",
                "Het bestuur beslist volgende week.",
            ],
        );
    }

    fn due_of(text: &str) -> Option<String> {
        let t = tokenize(text);
        classify(&t, &t.sentences[0]).and_then(|c| c.due)
    }

    #[test]
    fn due_times_are_normalised() {
        assert_eq!(
            due_of("I'll send the plan by Friday.").as_deref(),
            Some("friday")
        );
        assert_eq!(
            due_of("I'll send it by end of next week").as_deref(),
            Some("end of next week")
        );
        assert_eq!(
            due_of("I'll call you tomorrow morning").as_deref(),
            Some("tomorrow morning")
        );
        assert_eq!(
            due_of("we'll have it in two days").as_deref(),
            Some("within 2 days")
        );
        assert_eq!(due_of("I'll do it next week").as_deref(), Some("next week"));
        assert_eq!(
            due_of("I'll finish it by the end of the month").as_deref(),
            Some("end of this month")
        );
        assert_eq!(
            due_of("I'll send it on Monday afternoon").as_deref(),
            Some("monday afternoon")
        );
        assert_eq!(due_of("I'll send it over").as_deref(), None);
    }

    #[test]
    fn a_promise_says_what_and_when() {
        let t = tokenize("Okay, I'll send you the revised plan by Friday.");
        let c = classify(&t, &t.sentences[0]).unwrap();
        assert_eq!(c.what, "send you the revised plan");
        assert_eq!(c.when_said.as_deref(), Some("by friday"));
        assert_eq!(
            &"Okay, I'll send you the revised plan by Friday."[c.span.clone()],
            "I'll send you the revised plan by Friday"
        );
        assert!(c.is_specific());
    }

    #[test]
    fn a_time_said_after_a_pause_completes_the_promise() {
        use super::super::testing::call;
        let call = call(&[
            (
                Role::Consultant,
                0.0,
                "Good, I will send you the count plan,",
            ),
            (
                Role::Consultant,
                3.0,
                "and the schedule by Friday afternoon.",
            ),
        ]);
        let output = Promises.detect(&Input::new(&call), &Settings::default());
        let e = &output.evidence[0];
        assert_eq!(e.kind, "promise");
        assert_eq!(e.details["due"], "friday afternoon");
        assert_eq!(
            e.details["what"],
            "send you the count plan and the schedule"
        );
        assert_eq!(e.details["when"], "by friday afternoon");
    }

    #[test]
    fn a_dutch_time_said_after_a_pause_completes_the_promise() {
        let call = super::super::testing::call_in(
            "nl",
            &[
                (Role::Consultant, 0.0, "Goed, ik zal u het telplan sturen,"),
                (Role::Consultant, 3.0, "en de planning vóór vrijdagmiddag."),
            ],
        );
        let output = Promises.detect(&Input::new(&call), &Settings::default());
        let e = &output.evidence[0];
        assert_eq!(e.kind, "promise");
        assert_eq!(e.details["due"], "friday afternoon");
        assert_eq!(e.details["what"], "u het telplan sturen en de planning");
        assert_eq!(e.details["when"], "vóór vrijdagmiddag");
    }

    #[test]
    fn table() {
        check_table(
            &Promises,
            Role::Consultant,
            &[
                ("I'll send you the revised plan by Friday.", "promise"),
                (
                    "We're going to have the numbers to you by end of next week.",
                    "promise",
                ),
                ("I will book the workshop for Tuesday.", "promise"),
                ("Let me check with finance.", "vague-promise"),
                ("I'll look into it.", "vague-promise"),
                ("I'll send it over.", "vague-promise"),
                ("Leave it with me.", "vague-promise"),
                ("Let us check in next Tuesday morning.", "promise"),
                ("I'll report it to the engineers today.", "promise"),
                (
                    "I'll write up the notes and email them to you tonight.",
                    "promise",
                ),
            ],
            &[
                "I'll be honest with you.",
                "I'll tell you what, it was hard.",
                "I'll admit it was hard.",
                "Will you send it?",
                "It'll be fine.",
                "The board will decide.",
                "I sent it last week.",
                "We're going to segment the data first.",
                "Let me think.",
                "I doubt we'll get to it.",
                "I don't think we're going to finish.",
                "I'm gonna tell your parents.",
                "I'll have to report this to the school.",
                "I'm going to call the police.",
                "I will have to write a violation.",
            ],
        );
        check_table(
            &Promises,
            Role::Client,
            &[("Great, I'll share it with the board.", "client-commitment")],
            &["I don't know yet."],
        );
    }

    #[test]
    fn shipped_table() {
        super::super::testing::check_shipped_table(
            &Promises,
            Role::Consultant,
            &[
                "I'll send the prescription to your pharmacy this afternoon.",
                "I'm going to refer you to the dermatology team.",
                "I will ring you on Thursday with the blood results.",
            ],
            &[
                "You should rest for a few days.",
                "I sent the referral last week.",
                "It'll probably settle down on its own.",
                "Have you had this before?",
            ],
        );
    }
}
