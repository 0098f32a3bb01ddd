//! Cue phrases: word patterns matched against a sentence's words.
//!
//! Not a signal: the shared matcher the text signals use. A pattern is
//! written as words separated by spaces; a word may list alternatives with
//! `|` (`"i'll|we'll send"`), and `*` stands for any one word. Matching is on
//! lower-cased words, so "We'll" and "we'll" are one cue. Written by hand
//! because it is the core of the detectors: each cue is data a reader can
//! check against the documentation, and the whole matcher is a few loops.

use crate::text::Token;
pub use crate::text::core;
use rustc_hash::FxHashMap;
use std::ops::Range;

/// A compiled cue.
#[derive(Debug, Clone)]
struct Pattern(Vec<Vec<&'static str>>);

impl Pattern {
    fn new(pattern: &'static str) -> Self {
        Self(pattern.split(' ').map(|w| w.split('|').collect()).collect())
    }

    fn matches_at(&self, words: &[&Token], at: usize) -> bool {
        at + self.0.len() <= words.len()
            && self.0.iter().zip(&words[at..]).all(|(alternatives, word)| {
                alternatives
                    .iter()
                    .any(|&a| a == "*" || a == word.norm.as_str())
            })
    }
}

/// A list of cues, indexed by first word: a sentence is scanned once,
/// looking up each word, instead of trying every cue at every word.
#[derive(Debug, Clone)]
pub struct Cues {
    patterns: Vec<Pattern>,
    // Looked up once per word of every sentence by every cue list: a fast
    // hash for short keys matters here (SipHash was 7 % of an hour's
    // analysis). The table holds only our own cue words: a transcript's
    // words are looked up, never inserted, so they cannot crowd it.
    by_first: FxHashMap<&'static str, Vec<usize>>,
    any_first: Vec<usize>,
}

impl Cues {
    /// Cues that could match at `at`: those starting with that word, in
    /// list order, then those starting with a wildcard.
    fn candidates(&self, words: &[&Token], at: usize) -> impl Iterator<Item = &Pattern> {
        self.by_first
            .get(words[at].norm.as_str())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .chain(&self.any_first)
            .map(|&i| &self.patterns[i])
    }

    /// The earliest place any cue occurs, as a word range.
    pub fn find(&self, words: &[&Token]) -> Option<Range<usize>> {
        (0..words.len()).find_map(|at| {
            self.candidates(words, at)
                .find(|p| p.matches_at(words, at))
                .map(|p| at..at + p.0.len())
        })
    }

    /// Whether a cue starts at the first word.
    pub fn starts(&self, words: &[&Token]) -> bool {
        !words.is_empty() && self.candidates(words, 0).any(|p| p.matches_at(words, 0))
    }

    /// Whether a cue is all of `words`.
    pub fn whole(&self, words: &[&Token]) -> bool {
        !words.is_empty()
            && self
                .candidates(words, 0)
                .any(|p| p.0.len() == words.len() && p.matches_at(words, 0))
    }
}

/// Compiles a list of cues.
pub fn patterns(list: &[&'static str]) -> Cues {
    let patterns: Vec<Pattern> = list.iter().map(|p| Pattern::new(p)).collect();
    let mut by_first: FxHashMap<&'static str, Vec<usize>> = FxHashMap::default();
    let mut any_first = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        for &first in &pattern.0[0] {
            if first == "*" {
                any_first.push(i);
            } else {
                by_first.entry(first).or_default().push(i);
            }
        }
    }
    Cues {
        patterns,
        by_first,
        any_first,
    }
}

/// The byte span of a word range.
pub fn byte_span(words: &[&Token], range: Range<usize>) -> Range<usize> {
    words[range.start].span.start..words[range.end - 1].span.end
}

/// Day and month names: dates in promises, and capitalised words that
/// are not anyone's name.
pub(crate) const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
pub(crate) const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The same in Dutch.
pub(crate) const WEEKDAYS_NL: &[&str] = &[
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
pub(crate) const MONTHS_NL: &[&str] = &[
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    #[test]
    fn patterns_match_alternatives_and_wildcards() {
        let text = tokenize("So, um, we'll send the plan.");
        let w: Vec<&Token> = text.words(&text.sentences[0]).collect();
        assert_eq!(patterns(&["i'll|we'll send"]).find(&w), Some(2..4));
        assert_eq!(patterns(&["send * plan"]).find(&w), Some(3..6));
        assert_eq!(patterns(&["the plan", "so"]).find(&w), Some(0..1));
        assert!(patterns(&["we'll"]).starts(core(&w)));
        assert!(!patterns(&["we'll"]).whole(core(&w)));
        assert!(patterns(&["we'll send the plan"]).whole(core(&w)));
        assert!(patterns(&["send it"]).find(&w).is_none());
    }
}
