//! The [`Call`]: who said what, and when. Everything downstream reads only this.
//!
//! It is plain serde data with a `schema_version`, so a transcript written
//! today can be read back by later versions and by other tools. Utterances
//! are time-ordered across participants; overlapping speech stays overlapping
//! (two people talking at once is what an interruption is).

use crate::l10n::Note;
use crate::note;
use crate::speakers::{Participant, RoleSource};
use crate::speech::Region;
use crate::transcribe::{Segment, Word};
use serde::{Deserialize, Serialize};

/// Bumped when a field changes meaning or goes away; new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// A pause in one person's speech at least this long starts a new
/// utterance. Whisper's own segment breaks do not: they move with how the
/// speech was chunked, and a break mid-sentence made the client seem to
/// start afresh just as the consultant cut in, hiding the interruption.
const UTTERANCE_GAP_SECONDS: f64 = 1.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub schema_version: u32,
    /// Length of the call, in seconds (the longest track).
    pub duration: f64,
    pub participants: Vec<CallParticipant>,
    pub utterances: Vec<Utterance>,
    pub roles: RoleSource,
    /// The language most of the call was spoken in (ISO 639-1, "en", "nl");
    /// `null` when nothing was said.
    #[serde(default = "english_if_unsaid")]
    pub language: Option<String>,
    pub recording: Recording,
    /// Things the reader should know about this result.
    pub notes: Vec<Note>,
}

/// Transcripts from before rapport recorded languages were English.
#[allow(clippy::unnecessary_wraps)]
fn english_if_unsaid() -> Option<String> {
    Some(crate::language::english())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallParticipant {
    #[serde(flatten)]
    pub person: Participant,
    /// Seconds of this person's speech: the speech regions of their track
    /// in which words were heard.
    pub talk_seconds: f64,
    /// This person's share of all talk, 0–1.
    pub talk_share: f64,
    /// The language this person spoke most; absent when they said nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Utterance {
    /// A participant `id`.
    pub speaker: String,
    pub start: f64,
    pub end: f64,
    pub text: String,
    pub words: Vec<Word>,
    /// The language it was spoken in: its speaker's (ISO 639-1). Signals
    /// read it in this language.
    #[serde(default = "crate::language::english")]
    pub language: String,
}

/// What was heard and what was sent to Whisper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    pub inputs: Vec<String>,
    pub tracks: Vec<TrackSummary>,
    /// Seconds of audio across all tracks (duration × tracks for one file).
    pub audio_seconds: f64,
    /// Seconds of it that were transcribed: the speech regions, padded.
    pub transcribed_seconds: f64,
    /// The model file used.
    pub model: String,
    /// How the speakers of a single mixed track were told apart, if they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diarization: Option<Diarized>,
    /// Why the recording holds one side of the call only (one voice on a
    /// mixed track, a silent track, a channel that is the other's bleed):
    /// such a call is not scored as a conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_sided: Option<Note>,
}

/// The speakers separated on one mixed track: an estimate, said as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diarized {
    pub speakers: usize,
    /// Whether the number of speakers was estimated (else `--speakers` gave it).
    pub estimated: bool,
    /// How far apart the voices are: the clustering's silhouette, 0–1.
    pub separation: f64,
    /// Told apart by the voice model (CAM++ voice prints); false for the
    /// built-in spectral method, used when the model is not installed.
    #[serde(default)]
    pub by_voice_prints: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackSummary {
    /// The participant heard on this track.
    pub participant: String,
    pub file: String,
    pub channel: u16,
    pub duration: f64,
    pub speech: Vec<Region>,
}

/// One track's share of the call, as the stages before produced it.
#[derive(Debug)]
pub struct TrackTranscript {
    pub participant: Participant,
    pub summary: TrackSummary,
    pub segments: Vec<Segment>,
    /// What Whisper transcribed it as; `None` for a track without speech.
    pub language: Option<String>,
}

