//! What a detector reads of an utterance: hashed features in groups.
//!
//! Each group can be switched off (to measure what it gives) and is named
//! in the model file, so a model always reads utterances the way it was
//! trained to:
//!
//! - `words`: the utterance's word 1–3-grams, with its start and end
//!   marked (`<s> do you`), question marks and full stops kept as words;
//! - `starts`: how each clause of each sentence opens, fillers skipped
//!   ("so, um, you could…" opens `you could`): the first one, two and three
//!   words, which say what a sentence does however long the turn around it;
//! - `chars`: character 2–5-grams of its lower-cased words (spelling and
//!   word-form variants, words split or run together by speech recognition);
//! - `previous`: word 1–2-grams of the utterance before it and what the
//!   rules said about that one (an answer follows a question);
//! - `own-previous`: the words of the speaker's own previous utterance;
//! - `shape`: question mark present or not, no punctuation at all, length,
//!   sentences, whether the speaker changed, the place in the speaker's turn,
//!   the speaker's role;
//! - `cues`: every rule's verdict on the utterance (`questions:open`,
//!   `promises:vague-promise`, …);
//! - `roles`: when the speaker's role is known (a consultant or a client
//!   in a call), every feature above once more, in columns of its own. The
//!   shared copy learns from every corpus; the second learns what is
//!   particular to consultations, where "we could…" is an option put to a
//!   client rather than a meeting's musing. (Daumé's "frustratingly easy"
//!   domain adaptation, the role as the domain.)
//!
//! N-gram features are hashed into 2^`bits` columns (FNV-1a, then a
//! splitmix finaliser: stable across platforms and versions, as a model
//! file needs) and weighted 1/√n within their group, so a long turn does
//! not outweigh a short one; `shape` and `cues` features are worth 1.

use super::Observation;
use crate::speakers::Role;
use crate::text::{Token, Tokenized, core};
use serde::{Deserialize, Serialize};

/// A group of features, switched on or off as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    Words,
    Starts,
    Chars,
    Previous,
    OwnPrevious,
    Shape,
    Cues,
    Roles,
}

impl Group {
    pub const ALL: [Self; 8] = [
        Self::Words,
        Self::Starts,
        Self::Chars,
        Self::Previous,
        Self::OwnPrevious,
        Self::Shape,
        Self::Cues,
        Self::Roles,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Words => "words",
            Self::Starts => "starts",
            Self::Chars => "chars",
            Self::Previous => "previous",
            Self::OwnPrevious => "own-previous",
            Self::Shape => "shape",
            Self::Cues => "cues",
            Self::Roles => "roles",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == name)
    }
}

/// How utterances become feature vectors; saved in the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSettings {
    /// The features are hashed into 2^bits columns.
    pub bits: u8,
    pub groups: Vec<Group>,
}

impl Default for FeatureSettings {
    fn default() -> Self {
        Self {
            bits: 18,
            groups: Group::ALL.to_vec(),
        }
    }
}

impl FeatureSettings {
    pub fn columns(&self) -> usize {
        1 << self.bits
    }

    fn has(&self, group: Group) -> bool {
        self.groups.contains(&group)
    }
}

/// A sparse feature vector: (column, value), columns ascending, each once.
pub type Sparse = Vec<(u32, f32)>;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// A hash of `text` that never changes between builds or machines: for
/// hashing features, and for anything else that must split data the same
/// way every time (cross-validation folds, which examples are augmented).
pub fn stable_hash(text: &str) -> u64 {
    finish(fnv(FNV_OFFSET, text.as_bytes()))
}

