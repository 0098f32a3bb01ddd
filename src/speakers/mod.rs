//! Who is who: one participant per track, and which of them is the consultant.
//!
//! With one track per person (a stereo call recorder, a multitrack file, one
//! file per participant) attribution is exact: the track is the person. The
//! role comes from `--consultant SPEC`: a 1-based track number counted across
//! all inputs, or an input file's name (with or without its extension). With
//! no SPEC the first track is taken for the consultant, and the call says
//! that this was assumed. A single mixed track holds everybody; it is not
//! split into speakers here, and the call says so rather than invent a split.

pub mod diarize;
pub mod prints;

use crate::audio::{Track, file_stem, names_file};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SpeakersError {
    #[error("--consultant {spec}: there are {tracks} tracks; give a number from 1 to {tracks}")]
    NoSuchTrack { spec: String, tracks: usize },
    #[error("--consultant {spec}: no input file or track has that name (inputs: {known})")]
    NoSuchName { spec: String, known: String },
    #[error("--consultant {spec}: no speaker has that name or number (speakers: {known})")]
    NoSuchSpeaker { spec: String, known: String },
    #[error(
        "--consultant {spec}: that file has {channels} channels; give the track number instead (tracks {first}–{last})"
    )]
    Ambiguous {
        spec: String,
        channels: u16,
        first: usize,
        last: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Consultant,
    Client,
    /// Anyone else, or several people on one mixed track.
    Other,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Self::Consultant => "Consultant",
            Self::Client => "Client",
            Self::Other => "Other",
        }
    }
}

/// A person (or, for a mixed track, everyone) in the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// Stable id used by utterances: `p1`, `p2`, … in track order.
    pub id: String,
    pub name: String,
    pub role: Role,
    /// 1-based track number across all inputs.
    pub track: usize,
}

/// How roles were decided, for the reader of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleSource {
    /// `--consultant` named the track or speaker.
    Given,
    /// The consultant's name in `rapport.toml` matched a file or speaker.
    Configured,
    /// No `--consultant`: the first track was taken for the consultant.
    AssumedFirstTrack,
    /// No `--consultant`: the first to speak was taken for the consultant.
    AssumedFirstSpeaker,
    /// One mixed track: speakers not separated, roles unknown.
    MixedTrack,
    /// A transcript that names no speakers: roles unknown.
    Unnamed,
}

/// A mono file is its person's file, named by its stem (or by what follows
/// `--` in it: `acme-monday--ann.m4a` is Ann's file of the call
/// `acme-monday`, the naming rule `rapport batch` groups by); a channel is
/// named by its number, and by its file too when there are several inputs.
fn track_name(track: &Track, tracks: &[Track]) -> String {
    if track.channels_in_file == 1 {
        let stem = file_stem(&track.file);
        match stem.rsplit_once("--") {
            Some((_, person)) if !person.trim().is_empty() => person.trim().to_string(),
            _ => stem,
        }
    } else if tracks.iter().all(|t| t.file == track.file) {
        format!("channel {}", track.channel)
    } else {
        format!("{} channel {}", file_stem(&track.file), track.channel)
    }
}

fn consultant_track(spec: &str, tracks: &[Track]) -> Result<usize, SpeakersError> {
    if let Ok(n) = spec.trim().parse::<usize>() {
        return if (1..=tracks.len()).contains(&n) {
            Ok(n - 1)
        } else {
            Err(SpeakersError::NoSuchTrack {
                spec: spec.into(),
                tracks: tracks.len(),
            })
        };
    }
    let hits: Vec<usize> = (0..tracks.len())
        .filter(|&i| names_file(spec, &tracks[i].file))
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(SpeakersError::NoSuchName {
            spec: spec.into(),
            known: tracks
                .iter()
                .map(|t| file_stem(&t.file))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
        }),
        [first, .., last] => Err(SpeakersError::Ambiguous {
            spec: spec.into(),
            channels: tracks[*first].channels_in_file,
            first: first + 1,
            last: last + 1,
        }),
    }
}

