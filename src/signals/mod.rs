//! Trust signals: pure functions of the [`Call`], each returning a
//! measurement and the evidence behind it.
//!
//! Every signal is one file implementing [`Signal`], listed once in
//! [`SIGNALS`] in report order. A signal never prints or reads a file; it sees
//! the call through an [`Input`], which tokenizes every utterance once (with
//! byte offsets) so that evidence can point at the words that were said. The
//! signals run in parallel with rayon and their outputs come back in
//! registry order with evidence sorted by time, so the same call always gives
//! the same report.
//!
//! A signal's file opens with its user documentation (`rapport signals ID`
//! prints it) and ends with a table of utterances that must and must not
//! fire. Thresholds that judge a number (is 60 % too much talk?) live in the
//! rubric, not here: a signal measures, the score judges.

pub mod check_understanding;
pub mod client_story;
pub mod cues;
pub mod decision_handback;
pub mod directive_advice;
pub mod interruptions;
pub mod monologue;
pub mod options_offered;
pub mod out_of_school;
pub mod patience;
pub mod phrases;
pub mod promises;
pub mod questions;
pub mod talk_share;

use crate::detectors::model::Decisions;
use crate::detectors::{Decision, Detectors, Label, Observation};
use crate::l10n::Lang;
use crate::speakers::Role;
use crate::t;
use crate::text::{Sentence, Tokenized, tokenize};
use crate::transcript::Call;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

/// A pause this short between one speaker's utterances keeps them in one
/// turn: speech recognition breaks sentences at breaths.
pub const TURN_PAUSE_SECONDS: f64 = 1.5;

/// Every signal, in the order reports show them.
pub static SIGNALS: &[&dyn Signal] = &[
    &talk_share::TalkShare,
    &questions::Questions,
    &options_offered::OptionsOffered,
    &decision_handback::DecisionHandback,
    &directive_advice::DirectiveAdvice,
    &promises::Promises,
    &monologue::Monologue,
    &client_story::ClientStory,
    &interruptions::Interruptions,
    &patience::Patience,
    &check_understanding::CheckUnderstanding,
    &out_of_school::OutOfSchool,
];

/// The headings every signal's documentation has, in this order.
pub const DOC_HEADINGS: [&str; 5] = [
    "What it detects",
    "Why it matters",
    "Fires on",
    "Does not fire on",
    "Settings",
];

/// One trust signal.
pub trait Signal: Sync {
    fn meta(&self) -> &'static SignalMeta;
    /// Measures the call. Pure: same input, same output.
    fn detect(&self, input: &Input, settings: &Settings) -> SignalOutput;
}

/// What a signal is, for the registry, the docs and the reports.
#[derive(Debug)]
pub struct SignalMeta {
    /// Kebab-case, stable: reports, rubrics and annotations refer to it.
    pub id: &'static str,
    /// The signal's own source file; its `//!` lines are the documentation.
    pub source: &'static str,
}

impl SignalMeta {
    /// The user documentation: the file's `//!` comment as Markdown.
    pub fn doc(&self) -> String {
        let mut doc = String::new();
        for line in self.source.lines() {
            let Some(text) = line.trim_start().strip_prefix("//!") else {
                if doc.is_empty() {
                    continue;
                }
                break;
            };
            doc.push_str(text.strip_prefix(' ').unwrap_or(text));
            doc.push('\n');
        }
        doc
    }

    /// The first line of the documentation.
    pub fn summary(&self) -> String {
        self.doc().lines().next().unwrap_or_default().to_string()
    }
}

/// Looks a signal up by its id.
pub fn find(id: &str) -> Option<&'static dyn Signal> {
    SIGNALS.iter().copied().find(|s| s.meta().id == id)
}

/// Each signal's settings; a rubric's `[signals.ID]` tables fill them in.
/// A missing table or key keeps the documented default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub monologue: monologue::Settings,
    pub client_story: monologue::Settings,
    pub interruptions: interruptions::Settings,
    pub patience: patience::Settings,
}

