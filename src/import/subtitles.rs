//! WebVTT and SRT, as Zoom, Teams and Meet export them.
//!
//! Both are blocks separated by blank lines: an optional cue id, a timing
//! line `START --> END`, then the text. WebVTT starts with `WEBVTT`, may have
//! `NOTE`, `STYLE` and `REGION` blocks, writes times `hh:mm:ss.mmm` (hours
//! optional), and names speakers with voice tags (`<v Ann Smith>…</v>`,
//! Teams); Zoom and SRT files write `Ann Smith: …` instead. SRT writes
//! `hh:mm:ss,mmm`.

use super::{Cue, ParseError};

/// Parses a WebVTT file.
pub fn parse_vtt(text: &str) -> Result<Vec<Cue>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or_default();
    if !(first == "WEBVTT" || first.starts_with("WEBVTT ") || first.starts_with("WEBVTT\t")) {
        return Err(ParseError::at(
            1,
            "a WebVTT file starts with the line WEBVTT",
        ));
    }
    parse_blocks(text, true)
}

/// Parses an SRT file.
pub fn parse_srt(text: &str) -> Result<Vec<Cue>, ParseError> {
    parse_blocks(text.strip_prefix('\u{feff}').unwrap_or(text), false)
}

/// The file's lines grouped into blocks, each with its first line's number.
fn blocks(text: &str) -> Vec<(usize, Vec<&str>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            blocks.extend(current.take());
        } else {
            current
                .get_or_insert_with(|| (i + 1, Vec::new()))
                .1
                .push(line);
        }
    }
    blocks.extend(current);
    blocks
}

fn parse_blocks(text: &str, vtt: bool) -> Result<Vec<Cue>, ParseError> {
    let mut cues = Vec::new();
    for (index, (first_line, lines)) in blocks(text).into_iter().enumerate() {
        if vtt && index == 0 {
            continue; // the WEBVTT header block
        }
        if vtt
            && ["NOTE", "STYLE", "REGION"]
                .iter()
                .any(|k| lines[0] == *k || lines[0].starts_with(&format!("{k} ")))
        {
            continue;
        }
        let Some(timing) = lines.iter().position(|l| l.contains("-->")) else {
            return Err(ParseError::at(
                first_line,
                "a cue without a timing line (START --> END)",
            ));
        };
        if timing > 1 {
            return Err(ParseError::at(
                first_line + 1,
                "expected a timing line (START --> END) after the cue id",
            ));
        }
        let line = first_line + timing;
        let (start, end) = parse_timing(lines[timing]).map_err(|e| ParseError::at(line, e))?;
        if end < start {
            return Err(ParseError::at(
                line,
                format!("the cue ends before it starts ({})", lines[timing].trim()),
            ));
        }
        let body = lines[timing + 1..].join(" ");
        let (speaker, text) = if vtt {
            voice_and_text(&body)
        } else {
            (None, clean_text(&body))
        };
        let (speaker, text) = match speaker {
            Some(s) => (Some(s), text),
            None => split_name_prefix(&text),
        };
        if !text.is_empty() {
            cues.push(Cue {
                line,
                speaker,
                start,
                end,
                text,
                words: None,
            });
        }
    }
    Ok(cues)
}

fn parse_timing(line: &str) -> Result<(f64, f64), String> {
    let (start, rest) = line
        .split_once("-->")
        .ok_or_else(|| "expected START --> END".to_string())?;
    // WebVTT cue settings (`align:start position:10%`) follow the end time.
    let end = rest.split_whitespace().next().unwrap_or_default();
    Ok((parse_timestamp(start.trim())?, parse_timestamp(end)?))
}

/// `hh:mm:ss.mmm`, `mm:ss.mmm` or `hh:mm:ss,mmm`, in seconds.
pub(super) fn parse_timestamp(stamp: &str) -> Result<f64, String> {
    let bad = || format!("{stamp:?} is not a timestamp (hh:mm:ss.mmm)");
    let (clock, millis) = stamp.split_once(['.', ',']).ok_or_else(bad)?;
    if millis.is_empty() || millis.len() > 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let fraction = millis.parse::<f64>().map_err(|_| bad())? / 10f64.powi(millis.len() as i32);
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let numbers: Vec<f64> = parts.iter().map(|p| p.parse().unwrap_or(0.0)).collect();
    let (hours, minutes, seconds) = match numbers.as_slice() {
        [m, s] => (0.0, *m, *s),
        [h, m, s] => (*h, *m, *s),
        _ => return Err(bad()),
    };
    if minutes >= 60.0 || seconds >= 60.0 {
        return Err(bad());
    }
    Ok(hours * 3600.0 + minutes * 60.0 + seconds + fraction)
}