/// Spreads FNV's weak low bits over the whole word.
fn finish(mut hash: u64) -> u64 {
    hash ^= hash >> 30;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 27;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// Collects one group's columns.
struct Hasher {
    bits: u8,
    columns: Vec<u32>,
}

impl Hasher {
    fn new(bits: u8) -> Self {
        Self {
            bits,
            columns: Vec::new(),
        }
    }

    fn add(&mut self, parts: &[&str]) {
        let mut hash = FNV_OFFSET;
        for part in parts {
            hash = fnv(hash, part.as_bytes());
            hash = fnv(hash, &[0x1f]);
        }
        self.columns
            .push((finish(hash) >> (64 - u32::from(self.bits))) as u32);
    }

    /// Word n-grams of `words`, start and end marked, under `prefix`.
    fn ngrams(&mut self, prefix: &str, words: &[&str], max: usize) {
        let marked: Vec<&str> = std::iter::once("<s>")
            .chain(words.iter().copied())
            .chain(std::iter::once("</s>"))
            .collect();
        for n in 1..=max {
            for gram in marked.windows(n) {
                if n == 1 && (gram[0] == "<s>" || gram[0] == "</s>") {
                    continue;
                }
                let mut parts = Vec::with_capacity(n + 1);
                parts.push(prefix);
                parts.extend_from_slice(gram);
                self.add(&parts);
            }
        }
    }

    /// The group's columns, each once, worth 1/√n (or 1 when `flat`).
    fn into_features(mut self, flat: bool, out: &mut Sparse) {
        self.columns.sort_unstable();
        self.columns.dedup();
        let value = if flat || self.columns.is_empty() {
            1.0
        } else {
            1.0 / (self.columns.len() as f32).sqrt()
        };
        out.extend(self.columns.into_iter().map(|c| (c, value)));
    }
}

/// The words an utterance's n-grams are made of: lower-cased words, and
/// the sentence marks that change what a sentence does.
fn words_of(text: &Tokenized) -> Vec<&str> {
    text.tokens
        .iter()
        .filter(|t| t.is_word() || matches!(t.norm.as_str(), "?" | "." | "!"))
        .map(|t| t.norm.as_str())
        .collect()
}

fn length_bucket(words: usize) -> &'static str {
    match words {
        0..=1 => "1",
        2 => "2",
        3 => "3",
        4..=5 => "4-5",
        6..=8 => "6-8",
        9..=12 => "9-12",
        13..=20 => "13-20",
        21..=40 => "21-40",
        _ => "41+",
    }
}

/// The feature vector of an observation.
pub fn extract(observation: &Observation, settings: &FeatureSettings) -> Sparse {
    merge(terms(observation, settings))
}

/// The observation's (column, value) terms before columns that two groups
/// hashed alike are summed: in any order, some columns more than once. A
/// weighted sum over them is the one over [`extract`]'s vector, without
/// sorting a thousand columns an utterance (a fifth of deciding a call).
pub fn terms(observation: &Observation, settings: &FeatureSettings) -> Sparse {
    let mut out = Sparse::new();
    let bits = settings.bits;
    let words = words_of(observation.text);
    if settings.has(Group::Words) {
        let mut h = Hasher::new(bits);
        h.ngrams("w", &words, 3);
        h.into_features(false, &mut out);
    }
    if settings.has(Group::Starts) {
        let mut h = Hasher::new(bits);
        clause_openings(observation.text, &mut h);
        h.into_features(false, &mut out);
    }
    if settings.has(Group::Chars) {
        let mut h = Hasher::new(bits);
        char_ngrams(&words, &mut h);
        h.into_features(false, &mut out);
    }
    if settings.has(Group::Previous) {
        let mut h = Hasher::new(bits);
        match observation.previous {
            Some(previous) => h.ngrams("p", &words_of(previous), 2),
            None => h.add(&["p", "<none>"]),
        }
        h.into_features(false, &mut out);
        let mut cues = Hasher::new(bits);
        for cue in observation.previous_cues {
            cues.add(&["pc", cue]);
        }
        cues.into_features(true, &mut out);
    }
    if settings.has(Group::OwnPrevious) {
        let mut h = Hasher::new(bits);
        match observation.own_previous {
            Some(own) => h.ngrams("o", &words_of(own), 1),
            None => h.add(&["o", "<none>"]),
        }
        h.into_features(false, &mut out);
    }
    if settings.has(Group::Shape) {
        let mut h = Hasher::new(bits);
        shape(observation, &mut h);
        h.into_features(true, &mut out);
    }
    if settings.has(Group::Cues) {
        let mut h = Hasher::new(bits);
        for cue in observation.cues {
            h.add(&["r", cue]);
        }
        if observation.cues.is_empty() {
            h.add(&["r", "<none>"]);
        }
        h.into_features(true, &mut out);
    }
    if settings.has(Group::Roles) && observation.role != Role::Other {
        let shift = 64 - u32::from(bits);
        let copies: Sparse = out
            .iter()
            .map(|&(c, v)| ((finish(u64::from(c) ^ ROLE_COPY) >> shift) as u32, v))
            .collect();
        out.extend(copies);
    }
    out
}