/// What a signal found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalOutput {
    pub id: String,
    /// The headline number (its meaning is in the signal's docs), or `null`
    /// when the call cannot give it (no consultant identified, nobody spoke).
    pub value: Option<f64>,
    /// The measurement in words.
    pub summary: String,
    /// Named numbers the rubric reads, e.g. `consultant_share`. Measures of
    /// the consultant are absent when roles are unknown (a mixed track), so
    /// no rubric scores everyone's speech as the consultant's; `all` then
    /// counts the evidence of every speaker.
    pub measures: BTreeMap<String, f64>,
    pub evidence: Vec<Evidence>,
}

/// A moment of the call that a signal points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Index into the call's `utterances`.
    pub utterance: usize,
    /// Byte offsets of the quote in that utterance's `text`.
    pub span: Span,
    /// Seconds on the call's timeline.
    pub start: f64,
    pub end: f64,
    /// The participant `id`.
    pub speaker: String,
    /// What was said: the text at `span`, or for a stretch of speech
    /// (monologue, client story) its opening words.
    pub quote: String,
    /// What sort of moment this is, e.g. `open` or `vague-promise`.
    pub kind: String,
    /// 0–1: how sure the rule is; low values ask for a human look.
    pub confidence: f64,
    /// Facts the signal pulled out, e.g. a promise's `what` and `when`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// How many utterances before one the detectors look back over for the
/// speaker's own previous words (the evaluation data's context).
const CONTEXT_UTTERANCES: usize = 3;

/// The call as signals read it: every utterance tokenized once, and what
/// the detectors decide about each, worked out when first asked.
#[derive(Debug)]
pub struct Input<'a> {
    pub call: &'a Call,
    pub texts: Vec<Tokenized>,
    /// The language the summaries are written in.
    pub words: Lang,
    roles: Vec<Role>,
    detectors: Detectors,
    cues: Vec<OnceLock<Vec<&'static str>>>,
    decisions: Vec<OnceLock<Decisions>>,
}

impl<'a> Input<'a> {
    /// The call with the rules deciding.
    pub fn new(call: &'a Call) -> Self {
        Self::with_detectors(call, &Detectors::Rules)
    }

    pub fn with_detectors(call: &'a Call, detectors: &Detectors) -> Self {
        let texts = call.utterances.iter().map(|u| tokenize(&u.text)).collect();
        let roles = call
            .utterances
            .iter()
            .map(|u| {
                call.participant(&u.speaker)
                    .map_or(Role::Other, |p| p.person.role)
            })
            .collect();
        let n = call.utterances.len();
        Self {
            call,
            texts,
            words: Lang::En,
            roles,
            detectors: detectors.clone(),
            cues: (0..n).map(|_| OnceLock::new()).collect(),
            decisions: (0..n).map(|_| OnceLock::new()).collect(),
        }
    }

    /// What the rules say about an utterance ([`cues`]).
    pub fn cues(&self, utterance: usize) -> &[&'static str] {
        self.cues[utterance].get_or_init(|| {
            cues::of(
                &self.call.utterances[utterance].text,
                &self.texts[utterance],
            )
        })
    }

