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
//! ## Settings
//!
//! None. The rubric asks that every promise have a what and a when.

use super::phrases::{Cues, MONTHS, WEEKDAYS, patterns};
use super::{Found, Input, Settings, Signal, SignalMeta, SignalOutput, decided, output, plural};
use crate::detectors::Label;
use crate::speakers::Role;
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

/// Finds a due time in `words` from `from` on.
fn due(words: &[&Token], from: usize) -> Option<Due> {
    let w = |i: usize| words.get(i).map_or("", |t| t.norm.as_str());
    for i in from..words.len() {
        let here = w(i);
        let found: Option<(usize, String)> = match here {
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
        };
        if let Some((len, normal)) = found {
            return Some(Due {
                words: i..(i + len).min(words.len()),
                normal,
            });
        }
    }
    None
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
        self.due.is_some()
            && self
                .what
                .split(' ')
                .any(|w| !w.is_empty() && !LIGHT_WORDS.contains(&w))
    }
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
        .filter(|w| !matches!(*w, "by" | "on" | "before" | "until" | "within" | "in"))
        .collect();
    let last = when
        .as_ref()
        .map_or(words.len(), |d| d.words.end.max(what_end));
    Some(Commitment {
        span: words[pledge.start].span.start..words[last.max(pledge.end) - 1].span.end,
        what: what.join(" "),
        when_said: when.as_ref().map(|d| said(&words, d)),
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
        .filter(|w| !matches!(*w, "by" | "on" | "before" | "until" | "within" | "in"))
        .collect();
    Commitment {
        span: text.span(sentence),
        what: what.join(" "),
        when_said: when.as_ref().map(|d| said(&words, d)),
        due: when.map(|d| d.normal),
    }
}

fn said(words: &[&Token], due: &Due) -> String {
    let start = if due.words.start > 0
        && matches!(
            words[due.words.start - 1].norm.as_str(),
            "by" | "on" | "before" | "until" | "within" | "in"
        ) {
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
fn complete_from(commitment: &mut Commitment, next: &[&Token]) {
    if commitment.due.is_some() {
        return;
    }
    if let Some(due) = due(next, 0) {
        let before: Vec<&str> = next[..due.words.start]
            .iter()
            .map(|t| t.norm.as_str())
            .filter(|w| !matches!(*w, "by" | "on" | "before" | "until" | "within" | "in"))
            .collect();
        if !before.is_empty() {
            commitment.what = format!("{} {}", commitment.what, before.join(" "));
        }
        commitment.when_said = Some(said(next, &due));
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
            |i, sentence| classify(&input.texts[i], sentence),
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
            if UNILATERAL.find(&words).is_some() {
                continue;
            }
            if let Some((j, next)) = input.next_in_turn(i, sentence) {
                complete_from(
                    &mut commitment,
                    &input.texts[j].words(next).collect::<Vec<_>>(),
                );
            }
            let specific = commitment.is_specific();
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
                format!(
                    "{} made ({} with a what and a when); who made them is unknown",
                    plural(all, "commitment", "commitments"),
                    count("commitment")
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
            format!(
                "the consultant made {}, {} of them vague (no what or no when); the client committed to {}",
                plural(made, "promise", "promises"),
                vague,
                plural(client, "thing", "things")
            ),
            measures,
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::check_table;
    use super::*;
    use crate::text::tokenize;

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