/// The first words of each clause, stripped of fillers: how questions,
/// offers and hand-backs open ("could you", "would you like").
fn clause_openings(text: &Tokenized, h: &mut Hasher) {
    for sentence in &text.sentences {
        let tokens = &text.tokens[sentence.tokens.clone()];
        for clause in tokens.split(|t| matches!(t.norm.as_str(), "," | ";" | ":" | "-" | "–" | "—"))
        {
            let words: Vec<&Token> = clause.iter().filter(|t| t.is_word()).collect();
            let opening: Vec<&str> = core(&words)
                .iter()
                .take(3)
                .map(|t| t.norm.as_str())
                .collect();
            for n in 1..=opening.len() {
                let mut parts = vec!["st"];
                parts.extend_from_slice(&opening[..n]);
                h.add(&parts);
            }
        }
    }
}

/// Character 2- to 5-grams across the words: catch inflections and
/// misspellings that whole words miss.
fn char_ngrams(words: &[&str], h: &mut Hasher) {
    let joined: String = format!(
        " {} ",
        words
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_alphanumeric))
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    );
    let chars: Vec<(usize, char)> = joined.char_indices().collect();
    for n in 2..=5 {
        for window in chars.windows(n) {
            let start = window[0].0;
            let end = window[n - 1].0 + window[n - 1].1.len_utf8();
            h.add(&["c", &joined[start..end]]);
        }
    }
}

/// Punctuation, length, position in the turn and role.
fn shape(observation: &Observation, h: &mut Hasher) {
    let marks = |m: &str| observation.text.tokens.iter().any(|t| t.norm == m);
    if marks("?") {
        h.add(&["s", "question-mark"]);
    }
    if observation
        .text
        .tokens
        .last()
        .is_some_and(|t| t.norm == "?")
    {
        h.add(&["s", "ends-with-question-mark"]);
    }
    if !observation
        .text
        .tokens
        .iter()
        .any(|t| matches!(t.norm.as_str(), "?" | "." | "!" | ","))
    {
        h.add(&["s", "unpunctuated"]);
    }
    let word_count = observation
        .text
        .tokens
        .iter()
        .filter(|t| t.is_word())
        .count();
    h.add(&["s", "length", length_bucket(word_count)]);
    let sentences = match observation.text.sentences.len() {
        0 | 1 => "1",
        2 => "2",
        _ => "3+",
    };
    h.add(&["s", "sentences", sentences]);
    h.add(&[
        "s",
        if observation.speaker_changed {
            "speaker-changed"
        } else {
            "same-speaker"
        },
    ]);
    let position = match observation.turn_position {
        0 => "0",
        1 => "1",
        _ => "2+",
    };
    h.add(&["s", "turn-position", position]);
    let role = match observation.role {
        Role::Consultant => "consultant",
        Role::Client => "client",
        Role::Other => "other",
    };
    h.add(&["s", "role", role]);
}

/// Mixed into a column to place its copy for speakers with a known role.
const ROLE_COPY: u64 = 0x726f_6c65_2d63_6f70;