    /// An utterance as the detectors see it: with the one before, the
    /// speaker's own last words, and the rules' verdicts.
    pub fn observation(&self, utterance: usize) -> Observation<'_> {
        let speaker = &self.call.utterances[utterance].speaker;
        let previous = utterance.checked_sub(1);
        let window = utterance.saturating_sub(CONTEXT_UTTERANCES)..utterance;
        let own_previous = window
            .clone()
            .rev()
            .find(|&j| self.call.utterances[j].speaker == *speaker);
        let turn_position = window
            .rev()
            .take_while(|&j| self.call.utterances[j].speaker == *speaker)
            .count();
        Observation {
            text: &self.texts[utterance],
            previous: previous.map(|j| &self.texts[j]),
            previous_cues: previous.map_or(&[], |j| self.cues(j)),
            own_previous: own_previous.map(|j| &self.texts[j]),
            speaker_changed: previous.is_none_or(|j| self.call.utterances[j].speaker != *speaker),
            turn_position,
            role: self.roles[utterance],
            cues: self.cues(utterance),
        }
    }

    /// The language an utterance was spoken in: which cues read it.
    pub fn language(&self, utterance: usize) -> &str {
        &self.call.utterances[utterance].language
    }

    /// What the learned model decides about `label` on an utterance;
    /// `None` when the rules decide it: no model, none for the label, or an
    /// utterance not in English, which the detectors never learned from.
    pub fn decision(&self, utterance: usize, label: Label) -> Option<Decision> {
        let model = self.detectors.model()?;
        if self.call.utterances[utterance].language != crate::language::ENGLISH {
            return None;
        }
        self.decisions[utterance].get_or_init(|| model.decide(&self.observation(utterance)))
            [label as usize]
    }

    /// Makes the model's decisions on every utterance now, in parallel:
    /// every learned signal needs them all, and made lazily they would be
    /// made one by one by whichever signal asks first while the others wait.
    pub fn decide_every_utterance(&self) {
        if let Some(model) = self.detectors.model() {
            (0..self.texts.len())
                .into_par_iter()
                .filter(|&i| self.call.utterances[i].language == crate::language::ENGLISH)
                .for_each(|i| {
                    self.decisions[i].get_or_init(|| model.decide(&self.observation(i)));
                });
        }
    }

    /// The sentence of an utterance the model finds likeliest to carry
    /// `label` (the later one on a tie; the last when there is no model).
    pub fn likeliest_sentence(&self, utterance: usize, label: Label) -> Option<&Sentence> {
        let sentences = &self.texts[utterance].sentences;
        if sentences.len() <= 1 {
            return sentences.first();
        }
        let mut best: Option<(f64, &Sentence)> = None;
        for sentence in sentences {
            let p = self
                .sentence_probability(utterance, sentence, label)
                .unwrap_or(0.0);
            if best.is_none_or(|(b, _)| p >= b) {
                best = Some((p, sentence));
            }
        }
        best.map(|(_, s)| s)
    }

    /// The model's probability of `label` for one sentence of an utterance
    /// taken alone: which sentence of a long turn the evidence points at.
    pub fn sentence_probability(
        &self,
        utterance: usize,
        sentence: &Sentence,
        label: Label,
    ) -> Option<f64> {
        let model = self.detectors.model()?;
        let (alone, cues) = self.sentence_alone(utterance, sentence);
        let observation = Observation {
            text: &alone,
            cues: &cues,
            ..self.observation(utterance)
        };
        model.probability(label, &model.features(&observation))
    }

    /// One sentence of an utterance as if it were said alone, with what
    /// the rules say about it.
    pub fn sentence_alone(
        &self,
        utterance: usize,
        sentence: &Sentence,
    ) -> (Tokenized, Vec<&'static str>) {
        let text = &self.texts[utterance];
        let alone = Tokenized {
            tokens: text.tokens[sentence.tokens.clone()].to_vec(),
            sentences: vec![Sentence {
                tokens: 0..sentence.tokens.len(),
                terminator: sentence.terminator,
            }],
        };
        let cues = cues::of(&self.call.utterances[utterance].text, &alone);
        (alone, cues)
    }

    pub fn role(&self, utterance: usize) -> Role {
        self.roles[utterance]
    }

    /// Whether the call says who the consultant is; without that, measures
    /// of "the consultant" are left out rather than guessed.
    pub fn has_roles(&self) -> bool {
        let has = |role| self.call.participants.iter().any(|p| p.person.role == role);
        has(Role::Consultant) && has(Role::Client)
    }

    /// How much of `evidence` is the consultant's; `None` when roles are
    /// unknown.
    pub fn consultant_count(&self, evidence: &[Evidence]) -> Option<usize> {
        self.has_roles().then(|| {
            evidence
                .iter()
                .filter(|e| self.role(e.utterance) == Role::Consultant)
                .count()
        })
    }

    /// Every sentence of the call with the index of its utterance.
    pub fn sentences(&self) -> impl Iterator<Item = (usize, &Sentence)> {
        self.texts
            .iter()
            .enumerate()
            .flat_map(|(i, t)| t.sentences.iter().map(move |s| (i, s)))
    }

    /// The sentence after `sentence` in the same turn: later in the same
    /// utterance, or first in the speaker's next utterance when it follows
    /// within [`TURN_PAUSE_SECONDS`] with nobody else in between.
    pub fn next_in_turn(
        &self,
        utterance: usize,
        sentence: &Sentence,
    ) -> Option<(usize, &Sentence)> {
        let sentences = &self.texts[utterance].sentences;
        let here = sentences.iter().position(|s| s == sentence)?;
        if let Some(next) = sentences.get(here + 1) {
            return Some((utterance, next));
        }
        let (u, next) = (
            &self.call.utterances[utterance],
            self.call.utterances.get(utterance + 1)?,
        );
        (next.speaker == u.speaker && next.start - u.end < TURN_PAUSE_SECONDS)
            .then(|| {
                self.texts[utterance + 1]
                    .sentences
                    .first()
                    .map(|s| (utterance + 1, s))
            })
            .flatten()
    }

    /// Evidence for a byte span of an utterance, timed by the words it covers.
    pub fn evidence(
        &self,
        utterance: usize,
        span: Range<usize>,
        kind: &str,
        confidence: f64,
    ) -> Evidence {
        let u = &self.call.utterances[utterance];
        let (start, end) = span_times(u, &span);
        Evidence {
            utterance,
            span: Span {
                start: span.start,
                end: span.end,
            },
            start,
            end,
            speaker: u.speaker.clone(),
            quote: u.text[span].to_string(),
            kind: kind.to_string(),
            confidence,
            details: BTreeMap::new(),
        }
    }

    /// Evidence for a sentence.
    pub fn sentence_evidence(
        &self,
        utterance: usize,
        sentence: &Sentence,
        kind: &str,
        confidence: f64,
    ) -> Evidence {
        self.evidence(
            utterance,
            self.texts[utterance].span(sentence),
            kind,
            confidence,
        )
    }

    /// Evidence for a whole utterance.
    pub fn utterance_evidence(&self, utterance: usize, kind: &str, confidence: f64) -> Evidence {
        let len = self.call.utterances[utterance].text.len();
        self.evidence(utterance, 0..len, kind, confidence)
    }

    /// Hours of call, for rates; at least a minute so that a short clip does
    /// not turn one question into sixty an hour.
    pub fn hours(&self) -> f64 {
        let last_end = self
            .call
            .utterances
            .iter()
            .map(|u| u.end)
            .fold(0.0, f64::max);
        self.call.duration.max(last_end).max(60.0) / 3600.0
    }
}

