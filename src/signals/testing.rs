//! Fixture calls for the signals' tables: utterances typed in, timed
//! word by word, so tests read like the conversation they test.

use super::{Settings, Signal};
use crate::detectors::Detectors;
use crate::speakers::{Participant, Role, RoleSource};
use crate::transcript::{Call, Utterance};

/// A fixture conversation: (speaker's role, start second, text) lines.
pub type Lines<'a> = &'a [(Role, f64, &'a str)];

/// Seconds per word in fixture utterances.
pub const WORD_SECONDS: f64 = 0.4;

fn id(role: Role) -> &'static str {
    match role {
        Role::Consultant => "p1",
        Role::Client => "p2",
        Role::Other => "p3",
    }
}

/// A call of `(speaker's role, start second, text)` lines; each word lasts
/// [`WORD_SECONDS`]. The consultant is `p1`, the client `p2`, anyone else
/// `p3`.
pub fn call(lines: &[(Role, f64, &str)]) -> Call {
    call_in(crate::language::ENGLISH, lines)
}

/// [`call`], spoken in `language`.
pub fn call_in(language: &str, lines: &[(Role, f64, &str)]) -> Call {
    let utterances = lines
        .iter()
        .map(|&(role, start, text)| Utterance::evenly_timed(id(role), start, text, WORD_SECONDS))
        .collect();
    let people = [Role::Consultant, Role::Client, Role::Other]
        .into_iter()
        // Whoever speaks takes part, and a consultant always has a client
        // (who may not be heard); a call of `Other` lines is a mixed track.
        .filter(|&role| {
            lines.iter().any(|l| l.0 == role)
                || (role == Role::Client && lines.iter().any(|l| l.0 == Role::Consultant))
        })
        .enumerate()
        .map(|(track, role)| Participant {
            id: id(role).to_string(),
            name: role.label().to_string(),
            role,
            track: track + 1,
        })
        .collect();
    Call::from_utterances(
        people,
        utterances,
        RoleSource::Given,
        vec!["fixture".into()],
        Some(language),
    )
}

/// The kinds of evidence `signal` finds in the last line of `lines`.
pub fn kinds_on_last(signal: &dyn Signal, lines: &[(Role, f64, &str)]) -> Vec<String> {
    kinds_on_last_with(signal, lines, &Detectors::Rules)
}

/// The same, with `detectors` deciding.
pub fn kinds_on_last_with(
    signal: &dyn Signal,
    lines: &[(Role, f64, &str)],
    detectors: &Detectors,
) -> Vec<String> {
    kinds_on_last_in(crate::language::ENGLISH, signal, lines, detectors)
}

/// The same, the lines spoken in `language`.
pub fn kinds_on_last_in(
    language: &str,
    signal: &dyn Signal,
    lines: &[(Role, f64, &str)],
    detectors: &Detectors,
) -> Vec<String> {
    let call = call_in(language, lines);
    let last = call.utterances.len() - 1;
    let input = super::Input::with_detectors(&call, detectors);
    signal
        .detect(&input, &Settings::default())
        .evidence
        .into_iter()
        .filter(|e| e.utterance == last)
        .map(|e| e.kind)
        .collect()
}

/// Checks a table: each text, said by `role` after a neutral line from the
/// other side, must give evidence of `kind` (or must give none at all).
pub fn check_table(signal: &dyn Signal, role: Role, fires: &[(&str, &str)], silent: &[&str]) {
    check_table_in(crate::language::ENGLISH, signal, role, fires, silent);
}

/// [`check_table`] for lines in `language`, with the default detectors
/// (which leave every language but English to the rules).
pub fn check_table_in(
    language: &str,
    signal: &dyn Signal,
    role: Role,
    fires: &[(&str, &str)],
    silent: &[&str],
) {
    let other = if role == Role::Client {
        Role::Consultant
    } else {
        Role::Client
    };
    let (detectors, neutral) = if language == crate::language::ENGLISH {
        (Detectors::Rules, "Okay.")
    } else {
        (Detectors::default(), "Oké.")
    };
    let lines = |text| vec![(other, 0.0, neutral), (role, 2.0, text)];
    let mut failures = Vec::new();
    for &(text, kind) in fires {
        let kinds = kinds_on_last_in(language, signal, &lines(text), &detectors);
        if !kinds.iter().any(|k| k == kind) {
            failures.push(format!("should fire `{kind}`: {text:?} (got {kinds:?})"));
        }
    }
    for &text in silent {
        let kinds = kinds_on_last_in(language, signal, &lines(text), &detectors);
        if !kinds.is_empty() {
            failures.push(format!("should not fire: {text:?} (got {kinds:?})"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} ({language}):\n{}",
        signal.meta().id,
        failures.join("\n")
    );
}

/// Checks a table with the shipped detectors deciding: each text, said by
/// `role` after a neutral line from the other side, must give `signal`
/// some evidence, or none; and so must the same text in lower case without
/// punctuation, as speech recognition and imported transcripts often give it.
pub fn check_shipped_table(signal: &dyn Signal, role: Role, fires: &[&str], silent: &[&str]) {
    let shipped = Detectors::default();
    let other = if role == Role::Client {
        Role::Consultant
    } else {
        Role::Client
    };
    let mut failures = Vec::new();
    for (texts, should) in [(fires, true), (silent, false)] {
        for &text in texts {
            for said in [text.to_string(), crate::train::unpunctuated(text)] {
                let kinds = kinds_on_last_with(
                    signal,
                    &[(other, 0.0, "Okay."), (role, 2.0, &said)],
                    &shipped,
                );
                if kinds.is_empty() == should {
                    failures.push(format!(
                        "should {}fire: {said:?} (got {kinds:?})",
                        if should { "" } else { "not " }
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} with the shipped detectors:\n{}",
        signal.meta().id,
        failures.join("\n")
    );
}

/// A short consulting call with one of everything, for whole-registry tests.
pub fn sample_call() -> Call {
    use Role::{Client, Consultant};
    call(&[
        (
            Consultant,
            0.0,
            "Thanks for making the time. What's been on your mind since we last spoke?",
        ),
        (
            Client,
            6.0,
            "Mostly the budget. We cut two people and the board wants a plan by March.",
        ),
        (Consultant, 12.5, "Mm-hm."),
        (
            Client,
            13.5,
            "I am not sure whether to delay the launch or cut the scope.",
        ),
        (Consultant, 19.2, "Does that make sense?"),
        (
            Consultant,
            21.0,
            "We could either delay the launch or cut the scope. Which would you prefer?",
        ),
        (Client, 27.5, "Cutting scope, I think."),
        (
            Consultant,
            29.6,
            "Between us, Northwind had the same trouble last year.",
        ),
        (
            Consultant,
            34.0,
            "I'll send you the revised plan by Friday.",
        ),
        (Client, 38.0, "Great, I'll share it with the board."),
    ])
}

/// The sample call's moments in Dutch, with named people: what the Dutch
/// reports are tested on.
pub fn dutch_sample_call() -> Call {
    use Role::{Client, Consultant};
    let mut call = call_in(
        crate::language::DUTCH,
        &[
            (
                Consultant,
                0.0,
                "Fijn dat u tijd maakt. Wat houdt u bezig sinds ons vorige gesprek?",
            ),
            (
                Client,
                6.0,
                "Vooral het budget. We hebben twee mensen minder en het bestuur wil in maart een plan.",
            ),
            (Consultant, 13.0, "Hm-hm."),
            (
                Client,
                14.0,
                "Ik weet niet of we de lancering moeten uitstellen of minder moeten doen.",
            ),
            (Consultant, 19.5, "Is dat duidelijk?"),
            (
                Consultant,
                21.0,
                "We kunnen de lancering uitstellen of minder doen. Wat heeft uw voorkeur?",
            ),
            (Client, 27.5, "Minder doen, denk ik."),
            (
                Consultant,
                29.6,
                "Onder ons gezegd, Noordwind had vorig jaar hetzelfde probleem.",
            ),
            (
                Consultant,
                34.0,
                "Ik stuur u het herziene plan vóór vrijdag.",
            ),
            (Client, 38.0, "Mooi, dan deel ik het met het bestuur."),
        ],
    );
    for (participant, name) in call
        .participants
        .iter_mut()
        .zip(["Anna de Vries", "Joost Bakker"])
    {
        participant.person.name = name.to_string();
    }
    call
}