/// Talk time counts a person's turns as a listener does, from the first
/// word to the last with the pauses inside: the speech regions in which
/// words were heard (a cough or a slammed door has none), joined across
/// pauses shorter than the gap that ends an utterance. Regions, not
/// Whisper's word times, which are rough at the edges of a turn. On the
/// stereo test calls this came within 0.1–3.3 s of each side's annotated
/// turns (regions alone: 1.3–4.4 s short).
fn talk_seconds(track: &TrackTranscript) -> f64 {
    let words: Vec<&Word> = track.segments.iter().flat_map(|s| &s.words).collect();
    let mut talk = 0.0;
    let mut turn: Option<(f64, f64)> = None;
    for region in track
        .summary
        .speech
        .iter()
        .filter(|r| words.iter().any(|w| w.start < r.end && w.end >= r.start))
    {
        turn = match turn {
            Some((start, end)) if region.start - end < UTTERANCE_GAP_SECONDS => {
                Some((start, end.max(region.end)))
            }
            Some((start, end)) => {
                talk += end - start;
                Some((region.start, region.end))
            }
            None => Some((region.start, region.end)),
        };
    }
    talk + turn.map_or(0.0, |(start, end)| end - start)
}

/// One person's words (in time order) as utterances: runs of words with
/// no pause of [`UTTERANCE_GAP_SECONDS`] between them.
fn utterances_of(
    speaker: &str,
    language: &str,
    words: impl IntoIterator<Item = Word>,
) -> Vec<Utterance> {
    let mut groups: Vec<Vec<Word>> = Vec::new();
    for word in words {
        match groups.last_mut() {
            Some(group)
                if word.start - group.last().map_or(word.start, |w| w.end)
                    < UTTERANCE_GAP_SECONDS =>
            {
                group.push(word);
            }
            _ => groups.push(vec![word]),
        }
    }
    groups
        .into_iter()
        .map(|words| Utterance {
            speaker: speaker.to_string(),
            start: words.iter().map(|w| w.start).fold(f64::INFINITY, f64::min),
            end: words.iter().map(|w| w.end).fold(0.0, f64::max),
            text: words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            words,
            language: language.to_string(),
        })
        .collect()
}

/// Each person with their talk time and its share of everyone's.
fn with_shares(talk: Vec<(Participant, f64)>) -> Vec<CallParticipant> {
    let total: f64 = talk.iter().map(|(_, seconds)| seconds).sum();
    talk.into_iter()
        .map(|(person, talk_seconds)| CallParticipant {
            person,
            talk_seconds,
            talk_share: if total > 0.0 {
                talk_seconds / total
            } else {
                0.0
            },
            language: None,
        })
        .collect()
}

/// What the reader should know about how roles were decided, if anything.
fn role_note(roles: &RoleSource, participants: &[CallParticipant]) -> Option<Note> {
    let consultant = participants
        .iter()
        .find(|p| p.person.role == crate::speakers::Role::Consultant)
        .map(|p| p.person.name.as_str());
    Some(match roles {
        RoleSource::Given => return None,
        RoleSource::Configured => match consultant {
            Some(name) => note!("note-roles-configured", consultant = name),
            None => note!("note-roles-configured-nobody"),
        },
        RoleSource::AssumedFirstTrack => note!("note-roles-first-track"),
        RoleSource::AssumedFirstSpeaker => match consultant {
            Some(name) => note!("note-roles-first-speaker", consultant = name),
            None => note!("note-roles-first-speaker-nobody"),
        },
        RoleSource::MixedTrack => note!("note-roles-mixed-track"),
        RoleSource::Unnamed => note!("note-roles-unnamed"),
    })
}

impl Utterance {
    /// An utterance of `text` whose words follow each other every
    /// `word_seconds` from `start`: for text whose real timing is unknown.
    pub fn evenly_timed(speaker: &str, start: f64, text: &str, word_seconds: f64) -> Self {
        let words: Vec<Word> = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                start: start + word_seconds * i as f64,
                end: start + word_seconds * (i + 1) as f64,
                text: w.to_string(),
                probability: 1.0,
            })
            .collect();
        Self {
            speaker: speaker.to_string(),
            start,
            end: words.last().map_or(start, |w| w.end),
            text: words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            words,
            // Set by the call it joins (`Call::from_utterances`).
            language: String::new(),
        }
    }
}