/// A finding of a text signal: where, what the rule (or the fallback) made
/// of it, and the model's probability when a model decided.
#[derive(Debug)]
pub(crate) struct Found<'s, T> {
    pub utterance: usize,
    pub sentence: &'s Sentence,
    pub what: T,
    pub probability: Option<f64>,
}

/// Where the model decides and the rules point. `rule` says what a rule
/// sees in a sentence. Without a model for `label`, every rule finding
/// stands. With one, an utterance's findings stand only if the model says
/// the label holds there; if the rule found nothing in it, the sentence the
/// model finds likeliest stands, made into a finding by `fallback`.
pub(crate) fn decided<'s, T>(
    input: &'s Input,
    label: Label,
    rule: impl Fn(usize, &'s Sentence) -> Option<T>,
    fallback: impl Fn(usize, &'s Sentence) -> T,
) -> Vec<Found<'s, T>> {
    let mut found = Vec::new();
    for (i, text) in input.texts.iter().enumerate() {
        let decision = input.decision(i, label);
        if decision.is_some_and(|d| !d.holds) {
            continue;
        }
        let before = found.len();
        for sentence in &text.sentences {
            if let Some(what) = rule(i, sentence) {
                found.push(Found {
                    utterance: i,
                    sentence,
                    what,
                    probability: decision.map(|d| d.probability),
                });
            }
        }
        if let Some(decision) = decision
            && found.len() == before
            && let Some(sentence) = input.likeliest_sentence(i, label)
        {
            found.push(Found {
                utterance: i,
                sentence,
                what: fallback(i, sentence),
                probability: Some(decision.probability),
            });
        }
    }
    found
}

