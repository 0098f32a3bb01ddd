//! Patience: how long the consultant lets a client's words land before
//! replying.
//!
//! ## What it detects
//!
//! The pause between the end of a client's turn and the start of the
//! consultant's reply, at every such turn change (overlapping starts are
//! interruptions, not replies, and are left out; backchannels are not
//! turns). The value is the median of those pauses in seconds; the measures
//! compare it with the call's own median pause at any change of speaker,
//! since how fast people reply depends on the line, the language and the
//! people. Replies faster than `quick-reply-seconds` are evidence.
//!
//! ## Why it matters
//!
//! A reply that lands the instant the client stops says the answer was
//! ready before the question was finished. A beat of silence tells the
//! client they were heard, and leaves room for the second thought that is
//! often the real one (seed 003: control stays with the one who is allowed
//! to finish).
//!
//! ## Fires on
//!
//! - A consultant reply starting within `quick-reply-seconds` of the end
//!   of the client's turn.
//!
//! ## Does not fire on
//!
//! - Replies after a pause; consultant speech that overlaps the client's
//!   (see interruptions); backchannels.
//!
//! ## In Dutch
//!
//! Timing, the same in every language; Dutch backchannels ("ja",
//! "hm-hm", "klopt") are left out as the English ones are.
//!
//! ## Settings
//!
//! - `quick-reply-seconds` (0.2): replies faster than this are evidence.
//! - `backchannel-seconds` (1.0): backchannels up to this long are not turns.

use super::{Input, Signal, SignalMeta, SignalOutput, is_backchannel, output, without_roles};
use crate::l10n::Arg;
use crate::speakers::Role;
use crate::t;
use serde::{Deserialize, Serialize};

#[derive(Debug)]
pub struct Patience;

static META: SignalMeta = SignalMeta {
    id: "patience",
    source: include_str!("patience.rs"),
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub quick_reply_seconds: f64,
    pub backchannel_seconds: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            quick_reply_seconds: 0.2,
            backchannel_seconds: 1.0,
        }
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        f64::midpoint(values[mid - 1], values[mid])
    } else {
        values[mid]
    })
}

impl Signal for Patience {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, settings: &super::Settings) -> SignalOutput {
        let settings = &settings.patience;
        if !input.has_roles() {
            return without_roles(&META, input);
        }
        let utterances = &input.call.utterances;
        let mut turns: Vec<usize> = (0..utterances.len())
            .filter(|&i| !is_backchannel(input, i, settings.backchannel_seconds))
            .collect();
        turns.sort_by(|&a, &b| utterances[a].start.total_cmp(&utterances[b].start));
        let (mut all_gaps, mut replies, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
        for pair in turns.windows(2) {
            let (before, after) = (&utterances[pair[0]], &utterances[pair[1]]);
            let gap = after.start - before.end;
            if before.speaker == after.speaker || gap < 0.0 {
                continue;
            }
            all_gaps.push(gap);
            if input.role(pair[0]) == Role::Client && input.role(pair[1]) == Role::Consultant {
                replies.push(gap);
                if gap < settings.quick_reply_seconds {
                    evidence.push(input.utterance_evidence(pair[1], "quick-reply", 0.5));
                }
            }
        }
        let (Some(reply), Some(call)) = (median(&mut replies), median(&mut all_gaps)) else {
            return output(
                &META,
                None,
                t!(input.words, "summary-patience-none"),
                [],
                evidence,
            );
        };
        let ratio = if call > 0.0 { reply / call } else { 1.0 };
        output(
            &META,
            Some(reply),
            t!(
                input.words,
                "summary-patience",
                reply = Arg::decimal(reply, 2),
                call = Arg::decimal(call, 2),
                quick = evidence.len(),
                quick_seconds = Arg::decimal(settings.quick_reply_seconds, 1)
            ),
            [
                ("reply_median_seconds", reply),
                ("call_median_seconds", call),
                ("ratio", ratio),
                ("quick_replies", evidence.len() as f64),
            ],
            evidence,
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
        // Client "a b" ends at 0.8 s; the consultant's reply time decides.
        let measure = |reply_at: f64| {
            let call = call(&[
                (Client, 0.0, "a b"),
                (Consultant, reply_at, "c d"),
                (Client, reply_at + 2.0, "e f"),
            ]);
            Patience.detect(&Input::new(&call), &super::super::Settings::default())
        };
        let quick = measure(0.9);
        assert_eq!(quick.evidence.len(), 1, "a reply 0.1 s after must fire");
        assert!((quick.value.unwrap() - 0.1).abs() < 1e-9);
        let patient = measure(1.8);
        assert!(
            patient.evidence.is_empty(),
            "a reply after 1 s must not fire"
        );
        assert!((patient.value.unwrap() - 1.0).abs() < 1e-9);
        // Overlap is an interruption, not a reply.
        assert!(measure(0.5).evidence.is_empty());
    }
}