/// The first voice tag's name, and the text without tags.
fn voice_and_text(body: &str) -> (Option<String>, String) {
    let speaker = body.find("<v").and_then(|at| {
        let tag = &body[at + 2..];
        let close = tag.find('>')?;
        let inner = &tag[..close];
        // `<v Ann>` or `<v.loud Ann>`: the name follows the first space.
        let name = inner.split_once([' ', '\t'])?.1.trim();
        (!name.is_empty()).then(|| html_escape::decode_html_entities(name).into_owned())
    });
    (speaker, clean_text(body))
}

/// Text without markup (`<i>`, `<c.yellow>`, `<00:01.000>`, `{\an8}`),
/// entities decoded, whitespace collapsed.
fn clean_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut depth = None;
    for c in body.chars() {
        match (depth, c) {
            (None, '<') => depth = Some('>'),
            (None, '{') => depth = Some('}'),
            (Some(close), c) if c == close => depth = None,
            (Some(_), _) => {}
            (None, c) => out.push(c),
        }
    }
    let decoded = html_escape::decode_html_entities(&out);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `Ann Smith: text` (Zoom's and many SRT exports' way of naming the
/// speaker). A prefix counts as a name when it is short and reads like one.
fn split_name_prefix(text: &str) -> (Option<String>, String) {
    if let Some((name, rest)) = text.split_once(": ") {
        let name = name.trim().trim_start_matches(['-', '>']).trim();
        let words = name.split_whitespace().count();
        let looks_like_a_name = (1..=5).contains(&words)
            && name.chars().count() <= 40
            && name.chars().next().is_some_and(char::is_alphabetic)
            && !name.contains(['.', '?', '!', ',', '"']);
        if looks_like_a_name && !rest.trim().is_empty() {
            return (Some(name.to_string()), rest.trim().to_string());
        }
    }
    (None, text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_voice_tags_name_the_speaker() {
        let vtt = "WEBVTT\n\n\
            3f1c-2/12-0\n00:00:00.500 --> 00:00:07.000\n<v Ann Smith>Good morning Dana,\nthanks for the time.</v>\n\n\
            3f1c-2/13-0\n00:00:07.700 --> 00:00:15.120\n<v Dana Lee>Morning &amp; hello.</v>\n";
        let cues = parse_vtt(vtt).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[0].speaker.as_deref(), Some("Ann Smith"));
        assert_eq!(cues[0].text, "Good morning Dana, thanks for the time.");
        assert_eq!((cues[1].start, cues[1].end), (7.7, 15.12));
        assert_eq!(cues[1].text, "Morning & hello.");
    }

    #[test]
    fn zoom_name_prefixes_short_clocks_and_settings() {
        let vtt = "WEBVTT - Zoom\n\nNOTE exported\n\n1\n00:01.000 --> 00:04.250 align:start\nAnn Smith: How are things?\n";
        let cues = parse_vtt(vtt).unwrap();
        assert_eq!(cues[0].speaker.as_deref(), Some("Ann Smith"));
        assert_eq!(
            (cues[0].start, cues[0].end, cues[0].text.as_str()),
            (1.0, 4.25, "How are things?")
        );
    }

    #[test]
    fn srt_uses_commas_and_may_have_no_speaker() {
        let srt = "1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello there.</i>\r\n\r\n2\r\n01:00:00,000 --> 01:00:01,000\r\nNote. This: is text\r\n";
        let cues = parse_srt(srt).unwrap();
        assert_eq!(cues[0].speaker, None);
        assert_eq!(cues[0].text, "Hello there.");
        assert!((cues[1].start - 3600.0).abs() < 1e-9);
        assert_eq!(cues[1].speaker, None, "a sentence is not a name");
    }

    #[test]
    fn broken_files_name_the_line_and_the_problem() {
        let err = parse_vtt("hello").unwrap_err();
        assert_eq!(err.line, Some(1));
        let err = parse_vtt("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nhi\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.reason.contains("00:00:0x.000"), "{}", err.reason);
        let err = parse_srt("1\n00:00:05,000 --> 00:00:01,000\nhi\n").unwrap_err();
        assert!(
            err.reason.contains("ends before it starts"),
            "{}",
            err.reason
        );
        let err = parse_srt("1\njust text\n").unwrap_err();
        assert!(err.reason.contains("timing line"), "{}", err.reason);
        for stamp in [
            "1:2",
            "00:61.000",
            "-1:00.000",
            "00:00.1234",
            "00:00:00:00.000",
        ] {
            assert!(parse_timestamp(stamp).is_err(), "{stamp}");
        }
    }
}
