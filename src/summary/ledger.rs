//! The promise ledger: every commitment made in the week's calls, when it
//! falls due, and whether a later call with the same client came back to it.
//!
//! Hand-written, like the signals: it is the product's judgement, not
//! plumbing. What it can know, and what it cannot:
//!
//! - **Who and what** come from the promises signal: the speaker and the
//!   words after the pledge ("send you the revised plan").
//! - **When** is the due time as said, turned into a date counted from the
//!   call's date: "by Friday" is the first Friday after the call, "next
//!   Friday" the Friday of the following week when the call was early in
//!   its week, "end of next week" that week's Friday, "in two days" two days
//!   on, "as soon as possible" two days on, a month's name the end of that
//!   month. A call with no date (none in its file name, none readable from
//!   the file) gives no due dates.
//! - **The same client** is the client the calls manifest (`calls.toml`)
//!   names for the call, person and organisation; for a call it does not
//!   list, a client participant with the same name (case and punctuation
//!   aside); a call that names the person alone joins the calls that name
//!   them with their organisation, when the week gives them only one. A
//!   name that says what someone is rather than who
//!   ("Patient", "Client", "Speaker 2", "channel 2": [`GENERIC_NAMES`],
//!   and `generic_names` in `rapport.toml`) names nobody, so eight calls
//!   with "Patient" are not one patient's. Recordings with one person per
//!   channel carry no names at all. The promises of a call with no named
//!   client are listed, with that reason, but cannot be followed across
//!   calls until the manifest names its client.
//! - **Followed up** means a later call with that client has an utterance,
//!   by anyone, with the deliverable's content words in it (two of them, or
//!   the only one; fillers and words of one or two letters are not content
//!   words): "the revised plan" finds "I've attached the revised
//!   plan". It is word matching, not understanding: a deliverable renamed
//!   ("the proposal") is missed, a mention is not proof of delivery, and a
//!   promise with no content words ("I'll look into it") cannot be matched.
//!
//! A promise is **overdue** when its date has passed (as of the summary's
//! date) with no follow-up, **not mentioned** when later calls with the
//! client came and went without it, and **open** otherwise; one that
//! cannot be searched for (no named client, no content words) is marked
//! `trackable: false` and is only ever open or overdue.

use super::link;
use crate::batch::CallRecord;
use crate::l10n::Lang;
use crate::report::speaker_label;
use crate::speakers::Role;
use crate::t;
use crate::text::normalized_words;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Evidence kinds of the promises signal that are commitments.
const COMMITMENTS: &[&str] = &[
    "promise",
    "vague-promise",
    "client-commitment",
    "commitment",
    "vague-commitment",
];

/// Days "as soon as possible" is taken to allow.
const SOON_DAYS: i64 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A later call with the client came back to it.
    FollowedUp,
    /// Its date has passed with no follow-up.
    Overdue,
    /// Later calls with the client did not come back to it.
    NotMentioned,
    /// Not due yet, and no later call with the client yet.
    Open,
}

impl Status {
    /// "followed up", "overdue", … in `words`.
    pub fn label(self, words: Lang) -> String {
        words.word(match self {
            Self::FollowedUp => "status-followed-up",
            Self::Overdue => "status-overdue",
            Self::NotMentioned => "status-not-mentioned",
            Self::Open => "status-open",
        })
    }
}

/// A later mention of a promise's deliverable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub call: String,
    pub date: Option<Date>,
    /// Seconds into that call.
    pub at: f64,
    pub quote: String,
    /// The moment on that call's page, relative to the summary.
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Promise {
    pub call: String,
    pub date: Option<Date>,
    /// Seconds into the call.
    pub at: f64,
    /// Who promised: "Ann Smith (consultant)".
    pub owner: String,
    pub role: Role,
    /// The promises signal's kind: `promise`, `vague-promise`, `client-commitment`…
    pub kind: String,
    pub what: String,
    /// The due time as said ("by friday"), if it was.
    pub when: Option<String>,
    pub due: Option<Date>,
    /// Who the call's client is ("Dana Lee (Acme)"), when it names one.
    pub client: Option<String>,
    /// Whether later calls can be searched for it: it has a named client
    /// and a deliverable with content words ("I'll look into it" has none).
    pub trackable: bool,
    /// Why it cannot be followed, when it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untrackable: Option<String>,
    pub status: Status,
    /// Later calls with the same client.
    pub later_calls: usize,
    pub follow_up: Option<Mention>,
    pub quote: String,
    pub link: String,
}

/// A call's client, as far as the ledger can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Client {
    /// Calls with the same key are with the same client.
    Named { key: String, name: String },
    /// The call names no client, for this reason.
    Unnamed(String),
}