/// Adds, as `kind`, the sentences `holds` finds that no evidence of the
/// signal covers yet: what the rules keep whatever the model says, because
/// the model was not taught it (reflections, outright autonomy).
pub(crate) fn add_untaken(
    input: &Input,
    evidence: &mut Vec<Evidence>,
    kind: &str,
    confidence: f64,
    holds: impl Fn(usize, &Sentence) -> bool,
) {
    let taken: HashSet<(usize, usize)> = evidence
        .iter()
        .map(|e| (e.utterance, e.span.start))
        .collect();
    for (i, sentence) in input.sentences() {
        let start = input.texts[i].span(sentence).start;
        if !taken.contains(&(i, start)) && holds(i, sentence) {
            evidence.push(input.sentence_evidence(i, sentence, kind, confidence));
        }
    }
}

/// The time of a span: from the words it covers when the text is those
/// words joined by spaces (as transcription makes it), else interpolated
/// over the utterance (imported transcripts have no word times).
fn span_times(u: &crate::transcript::Utterance, span: &Range<usize>) -> (f64, f64) {
    let mut offset = 0;
    let mut covered: Option<(f64, f64)> = None;
    let mut consistent = !u.words.is_empty();
    for word in &u.words {
        let text = word.text.as_str();
        if u.text.get(offset..offset + text.len()) != Some(text) {
            consistent = false;
            break;
        }
        let (ws, we) = (offset, offset + text.len());
        if ws < span.end && we > span.start {
            covered = Some(covered.map_or((word.start, word.end), |(s, e)| {
                (s.min(word.start), e.max(word.end))
            }));
        }
        offset = we + 1;
    }
    if consistent && let Some(times) = covered {
        return times;
    }
    let len = u.text.len().max(1) as f64;
    let at = |byte: usize| u.start + (u.end - u.start) * (byte as f64 / len);
    (at(span.start), at(span.end))
}

/// Runs every signal over the call, in parallel; results in registry order,
/// evidence by time, summaries in `words`.
pub fn run(
    call: &Call,
    settings: &Settings,
    detectors: &Detectors,
    words: Lang,
) -> Vec<SignalOutput> {
    let mut input = Input::with_detectors(call, detectors);
    input.words = words;
    input.decide_every_utterance();
    SIGNALS
        .par_iter()
        .map(|signal| {
            let mut output = signal.detect(&input, settings);
            output.evidence.sort_by(|a, b| {
                a.start
                    .total_cmp(&b.start)
                    .then(a.utterance.cmp(&b.utterance))
                    .then(a.span.start.cmp(&b.span.start))
            });
            output
        })
        .collect()
}

