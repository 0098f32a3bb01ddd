//! Whisper JSON transcripts: whisper.cpp's `--output-json(-full)`, and the
//! segment lists that faster-whisper and WhisperX scripts write (a list, or
//! an object with `segments`; `speaker` on a segment where it was diarized).

use super::{Cue, ParseError};
use crate::transcribe::Word;
use serde::Deserialize;
use serde_json::Value;

/// The shapes told apart by their keys, so an error can say which shape
/// the file was read as.
pub fn parse(text: &str) -> Result<Vec<Cue>, ParseError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ParseError::at(e.line(), format!("not valid JSON: {e}")))?;
    let shape_error = |shape: &str, e: serde_json::Error| ParseError {
        line: None,
        reason: format!("read as {shape}: {e}"),
    };
    if let Some(transcription) = value.get("transcription") {
        let segments: Vec<CppSegment> = serde_json::from_value(transcription.clone())
            .map_err(|e| shape_error("a whisper.cpp transcript", e))?;
        return Ok(segments.into_iter().map(CppSegment::into_cue).collect());
    }
    let list = match &value {
        Value::Object(map) => map.get("segments").cloned().ok_or_else(|| ParseError {
            line: None,
            reason: "no `transcription` (whisper.cpp), `segments` (faster-whisper) or `utterances` (rapport) in this JSON".into(),
        })?,
        other => other.clone(),
    };
    let segments: Vec<Segment> =
        serde_json::from_value(list).map_err(|e| shape_error("a list of Whisper segments", e))?;
    Ok(segments.into_iter().map(Segment::into_cue).collect())
}

/// A speaker label as diarizers write it: a name or a number.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Speaker {
    Name(String),
    Number(i64),
}

impl Speaker {
    fn name(self) -> String {
        match self {
            Self::Name(name) => name,
            Self::Number(n) => format!("Speaker {n}"),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Segment {
    start: f64,
    end: f64,
    text: String,
    #[serde(default)]
    words: Vec<SegmentWord>,
    speaker: Option<Speaker>,
}

#[derive(Debug, Deserialize)]
struct SegmentWord {
    start: Option<f64>,
    end: Option<f64>,
    word: String,
    probability: Option<f32>,
}

impl Segment {
    fn into_cue(self) -> Cue {
        // WhisperX leaves words it could not align without times.
        let timed = !self.words.is_empty()
            && self
                .words
                .iter()
                .all(|w| w.start.is_some_and(f64::is_finite) && w.end.is_some_and(f64::is_finite));
        let words = timed.then(|| {
            self.words
                .into_iter()
                .filter(|w| !w.word.trim().is_empty())
                .map(|w| Word {
                    start: w.start.unwrap_or_default(),
                    end: w.end.unwrap_or_default(),
                    text: w.word.trim().to_string(),
                    probability: w.probability.unwrap_or(1.0),
                })
                .collect()
        });
        Cue {
            line: 0,
            speaker: self.speaker.map(Speaker::name),
            start: self.start,
            end: self.end,
            text: self.text.trim().to_string(),
            words,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Offsets {
    from: f64,
    to: f64,
}

#[derive(Debug, Deserialize)]
struct CppToken {
    text: String,
    offsets: Offsets,
    #[serde(default = "certain")]
    p: f32,
}

fn certain() -> f32 {
    1.0
}

#[derive(Debug, Deserialize)]
struct CppSegment {
    /// Milliseconds.
    offsets: Offsets,
    text: String,
    #[serde(default)]
    tokens: Vec<CppToken>,
    speaker: Option<Speaker>,
}

impl CppSegment {
    /// Tokens that start with a space start a word; `[_BEG_]` and other
    /// bracketed control tokens are not text.
    fn into_cue(self) -> Cue {
        let mut words: Vec<Word> = Vec::new();
        for token in self.tokens.iter().filter(|t| !t.text.starts_with("[_")) {
            let (start, end) = (token.offsets.from / 1000.0, token.offsets.to / 1000.0);
            match words.last_mut() {
                Some(word) if !token.text.starts_with(' ') => {
                    word.text.push_str(&token.text);
                    word.end = end;
                    word.probability = word.probability.min(token.p);
                }
                _ => words.push(Word {
                    start,
                    end,
                    text: token.text.trim().to_string(),
                    probability: token.p,
                }),
            }
        }
        words.retain(|w| !w.text.is_empty());
        Cue {
            line: 0,
            speaker: self.speaker.map(Speaker::name),
            start: self.offsets.from / 1000.0,
            end: self.offsets.to / 1000.0,
            text: self.text.trim().to_string(),
            words: (!words.is_empty()).then_some(words),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whisper_cpp_full_json_gives_words_from_tokens() {
        let json = r#"{"systeminfo": "", "result": {"language": "en"}, "transcription": [
            {"timestamps": {"from": "00:00:00,500", "to": "00:00:02,000"},
             "offsets": {"from": 500, "to": 2000}, "text": " Good morning.",
             "tokens": [{"text": "[_BEG_]", "offsets": {"from": 500, "to": 500}, "p": 0.9},
                        {"text": " Good", "offsets": {"from": 500, "to": 900}, "p": 0.9},
                        {"text": " morning", "offsets": {"from": 900, "to": 1600}, "p": 0.8},
                        {"text": ".", "offsets": {"from": 1600, "to": 2000}, "p": 0.7}]}]}"#;
        let cues = parse(json).unwrap();
        assert_eq!((cues[0].start, cues[0].end), (0.5, 2.0));
        let words = cues[0].words.as_ref().unwrap();
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Good", "morning."]);
        assert_eq!(
            (words[1].start, words[1].end, words[1].probability),
            (0.9, 2.0, 0.7)
        );
    }

    #[test]
    fn faster_whisper_and_whisperx_segments() {
        let list = r#"[{"start": 1.0, "end": 2.0, "text": " Hi there.", "words": [
            {"start": 1.0, "end": 1.4, "word": " Hi", "probability": 0.9},
            {"start": 1.4, "end": 2.0, "word": " there.", "probability": 0.8}]}]"#;
        let cues = parse(list).unwrap();
        assert_eq!(cues[0].text, "Hi there.");
        assert_eq!(cues[0].words.as_ref().unwrap().len(), 2);
        let diarized = r#"{"segments": [{"start": 0, "end": 1, "text": "Yes.", "speaker": "SPEAKER_01",
            "words": [{"word": "Yes."}]}]}"#;
        let cues = parse(diarized).unwrap();
        assert_eq!(cues[0].speaker.as_deref(), Some("SPEAKER_01"));
        assert!(
            cues[0].words.is_none(),
            "an unaligned word is not given a time"
        );
    }

    #[test]
    fn other_json_says_what_was_expected() {
        let err = parse(r#"{"hello": 1}"#).unwrap_err();
        assert!(err.reason.contains("no `transcription`"), "{}", err.reason);
        let err = parse(r#"[{"start": "soon"}]"#).unwrap_err();
        assert!(err.reason.contains("Whisper segments"), "{}", err.reason);
        let err = parse("{\n\"a\": ").unwrap_err();
        assert_eq!(err.line, Some(2));
    }
}
