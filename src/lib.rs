//! rapport: a local, private analyzer of recorded client calls.
//!
//! The pipeline is a chain of stages, each a module with one type at its
//! boundary: [`audio`] decodes recordings into 16 kHz [`audio::Track`]s,
//! [`speech`] finds where each track has speech ([`speech::Region`]s),
//! [`transcribe`] runs Whisper on those regions only
//! ([`transcribe::Segment`]s on the call's timeline), [`speakers`] decides
//! who is who ([`speakers::Participant`]s; [`speakers::diarize`] tells the
//! voices of a single mixed track apart), and [`transcript`] assembles the
//! [`transcript::Call`] that everything downstream reads; [`import`] builds
//! the same call from a WebVTT, SRT or Whisper JSON transcript instead, and
//! [`config`] reads `rapport.toml`; [`report`] renders it. [`signals`]
//! measure the call, with [`detectors`] (learned, or the cue rules)
//! deciding what each utterance is; [`score`] judges the measurements
//! against a rubric, and [`analyze`] does both. [`eval`] measures the
//! detectors against [`labelled`] utterances. [`review`] serves a local
//! page where coaches label a call's moments into its [`annotations`]
//! sidecar, which `eval` measures the detectors against, [`train`] teaches
//! them from, and [`annotations::export`] turns into a training set.
//! [`model`] makes and finds the Whisper model. The library
//! never prints: the binary owns the terminal, and long work reports
//! through a callback.

pub mod annotations;
pub mod audio;
pub mod batch;
pub mod cache;
pub mod config;
pub mod detectors;
pub mod eval;
pub mod import;
pub mod l10n;
pub mod labelled;
pub mod language;
pub mod model;
pub mod report;
pub mod review;
pub mod score;
pub mod signals;
pub mod speakers;
pub mod speech;
pub mod summary;
pub mod text;
pub mod train;
pub mod transcribe;
pub mod transcript;
pub mod voices;

use rayon::prelude::*;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Any stage's failure, as the pipeline passes it up.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Audio(#[from] audio::AudioError),
    #[error(transparent)]
    Speakers(#[from] speakers::SpeakersError),
    #[error(transparent)]
    Import(#[from] import::ImportError),
    #[error(
        "{inputs}: give one transcript, or recordings only (a transcript already says who said what)"
    )]
    MixedInputs { inputs: String },
    #[error(transparent)]
    Transcribe(#[from] transcribe::TranscribeError),
    #[error(transparent)]
    Voices(#[from] voices::VoiceError),
    #[error("{inputs}: no speech found on any track")]
    NoSpeech { inputs: String },
}

/// What the caller decides about one call.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// `--consultant SPEC`: a 1-based track number or an input file's name.
    pub consultant: Option<String>,
    /// The consultant's names from `rapport.toml`, for when `consultant` is not given.
    pub consultant_names: Vec<String>,
    /// `--offset FILE=SECONDS`: where a file starts on the call's timeline.
    pub offsets: Vec<String>,
    /// `--speakers N`: how many people share a single mixed track
    /// (estimated when not given; 1 leaves the track unsplit).
    pub speakers: Option<usize>,
    pub speech: speech::SpeechSettings,
    /// The voice model, when installed: tells the speakers of a mixed
    /// track apart, and hears when two tracks hold one voice.
    pub voices: Option<std::sync::Arc<voices::LazyVoiceModel>>,
}

/// Progress of a transcription, for the caller to show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Seconds of speech transcribed so far, over all tracks.
    pub done: f64,
    /// Seconds of speech to transcribe in all.
    pub total: f64,
}