impl Client {
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Named { name, .. } => Some(name),
            Self::Unnamed(_) => None,
        }
    }
}

/// The ledger of `records` (in date order) with `clients` (each record's
/// [`client_of`]), as of `as_of`.
pub fn ledger(
    records: &[&CallRecord],
    clients: &[Client],
    as_of: Date,
    words: Lang,
) -> Vec<Promise> {
    let key = |i: usize| match &clients[i] {
        Client::Named { key, .. } => Some(key),
        Client::Unnamed(_) => None,
    };
    let mut promises = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let analysis = &record.analysis;
        let Some(signal) = analysis.signals.iter().find(|s| s.id == "promises") else {
            continue;
        };
        let evidence = analysis.evidence_by_time();
        for e in signal
            .evidence
            .iter()
            .filter(|e| COMMITMENTS.contains(&e.kind.as_str()))
        {
            let what = e.details.get("what").cloned().unwrap_or_default();
            let due = record
                .date
                .zip(e.details.get("due"))
                .and_then(|(date, due)| due_date(due, date));
            let untrackable = match &clients[i] {
                Client::Unnamed(reason) => Some(reason.clone()),
                Client::Named { .. } if content_words(&what).is_empty() => {
                    Some(t!(words, "untrackable-no-deliverable"))
                }
                Client::Named { .. } => None,
            };
            let trackable = untrackable.is_none();
            let later: Vec<usize> = ((i + 1)..records.len())
                .filter(|&j| key(i).is_some() && key(j) == key(i))
                .collect();
            let follow_up = later.iter().find_map(|&j| mention(records[j], &what));
            let status = if follow_up.is_some() {
                Status::FollowedUp
            } else if due.is_some_and(|d| d < as_of) {
                Status::Overdue
            } else if trackable && !later.is_empty() {
                Status::NotMentioned
            } else {
                Status::Open
            };
            let position = evidence
                .iter()
                .position(|(id, found)| *id == "promises" && *found == e)
                .unwrap_or(0);
            let role = analysis
                .call
                .participant(&e.speaker)
                .map_or(Role::Other, |p| p.person.role);
            promises.push(Promise {
                call: record.id.clone(),
                date: record.date,
                at: e.start,
                owner: owner(record, &e.speaker, words),
                role,
                kind: e.kind.clone(),
                what,
                when: e.details.get("when").cloned(),
                due,
                client: clients[i].name().map(str::to_string),
                trackable,
                untrackable,
                status,
                later_calls: later.len(),
                follow_up,
                quote: e.quote.clone(),
                link: link(&record.id, position),
            });
        }
    }
    promises
}

fn owner(record: &CallRecord, speaker: &str, words: Lang) -> String {
    let call = &record.analysis.call;
    match call.participant(speaker) {
        Some(p) if p.person.role != Role::Other => {
            format!(
                "{} ({})",
                p.person.name,
                words.role(p.person.role).to_lowercase()
            )
        }
        Some(p) => p.person.name.clone(),
        None => speaker_label(call, speaker, words),
    }
}

/// Makes one client of the calls that name the same person, where one
/// call gives the organisation and another does not ("Dana Lee" in a
/// transcript, "Dana Lee" of Acme in the manifest) and the person has no
/// other organisation in the week; and spells each client as its first
/// call does.
pub fn unify(clients: &mut [Client]) {
    let split = |key: &str| {
        let (person, org) = key.split_once('|').unwrap_or((key, ""));
        (person.to_string(), org.to_string())
    };
    let mut organisations: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut spelled: BTreeMap<String, String> = BTreeMap::new();
    for client in clients.iter() {
        if let Client::Named { key, name } = client {
            let (person, org) = split(key);
            if !person.is_empty() && !org.is_empty() {
                organisations.entry(person).or_default().insert(org);
                spelled.entry(key.clone()).or_insert_with(|| name.clone());
            }
        }
    }
    for client in clients.iter_mut() {
        if let Client::Named { key, name } = client {
            let (person, org) = split(key);
            if org.is_empty()
                && let Some(orgs) = organisations.get(&person)
                && let [only] = orgs.iter().collect::<Vec<_>>().as_slice()
            {
                *key = format!("{person}|{only}");
            }
            name.clone_from(spelled.entry(key.clone()).or_insert_with(|| name.clone()));
        }
    }
}

