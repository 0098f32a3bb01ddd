//! Which language a call, a person and an utterance are in.
//!
//! A recording's language is Whisper's: asked for (`--language`) or
//! detected per track from its first speech. A transcript's is read from
//! its text with `whatlang` (trigram statistics over 69 languages, no
//! model to install): per person when they said enough for a reliable
//! guess, else the whole call's. Codes are ISO 639-1, as Whisper's are
//! ("en", "nl").

/// The language assumed when nothing tells: what rapport served before it
/// knew others, and what an English-only model hears.
pub const ENGLISH: &str = "en";

/// Dutch, whose signals are rules only.
pub const DUTCH: &str = "nl";

/// The languages whose signals rapport has: a call in any other is
/// transcribed and reported, but not scored.
pub const ANALYSED: &[&str] = &[ENGLISH, DUTCH];

/// `language` for serde: English, for transcripts written before rapport
/// recorded a language (all were English).
pub fn english() -> String {
    ENGLISH.to_string()
}

/// The languages a transcript is most likely in, which a short text is
/// told apart between when it is too short to be told among all 69.
const LIKELY: [whatlang::Lang; 2] = [whatlang::Lang::Eng, whatlang::Lang::Nld];

/// The language of `text` as an ISO 639-1 code, when the guess is reliable
/// (enough text, and one language clearly ahead): among all the languages
/// `whatlang` knows, else between English and Dutch. A sentence is often
/// too short for the first ("Wat heeft uw voorkeur? We kunnen het plan
/// vrijdag bespreken." came out Dutch at 0.33 confidence) and enough for
/// the second; "Ja, dat is goed." is enough for neither.
pub fn of_text(text: &str) -> Option<String> {
    let info = whatlang::detect(text)
        .filter(whatlang::Info::is_reliable)
        .or_else(|| {
            whatlang::Detector::with_allowlist(LIKELY.to_vec())
                .detect(text)
                .filter(whatlang::Info::is_reliable)
        })?;
    isolang::Language::from_639_3(info.lang().code())
        .and_then(|language| language.to_639_1())
        .map(str::to_string)
}

/// The language most of `spoken` is in, weighing each (language, words)
/// pair by its words; ties go to the first seen.
pub fn most_spoken<'a>(spoken: impl IntoIterator<Item = (&'a str, usize)>) -> Option<String> {
    let mut totals: Vec<(&str, usize)> = Vec::new();
    for (language, words) in spoken {
        match totals.iter_mut().find(|(l, _)| *l == language) {
            Some((_, total)) => *total += words,
            None => totals.push((language, words)),
        }
    }
    let mut best: Option<(&str, usize)> = None;
    for (language, words) in totals {
        if best.is_none_or(|(_, most)| words > most) {
            best = Some((language, words));
        }
    }
    best.map(|(language, _)| language.to_string())
}

/// The language's English name ("Dutch"), or its code when unknown.
pub fn name(code: &str) -> String {
    isolang::Language::from_639_1(code)
        .map_or_else(|| code.to_string(), |l| l.to_name().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_dutch_sentences_are_told_apart() {
        assert_eq!(
            of_text("Would you prefer that we look at the second option before Friday?").as_deref(),
            Some("en")
        );
        assert_eq!(
            of_text("Wat heeft uw voorkeur? We kunnen het plan vóór vrijdag bespreken, of volgende week.")
                .as_deref(),
            Some("nl")
        );
    }

    #[test]
    fn too_little_text_says_nothing() {
        for text in ["ok", "", "Ja, dat is goed.", "Yes, that works for me."] {
            assert_eq!(of_text(text), None, "{text}");
        }
    }

    #[test]
    fn the_language_of_most_words_wins() {
        assert_eq!(
            most_spoken([("en", 3), ("nl", 2), ("nl", 2)]).as_deref(),
            Some("nl")
        );
        assert_eq!(most_spoken([("en", 2), ("nl", 2)]).as_deref(), Some("en"));
        assert_eq!(most_spoken([]), None);
    }

    #[test]
    fn names_are_english_names() {
        assert_eq!(name("nl"), "Dutch");
        assert_eq!(name("xx"), "xx");
    }
}
