//! Words and sentences with their places in the text; normalisation and
//! word error rate.
//!
//! Signals quote what was said, so every token keeps its byte span in the
//! utterance it came from: evidence points into the text instead of copying
//! a rewritten version of it. Tokenization is the `tokenizers` crate's
//! regex pre-tokenizer, which tracks offsets through every split; words keep
//! their inner apostrophes ("i'll", "don't") because contractions carry the
//! tense and the person that the cue phrases look for.
//!
//! Transcripts are compared word by word after the normalisation every ASR
//! evaluation uses: lower case, punctuation dropped (apostrophes kept inside
//! words, hyphens split), whitespace collapsed. Tests and benchmarks use it to
//! judge Whisper's output against a script.

use std::ops::Range;
use std::sync::LazyLock;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{
    OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer, SplitDelimiterBehavior,
};

/// One word or punctuation mark of an utterance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower case, with typographic apostrophes made plain.
    pub norm: String,
    /// Byte offsets into the text it came from.
    pub span: Range<usize>,
}

impl Token {
    pub fn is_word(&self) -> bool {
        self.norm.chars().next().is_some_and(char::is_alphanumeric)
    }
}

/// A run of tokens ended by `.`, `?`, `!` or the end of the utterance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Indices into [`Tokenized::tokens`], terminator included.
    pub tokens: Range<usize>,
    /// `?`, `.`, `!` or `None` when the text just stops (ASR output and
    /// imported transcripts often have no punctuation).
    pub terminator: Option<char>,
}

/// An utterance's tokens and sentences.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tokenized {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
}

impl Tokenized {
    /// The words of a sentence (punctuation left out), in order.
    pub fn words<'a>(&'a self, sentence: &Sentence) -> impl Iterator<Item = &'a Token> + 'a {
        self.tokens[sentence.tokens.clone()]
            .iter()
            .filter(|t| t.is_word())
    }

    /// Byte span of a sentence in the text, terminator included.
    pub fn span(&self, sentence: &Sentence) -> Range<usize> {
        let tokens = &self.tokens[sentence.tokens.clone()];
        match (tokens.first(), tokens.last()) {
            (Some(first), Some(last)) => first.span.start..last.span.end,
            _ => 0..0,
        }
    }
}

/// Words (letters, digits, inner apostrophes) or single punctuation marks.
static PRE_TOKENIZER: LazyLock<Split> = LazyLock::new(|| {
    Split::new(
        SplitPattern::Regex(r"\w+(?:['’]\w+)*|[^\w\s]".into()),
        SplitDelimiterBehavior::Removed,
        true,
    )
    .expect("the token pattern is a valid regex")
});

/// Splits `text` into tokens with byte offsets, and the tokens into sentences.
pub fn tokenize(text: &str) -> Tokenized {
    let mut pretokenized = PreTokenizedString::from(text);
    let tokens: Vec<Token> = match PRE_TOKENIZER.pre_tokenize(&mut pretokenized) {
        Ok(()) => pretokenized
            .get_splits(OffsetReferential::Original, OffsetType::Byte)
            .into_iter()
            .map(|(piece, (start, end), _)| Token {
                norm: piece.to_lowercase().replace('’', "'"),
                span: start..end,
            })
            .collect(),
        // The pattern matches any text; an error here would be a bug in the
        // crate, and an utterance without tokens only goes unanalysed.
        Err(_) => Vec::new(),
    };
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        let terminator = match token.norm.as_str() {
            "." | "?" | "!" => token.norm.chars().next(),
            _ => continue,
        };
        // "3.5" is one number, "Mr." is not the end of a sentence; both are
        // rare enough in speech that only the number case is worth handling.
        let inside_number = token.norm == "."
            && tokens.get(i + 1).is_some_and(|next| {
                next.span.start == token.span.end
                    && next.norm.starts_with(|c: char| c.is_ascii_digit())
            });
        if inside_number {
            continue;
        }
        if tokens[start..i].iter().any(Token::is_word) {
            sentences.push(Sentence {
                tokens: start..i + 1,
                terminator,
            });
        } else if let Some(last) = sentences.last_mut() {
            // "?!" or "..." : fold the extra marks into the sentence before.
            last.tokens.end = i + 1;
            if terminator == Some('?') {
                last.terminator = terminator;
            }
        }
        start = i + 1;
    }
    if tokens[start..].iter().any(Token::is_word) {
        sentences.push(Sentence {
            tokens: start..tokens.len(),
            terminator: None,
        });
    }
    Tokenized { tokens, sentences }
}