/// Names that say what someone is in a call, not who: a role, a seat, a
/// number. They never make two calls the same client. Matched on the
/// whole name, case, punctuation, a leading "the" and a trailing number
/// or letter aside ("Patient 2", "`SPEAKER_01`", "Guest A"); `rapport.toml`
/// adds more with `generic_names = ["Mentee"]`.
pub const GENERIC_NAMES: &[&str] = &[
    "patient",
    "client",
    "customer",
    "guest",
    "unknown",
    "unknown speaker",
    "speaker",
    "channel",
    "call channel",
    "track",
    "caller",
    "participant",
    "attendee",
    "user",
    "member",
    "visitor",
    "person",
    "other",
    "other party",
    "remote",
    "interviewee",
    "respondent",
    "prospect",
    "lead",
    "contact",
    "applicant",
    "candidate",
    "student",
    "mentee",
    "coachee",
    "host",
    "me",
    "them",
    "doctor",
    "nurse",
    "agent",
    "advisor",
    "adviser",
    "consultant",
    "coach",
    "counsellor",
    "counselor",
    "therapist",
    "interviewer",
    "moderator",
];

/// Whether `name` is a generic name ([`GENERIC_NAMES`] or one of `extra`).
pub fn is_generic(name: &str, extra: &[String]) -> bool {
    let core = |name: &str| {
        let mut words = normalized_words(&name.replace('_', " "));
        if words
            .first()
            .is_some_and(|w| matches!(w.as_str(), "the" | "a" | "an"))
        {
            words.remove(0);
        }
        let several = words.len() > 1;
        if let Some(last) = words.pop() {
            let stem = last.trim_end_matches(|c: char| c.is_ascii_digit());
            // "Speaker 2" and "Guest A" lose the number or letter; "speaker01" its digits.
            if !(stem.is_empty() || several && last.chars().count() == 1) {
                words.push(stem.to_string());
            }
        }
        words.join(" ")
    };
    let name = core(name);
    name.is_empty()
        || GENERIC_NAMES.contains(&name.as_str())
        || extra.iter().any(|e| core(e) == name)
}

/// The call's client: the one the manifest names, else the client
/// participants who have names (folded and joined), else why there is none.
pub fn client_of(record: &CallRecord, extra_generic: &[String], words: Lang) -> Client {
    let fold = |s: &str| normalized_words(s).join(" ");
    if let Some(name) = record.meta.client_name() {
        let part = |s: &Option<String>| s.as_deref().map(fold).unwrap_or_default();
        return Client::Named {
            key: format!(
                "{}|{}",
                part(&record.meta.client),
                part(&record.meta.organisation)
            ),
            name,
        };
    }
    let clients: Vec<&str> = record
        .analysis
        .call
        .participants
        .iter()
        .filter(|p| p.person.role == Role::Client)
        .map(|p| p.person.name.as_str())
        .collect();
    let spellings: Vec<&str> = clients
        .iter()
        .copied()
        .filter(|n| !is_generic(n, extra_generic))
        .collect();
    if !spellings.is_empty() {
        let folded: BTreeSet<String> = spellings.iter().map(|n| fold(n)).collect();
        return Client::Named {
            key: format!("{}|", folded.into_iter().collect::<Vec<_>>().join(" & ")),
            name: spellings.join(" & "),
        };
    }
    Client::Unnamed(match clients.first() {
        None => t!(words, "untrackable-no-client"),
        Some(name) if is_placeholder(name) => t!(words, "untrackable-voices", name = *name),
        Some(name) => t!(words, "untrackable-role", name = *name),
    })
}

/// Names rapport makes up for unnamed voices: "channel 2", "call channel 2", "Speaker 1".
fn is_placeholder(name: &str) -> bool {
    let words = normalized_words(name);
    match words.as_slice() {
        [.., label, number] => {
            matches!(label.as_str(), "channel" | "speaker") && number.parse::<u32>().is_ok()
        }
        _ => false,
    }
}

/// Words that say nothing about which deliverable was meant.
const NOT_CONTENT: &[&str] = &[
    "a",
    "an",
    "the",
    "it",
    "its",
    "that",
    "this",
    "these",
    "those",
    "them",
    "they",
    "you",
    "your",
    "yours",
    "me",
    "my",
    "i",
    "we",
    "us",
    "our",
    "to",
    "for",
    "of",
    "on",
    "in",
    "at",
    "with",
    "over",
    "up",
    "out",
    "back",
    "into",
    "about",
    "and",
    "or",
    "some",
    "any",
    "all",
    "send",
    "get",
    "give",
    "share",
    "email",
    "mail",
    "forward",
    "call",
    "ring",
    "check",
    "look",
    "follow",
    "put",
    "make",
    "do",
    "have",
    "take",
    "bring",
    "come",
    "go",
    "let",
    "know",
    "see",
    "talk",
    "write",
    "find",
    "sort",
    "just",
    "also",
    "again",
    "together",
    "quick",
    "few",
    "thing",
    "things",
    "something",
    "stuff",
    "everything",
    "anything",
    "by",
    "through",
    "from",
    "then",
    "there",
    "here",
    "what",
    "which",
    "how",
    "new",
    // What speech adds between words.
    "uh",
    "um",
    "uhm",
    "erm",
    "hmm",
    "okay",
    "yeah",
    "well",
    "like",
    "actually",
    "basically",
    "gonna",
    "wanna",
    "i'll",
    "we'll",
    "i'm",
];