/// Builds a [`SignalOutput`] with its measures.
fn output(
    meta: &SignalMeta,
    value: Option<f64>,
    summary: String,
    measures: impl IntoIterator<Item = (&'static str, f64)>,
    evidence: Vec<Evidence>,
) -> SignalOutput {
    SignalOutput {
        id: meta.id.to_string(),
        value,
        summary,
        measures: measures
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        evidence,
    }
}

/// The output of a signal that needs to know who the consultant is, on a
/// call that does not say (one mixed track, or roles nobody gave).
fn without_roles(meta: &SignalMeta, input: &Input) -> SignalOutput {
    output(
        meta,
        None,
        t!(input.words, "summary-without-roles"),
        [],
        Vec::new(),
    )
}

/// Words that only say "I'm listening".
const BACKCHANNEL_WORDS: &[&str] = &[
    "mm",
    "mhm",
    "mm-hm",
    "mm-hmm",
    "hmm",
    "hm",
    "uh-huh",
    "uh",
    "huh",
    "um",
    "yeah",
    "yes",
    "yep",
    "yup",
    "right",
    "okay",
    "ok",
    "sure",
    "i",
    "see",
    "exactly",
    "true",
    "wow",
    "oh",
    "great",
    "got",
    "it",
    "absolutely",
    "totally",
    "indeed",
    "cool",
    "nice",
    "good",
    "ah",
    "aha",
    "really",
    "no",
    "correct",
    "definitely",
    "makes",
    "sense",
    "fine",
    "alright",
];

/// The same in Dutch: "ja", "hm-hm", "precies", "klopt", "ik snap het".
const BACKCHANNEL_WORDS_NL: &[&str] = &[
    "ja",
    "jawel",
    "jazeker",
    "jaja",
    "hm",
    "hmm",
    "hm-hm",
    "mm",
    "mhm",
    "mm-hm",
    "precies",
    "klopt",
    "dat",
    "oké",
    "ok",
    "okay",
    "inderdaad",
    "zeker",
    "goed",
    "prima",
    "juist",
    "ah",
    "aha",
    "o",
    "oh",
    "nee",
    "echt",
    "tuurlijk",
    "natuurlijk",
    "ik",
    "snap",
    "begrijp",
    "het",
    "helemaal",
    "mooi",
    "fijn",
    "top",
    "zo",
];

/// A listener's "mm-hm", "right", "I see" ("ja", "klopt", "precies" in
/// Dutch): short and made only of backchannel words. It does not take the floor, so it neither breaks
/// the other's stretch nor counts as an interruption.
pub fn is_backchannel(input: &Input, utterance: usize, max_seconds: f64) -> bool {
    let u = &input.call.utterances[utterance];
    let words: Vec<&str> = input.texts[utterance]
        .tokens
        .iter()
        .filter(|t| t.is_word())
        .map(|t| t.norm.as_str())
        .collect();
    let list = if u.language == "nl" {
        BACKCHANNEL_WORDS_NL
    } else {
        BACKCHANNEL_WORDS
    };
    let only_backchannel = words.iter().all(|w| list.contains(w));
    only_backchannel && (words.len() <= 3 || u.end - u.start <= max_seconds)
}

/// `n thing`/`n things`.
/// Percent, rounded, for summaries.
fn percent(words: Lang, share: f64) -> String {
    format!("{} %", words.decimal(share * 100.0, 0))
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::fmt::Write as _;

    #[test]
    fn dutch_backchannels_do_not_take_the_floor() {
        let call = testing::call_in(
            "nl",
            &[
                (Role::Client, 0.0, "Ja, klopt."),
                (Role::Client, 2.0, "Hm-hm, precies."),
                (Role::Client, 4.0, "Ik snap het."),
                (Role::Client, 6.0, "Nee, we doen het vrijdag."),
            ],
        );
        let input = Input::new(&call);
        let heard: Vec<bool> = (0..4).map(|i| is_backchannel(&input, i, 1.0)).collect();
        assert_eq!(heard, [true, true, true, false]);
    }

    #[test]
    fn the_learned_detectors_decide_english_utterances_only() {
        let mut call = testing::call(&[(Role::Consultant, 0.0, "Which would you prefer?")]);
        let shipped = Detectors::default();
        assert!(
            Input::with_detectors(&call, &shipped)
                .decision(0, Label::Handback)
                .is_some()
        );
        call.set_language("nl");
        let input = Input::with_detectors(&call, &shipped);
        input.decide_every_utterance();
        assert!(input.decision(0, Label::Handback).is_none());
    }

    #[test]
    fn every_signal_is_documented_with_every_heading() {
        for signal in SIGNALS {
            let meta = signal.meta();
            let doc = meta.doc();
            assert!(!meta.summary().is_empty(), "{}: no summary line", meta.id);
            let mut last = 0;
            for heading in DOC_HEADINGS {
                let at = doc
                    .find(&format!("## {heading}"))
                    .unwrap_or_else(|| panic!("{}: no `## {heading}` in its docs", meta.id));
                assert!(at >= last, "{}: `## {heading}` out of order", meta.id);
                last = at;
            }
        }
    }

    #[test]
    fn ids_are_unique_kebab_case_and_findable() {
        let mut seen = HashSet::new();
        for signal in SIGNALS {
            let id = signal.meta().id;
            assert!(seen.insert(id), "{id} twice");
            assert!(
                id.split('-')
                    .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase())),
                "{id} is not kebab-case"
            );
            assert!(std::ptr::eq(find(id).unwrap().meta(), signal.meta()));
        }
    }

    #[test]
    fn every_signal_file_ends_with_its_table_test() {
        for signal in SIGNALS {
            let source = signal.meta().source;
            assert!(
                source.contains("#[cfg(test)]") && source.contains("fn table"),
                "{}: no table of utterances that must and must not fire",
                signal.meta().id
            );
        }
    }

    #[test]
    fn settings_reject_unknown_keys() {
        let err = toml::from_str::<Settings>("[monologue]\nmerge-gap = 2\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let ok: Settings = toml::from_str("[monologue]\nmerge-gap-seconds = 2.0\n").unwrap();
        assert!((ok.monologue.merge_gap_seconds - 2.0).abs() < 1e-12);
    }

    #[test]
    fn evidence_is_timed_by_the_words_it_quotes() {
        let call = testing::call(&[(Role::Consultant, 10.0, "I will send it Friday.")]);
        let input = Input::new(&call);
        let e = input.evidence(0, 7..16, "x", 1.0);
        assert_eq!(e.quote, "send it F");
        // The fixture times each word 0.4 s apart from the utterance start.
        assert!((e.start - 10.8).abs() < 1e-9, "{e:?}");
        assert!((e.end - 12.0).abs() < 1e-9, "{e:?}");
    }

    /// Every signal's evidence on the fixture call, one line each: what a
    /// change to any detector does to a whole conversation shows up here.
    #[test]
    fn evidence_on_the_fixture_call() {
        let mut lines = String::new();
        for output in run(
            &testing::sample_call(),
            &Settings::default(),
            &Detectors::Rules,
            Lang::En,
        ) {
            let _ = writeln!(
                lines,
                "{}: {:?} — {}",
                output.id, output.value, output.summary
            );
            for e in &output.evidence {
                let _ = writeln!(
                    lines,
                    "  {:>5.1}–{:<5.1} {} {} {:?} {:?}",
                    e.start, e.end, e.speaker, e.kind, e.quote, e.details
                );
            }
        }
        insta::assert_snapshot!(lines);
    }

    #[test]
    fn output_is_deterministic_and_in_registry_order() {
        let call = testing::sample_call();
        let first = run(&call, &Settings::default(), &Detectors::Rules, Lang::En);
        let ids: Vec<&str> = first.iter().map(|o| o.id.as_str()).collect();
        let registry: Vec<&str> = SIGNALS.iter().map(|s| s.meta().id).collect();
        assert_eq!(ids, registry);
        for _ in 0..3 {
            assert_eq!(
                run(&call, &Settings::default(), &Detectors::Rules, Lang::En),
                first
            );
        }
    }
}