/// Words that open spoken sentences without changing what they do ("so,
/// um, what do you think?"): skipped before looking at how a sentence starts.
pub const FILLERS: &[&str] = &[
    "so", "and", "but", "well", "okay", "ok", "um", "uh", "umm", "uhm", "er", "erm", "ah", "oh",
    "yeah", "yes", "now", "then", "like", "mm", "hmm", "mhm", "mm-hmm", "right", "alright", "all",
    "anyway", "also", "just", "actually", "great", "good", "cool", "sure", "see", "hi", "hey",
    "no", "because", "cause",
];

/// The words from where the sentence really starts: leading fillers and
/// stutters ("I-I", "you know", "I mean") dropped. Keeps at least the last
/// word, so a one-word sentence is still that word.
pub fn core<'a, 'b>(words: &'b [&'a Token]) -> &'b [&'a Token] {
    let mut rest = words;
    loop {
        let skip = match rest {
            [a, b, ..] if a.norm == "you" && b.norm == "know" => 2,
            [a, b, ..] if a.norm == "i" && b.norm == "mean" => 2,
            [a, b, ..] if a.norm == "all" && b.norm == "right" => 2,
            [a, b, ..] if a.norm == b.norm => 1,
            [a, _, ..] if FILLERS.contains(&a.norm.as_str()) => 1,
            _ => 0,
        };
        if skip == 0 {
            return rest;
        }
        rest = &rest[skip..];
    }
}

/// Lower-cased words with punctuation removed.
pub fn normalized_words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .flat_map(char::to_lowercase)
                .collect::<String>()
                .trim_matches('\'')
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate of `hypothesis` against `reference`: (substitutions +
/// deletions + insertions) / reference words, after [`normalized_words`].
/// An empty reference gives 0 for an empty hypothesis, else 1.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
    let (r, h) = (normalized_words(reference), normalized_words(hypothesis));
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    let mut previous: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut current = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            let substitution = previous[j] + usize::from(rw != hw);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[h.len()] as f64 / r.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_point_into_the_text() {
        let text = "I’ll send it by Friday, OK? Sure.";
        let t = tokenize(text);
        let norms: Vec<&str> = t.tokens.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(
            norms,
            [
                "i'll", "send", "it", "by", "friday", ",", "ok", "?", "sure", "."
            ]
        );
        assert_eq!(&text[t.tokens[4].span.clone()], "Friday");
        assert_eq!(&text[t.tokens[0].span.clone()], "I’ll");
        assert_eq!(t.sentences.len(), 2);
        assert_eq!(t.sentences[0].terminator, Some('?'));
        assert_eq!(
            &text[t.span(&t.sentences[0])],
            "I’ll send it by Friday, OK?"
        );
        assert_eq!(&text[t.span(&t.sentences[1])], "Sure.");
    }

    #[test]
    fn unpunctuated_text_is_one_open_sentence() {
        let t = tokenize("so what do you think about 3.5 percent");
        assert_eq!(t.sentences.len(), 1);
        assert_eq!(t.sentences[0].terminator, None);
        assert_eq!(tokenize("Really?! Yes...").sentences.len(), 2);
        assert!(tokenize("").sentences.is_empty());
        assert!(tokenize(" ... ").sentences.is_empty());
    }

    #[test]
    fn core_skips_fillers_and_stutters() {
        let text = tokenize("Yeah, you know, I I think so");
        let w: Vec<&Token> = text.words(&text.sentences[0]).collect();
        let c: Vec<&str> = core(&w).iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(c, ["i", "think", "so"]);
        let text = tokenize("Okay.");
        let w: Vec<&Token> = text.words(&text.sentences[0]).collect();
        assert_eq!(core(&w).len(), 1);
    }

    #[test]
    fn normalisation_ignores_case_and_punctuation() {
        assert_eq!(
            normalized_words("Hi, Dana! It's the full-count, 'OK'?"),
            ["hi", "dana", "it's", "the", "full", "count", "ok"]
        );
    }

    #[test]
    fn counts_substitutions_deletions_and_insertions() {
        assert!(word_error_rate("the cat sat", "The cat sat.").abs() < 1e-12);
        assert!((word_error_rate("the cat sat", "the bat sat") - 1.0 / 3.0).abs() < 1e-12);
        assert!((word_error_rate("the cat sat", "the sat") - 1.0 / 3.0).abs() < 1e-12);
        assert!(
            (word_error_rate("the cat sat", "the cat sat down here") - 2.0 / 3.0).abs() < 1e-12
        );
        assert!((word_error_rate("", "words") - 1.0).abs() < 1e-12);
    }
}