impl Call {
    /// Assembles the call from each track's transcript.
    pub fn assemble(
        tracks: Vec<TrackTranscript>,
        roles: RoleSource,
        inputs: Vec<String>,
        model: String,
    ) -> Self {
        let duration = tracks
            .iter()
            .map(|t| t.summary.duration)
            .fold(0.0, f64::max);
        // Speakers separated from one mixed track share its audio: count it once.
        let mut heard: Vec<(&str, u16, f64)> = Vec::new();
        for t in &tracks {
            let s = &t.summary;
            if !heard
                .iter()
                .any(|h| (h.0, h.1) == (s.file.as_str(), s.channel))
            {
                heard.push((&s.file, s.channel, s.duration));
            }
        }
        let audio_seconds = heard.iter().map(|h| h.2).sum();
        let transcribed_seconds = tracks
            .iter()
            .map(|t| crate::speech::total_seconds(&t.summary.speech))
            .sum();
        let mut notes = Vec::new();
        let mut participants = Vec::new();
        let mut talks = Vec::new();
        let mut utterances = Vec::new();
        let mut summaries = Vec::new();
        for track in tracks {
            if track.summary.speech.is_empty() {
                notes.push(note!(
                    "note-silent-track",
                    track = track.participant.track,
                    name = &track.participant.name
                ));
            }
            talks.push(talk_seconds(&track));
            utterances.extend(utterances_of(
                &track.participant.id,
                track
                    .language
                    .as_deref()
                    .unwrap_or(crate::language::ENGLISH),
                track.segments.into_iter().flat_map(|s| s.words),
            ));
            participants.push(track.participant);
            summaries.push(track.summary);
        }
        utterances.sort_by(|a, b| {
            a.start
                .total_cmp(&b.start)
                .then_with(|| a.speaker.cmp(&b.speaker))
        });
        let participants = with_shares(participants.into_iter().zip(talks).collect());
        let recording = Recording {
            inputs,
            tracks: summaries,
            audio_seconds,
            transcribed_seconds,
            model,
            diarization: None,
            one_sided: None,
        };
        Self::new(duration, participants, utterances, roles, recording, notes)
    }

    /// The call, with what its roles' source needs the reader to know
    /// ahead of the other `notes`.
    fn new(
        duration: f64,
        mut participants: Vec<CallParticipant>,
        utterances: Vec<Utterance>,
        roles: RoleSource,
        recording: Recording,
        mut notes: Vec<Note>,
    ) -> Self {
        fn spoken(u: &Utterance) -> (&str, usize) {
            (u.language.as_str(), u.words.len().max(1))
        }
        notes.splice(0..0, role_note(&roles, &participants));
        for participant in &mut participants {
            participant.language = crate::language::most_spoken(
                utterances
                    .iter()
                    .filter(|u| u.speaker == participant.person.id)
                    .map(spoken),
            );
        }
        let language = crate::language::most_spoken(utterances.iter().map(spoken));
        Self {
            schema_version: SCHEMA_VERSION,
            duration,
            participants,
            utterances,
            roles,
            language,
            recording,
            notes,
        }
    }