/// Sorts by column and sums columns that two groups hashed alike.
fn merge(mut features: Sparse) -> Sparse {
    features.sort_by_key(|&(c, _)| c);
    let mut merged: Sparse = Vec::with_capacity(features.len());
    for (column, value) in features {
        match merged.last_mut() {
            Some(last) if last.0 == column => last.1 += value,
            _ => merged.push((column, value)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn observation<'a>(text: &'a Tokenized, cues: &'a [&'static str]) -> Observation<'a> {
        Observation {
            text,
            previous: None,
            previous_cues: &[],
            own_previous: None,
            speaker_changed: true,
            turn_position: 0,
            role: Role::Consultant,
            cues,
        }
    }

    #[test]
    fn features_are_sorted_unique_and_within_the_columns() {
        let text = tokenize("Would you like me to refer you? You you you.");
        let settings = FeatureSettings {
            bits: 10,
            ..FeatureSettings::default()
        };
        let f = extract(&observation(&text, &["questions:closed"]), &settings);
        assert!(f.windows(2).all(|w| w[0].0 < w[1].0), "sorted, unique");
        assert!(f.iter().all(|&(c, v)| (c as usize) < 1024 && v > 0.0));
    }

    #[test]
    fn terms_add_up_to_the_vector() {
        let text = tokenize("Would you like me to refer you? You you you.");
        // Few columns, so that groups collide and some columns repeat.
        let settings = FeatureSettings {
            bits: 6,
            ..FeatureSettings::default()
        };
        let seen = observation(&text, &["questions:closed"]);
        let all = terms(&seen, &settings);
        let mut summed = std::collections::BTreeMap::new();
        for &(c, v) in &all {
            *summed.entry(c).or_insert(0.0_f64) += f64::from(v);
        }
        let vector = extract(&seen, &settings);
        assert!(all.len() > vector.len(), "some columns repeat");
        assert_eq!(vector.len(), summed.len());
        for (c, v) in vector {
            assert!((summed[&c] - f64::from(v)).abs() < 1e-5, "column {c}");
        }
    }

    #[test]
    fn the_same_utterance_gives_the_same_features_and_another_does_not() {
        let settings = FeatureSettings::default();
        let a = tokenize("I'll send the letter today.");
        let b = tokenize("I'll send the letter today.");
        let c = tokenize("Could you send the letter today?");
        let fa = extract(&observation(&a, &[]), &settings);
        assert_eq!(fa, extract(&observation(&b, &[]), &settings));
        assert_ne!(fa, extract(&observation(&c, &[]), &settings));
    }

    #[test]
    fn groups_switch_off_and_long_utterances_weigh_as_much_as_short_ones() {
        let text = tokenize("so what worries you most about the operation");
        let words_only = FeatureSettings {
            bits: 18,
            groups: vec![Group::Words],
        };
        let f = extract(&observation(&text, &["questions:open"]), &words_only);
        // 8 words: 8 unigrams, 9 bigrams and 8 trigrams with the marks.
        assert_eq!(f.len(), 25);
        let norm: f32 = f.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5, "{norm}");
        let cues_only = FeatureSettings {
            bits: 18,
            groups: vec![Group::Cues],
        };
        let f = extract(&observation(&text, &["questions:open"]), &cues_only);
        assert_eq!(f.len(), 1);
        assert!((f[0].1 - 1.0).abs() < f32::EPSILON);
    }

    #[test]
    fn hashing_is_stable_across_builds() {
        // A model file stores weights by column: the hash must never change.
        let mut h = Hasher::new(18);
        h.add(&["w", "<s>", "do", "you"]);
        assert_eq!(h.columns, [h.columns[0]]);
        let mut again = Hasher::new(18);
        again.add(&["w", "<s>", "do", "you"]);
        assert_eq!(h.columns, again.columns);
        assert_eq!(finish(fnv(FNV_OFFSET, b"rapport")), 0x1283_848a_d466_15cd);
    }
}
