//! The client's longest stretch: room given to tell their story.
//!
//! ## What it detects
//!
//! Stretches of continuous client speech, merged exactly as the monologue
//! signal merges the consultant's: pauses shorter than `merge-gap-seconds`
//! joined, the consultant's backchannels ("mm-hm", "right") not counted as
//! taking the floor. The value is the longest stretch in seconds; the
//! evidence is that stretch and every other one longer than
//! `report-over-seconds`.
//!
//! ## Why it matters
//!
//! A client in control of the call gets to tell it their way (seed 003).
//! A minute or more of uninterrupted client speech means the consultant
//! made room and held back; a call where the client never speaks for more
//! than a few seconds was an interview or a presentation.
//!
//! ## Fires on
//!
//! - Client speech that runs on while the consultant only says "mm-hm".
//!
//! ## Does not fire on
//!
//! - Speech the consultant breaks into with a real turn.
//! - Calls without known roles.
//!
//! ## In Dutch
//!
//! Timing, the same in every language; the consultant's Dutch backchannels
//! ("ja", "hm-hm", "precies", "klopt") do not break the client's story.
//!
//! ## Settings
//!
//! The `[signals.client-story]` table takes the same keys as the monologue
//! signal's: `merge-gap-seconds` (1.0), `backchannel-seconds` (1.0),
//! `report-over-seconds` (60.0).

use super::monologue::measure;
use super::{Input, Settings, Signal, SignalMeta, SignalOutput};
use crate::speakers::Role;

#[derive(Debug)]
pub struct ClientStory;

static META: SignalMeta = SignalMeta {
    id: "client-story",
    source: include_str!("client_story.rs"),
};

impl Signal for ClientStory {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, settings: &Settings) -> SignalOutput {
        measure(
            input,
            &META,
            Role::Client,
            &settings.client_story,
            "client-story",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::call;
    use super::*;
    use Role::{Client, Consultant};

    #[test]
    fn table() {
        let story = |lines: &[(Role, f64, &str)]| {
            ClientStory
                .detect(&Input::new(&call(lines)), &Settings::default())
                .value
        };
        // The consultant's "right" does not end the client's story.
        let got = story(&[
            (Client, 0.0, "a b c d e"),
            (Consultant, 2.1, "right"),
            (Client, 2.4, "a b c"),
        ])
        .unwrap();
        assert!((got - 3.6).abs() < 1e-9, "{got}");
        // A consultant question does.
        let got = story(&[
            (Client, 0.0, "a b c d e"),
            (Consultant, 2.1, "and what did the board say"),
            (Client, 5.0, "a"),
        ])
        .unwrap();
        assert!((got - 2.0).abs() < 1e-9, "{got}");
    }
}
