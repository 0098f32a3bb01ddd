//! Text normalisation and word error rate.
//!
//! Transcripts are compared word by word after the normalisation every ASR
//! evaluation uses: lower case, punctuation dropped (apostrophes kept inside
//! words, hyphens split), whitespace collapsed. Tests and benchmarks use it to
//! judge Whisper's output against a script.

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