/// A deliverable's content words, plurals folded; words of one or two
/// letters ("uh", "ok") say too little to find it by.
fn content_words(text: &str) -> BTreeSet<String> {
    normalized_words(text)
        .into_iter()
        .filter(|w| w.chars().count() > 2 && !NOT_CONTENT.contains(&w.as_str()))
        .map(|w| fold_plural(&w))
        .collect()
}

fn fold_plural(word: &str) -> String {
    match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem.to_string(),
        _ => word.to_string(),
    }
}

/// The first utterance of `record` that mentions the deliverable `what`.
fn mention(record: &CallRecord, what: &str) -> Option<Mention> {
    let wanted = content_words(what);
    if wanted.is_empty() {
        return None;
    }
    let needed = wanted.len().min(2);
    let analysis = &record.analysis;
    let (index, u) = analysis.call.utterances.iter().enumerate().find(|(_, u)| {
        let said: BTreeSet<String> = normalized_words(&u.text)
            .iter()
            .map(|w| fold_plural(w))
            .collect();
        wanted.intersection(&said).count() >= needed
    })?;
    // Link to the nearest moment the page lists at or after the mention.
    let evidence = analysis.evidence_by_time();
    let position = evidence
        .iter()
        .position(|(_, e)| e.utterance >= index)
        .unwrap_or(evidence.len().saturating_sub(1));
    Some(Mention {
        call: record.id.clone(),
        date: record.date,
        at: u.start,
        quote: u.text.clone(),
        link: link(&record.id, position),
    })
}

