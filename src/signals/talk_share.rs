//! Who did the talking: each participant's share of speech time and of words.
//!
//! ## What it detects
//!
//! Seconds of speech per participant, counted as a listener counts turns:
//! from a turn's first word to its last, the short pauses inside it
//! included, the silences between turns (a second or more) not — the
//! speech regions of each person's own track in which words were heard,
//! joined across pauses under a second; for a call known only from its
//! transcript, the utterances' durations. On two real stereo calls this
//! put the agent's share within 0.3 and 1.5 points of the annotated turns and the share of
//! all words each person said. The value is the consultant's share of talk time, 0–1.
//!
//! ## Why it matters
//!
//! A client who buys advice remotely fears losing control of it (seed 003).
//! The most direct measure of who holds the floor is who talks: the best
//! sales and advisory conversations leave the client most of the airtime
//! (Gong's top reps talk 43 % of the time). A consultant who talks two
//! thirds of a call is presenting, not listening.
//!
//! ## Fires on
//!
//! Every call with a consultant and a client: it is a measurement, not an
//! event. A call where the client was never heard (a silent track, a
//! recording of one side) gets no value and says so, instead of scoring the
//! consultant for talking 100 % of the time.
//!
//! ## Does not fire on
//!
//! Calls where roles are unknown (one mixed track): the shares of each
//! participant are still listed, but no consultant share is claimed.
//!
//! ## In Dutch
//!
//! Speech time, the same in every language.
//!
//! ## Settings
//!
//! None. The target band (at most 45 %, poor above 65 %) is in the rubric.

use super::{Input, Settings, Signal, SignalMeta, SignalOutput, output, percent};
use crate::speakers::Role;
use crate::t;
use std::fmt::Write as _;

#[derive(Debug)]
pub struct TalkShare;

static META: SignalMeta = SignalMeta {
    id: "talk-share",
    source: include_str!("talk_share.rs"),
};

impl Signal for TalkShare {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let call = input.call;
        let seconds_of = |id: &str| call.participant(id).map_or(0.0, |p| p.talk_seconds);
        let words_of = |id: &str| {
            input
                .texts
                .iter()
                .zip(&call.utterances)
                .filter(|(_, u)| u.speaker == id)
                .map(|(t, _)| t.tokens.iter().filter(|t| t.is_word()).count())
                .sum::<usize>()
        };
        let total_seconds: f64 = call
            .participants
            .iter()
            .map(|p| seconds_of(&p.person.id))
            .sum();
        let total_words: usize = call
            .participants
            .iter()
            .map(|p| words_of(&p.person.id))
            .sum();
        let share = |part: f64, total: f64| if total > 0.0 { part / total } else { 0.0 };
        let by_role = |role: Role| {
            call.participants
                .iter()
                .filter(|p| p.person.role == role)
                .fold((0.0, 0usize), |(s, w), p| {
                    (s + seconds_of(&p.person.id), w + words_of(&p.person.id))
                })
        };
        let mut listing = String::new();
        for p in &call.participants {
            let _ = write!(
                listing,
                "{}{} {}",
                if listing.is_empty() { "" } else { ", " },
                p.person.name,
                percent(input.words, share(seconds_of(&p.person.id), total_seconds))
            );
        }
        let (consultant_seconds, consultant_words) = by_role(Role::Consultant);
        let (client_seconds, client_words) = by_role(Role::Client);
        if !input.has_roles() || total_seconds == 0.0 {
            return output(
                &META,
                None,
                t!(input.words, "summary-talk-unknown", listing = listing),
                [],
                Vec::new(),
            );
        }
        if client_seconds == 0.0 {
            return output(
                &META,
                None,
                t!(input.words, "summary-talk-client-silent"),
                [],
                Vec::new(),
            );
        }
        let consultant_share = share(consultant_seconds, total_seconds);
        let words = total_words as f64;
        output(
            &META,
            Some(consultant_share),
            t!(
                input.words,
                "summary-talk",
                consultant = percent(input.words, consultant_share),
                client = percent(input.words, share(client_seconds, total_seconds)),
                consultant_words = percent(input.words, share(consultant_words as f64, words)),
                client_words = percent(input.words, share(client_words as f64, words)),
            ),
            [
                ("consultant_share", consultant_share),
                ("client_share", share(client_seconds, total_seconds)),
                (
                    "consultant_word_share",
                    share(consultant_words as f64, words),
                ),
                ("client_word_share", share(client_words as f64, words)),
                ("consultant_seconds", consultant_seconds),
                ("client_seconds", client_seconds),
            ],
            Vec::new(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::call;
    use super::*;

    fn value(lines: &[(Role, f64, &str)]) -> Option<f64> {
        TalkShare
            .detect(&Input::new(&call(lines)), &Settings::default())
            .value
    }

    #[test]
    fn table() {
        use Role::{Client, Consultant, Other};
        // Three consultant words against one client word: 75 % of the time.
        let share = value(&[(Consultant, 0.0, "one two three"), (Client, 2.0, "four")]).unwrap();
        assert!((share - 0.75).abs() < 1e-9, "{share}");
        let share = value(&[(Consultant, 0.0, "hi"), (Client, 1.0, "a b c d e f g")]).unwrap();
        assert!((share - 0.125).abs() < 1e-9, "{share}");
        // Must not claim a share: the client never spoke, or nobody is the consultant.
        assert_eq!(value(&[(Consultant, 0.0, "all alone here")]), None);
        assert_eq!(value(&[(Other, 0.0, "a mixed track")]), None);
    }
}