/// A name reduced to its letters and digits, lowercased: "Ann Smith",
/// `ann.smith` and `AnnSmith` are one name.
fn folded(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Index of the one candidate the consultant's configured names match:
/// equal when folded, or (for file names such as Zoom's
/// `audioAnnSmith21234.m4a`) contained in it.
fn configured_match(candidates: &[String], known_names: &[String]) -> Option<usize> {
    let names: Vec<String> = known_names
        .iter()
        .map(|n| folded(n))
        .filter(|n| !n.is_empty())
        .collect();
    let hits: Vec<usize> = (0..candidates.len())
        .filter(|&i| {
            let candidate = folded(&candidates[i]);
            names.iter().any(|n| candidate.contains(n.as_str()))
        })
        .collect();
    match hits.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Participants for speakers known by name (an imported transcript, or the
/// speakers separated from a mixed track), in order of first speech. The
/// consultant is `spec` (a 1-based number or a name), else the one the
/// configured names match, else the first to speak, and the call says so.
pub fn assign_named(
    names: &[String],
    spec: Option<&str>,
    known_names: &[String],
) -> Result<(Vec<Participant>, RoleSource), SpeakersError> {
    let (chosen, source) = if let Some(spec) = spec {
        let by_number = spec
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=names.len()).contains(n))
            .map(|n| n - 1);
        let by_name = || {
            let wanted = folded(spec);
            let exact = names.iter().position(|n| folded(n) == wanted);
            exact.or_else(|| configured_match(names, &[spec.to_string()]))
        };
        let chosen = by_number
            .or_else(by_name)
            .ok_or_else(|| SpeakersError::NoSuchSpeaker {
                spec: spec.into(),
                known: names.join(", "),
            })?;
        (chosen, RoleSource::Given)
    } else if let Some(i) = configured_match(names, known_names) {
        (i, RoleSource::Configured)
    } else {
        (0, RoleSource::AssumedFirstSpeaker)
    };
    Ok((
        names
            .iter()
            .enumerate()
            .map(|(i, name)| Participant {
                id: format!("p{}", i + 1),
                name: name.clone(),
                role: if i == chosen {
                    Role::Consultant
                } else {
                    Role::Client
                },
                track: i + 1,
            })
            .collect(),
        source,
    ))
}

/// Names every track's participant and gives each a role: `consultant`
/// names a track, else the consultant's configured names pick a file,
/// else the first track is assumed.
pub fn assign(
    tracks: &[Track],
    consultant: Option<&str>,
    known_names: &[String],
) -> Result<(Vec<Participant>, RoleSource), SpeakersError> {
    let participant = |i: usize, role: Role| Participant {
        id: format!("p{}", i + 1),
        name: track_name(&tracks[i], tracks),
        role,
        track: i + 1,
    };
    if tracks.len() == 1 && consultant.is_none() {
        return Ok((vec![participant(0, Role::Other)], RoleSource::MixedTrack));
    }
    let file_names: Vec<String> = tracks.iter().map(|t| file_stem(&t.file)).collect();
    let (chosen, source) = match consultant {
        Some(spec) => (consultant_track(spec, tracks)?, RoleSource::Given),
        None => match configured_match(&file_names, known_names) {
            Some(i) if tracks[i].channels_in_file == 1 => (i, RoleSource::Configured),
            _ => (0, RoleSource::AssumedFirstTrack),
        },
    };
    let participants = (0..tracks.len())
        .map(|i| {
            participant(
                i,
                if i == chosen {
                    Role::Consultant
                } else {
                    Role::Client
                },
            )
        })
        .collect();
    Ok((participants, source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn track(file: &str, channel: u16, channels: u16) -> Track {
        let mut track = Track::from_samples(&PathBuf::from(file), &[]).unwrap();
        (track.channel, track.channels_in_file) = (channel, channels);
        track
    }

    #[test]
    fn a_channel_number_picks_the_consultant() {
        let tracks = [track("call.wav", 1, 2), track("call.wav", 2, 2)];
        let (people, source) = assign(&tracks, Some("2"), &[]).unwrap();
        assert_eq!(source, RoleSource::Given);
        assert_eq!(
            (people[0].role, people[1].role),
            (Role::Client, Role::Consultant)
        );
        assert_eq!(
            (people[0].name.as_str(), people[1].id.as_str()),
            ("channel 1", "p2")
        );
    }

    #[test]
    fn a_file_name_picks_the_consultant_among_one_file_per_person() {
        let tracks = [track("rec/ann.wav", 1, 1), track("rec/bob.wav", 1, 1)];
        for spec in ["bob", "bob.wav"] {
            let (people, _) = assign(&tracks, Some(spec), &[]).unwrap();
            assert_eq!(people[1].role, Role::Consultant);
            assert_eq!(people[1].name, "bob");
        }
    }

    #[test]
    fn without_a_spec_the_first_track_is_assumed_and_said_so() {
        let tracks = [track("call.wav", 1, 2), track("call.wav", 2, 2)];
        let (people, source) = assign(&tracks, None, &[]).unwrap();
        assert_eq!(source, RoleSource::AssumedFirstTrack);
        assert_eq!(people[0].role, Role::Consultant);
    }

    #[test]
    fn one_mixed_track_is_not_split_and_has_no_roles() {
        let (people, source) = assign(&[track("mix.wav", 1, 1)], None, &[]).unwrap();
        assert_eq!(source, RoleSource::MixedTrack);
        assert_eq!(people[0].role, Role::Other);
    }

    #[test]
    fn bad_specs_say_what_would_work() {
        let tracks = [track("call.wav", 1, 2), track("call.wav", 2, 2)];
        assert_eq!(
            assign(&tracks, Some("3"), &[]).unwrap_err(),
            SpeakersError::NoSuchTrack {
                spec: "3".into(),
                tracks: 2
            }
        );
        let err = assign(&tracks, Some("zoe"), &[]).unwrap_err();
        assert!(err.to_string().contains("inputs: call"), "{err}");
        let err = assign(&tracks, Some("call"), &[]).unwrap_err();
        assert!(err.to_string().contains("tracks 1–2"), "{err}");
    }

    #[test]
    fn configured_names_pick_a_per_person_file() {
        let tracks = [
            track("rec/audioDanaLee11.m4a", 1, 1),
            track("rec/audioAnnSmith12.m4a", 1, 1),
        ];
        let (people, source) = assign(&tracks, None, &["Ann Smith".into()]).unwrap();
        assert_eq!(
            (people[1].role, source),
            (Role::Consultant, RoleSource::Configured)
        );
        let (_, source) = assign(&tracks, None, &["Zoe".into()]).unwrap();
        assert_eq!(source, RoleSource::AssumedFirstTrack);
    }

    #[test]
    fn speakers_are_picked_by_number_name_or_configuration() {
        let names = ["Dana Lee".to_string(), "Ann Smith".to_string()];
        for spec in ["2", "ann smith", "Ann"] {
            let (people, source) = assign_named(&names, Some(spec), &[]).unwrap();
            assert_eq!(
                (people[1].role, source),
                (Role::Consultant, RoleSource::Given),
                "{spec}"
            );
        }
        let (people, source) = assign_named(&names, None, &["ann.smith".into()]).unwrap();
        assert_eq!(
            (people[1].role, source),
            (Role::Consultant, RoleSource::Configured)
        );
        let (people, source) = assign_named(&names, None, &[]).unwrap();
        assert_eq!(
            (people[0].role, source),
            (Role::Consultant, RoleSource::AssumedFirstSpeaker)
        );
        let err = assign_named(&names, Some("Zoe"), &[]).unwrap_err();
        assert!(
            err.to_string().contains("speakers: Dana Lee, Ann Smith"),
            "{err}"
        );
    }
}