/// The inputs' transcript and its format when the inputs are one
/// transcript (by extension: `.vtt`, `.srt`, `.json`); `None` when they
/// are recordings.
pub fn transcript_input(inputs: &[PathBuf]) -> Result<Option<(&Path, import::Format)>, Error> {
    let transcripts: Vec<(&Path, import::Format)> = inputs
        .iter()
        .filter_map(|p| import::Format::of(p).map(|f| (p.as_path(), f)))
        .collect();
    match transcripts.as_slice() {
        [] => Ok(None),
        [one] if inputs.len() == 1 => Ok(Some(*one)),
        _ => Err(Error::MixedInputs {
            inputs: inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Audio files in, attributed transcript out: decode every input into
/// tracks, find speech on each, tell apart the voices of a single mixed
/// track, transcribe only the speech, and assemble the call.
pub fn transcribe_call(
    inputs: &[PathBuf],
    options: &CallOptions,
    transcriber: &mut dyn transcribe::Transcriber,
    model_name: &str,
    progress: &mut dyn FnMut(Progress),
) -> Result<transcript::Call, Error> {
    prepare_call(inputs, options)?.transcribe(transcriber, model_name, progress)
}

/// A call made ready for Whisper: its recordings decoded, the speech on
/// each track found, and who is who settled. Needs no model, so a caller
/// can load one meanwhile.
#[derive(Debug)]
pub struct PreparedCall {
    tracks: Vec<audio::Track>,
    regions: Vec<Vec<speech::Region>>,
    /// The speakers of a single mixed track, when more than one was heard.
    split: Option<speakers::diarize::Diarization>,
    people: Vec<speakers::Participant>,
    roles: speakers::RoleSource,
    one_sided: Option<l10n::Note>,
    input_names: Vec<String>,
    /// Of speech on all the tracks together.
    speech_seconds: f64,
    /// A mixed track told apart without the voice model.
    builtin_voices: bool,
}

/// Decodes every input into tracks, finds speech on each, tells apart the
/// voices of a single mixed track and settles the roles: everything of
/// [`transcribe_call`] before Whisper, so that a bad input or a bad
/// `--consultant` costs no transcription.
pub fn prepare_call(inputs: &[PathBuf], options: &CallOptions) -> Result<PreparedCall, Error> {
    let offsets = audio::offsets(inputs, &options.offsets)?;
    let tracks = audio::load(inputs, &offsets)?;
    let mixed = tracks.len() == 1 && options.speakers != Some(1);
    let speech_settings = if mixed {
        options.speech.for_mixed_track()
    } else {
        options.speech
    };
    let regions: Vec<Vec<speech::Region>> = tracks
        .par_iter()
        .map(|t| speech::detect_track(t, &speech_settings))
        .collect::<Result<_, _>>()?;
    let voices = options.voices.as_deref();
    let (split, one_voice) = if mixed {
        tell_voices_apart(&tracks[0], &regions[0], options)?
    } else {
        (None, false)
    };
    let (people, roles) = if let Some(found) = &split {
        let names: Vec<String> = (1..=found.speakers)
            .map(|n| format!("Speaker {n}"))
            .collect();
        speakers::assign_named(&names, options.consultant.as_deref(), &[])?
    } else {
        speakers::assign(
            &tracks,
            options.consultant.as_deref(),
            &options.consultant_names,
        )?
    };
    let one_sided = one_sided(one_voice, &tracks, &regions, &people, voices)?;
    let input_names = inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>();
    let speech_seconds: f64 = regions.iter().map(|r| speech::total_seconds(r)).sum();
    if speech_seconds == 0.0 {
        return Err(Error::NoSpeech {
            inputs: input_names.join(", "),
        });
    }
    Ok(PreparedCall {
        tracks,
        regions,
        split,
        people,
        roles,
        one_sided,
        input_names,
        speech_seconds,
        builtin_voices: mixed && voices.is_none(),
    })
}

impl PreparedCall {
    /// Each track's speech through `transcriber`, and the call assembled.
    pub fn transcribe(
        self,
        transcriber: &mut dyn transcribe::Transcriber,
        model_name: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<transcript::Call, Error> {
        let mut transcripts = transcribe_tracks(
            self.tracks,
            self.regions,
            transcriber,
            self.speech_seconds,
            progress,
        )?;
        if let Some(found) = self.split
            && let Some(heard) = transcripts.pop()
        {
            return Ok(split_mixed_track(
                heard,
                &found,
                self.people,
                self.roles,
                self.input_names,
                model_name,
            ));
        }
        let transcripts = transcripts
            .into_iter()
            .zip(self.people)
            .map(|(heard, participant)| transcript::TrackTranscript {
                summary: transcript::TrackSummary {
                    participant: participant.id.clone(),
                    ..heard.summary
                },
                participant,
                segments: heard.segments,
                language: heard.language,
            })
            .collect();
        let mut call = transcript::Call::assemble(
            transcripts,
            self.roles,
            self.input_names,
            model_name.to_string(),
        );
        if self.builtin_voices {
            call.notes.push(note!("note-builtin-voices"));
        }
        Ok(with_one_side(call, self.one_sided))
    }
}

/// One track as Whisper heard it; whose it is is settled by the caller.
struct TrackHeard {
    summary: transcript::TrackSummary,
    segments: Vec<transcribe::Segment>,
    language: Option<String>,
}

/// Each track's speech through Whisper, in the track's language.
fn transcribe_tracks(
    tracks: Vec<audio::Track>,
    regions: Vec<Vec<speech::Region>>,
    transcriber: &mut dyn transcribe::Transcriber,
    total: f64,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<TrackHeard>, Error> {
    // Every track's language is settled before any is transcribed: Whisper
    // then hears each track's first speech in a full window (see
    // `WhisperTranscriber::detect_language`).
    let languages = tracks
        .iter()
        .zip(&regions)
        .map(|(track, speech)| transcribe::track_language(transcriber, track, speech))
        .collect::<Result<Vec<_>, _>>()?;
    let speech: Vec<transcribe::TrackSpeech> = tracks
        .iter()
        .zip(&regions)
        .zip(&languages)
        .map(|((track, regions), language)| transcribe::TrackSpeech {
            track,
            regions,
            language: language.as_deref().unwrap_or(language::ENGLISH),
        })
        .collect();
    let heard = transcribe::transcribe_tracks(transcriber, &speech, &mut |done| {
        progress(Progress { done, total });
    })?;
    let mut transcripts = Vec::with_capacity(tracks.len());
    for (((track, speech), language), segments) in
        tracks.into_iter().zip(regions).zip(languages).zip(heard)
    {
        let summary = transcript::TrackSummary {
            participant: String::new(),
            file: track.file.display().to_string(),
            channel: track.channel,
            duration: track.end(),
            speech,
        };
        transcripts.push(TrackHeard {
            summary,
            segments,
            language,
        });
    }
    Ok(transcripts)
}

/// The call marked as holding one side only, the reason the first note.
fn with_one_side(mut call: transcript::Call, one_sided: Option<l10n::Note>) -> transcript::Call {
    if let Some(reason) = one_sided {
        call.notes
            .insert(0, note!("note-not-scored", reason = &reason));
        call.recording.one_sided = Some(reason);
    }
    call
}

/// The speakers of a single mixed track (none when one voice was heard),
/// and whether one voice was all there was (estimated, not given).
fn tell_voices_apart(
    track: &audio::Track,
    regions: &[speech::Region],
    options: &CallOptions,
) -> Result<(Option<speakers::diarize::Diarization>, bool), Error> {
    let found = match options.voices.as_deref() {
        Some(model) => speakers::prints::diarize(model.get()?, track, regions, options.speakers)?,
        None => speakers::diarize::diarize(track, regions, options.speakers)?,
    };
    let one_voice = found.speakers == 1 && found.estimated;
    Ok((Some(found).filter(|f| f.speakers > 1), one_voice))
}

/// How much of the quieter track's speech must sound with the other's for
/// it to be checked for being its echo: real two-person calls measured
/// 0.004–0.12 (people take turns), an echo or copy about 1.
const SIMULTANEOUS_FOR_ECHO: f64 = 0.5;

/// Why the recording holds one side of the call only: one voice on a mixed
/// track (`one_voice`), one track with speech and the others none, or
/// (with the voice model) two tracks with the same voice — one channel the
/// other's bleed.
fn one_sided(
    one_voice: bool,
    tracks: &[audio::Track],
    regions: &[Vec<speech::Region>],
    people: &[speakers::Participant],
    voices: Option<&voices::LazyVoiceModel>,
) -> Result<Option<l10n::Note>, Error> {
    if one_voice {
        return Ok(Some(note!("one-sided-one-voice")));
    }
    if tracks.len() < 2 {
        return Ok(None);
    }
    let heard: Vec<usize> = (0..tracks.len())
        .filter(|&i| !regions[i].is_empty())
        .collect();
    if let [only] = heard.as_slice() {
        return Ok(Some(note!(
            "one-sided-one-track",
            name = &people[*only].name,
            silent = tracks.len() - 1
        )));
    }
    // Two people who take turns cannot be one voice and its echo, which
    // sound together: the voice prints (a fifth of a call's analysis time)
    // are only worth making when the two tracks speak at once most of
    // the time.
    if let (Some(model), [a, b]) = (voices, heard.as_slice())
        && speech::simultaneous_share(&regions[*a], &regions[*b]) >= SIMULTANEOUS_FOR_ECHO
    {
        let similarity = speakers::prints::track_similarity(
            model.get()?,
            (&tracks[*a], &regions[*a]),
            (&tracks[*b], &regions[*b]),
        )?;
        if similarity
            .is_some_and(|s| f64::from(s) >= speakers::prints::Thresholds::default().same_voice)
        {
            return Ok(Some(note!(
                "one-sided-same-voice",
                first = &people[*a].name,
                second = &people[*b].name
            )));
        }
    }
    Ok(None)
}

/// The call of one mixed track whose speakers were told apart: one
/// participant per speaker (named in order of first speech), each word
/// given to the speaker heard at its time, and the estimate said so.
fn split_mixed_track(
    track: TrackHeard,
    found: &speakers::diarize::Diarization,
    voices: Vec<speakers::Participant>,
    roles: speakers::RoleSource,
    inputs: Vec<String>,
    model_name: &str,
) -> transcript::Call {
    let mut segments = found.split(track.segments);
    let transcripts = voices
        .into_iter()
        .enumerate()
        .map(|(i, mut participant)| {
            participant.track = 1;
            transcript::TrackTranscript {
                summary: transcript::TrackSummary {
                    participant: participant.id.clone(),
                    speech: found.regions_of(i),
                    ..track.summary.clone()
                },
                participant,
                segments: std::mem::take(&mut segments[i]),
                language: track.language.clone(),
            }
        })
        .collect();
    let mut call = transcript::Call::assemble(transcripts, roles, inputs, model_name.to_string());
    call.recording.diarization = Some(transcript::Diarized {
        speakers: found.speakers,
        estimated: found.estimated,
        separation: found.separation,
        by_voice_prints: found.by_voice_prints,
    });
    call.notes.push(note!(
        "note-voices",
        speakers = found.speakers,
        estimated = if found.estimated { "yes" } else { "no" },
        separation = l10n::Arg::decimal(found.separation, 2),
        method = if found.by_voice_prints {
            "prints"
        } else {
            "builtin"
        },
    ));
    if !found.by_voice_prints {
        call.notes.push(note!("note-builtin-voices"));
    }
    call
}

/// A call with its signals and score: what `rapport analyze` reports.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Analysis {
    #[serde(flatten)]
    pub call: transcript::Call,
    /// The language the summaries and reasons are written in, and the
    /// report's (records from before there was a choice were English).
    #[serde(default)]
    pub report_language: l10n::Lang,
    /// What decided what the utterances are: `rules`, or a learned model's
    /// name and hash (absent in records from before there was a choice).
    #[serde(default)]
    pub detectors: String,
    pub signals: Vec<signals::SignalOutput>,
    pub score: score::Scorecard,
}

impl Analysis {
    /// Every signal's evidence with the signal's id, in time order (ties by
    /// id): the list a reader walks through.
    pub fn evidence_by_time(&self) -> Vec<(&str, &signals::Evidence)> {
        let mut evidence: Vec<_> = self
            .signals
            .iter()
            .flat_map(|s| s.evidence.iter().map(move |e| (s.id.as_str(), e)))
            .collect();
        evidence.sort_by(|a, b| a.1.start.total_cmp(&b.1.start).then(a.0.cmp(b.0)));
        evidence
    }
}

/// Why the call's signals cannot be trusted for its language, if they
/// cannot, in `words`: its cues are read in [`language::ANALYSED`] only, and
/// a call in another would score as one where the consultant asked nothing.
fn unread_language(call: &transcript::Call, words: l10n::Lang) -> Option<String> {
    let unread: u64 = call
        .utterances
        .iter()
        .filter(|u| !language::ANALYSED.contains(&u.language.as_str()))
        .map(|u| u.words.len().max(1) as u64)
        .sum();
    let all: u64 = call
        .utterances
        .iter()
        .map(|u| u.words.len().max(1) as u64)
        .sum();
    // A few words in another language (a greeting, a name) change nothing.
    (unread * 5 > all).then(|| {
        let read = words.language_names(language::ANALYSED.iter().copied());
        let unread: Vec<&str> = call
            .participants
            .iter()
            .filter_map(|p| p.language.as_deref())
            .filter(|l| !language::ANALYSED.contains(l))
            .collect();
        if unread.is_empty() {
            t!(words, "withheld-other-language", read = read)
        } else {
            t!(
                words,
                "withheld-language",
                language = words.language_names(unread),
                read = read
            )
        }
    })
}

/// Runs every signal over the call, with `detectors` deciding what its
/// utterances are, and scores it; the summaries and reasons are written in
/// the language `report` picks for the call. Pure and cheap: an hour-long
/// call takes milliseconds.
pub fn analyze(
    mut call: transcript::Call,
    rubric: &score::Rubric,
    detectors: &detectors::Detectors,
    report: l10n::ReportLanguage,
) -> Analysis {
    let words = report.for_call(call.language.as_deref());
    let signals = signals::run(&call, &rubric.signals, detectors, words);
    let mut score = score::score(&signals, rubric, words);
    if let Some(reason) = &call.recording.one_sided {
        score = score.withhold(&words.note(reason), words);
    } else if let Some(reason) = unread_language(&call, words) {
        score = score.withhold(&reason, words);
    }
    let dutch_by_rules = note!("note-dutch-by-rules");
    if call
        .utterances
        .iter()
        .any(|u| u.language == language::DUTCH)
        && !call.notes.contains(&dutch_by_rules)
    {
        call.notes.push(dutch_by_rules);
    }
    Analysis {
        call,
        report_language: words,
        detectors: detectors.identity(),
        signals,
        score,
    }
}

/// Opens `path` for reading when it is a regular file (a symbolic link to
/// one is followed). Anything else is refused before it is opened: reading
/// a FIFO or a device would wait for ever, and a folder would fail with an
/// error about its format.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is a folder, not a file",
        ));
    }
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is not a regular file (a FIFO, socket or device), so it is not read",
        ));
    }
    std::fs::File::open(path)
}

/// `std::fs::read`, for regular files only ([`open_regular`]).
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut open_regular(path)?, &mut bytes)?;
    Ok(bytes)
}

/// `std::fs::read_to_string`, for regular files only ([`open_regular`]).
pub fn read_regular_to_string(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_regular(path)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Writes through a temporary file in the target's folder, then renames it
/// into place: readers see the old file or the whole new one, never a part,
/// and an interrupted write loses nothing. The file is owner-only (0600), as
/// everything rapport writes about a client's call should be.
///
/// A device or a FIFO (`-o /dev/null`, `-o /dev/stdout`) is written in
/// place: renaming over it would put a regular file where the device was,
/// and for root that breaks `/dev/null` for every program on the machine.
pub fn write_atomically(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if std::fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut out = BufWriter::new(std::fs::OpenOptions::new().write(true).open(target)?);
        write(&mut out)?;
        return out.flush();
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut out = BufWriter::new(temp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    temp.as_file().sync_all()?;
    temp.persist(target).map_err(|e| e.error)?;
    Ok(())
}