/// The date a due time (the promises signal's normal form) means for a
/// promise made on `said`.
pub fn due_date(due: &str, said: Date) -> Option<Date> {
    let plus = |days: i64| said.checked_add(days.days()).ok();
    let words: Vec<&str> = due.split_whitespace().collect();
    let weekday_after = |day: Weekday| {
        let ahead = i64::from(day.to_monday_zero_offset() - said.weekday().to_monday_zero_offset());
        plus(if ahead <= 0 { ahead + 7 } else { ahead })
    };
    let friday_of_week = |weeks: i64| {
        let to_friday = 4 - i64::from(said.weekday().to_monday_zero_offset());
        plus(to_friday + 7 * weeks).map(|d| d.max(said))
    };
    let month_end = |months: i64| {
        said.first_of_month()
            .checked_add(months.months())
            .ok()
            .map(Date::last_of_month)
    };
    let quarter_end = |quarters: i64| {
        let quarter_start_month = (said.month() - 1) / 3 * 3 + 1;
        Date::new(said.year(), quarter_start_month, 1)
            .ok()?
            .checked_add((3 * quarters + 2).months())
            .ok()
            .map(Date::last_of_month)
    };
    let next = |which: &str| i64::from(which == "next");
    match words.as_slice() {
        ["today" | "tonight", ..] | ["end", "of", "today"] => Some(said),
        ["tomorrow", ..] | ["first", "thing"] => plus(1),
        ["as", "soon", "as", "possible"] => plus(SOON_DAYS),
        ["within", n, unit] => {
            let n: i64 = n.parse().ok()?;
            match unit.trim_end_matches('s') {
                "minute" | "hour" => Some(said),
                "day" => plus(n),
                "week" => plus(7 * n),
                "month" => said.checked_add(n.months()).ok(),
                _ => None,
            }
        }
        ["next", day, ..] if weekday(day).is_some() => {
            let plain = weekday_after(weekday(day)?)?;
            // "Next Friday" said on a Monday means the Friday after this one.
            let same_week = plain.iso_week_date().week() == said.iso_week_date().week();
            if same_week {
                plain.checked_add(7.days()).ok()
            } else {
                Some(plain)
            }
        }
        [day, ..] if weekday(day).is_some() => weekday_after(weekday(day)?),
        ["end", "of", which @ ("this" | "next"), unit] | [which @ ("this" | "next"), unit] => {
            match *unit {
                "week" => friday_of_week(next(which)),
                "weekend" => {
                    let to_sunday = 6 - i64::from(said.weekday().to_monday_zero_offset());
                    plus(to_sunday + 7 * next(which))
                }
                "month" => month_end(next(which)),
                "quarter" => quarter_end(next(which)),
                "year" => Date::new(said.year() + next(which) as i16, 12, 31).ok(),
                "day" => Some(said),
                _ => None,
            }
        }
        // "march 15": that day, this year or, once past, next year's.
        [month, day] if month_number(month).is_some() && day.parse::<i8>().is_ok() => {
            let (month, day) = (month_number(month)?, day.parse::<i8>().ok()?);
            let this_year = Date::new(said.year(), month, day).ok()?;
            if this_year >= said {
                Some(this_year)
            } else {
                Date::new(said.year() + 1, month, day).ok()
            }
        }
        ["end", "of", month] | [month] if month_number(month).is_some() => {
            let month = month_number(month)?;
            let year = if month >= said.month() {
                said.year()
            } else {
                said.year() + 1
            };
            Some(Date::new(year, month, 1).ok()?.last_of_month())
        }
        _ => None,
    }
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

fn month_number(name: &str) -> Option<i8> {
    crate::signals::phrases::MONTHS
        .iter()
        .position(|m| *m == name)
        .map(|i| i as i8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_times_become_dates() {
        // A Wednesday.
        let said = Date::new(2026, 11, 18).unwrap();
        let cases = [
            ("today", "2026-11-18"),
            ("end of today", "2026-11-18"),
            ("tomorrow morning", "2026-11-19"),
            ("friday", "2026-11-20"),
            ("wednesday", "2026-11-25"),
            ("next friday", "2026-11-27"),
            ("next monday", "2026-11-23"),
            ("end of this week", "2026-11-20"),
            ("next week", "2026-11-27"),
            ("this weekend", "2026-11-22"),
            ("end of this month", "2026-11-30"),
            ("next month", "2026-12-31"),
            ("end of next quarter", "2027-03-31"),
            ("this year", "2026-12-31"),
            ("march", "2027-03-31"),
            ("end of december", "2026-12-31"),
            ("within 2 days", "2026-11-20"),
            ("within 3 weeks", "2026-12-09"),
            ("within 1 hour", "2026-11-18"),
            ("as soon as possible", "2026-11-20"),
        ];
        for (due, want) in cases {
            assert_eq!(
                due_date(due, said).map(|d| d.to_string()).as_deref(),
                Some(want),
                "{due}"
            );
        }
        assert_eq!(due_date("someday", said), None);
    }

    #[test]
    fn deliverables_are_matched_by_their_content_words() {
        let wanted = content_words("send you the revised plans");
        assert_eq!(
            wanted,
            BTreeSet::from(["revised".to_string(), "plan".to_string()])
        );
        assert!(content_words("look into it").is_empty());
        assert!(content_words("uh put um it in").is_empty());
        assert!(is_placeholder("channel 2"));
        assert!(is_placeholder("call channel 12"));
        assert!(is_placeholder("Speaker 1"));
        assert!(!is_placeholder("Dana Lee"));
    }

    #[test]
    fn generic_names_name_nobody() {
        for name in [
            "Patient",
            "the client",
            "Speaker 2",
            "SPEAKER_01",
            "Guest A",
            "channel 2",
            "call channel 3",
            "Unknown Speaker",
            "Customer",
            "Doctor",
            "",
        ] {
            assert!(is_generic(name, &[]), "{name:?}");
        }
        for name in [
            "Dana Lee",
            "Bo",
            "Patience Okafor",
            "Client Services Ltd",
            "A. Khan",
        ] {
            assert!(!is_generic(name, &[]), "{name:?}");
        }
        assert!(is_generic("Mentee 3", &["mentee".into()]));
        let named = |key: &str, name: &str| Client::Named {
            key: key.into(),
            name: name.into(),
        };
        let mut clients = vec![
            named("dana lee|", "Dana Lee"),
            named("dana lee|acme", "Dana Lee (Acme)"),
            named("bo chen|", "Bo Chen"),
            named("bo chen|acme", "Bo Chen (Acme)"),
            named("bo chen|globex", "Bo Chen (Globex)"),
        ];
        unify(&mut clients);
        assert_eq!(clients[0], named("dana lee|acme", "Dana Lee (Acme)"));
        // Two organisations: which Bo Chen is not for the ledger to guess.
        assert_eq!(clients[2], named("bo chen|", "Bo Chen"));
        assert!(is_generic("Learner", &["Learner".into()]));
        assert!(!is_generic("Learner", &[]));
    }
}
