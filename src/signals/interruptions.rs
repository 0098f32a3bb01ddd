//! Interruptions: the consultant starts while the client is mid-utterance.
//!
//! ## What it detects
//!
//! A consultant utterance that begins while a client utterance is under
//! way, after the client had already been speaking, and that the client
//! keeps talking over for at least `min-overlap-seconds` (so a reply that
//! lands as the client trails off is not counted). The consultant's
//! backchannels ("mm-hm", "right", up to `backchannel-seconds`) are not
//! interruptions. The value is the number of interruptions; the measures
//! add the rate per hour.
//!
//! ## Why it matters
//!
//! On a video call, talking over someone is louder than in a room: audio
//! ducks, one voice wins. Each interruption takes the floor from the
//! client, who fears losing control (seed 003), and tells them their story
//! matters less than the consultant's next point.
//!
//! ## Fires on
//!
//! - The client says "and the other thing about the budget is that we…"
//!   and the consultant starts "sure, but the real issue…" a second in,
//!   while the client is still talking.
//!
//! ## Does not fire on
//!
//! - "Mm-hm" or "right" over the client's speech.
//! - Replies that begin after the client stopped, however quickly.
//! - Both starting at once.
//!
//! ## In Dutch
//!
//! Timing, the same in every language; the consultant's Dutch backchannels
//! ("ja", "hm-hm", "precies", "klopt", "ik snap het") are let pass as the
//! English ones are.
//!
//! ## Settings
//!
//! - `backchannel-seconds` (1.0): consultant backchannels up to this long
//!   are not interruptions.
//! - `min-overlap-seconds` (0.3): how long the client must go on talking
//!   after the consultant starts.

use super::{Input, Signal, SignalMeta, SignalOutput, is_backchannel, output, without_roles};
use crate::l10n::Arg;
use crate::speakers::Role;
use crate::t;
use serde::{Deserialize, Serialize};

#[derive(Debug)]
pub struct Interruptions;

static META: SignalMeta = SignalMeta {
    id: "interruptions",
    source: include_str!("interruptions.rs"),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub backchannel_seconds: f64,
    pub min_overlap_seconds: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            backchannel_seconds: 1.0,
            min_overlap_seconds: 0.3,
        }
    }
}

impl Signal for Interruptions {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, settings: &super::Settings) -> SignalOutput {
        let settings = &settings.interruptions;
        if !input.has_roles() {
            return without_roles(&META, input);
        }
        let utterances = &input.call.utterances;
        let clients: Vec<usize> = (0..utterances.len())
            .filter(|&i| input.role(i) == Role::Client)
            .collect();
        let evidence: Vec<_> = (0..utterances.len())
            .filter(|&i| input.role(i) == Role::Consultant)
            .filter(|&i| !is_backchannel(input, i, settings.backchannel_seconds))
            .filter(|&i| {
                let start = utterances[i].start;
                clients.iter().any(|&k| {
                    let client = &utterances[k];
                    client.start + settings.min_overlap_seconds <= start
                        && client.end >= start + settings.min_overlap_seconds
                })
            })
            .map(|i| input.utterance_evidence(i, "interruption", 0.7))
            .collect();
        let per_hour = evidence.len() as f64 / input.hours();
        output(
            &META,
            Some(evidence.len() as f64),
            t!(
                input.words,
                "summary-interruptions",
                n = evidence.len(),
                per_hour = Arg::decimal(per_hour, 1)
            ),
            [
                ("interruptions", evidence.len() as f64),
                ("per_hour", per_hour),
            ],
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::kinds_on_last;
    use super::*;
    use Role::{Client, Consultant};

    #[test]
    fn table() {
        // The client's line runs 0–4 s (ten words of 0.4 s).
        let client = (
            Client,
            0.0,
            "and the other thing about the budget is that we",
        );
        let fires: &[(Role, f64, &str)] =
            &[(Consultant, 1.0, "sure but the real issue is the board")];
        let silent: &[(Role, f64, &str)] = &[
            (Consultant, 1.0, "mm-hm"),
            (Consultant, 2.0, "right"),
            (Consultant, 4.0, "sure but the real issue is the board"),
            (Consultant, 3.9, "sure but the real issue is the board"),
            (Consultant, 0.0, "sure but the real issue is the board"),
        ];
        for line in fires {
            assert_eq!(
                kinds_on_last(&Interruptions, &[client, *line]),
                ["interruption"],
                "{line:?}"
            );
        }
        for line in silent {
            assert!(
                kinds_on_last(&Interruptions, &[client, *line]).is_empty(),
                "{line:?}"
            );
        }
    }
}