    /// A call known only by what was said, with no audio behind it (a
    /// labelled dataset, a fixture, an imported transcript): each person's
    /// talk time is the length of their utterances, the call runs to the
    /// last word. Every utterance is in `language` when it is given, else
    /// in its speaker's language as read from all they said (the whole
    /// call's when that is too little to tell, English when the call is).
    pub fn from_utterances(
        people: Vec<Participant>,
        mut utterances: Vec<Utterance>,
        roles: RoleSource,
        inputs: Vec<String>,
        language: Option<&str>,
    ) -> Self {
        let text_of = |speaker: Option<&str>| {
            utterances
                .iter()
                .filter(|u| speaker.is_none_or(|s| u.speaker == s))
                .map(|u| u.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let call_language = language.map_or_else(
            || crate::language::of_text(&text_of(None)).unwrap_or_else(crate::language::english),
            str::to_string,
        );
        let languages: Vec<(String, String)> = people
            .iter()
            .map(|p| {
                let own = language
                    .is_none()
                    .then(|| crate::language::of_text(&text_of(Some(&p.id))))
                    .flatten();
                (p.id.clone(), own.unwrap_or_else(|| call_language.clone()))
            })
            .collect();
        for utterance in &mut utterances {
            utterance.language = languages
                .iter()
                .find(|(id, _)| *id == utterance.speaker)
                .map_or_else(|| call_language.clone(), |(_, l)| l.clone());
        }
        let duration = utterances.iter().map(|u| u.end).fold(0.0, f64::max);
        let talk = |id: &str| -> f64 {
            utterances
                .iter()
                .filter(|u| u.speaker == id)
                .map(|u| u.end - u.start)
                .sum()
        };
        let participants = with_shares(
            people
                .into_iter()
                .map(|person| {
                    let seconds = talk(&person.id);
                    (person, seconds)
                })
                .collect(),
        );
        let recording = Recording {
            inputs,
            tracks: Vec::new(),
            audio_seconds: 0.0,
            transcribed_seconds: 0.0,
            model: String::new(),
            diarization: None,
            one_sided: None,
        };
        Self::new(
            duration,
            participants,
            utterances,
            roles,
            recording,
            Vec::new(),
        )
    }

    /// Every utterance in `language`, as the user said it is, over what
    /// its text suggested.
    pub fn set_language(&mut self, language: &str) {
        for utterance in &mut self.utterances {
            utterance.language = language.to_string();
        }
        for participant in &mut self.participants {
            if participant.language.is_some() {
                participant.language = Some(language.to_string());
            }
        }
        if self.language.is_some() {
            self.language = Some(language.to_string());
        }
    }

    pub fn participant(&self, id: &str) -> Option<&CallParticipant> {
        self.participants.iter().find(|p| p.person.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speakers::Role;

    fn word(text: &str, start: f64, end: f64) -> Word {
        Word {
            start,
            end,
            text: text.into(),
            probability: 1.0,
        }
    }

    fn track(id: &str, role: Role, segments: Vec<Segment>) -> TrackTranscript {
        TrackTranscript {
            language: Some("en".into()),
            participant: Participant {
                id: id.into(),
                name: id.into(),
                role,
                track: 1,
            },
            summary: TrackSummary {
                participant: id.into(),
                file: "call.wav".into(),
                channel: 1,
                duration: 30.0,
                speech: vec![Region {
                    start: 0.0,
                    end: 10.0,
                }],
            },
            segments,
        }
    }

    #[test]
    fn utterances_interleave_by_time_and_split_at_long_pauses() {
        let consultant = Segment {
            start: 0.0,
            end: 9.0,
            words: vec![word("Hello", 0.0, 0.5), word("there.", 0.5, 1.0)],
        };
        // Whisper broke its segment mid-turn: the turn goes on.
        let more = Segment {
            start: 1.2,
            end: 1.6,
            words: vec![word("Well,", 1.2, 1.6), word("Next", 8.0, 9.0)],
        };
        let client = Segment {
            start: 2.0,
            end: 3.0,
            words: vec![word("Hi.", 2.0, 3.0)],
        };
        let call = Call::assemble(
            vec![
                track("p1", Role::Consultant, vec![consultant, more]),
                track("p2", Role::Client, vec![client]),
            ],
            RoleSource::Given,
            vec!["call.wav".into()],
            "m.bin".into(),
        );
        let lines: Vec<(&str, &str)> = call
            .utterances
            .iter()
            .map(|u| (u.speaker.as_str(), u.text.as_str()))
            .collect();
        assert_eq!(
            lines,
            [("p1", "Hello there. Well,"), ("p2", "Hi."), ("p1", "Next")]
        );
        // Each track's one speech region (0–10 s) holds words.
        assert!((call.participants[0].talk_seconds - 10.0).abs() < 1e-9);
        assert!((call.participants[1].talk_share - 0.5).abs() < 1e-9);
        assert!(call.notes.is_empty());
    }

    fn person(id: &str, role: Role) -> Participant {
        Participant {
            id: id.into(),
            name: id.into(),
            role,
            track: 1,
        }
    }

    #[test]
    fn each_track_speaks_its_own_language_and_the_call_the_most_spoken() {
        let mut dutch = track(
            "p2",
            Role::Client,
            vec![Segment {
                start: 2.0,
                end: 4.0,
                words: vec![
                    word("Wat", 2.0, 2.5),
                    word("vindt", 2.5, 3.0),
                    word("u?", 3.0, 4.0),
                ],
            }],
        );
        dutch.language = Some("nl".into());
        let english = track(
            "p1",
            Role::Consultant,
            vec![Segment {
                start: 0.0,
                end: 1.0,
                words: vec![word("Hello.", 0.0, 1.0)],
            }],
        );
        let call = Call::assemble(
            vec![english, dutch],
            RoleSource::Given,
            vec![],
            String::new(),
        );
        let languages: Vec<&str> = call
            .utterances
            .iter()
            .map(|u| u.language.as_str())
            .collect();
        assert_eq!(languages, ["en", "nl"]);
        let by_person: Vec<Option<&str>> = call
            .participants
            .iter()
            .map(|p| p.language.as_deref())
            .collect();
        assert_eq!(by_person, [Some("en"), Some("nl")]);
        assert_eq!(call.language.as_deref(), Some("nl"));
    }

    #[test]
    fn a_transcript_is_read_in_each_speakers_language() {
        let lines = [
            (
                "p1",
                "Goedemiddag. Wat heeft uw voorkeur? We kunnen het plan vrijdag bespreken, of liever volgende week.",
            ),
            (
                "p2",
                "I would rather talk about it next week, when the whole team is back from holiday.",
            ),
            ("p1", "Prima."),
        ];
        let utterances = lines
            .iter()
            .enumerate()
            .map(|(i, (speaker, text))| {
                Utterance::evenly_timed(speaker, i as f64 * 10.0, text, 0.3)
            })
            .collect();
        let people = vec![person("p1", Role::Consultant), person("p2", Role::Client)];
        let mut call =
            Call::from_utterances(people.clone(), utterances, RoleSource::Given, vec![], None);
        let languages: Vec<&str> = call
            .utterances
            .iter()
            .map(|u| u.language.as_str())
            .collect();
        assert_eq!(languages, ["nl", "en", "nl"]);
        call.set_language("en");
        assert!(call.utterances.iter().all(|u| u.language == "en"));
        assert_eq!(call.language.as_deref(), Some("en"));
        // Too little text to tell is English, as transcripts were before.
        let short = Call::from_utterances(
            people,
            vec![Utterance::evenly_timed("p1", 0.0, "Ok.", 0.3)],
            RoleSource::Given,
            vec![],
            None,
        );
        assert_eq!(short.utterances[0].language, "en");
    }

    #[test]
    fn a_transcript_written_before_languages_were_recorded_reads_as_english() {
        let call = Call::from_utterances(
            vec![person("p1", Role::Consultant)],
            vec![Utterance::evenly_timed("p1", 0.0, "Hello there.", 0.3)],
            RoleSource::Given,
            vec![],
            Some("en"),
        );
        let mut json = serde_json::to_value(&call).unwrap();
        json.as_object_mut().unwrap().remove("language");
        json["utterances"][0]
            .as_object_mut()
            .unwrap()
            .remove("language");
        let read: Call = serde_json::from_value(json).unwrap();
        assert_eq!(read.language.as_deref(), Some("en"));
        assert_eq!(read.utterances[0].language, "en");
    }

    #[test]
    fn assumed_roles_and_silent_tracks_are_noted() {
        let mut silent = track("p2", Role::Client, vec![]);
        silent.summary.speech.clear();
        let call = Call::assemble(
            vec![track("p1", Role::Consultant, vec![]), silent],
            RoleSource::AssumedFirstTrack,
            vec![],
            String::new(),
        );
        assert_eq!(call.notes.len(), 2, "{:?}", call.notes);
        assert!(call.notes[1].text.contains("no speech on track"));
    }
}
