//! Speech to timed words, with Whisper (whisper.cpp through `whisper-rs`).
//!
//! Only the speech regions of a track are transcribed. They are packed one
//! after another, with a short silence between them, into chunks: Whisper
//! encodes 30 s windows, so feeding it one region at a time would pay a full
//! window for every "mm-hm", while packing pays only for the speech. A
//! chunk shorter than a window gets an encoder context sized to it
//! (whisper.cpp's `audio_ctx`) rather than padded to 30 s: the encoder's
//! cost grows with its context (its attention with the square), and it is
//! most of the time spent; short chunks (`chunk_seconds`) make the most of
//! that. Every time Whisper reports is mapped back through
//! the packing onto the call's own timeline. Chunks end at region
//! boundaries, so no word is cut, and the caller hears about progress
//! between chunks. Each default is a measured choice (README, Performance).
//!
//! [`Transcriber`] is the seam: [`WhisperTranscriber`] is the real one; tests
//! of the stages around it may use their own.

use crate::audio::{AudioError, SAMPLE_RATE, Track, call_frames};
use crate::speech::Region;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use thiserror::Error;
use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

#[derive(Debug, Error)]
pub enum TranscribeError {
    #[error(
        "{path}: whisper.cpp could not load this model ({reason}); is it a ggml Whisper model? `rapport model install` makes the default one"
    )]
    Load { path: PathBuf, reason: String },
    #[error(
        "{path} is an English-only model and cannot {what}: run `rapport model install --model base` and pass --model base"
    )]
    EnglishOnly { path: PathBuf, what: String },
    #[error(
        "{language:?} is not a language Whisper knows: give a code such as en, nl, de or fr, several to choose between (en,nl), or auto"
    )]
    UnknownLanguage { language: String },
    #[error("whisper failed on {what}: {reason}")]
    Run { what: String, reason: String },
    #[error(transparent)]
    Audio(#[from] AudioError),
}

/// One word with its time, in seconds on the call's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub start: f64,
    pub end: f64,
    pub text: String,
    /// Whisper's mean token probability for the word, 0–1.
    pub probability: f32,
}

/// A stretch Whisper decoded as one piece: its words, in order. The text is
/// the words joined by spaces (Whisper marks word starts with a space).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub words: Vec<Word>,
}

/// Turns 16 kHz mono audio into segments timed from the audio's start.
pub trait Transcriber {
    /// Transcribes `audio` as speech in `language` (a code: "en", "nl").
    fn transcribe(
        &mut self,
        audio: &[f32],
        language: &str,
    ) -> Result<Vec<Segment>, TranscribeError>;

    /// The language every track is transcribed in, when one was asked for;
    /// `None` when it is detected per track ([`Transcriber::detect_language`]).
    fn fixed_language(&self) -> Option<&str> {
        Some("en")
    }

    /// The language spoken in `audio` (a track's first speech).
    fn detect_language(&mut self, audio: &[f32]) -> Result<String, TranscribeError> {
        let _ = audio;
        Ok(self.fixed_language().unwrap_or("en").to_string())
    }

    /// Seconds of speech to pack into one call of [`Transcriber::transcribe`].
    fn chunk_seconds(&self) -> f64 {
        DEFAULT_CHUNK_SECONDS
    }

    /// Transcribes each of `chunks`, handing `done` each one's index and
    /// segments as it is finished: in order here; in any order where
    /// chunks are transcribed side by side. A chunk's audio is packed only
    /// when it is taken, so few are held at once.
    fn transcribe_all(
        &mut self,
        chunks: &[Chunk],
        done: &mut dyn FnMut(usize, Vec<Segment>),
    ) -> Result<(), TranscribeError> {
        for (i, chunk) in chunks.iter().enumerate() {
            let audio = chunk.pack()?;
            done(i, self.transcribe(&audio, chunk.language)?);
        }
        Ok(())
    }
}

/// One Whisper call's worth of a track's speech: its regions, packed one
/// after another with a short silence between, in the language spoken.
#[derive(Debug)]
pub struct Chunk<'a> {
    pub track: &'a Track,
    pub regions: &'a [Region],
    pub language: &'a str,
}

impl Chunk<'_> {
    /// The packed audio: every region read from the track, each followed
    /// by [`SEPARATOR_SECONDS`] of silence.
    pub fn pack(&self) -> Result<Vec<f32>, TranscribeError> {
        pack(self.track, self.regions)
    }

    /// How long the packed audio is, in samples, without reading it.
    pub fn samples(&self) -> usize {
        self.regions.iter().map(packed_samples).sum()
    }

    /// Where each region starts in the packed audio, as [`Chunk::pack`]
    /// lays them out.
    fn placements(&self) -> Vec<Placement> {
        let mut at = 0;
        self.regions
            .iter()
            .map(|region| {
                let placement = Placement {
                    region: *region,
                    packed_start: at as f64 / f64::from(SAMPLE_RATE),
                };
                at += packed_samples(region);
                placement
            })
            .collect()
    }
}

/// Packed speech per Whisper call, by default: 15 s with a fitted window
/// was measured fastest (README).
pub const DEFAULT_CHUNK_SECONDS: f64 = 15.0;
/// Whisper's window, and the most one encoder pass can hear.
const WINDOW_SECONDS: f64 = 30.0;
/// The encoder's context per second of audio (1500 frames per window).
const CONTEXT_PER_SECOND: f64 = 50.0;
/// The least audio a fitted context covers. Shorter contexts made Whisper
/// garble and repeat short chunks (a track's last, a short clip): with
/// base, word error 25.6 % → 17.4 % on the Dutch clips and 33.6 % →
/// 16.6 % on the English stereo calls; tiny.en 18.0 % → 17.6 %, about 3 %
/// slower, within the runs' noise (README, Performance).
const MIN_CONTEXT_SECONDS: f64 = 10.0;
/// Context added past the end of a fitted chunk, so its last word is not
/// at the very edge of what the encoder sees.
const CONTEXT_MARGIN: i32 = 16;
/// A fitted context is a multiple of this many frames. The encoder's
/// attention products (K·Q and the weights times V, in f16) run on
/// llamafile's tiled kernels only when the context is a multiple of their
/// tile (4 rows for K·Q; 16 columns for the product with V on AVX-512, 8
/// on AVX2); any other length sends them to ggml's one-dot-at-a-time
/// loop, which took a fifth of all the time. Measured: 18 % less time on
/// the stereo calls and the sample (README, Performance).
const CONTEXT_ALIGN: i32 = 32;

/// How Whisper decodes. Defaults follow the measurements in the README.
#[derive(Debug, Clone, PartialEq)]
pub struct WhisperSettings {
    /// CPU threads for whisper.cpp. ggml threads spin while waiting, so the
    /// total across concurrent runs must not exceed the cores.
    pub threads: usize,
    /// The language spoken, or how to tell it.
    pub language: LanguageChoice,
    /// Retry a window at higher temperature when greedy decoding loops or
    /// is unsure (whisper.cpp's fallback). Slower; on packed speech it did
    /// not lower the word error rate (README).
    pub temperature_fallback: bool,
    /// Seconds of speech packed into one Whisper call.
    pub chunk_seconds: f64,
    /// Size the encoder's context to each chunk instead of a full 30 s
    /// window.
    pub fit_window: bool,
    /// ggml's flash attention (a fitted context is then rounded up to 256
    /// frames). Off: 7 % slower on the CPU measured (README).
    pub flash_attention: bool,
    /// Decoding states run side by side, each on a chunk of its own with
    /// its share of `threads`: the decoder's small steps gain little from a
    /// second thread, and a second chunk gains all of it.
    pub states: usize,
}

impl Default for WhisperSettings {
    fn default() -> Self {
        Self {
            threads: default_threads(),
            language: LanguageChoice::Fixed(crate::language::english()),
            temperature_fallback: false,
            chunk_seconds: DEFAULT_CHUNK_SECONDS,
            fit_window: true,
            flash_attention: false,
            states: default_states(default_threads()),
        }
    }
}

/// Which language Whisper transcribes a track in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanguageChoice {
    /// This one (a code: "en", "nl") on every track.
    Fixed(String),
    /// Whisper's guess per track from its first speech, among these codes
    /// (any language Whisper knows when empty). Naming the candidates
    /// helps with accented or synthetic speech: Whisper base took
    /// espeak-ng's Dutch for Afrikaans or Yiddish, and Dutch was still
    /// far ahead of English.
    Detect(Vec<String>),
}

impl LanguageChoice {
    /// As the user writes it: `en`, `en,nl`, `auto`.
    pub fn spec(&self) -> String {
        match self {
            Self::Fixed(code) => code.clone(),
            Self::Detect(candidates) if candidates.is_empty() => "auto".into(),
            Self::Detect(candidates) => candidates.join(","),
        }
    }
}

/// The encoder context for `seconds` of audio: fitted, or whisper.cpp's
/// full window (0) when the audio fills one anyway. With flash attention
/// a fitted context is rounded up to a multiple of 256 frames: whisper.cpp
/// pads the keys to that multiple and runs flash attention without a mask,
/// so the pad rows (zeros, or keys left from an earlier chunk) would be
/// attended to and garble the words.
fn audio_context(seconds: f64, flash_attention: bool) -> i32 {
    const FULL: i32 = (WINDOW_SECONDS * CONTEXT_PER_SECOND) as i32;
    const FLASH_PAD: i32 = 256;
    if seconds >= WINDOW_SECONDS {
        return 0;
    }
    let fitted =
        (seconds.max(MIN_CONTEXT_SECONDS) * CONTEXT_PER_SECOND).ceil() as i32 + CONTEXT_MARGIN;
    let align = if flash_attention {
        FLASH_PAD
    } else {
        CONTEXT_ALIGN
    };
    let aligned = (fitted + align - 1) / align * align;
    if aligned >= FULL { 0 } else { aligned }
}

/// Tokens a second of speech may take, at most: the stereo calls and the
/// sample average 3.2 (text and timestamps), their busiest chunk 4.4.
const TOKENS_PER_SECOND_CAP: f64 = 8.0;
/// Tokens any window may take besides, for a short chunk's timestamps.
const TOKENS_CAP_FLOOR: i32 = 16;

/// The most tokens one window of `seconds` of audio is decoded into.
/// Greedy decoding that loops ("I think I think …") otherwise runs on to
/// whisper.cpp's limit of 220 tokens a window, at ~3 ms each; at the cap
/// the window ends at its last timestamp, whisper.cpp goes on from there,
/// and the repeats are dropped ([`drop_repetition_loops`]). Twice the
/// busiest speech measured, so ordinary speech never meets it.
fn token_cap(seconds: f64) -> i32 {
    (seconds.min(WINDOW_SECONDS) * TOKENS_PER_SECOND_CAP).ceil() as i32 + TOKENS_CAP_FLOOR
}

/// Decoding states for `threads` threads: two, each with half of them,
/// once there are two. On the 2-core machine measured, two states with a
/// thread each took 11 % less time than one with both (README,
/// Performance): the decoder's one-token steps gain little from a second
/// thread, which a second chunk uses in full.
pub fn default_states(threads: usize) -> usize {
    threads.clamp(1, 2)
}

/// All the cores this process may use (whisper.cpp scales to about 8).
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// The real transcriber: one loaded model and its decoding states (as
/// many as `settings.states`), reused for every chunk of every track
/// (loading costs far more than a chunk).
pub struct WhisperTranscriber {
    context: WhisperContext,
    states: Vec<WhisperState>,
    settings: WhisperSettings,
    path: PathBuf,
}

impl std::fmt::Debug for WhisperTranscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperTranscriber")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl WhisperTranscriber {
    pub fn load(model: &Path, settings: WhisperSettings) -> Result<Self, TranscribeError> {
        // Route whisper.cpp's own logging away from the terminal: the binary
        // reports what matters itself.
        whisper_rs::install_logging_hooks();
        let load_error = |reason: String| TranscribeError::Load {
            path: model.to_path_buf(),
            reason,
        };
        let path = model
            .to_str()
            .ok_or_else(|| load_error("the path is not UTF-8".into()))?;
        let mut params = WhisperContextParameters::default();
        params
            .flash_attn(settings.flash_attention)
            .use_gpu(cfg!(feature = "cuda"));
        let context =
            WhisperContext::new_with_params(path, params).map_err(|e| load_error(e.to_string()))?;
        check_language(&context, model, &settings.language)?;
        let states = (0..settings.states.clamp(1, settings.threads.max(1)))
            .map(|_| context.create_state())
            .collect::<Result<_, _>>()
            .map_err(|e| load_error(e.to_string()))?;
        Ok(Self {
            context,
            states,
            settings,
            path: model.to_path_buf(),
        })
    }

    /// Transcribes what follows in `language`, as a model loaded with it
    /// would (a batch reuses one model for calls in several languages).
    pub fn set_language(&mut self, language: LanguageChoice) -> Result<(), TranscribeError> {
        check_language(&self.context, &self.path, &language)?;
        self.settings.language = language;
        Ok(())
    }
}

/// The language to transcribe in when none was asked for: detected per
/// track with a multilingual model, English with an English-only one.
pub fn default_language(model: &Path) -> LanguageChoice {
    if crate::model::is_multilingual(model) == Some(true) {
        LanguageChoice::Detect(Vec::new())
    } else {
        LanguageChoice::Fixed(crate::language::english())
    }
}

/// Reads a `--language` value: `auto`, one language, or several to detect
/// between (`en,nl`), each a code or an English name Whisper knows.
pub fn parse_language(value: &str) -> Result<LanguageChoice, TranscribeError> {
    let unknown = |language: &str| TranscribeError::UnknownLanguage {
        language: language.to_string(),
    };
    if value.trim().eq_ignore_ascii_case("auto") {
        return Ok(LanguageChoice::Detect(Vec::new()));
    }
    let mut codes: Vec<String> = Vec::new();
    for part in value.split(',') {
        let name = part.trim().to_ascii_lowercase();
        // Whisper knows a language by its code or its English name
        // ("dutch"); its lookup takes a C string, so only letters go in.
        let code = (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic() || c == ' '))
            .then(|| whisper_rs::get_lang_id(&name))
            .flatten()
            .and_then(whisper_rs::get_lang_str)
            .ok_or_else(|| unknown(part.trim()))?;
        if !codes.iter().any(|c| c == code) {
            codes.push(code.to_string());
        }
    }
    Ok(match <[String; 1]>::try_from(codes) {
        Ok([one]) => LanguageChoice::Fixed(one),
        Err(several) => LanguageChoice::Detect(several),
    })
}

/// An English-only model can neither detect a language nor hear another.
fn check_language(
    context: &WhisperContext,
    model: &Path,
    language: &LanguageChoice,
) -> Result<(), TranscribeError> {
    if context.is_multilingual() {
        return Ok(());
    }
    let what = match language {
        LanguageChoice::Detect(_) => "detect the language".to_string(),
        LanguageChoice::Fixed(code) if code == crate::language::ENGLISH => return Ok(()),
        LanguageChoice::Fixed(other) => format!("transcribe {}", crate::language::name(other)),
    };
    Err(TranscribeError::EnglishOnly {
        path: model.to_path_buf(),
        what,
    })
}

fn full_params(threads: usize, language: &str) -> FullParams<'_, '_> {
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(threads.max(1) as i32);
    params.set_language(Some(language));
    params.set_translate(false);
    // Re-feeding earlier text makes Whisper repeat itself across the
    // joins between packed regions.
    params.set_no_context(true);
    params.set_token_timestamps(true);
    params.set_suppress_blank(true);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_special(false);
    params.set_print_timestamps(false);
    params
}

impl Transcriber for WhisperTranscriber {
    fn transcribe(
        &mut self,
        audio: &[f32],
        language: &str,
    ) -> Result<Vec<Segment>, TranscribeError> {
        let eot = self.context.token_eot();
        let threads = self.settings.threads;
        run(
            &mut self.states[0],
            eot,
            &self.settings,
            threads,
            audio,
            language,
        )
    }

    fn fixed_language(&self) -> Option<&str> {
        match &self.settings.language {
            LanguageChoice::Fixed(code) => Some(code),
            LanguageChoice::Detect(_) => None,
        }
    }

    /// Whisper's own detection: the first 30 s window of `audio` through
    /// the encoder, and the language tokens' probabilities after the start
    /// of transcript. Runs before any chunk of the call is transcribed:
    /// whisper.cpp encodes it with the context the state's last
    /// transcription was fitted to, and a fresh state uses the full window.
    fn detect_language(&mut self, audio: &[f32]) -> Result<String, TranscribeError> {
        let detect_error = |reason: String| TranscribeError::Run {
            what: "the language".into(),
            reason,
        };
        let state = &mut self.states[0];
        let window = &audio[..audio
            .len()
            .min(WINDOW_SECONDS as usize * SAMPLE_RATE as usize)];
        state
            .pcm_to_mel(window, self.settings.threads)
            .map_err(|e| detect_error(e.to_string()))?;
        let (best, probabilities) = state
            .lang_detect(0, self.settings.threads)
            .map_err(|e| detect_error(e.to_string()))?;
        let candidates = match &self.settings.language {
            LanguageChoice::Detect(candidates) => candidates.as_slice(),
            LanguageChoice::Fixed(_) => &[],
        };
        let id = if candidates.is_empty() {
            best
        } else {
            candidates
                .iter()
                .filter_map(|code| whisper_rs::get_lang_id(code))
                .max_by(|a, b| {
                    let p = |id: &i32| probabilities.get(*id as usize).copied().unwrap_or(0.0);
                    p(a).total_cmp(&p(b))
                })
                .unwrap_or(best)
        };
        whisper_rs::get_lang_str(id)
            .map(str::to_string)
            .ok_or_else(|| detect_error(format!("unknown language id {id}")))
    }

    fn chunk_seconds(&self) -> f64 {
        self.settings.chunk_seconds
    }

    /// The states take the chunks from one queue, longest first, each the
    /// next one as it finishes its last: none waits on a slower chunk
    /// beside it, and the call ends on short ones.
    fn transcribe_all(
        &mut self,
        chunks: &[Chunk],
        done: &mut dyn FnMut(usize, Vec<Segment>),
    ) -> Result<(), TranscribeError> {
        let workers = self.states.len().min(chunks.len());
        let eot = self.context.token_eot();
        let threads = (self.settings.threads / workers.max(1)).max(1);
        let settings = &self.settings;
        let mut order: Vec<usize> = (0..chunks.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(chunks[i].samples()));
        let next = AtomicUsize::new(0);
        let (sender, finished) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            let runs: Vec<_> = self
                .states
                .iter_mut()
                .take(workers)
                .map(|state| {
                    let (next, order, sender) = (&next, &order, sender.clone());
                    scope.spawn(move || {
                        loop {
                            let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                                return;
                            };
                            let chunk = &chunks[i];
                            let result = chunk.pack().and_then(|audio| {
                                run(state, eot, settings, threads, &audio, chunk.language)
                            });
                            let failed = result.is_err();
                            if sender.send((i, result)).is_err() || failed {
                                // The first error ends the call: leave the
                                // other states no chunk to start.
                                next.store(order.len(), Ordering::Relaxed);
                                return;
                            }
                        }
                    })
                })
                .collect();
            drop(sender);
            let mut failure = None;
            for (i, result) in finished {
                match result {
                    Ok(segments) if failure.is_none() => done(i, segments),
                    Ok(_) => {}
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                }
            }
            if runs.into_iter().any(|run| run.join().is_err()) {
                return Err(TranscribeError::Run {
                    what: "a chunk".into(),
                    reason: "the decoding thread panicked".into(),
                });
            }
            failure.map_or(Ok(()), Err)
        })
    }
}

/// One chunk through one decoding state with `threads` threads.
fn run(
    state: &mut WhisperState,
    eot: i32,
    settings: &WhisperSettings,
    threads: usize,
    audio: &[f32],
    language: &str,
) -> Result<Vec<Segment>, TranscribeError> {
    let run_error = |reason: String| TranscribeError::Run {
        what: format!(
            "{:.1} s of audio",
            audio.len() as f64 / f64::from(SAMPLE_RATE)
        ),
        reason,
    };
    let seconds = audio.len() as f64 / f64::from(SAMPLE_RATE);
    let mut params = full_params(threads, language);
    if !settings.temperature_fallback {
        params.set_temperature_inc(0.0);
    }
    if settings.fit_window {
        params.set_audio_ctx(audio_context(seconds, settings.flash_attention));
    }
    params.set_max_tokens(token_cap(seconds));
    state
        .full(params, audio)
        .map_err(|e| run_error(e.to_string()))?;
    let mut segments = Vec::new();
    for segment in state.as_iter() {
        let mut words: Vec<(Vec<u8>, i64, i64, Vec<f32>)> = Vec::new();
        for i in 0..segment.n_tokens() {
            let Some(token) = segment.get_token(i) else {
                continue;
            };
            if token.token_id() >= eot {
                continue;
            }
            let bytes = token.to_bytes().map_err(|e| run_error(e.to_string()))?;
            let data = token.token_data();
            match words.last_mut() {
                Some(word) if !bytes.starts_with(b" ") => {
                    word.0.extend_from_slice(bytes);
                    word.2 = data.t1;
                    word.3.push(data.p);
                }
                _ => words.push((bytes.to_vec(), data.t0, data.t1, vec![data.p])),
            }
        }
        let words: Vec<Word> = words
            .into_iter()
            .filter_map(|(bytes, t0, t1, probabilities)| {
                let text = String::from_utf8_lossy(&bytes).trim().to_string();
                // whisper.cpp writes what it hears as no speech as text
                // ("[BLANK_AUDIO]"); it is not a word anyone said.
                let marker = text.starts_with('[') && text.ends_with(']');
                (!text.is_empty() && !marker).then(|| Word {
                    start: centiseconds(t0),
                    end: centiseconds(t1.max(t0)),
                    text,
                    probability: probabilities.iter().sum::<f32>() / probabilities.len() as f32,
                })
            })
            .collect();
        segments.push(Segment {
            start: centiseconds(segment.start_timestamp()),
            end: centiseconds(segment.end_timestamp()),
            words,
        });
    }
    Ok(segments)
}

fn centiseconds(t: i64) -> f64 {
    t as f64 / 100.0
}

/// Silence put between packed regions, so Whisper hears a break there.
const SEPARATOR_SECONDS: f64 = 0.3;

/// Where one region sits in the packed audio.
#[derive(Debug, Clone, Copy)]
struct Placement {
    region: Region,
    packed_start: f64,
}

/// Index of the placement whose region or trailing separator holds packed time `t`.
fn placement_at(placements: &[Placement], t: f64) -> usize {
    placements.partition_point(|p| p.packed_start <= t).max(1) - 1
}

/// The word before, as placed: its region and whether it ended a sentence.
#[derive(Debug, Clone, Copy)]
struct Previous {
    region: usize,
    ends_sentence: bool,
}

/// Maps a word's packed start and end back to the call, and says which
/// region it was placed in. Whisper's token times are rough at region joins,
/// so a start that falls in a separator is placed by the text: a word that
/// continues the sentence of the word before, in the same region, is that
/// region's tail (held at its end); any other word begins the next region.
/// Words never go back to an earlier region than the word before. An end in
/// a separator is held at the region's end, and no word runs past the end of
/// the region it starts in (none spans a stretch that was cut out).
fn unpack_span(
    placements: &[Placement],
    start: f64,
    end: f64,
    previous: Option<Previous>,
) -> (f64, f64, usize) {
    let mut i = placement_at(placements, start);
    let mut offset = start - placements[i].packed_start;
    let continues = previous.is_some_and(|p| p.region == i && !p.ends_sentence);
    if offset > placements[i].region.duration() && !continues && i + 1 < placements.len() {
        i += 1;
        offset = 0.0;
    }
    if let Some(p) = previous.filter(|p| p.region > i) {
        i = p.region;
        offset = 0.0;
    }
    let region = placements[i].region;
    let call_start = (region.start + offset.max(0.0)).min(region.end);
    let call_end = if placement_at(placements, end) == i {
        (region.start + (end - placements[i].packed_start)).min(region.end)
    } else {
        region.end
    };
    (call_start, call_end.max(call_start), i)
}

fn seconds_to_samples(t: f64) -> usize {
    (t * f64::from(SAMPLE_RATE)).round() as usize
}

fn separator_samples() -> usize {
    seconds_to_samples(SEPARATOR_SECONDS)
}

/// Samples one region takes in packed audio, its separator included.
fn packed_samples(region: &Region) -> usize {
    call_frames(region.start, region.end) + separator_samples()
}

/// `regions` of `track` read one after another, each followed by
/// [`SEPARATOR_SECONDS`] of silence.
fn pack(track: &Track, regions: &[Region]) -> Result<Vec<f32>, TranscribeError> {
    let mut packed = Vec::new();
    for region in regions {
        packed.extend(track.read_call(region.start, region.end)?);
        packed.resize(packed.len() + separator_samples(), 0.0);
    }
    Ok(packed)
}

/// Groups regions into chunks of at most `limit` seconds of packed audio (a
/// longer region is a chunk by itself).
fn chunks(regions: &[Region], limit: f64) -> Vec<&[Region]> {
    let mut out = Vec::new();
    let mut begin = 0;
    let mut length = 0.0;
    for (i, r) in regions.iter().enumerate() {
        if i > begin && length + r.duration() > limit {
            out.push(&regions[begin..i]);
            begin = i;
            length = 0.0;
        }
        length += r.duration() + SEPARATOR_SECONDS;
    }
    if begin < regions.len() {
        out.push(&regions[begin..]);
    }
    out
}

/// Frames a second of the energy [`split_long_regions`] cuts by.
const CUT_FRAMES_PER_SECOND: f64 = 50.0;
/// Seconds of a long region read at once to find where to cut it (a
/// whole number of frames).
const CUT_READ_SECONDS: f64 = 60.0;
/// Frames averaged into the loudness of a possible cut: a pause between
/// words, not the gap inside a stop consonant.
const CUT_SMOOTHING_FRAMES: usize = 5;

/// `regions` with every one longer than `limit` seconds cut into pieces of
/// at most `limit`, each cut at the quietest moment near an even share.
/// Left whole, a long region is heard in whisper.cpp's own full 30 s
/// windows, which cost twice a fitted chunk per second of speech (a
/// 42 s region: 1.73 s of the 8.3 s of three calls). The pieces touch, so
/// the region's time is all still there.
fn split_long_regions(
    track: &Track,
    regions: &[Region],
    limit: f64,
) -> Result<Vec<Region>, TranscribeError> {
    let mut pieces = Vec::with_capacity(regions.len());
    for region in regions {
        if region.duration() <= limit {
            pieces.push(*region);
            continue;
        }
        // Read a minute at a time: a region may be as long as the call.
        let frame = (f64::from(SAMPLE_RATE) / CUT_FRAMES_PER_SECOND) as usize;
        let mut power = Vec::new();
        let mut from = region.start;
        while from < region.end {
            let to = (from + CUT_READ_SECONDS).min(region.end);
            let samples = track.read_call(from, to)?;
            power.extend(
                samples
                    .chunks(frame)
                    .map(|f| f.iter().map(|s| s * s).sum::<f32>() / f.len() as f32),
            );
            from = to;
        }
        let loudness: Vec<f32> = (0..power.len())
            .map(|i| {
                let around = &power[i.saturating_sub(CUT_SMOOTHING_FRAMES / 2)
                    ..(i + CUT_SMOOTHING_FRAMES / 2 + 1).min(power.len())];
                around.iter().sum::<f32>() / around.len() as f32
            })
            .collect();
        let longest = ((limit * CUT_FRAMES_PER_SECOND).floor() as usize).max(1);
        let mut start = 0;
        while loudness.len() - start > longest {
            let left = loudness.len() - start;
            let even = left / left.div_ceil(longest);
            let from = start + (even * 3 / 4).max(1);
            let to = start + (even + even / 4).min(longest);
            let cut = (from..=to)
                .min_by(|&a, &b| loudness[a].total_cmp(&loudness[b]))
                .unwrap_or(to);
            pieces.push(Region {
                start: region.start + start as f64 / CUT_FRAMES_PER_SECOND,
                end: region.start + cut as f64 / CUT_FRAMES_PER_SECOND,
            });
            start = cut;
        }
        pieces.push(Region {
            start: region.start + start as f64 / CUT_FRAMES_PER_SECOND,
            end: region.end,
        });
    }
    Ok(pieces)
}

/// The language of one track: the one asked for, else Whisper's guess from
/// its first 30 s of speech (packed as for transcription); `None` for a
/// track without speech.
pub fn track_language(
    transcriber: &mut dyn Transcriber,
    track: &Track,
    regions: &[Region],
) -> Result<Option<String>, TranscribeError> {
    if let Some(language) = transcriber.fixed_language() {
        return Ok(Some(language.to_string()));
    }
    let Some(first) = chunks(regions, WINDOW_SECONDS - 1.0).into_iter().next() else {
        return Ok(None);
    };
    let packed = pack(track, first)?;
    transcriber.detect_language(&packed).map(Some)
}

/// One track's speech to transcribe: its regions on the call's timeline,
/// and the language they are spoken in.
#[derive(Debug, Clone, Copy)]
pub struct TrackSpeech<'a> {
    pub track: &'a Track,
    pub regions: &'a [Region],
    pub language: &'a str,
}

/// Transcribes the speech of every track, and returns each track's
/// segments on the call's timeline; only a few chunks of audio are read at
/// a time. The chunks of all the tracks form one queue, so decoding states
/// side by side stay busy across a track's end. `progress` hears the
/// seconds of speech done so far, over all the tracks.
pub fn transcribe_tracks(
    transcriber: &mut dyn Transcriber,
    tracks: &[TrackSpeech],
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Vec<Segment>>, TranscribeError> {
    let limit = transcriber.chunk_seconds();
    let pieces = tracks
        .iter()
        .map(|speech| split_long_regions(speech.track, speech.regions, limit))
        .collect::<Result<Vec<_>, _>>()?;
    let (owners, all): (Vec<usize>, Vec<Chunk>) = pieces
        .iter()
        .zip(tracks)
        .enumerate()
        .flat_map(|(t, (pieces, speech))| {
            chunks(pieces, limit).into_iter().map(move |regions| {
                let chunk = Chunk {
                    track: speech.track,
                    regions,
                    language: speech.language,
                };
                (t, chunk)
            })
        })
        .unzip();
    let mut heard: Vec<Option<Vec<Segment>>> = vec![None; all.len()];
    let mut spoken = 0.0;
    transcriber.transcribe_all(&all, &mut |i, found| {
        heard[i] = Some(unpack(&all[i], found));
        spoken += all[i].regions.iter().map(Region::duration).sum::<f64>();
        progress(spoken);
    })?;
    let mut segments = vec![Vec::new(); tracks.len()];
    for (t, found) in owners.into_iter().zip(heard) {
        segments[t].extend(found.ok_or_else(|| TranscribeError::Run {
            what: "a chunk".into(),
            reason: "it was never transcribed".into(),
        })?);
    }
    Ok(segments)
}

/// A chunk's segments with their words moved from the packed audio back
/// to the call's timeline; segments left without words are dropped.
fn unpack(chunk: &Chunk, found: Vec<Segment>) -> Vec<Segment> {
    let placements = chunk.placements();
    let mut segments = Vec::with_capacity(found.len());
    for mut segment in found {
        let mut previous = None;
        for word in &mut segment.words {
            let region;
            (word.start, word.end, region) =
                unpack_span(&placements, word.start, word.end, previous);
            previous = Some(Previous {
                region,
                ends_sentence: word.text.ends_with(['.', '?', '!']),
            });
        }
        drop_repetition_loops(&mut segment.words);
        if let (Some(first), Some(last)) = (segment.words.first(), segment.words.last()) {
            (segment.start, segment.end) = (first.start, last.end);
            segments.push(segment);
        }
    }
    segments
}

/// Whisper sometimes loops ("I think I think I think …"), most often on
/// noise. Keeps at most two consecutive repeats of any 1–4 word phrase.
fn drop_repetition_loops(words: &mut Vec<Word>) {
    const MAX_REPEATS: usize = 2;
    let normal = |w: &Word| {
        w.text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    for n in 1..=4 {
        let mut i = 0;
        while i + n <= words.len() {
            let phrase: Vec<String> = words[i..i + n].iter().map(normal).collect();
            let mut repeats = 1;
            while i + (repeats + 1) * n <= words.len()
                && words[i + repeats * n..i + (repeats + 1) * n]
                    .iter()
                    .map(normal)
                    .eq(phrase.iter().cloned())
            {
                repeats += 1;
            }
            if repeats > MAX_REPEATS {
                words.drain(i + MAX_REPEATS * n..i + repeats * n);
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start: f64) -> Word {
        Word {
            start,
            end: start + 0.3,
            text: text.into(),
            probability: 0.9,
        }
    }

    /// One track's speech through `transcriber`, alone.
    fn transcribe_regions(
        transcriber: &mut dyn Transcriber,
        track: &Track,
        regions: &[Region],
        language: &str,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Vec<Segment>, TranscribeError> {
        let speech = TrackSpeech {
            track,
            regions,
            language,
        };
        Ok(transcribe_tracks(transcriber, &[speech], progress)?.remove(0))
    }

    /// Reports one segment per packed call, with one word at the start of
    /// each region it was given, found by looking for non-zero audio.
    struct RegionEcho;

    impl Transcriber for RegionEcho {
        fn transcribe(&mut self, audio: &[f32], _: &str) -> Result<Vec<Segment>, TranscribeError> {
            let mut words = Vec::new();
            let mut was_silent = true;
            for (i, &s) in audio.iter().enumerate() {
                if s != 0.0 && was_silent {
                    words.push(word(&format!("w{}", words.len()), i as f64 / 16_000.0));
                }
                was_silent = s == 0.0;
            }
            let (start, end) = (words[0].start, words.last().unwrap().end);
            Ok(vec![Segment { start, end, words }])
        }
    }

    #[test]
    fn packed_times_map_back_to_the_call() {
        let mut samples = vec![0.0f32; 16_000 * 20];
        for (from, to) in [(2.0, 3.0), (10.0, 12.5)] {
            for s in &mut samples[seconds_to_samples(from)..seconds_to_samples(to)] {
                *s = 0.1;
            }
        }
        let regions = [
            Region {
                start: 2.0,
                end: 3.0,
            },
            Region {
                start: 10.0,
                end: 12.5,
            },
        ];
        let mut track = Track::from_samples(Path::new("t.wav"), &samples).unwrap();
        let mut seen = Vec::new();
        let segments = transcribe_regions(&mut RegionEcho, &track, &regions, "en", &mut |d| {
            seen.push(d);
        })
        .unwrap();
        let starts: Vec<f64> = segments[0].words.iter().map(|w| w.start).collect();
        assert_eq!(starts.len(), 2);
        assert!(
            (starts[0] - 2.0).abs() < 1e-3 && (starts[1] - 10.0).abs() < 1e-3,
            "{starts:?}"
        );
        assert_eq!(seen, vec![3.5]);

        // A file that started 5 s into the call: the same speech, 5 s later.
        track.offset = 5.0;
        let shifted = regions.map(|r| Region {
            start: r.start + 5.0,
            end: r.end + 5.0,
        });
        let segments =
            transcribe_regions(&mut RegionEcho, &track, &shifted, "en", &mut |_| {}).unwrap();
        let starts: Vec<f64> = segments[0].words.iter().map(|w| w.start).collect();
        assert!(
            (starts[0] - 7.0).abs() < 1e-3 && (starts[1] - 15.0).abs() < 1e-3,
            "{starts:?}"
        );
    }

    /// [`RegionEcho`] with chunks of 1 s, finished last to first when
    /// `backwards`, as decoding states side by side may finish them.
    struct Side {
        backwards: bool,
    }

    impl Transcriber for Side {
        fn transcribe(
            &mut self,
            audio: &[f32],
            language: &str,
        ) -> Result<Vec<Segment>, TranscribeError> {
            RegionEcho.transcribe(audio, language)
        }

        fn chunk_seconds(&self) -> f64 {
            1.0
        }

        fn transcribe_all(
            &mut self,
            chunks: &[Chunk],
            done: &mut dyn FnMut(usize, Vec<Segment>),
        ) -> Result<(), TranscribeError> {
            let mut order: Vec<usize> = (0..chunks.len()).collect();
            if self.backwards {
                order.reverse();
            }
            for i in order {
                let audio = chunks[i].pack()?;
                done(i, self.transcribe(&audio, chunks[i].language)?);
            }
            Ok(())
        }
    }

    /// 20 s of silence with half a second of sound at 1, 4, 8, 12 and 16 s,
    /// and those five regions.
    fn five_short_sounds() -> (Track, [Region; 5]) {
        let mut samples = vec![0.0f32; 16_000 * 20];
        let spoken = [
            (1.0, 1.5),
            (4.0, 4.5),
            (8.0, 8.5),
            (12.0, 12.5),
            (16.0, 16.5),
        ];
        for (from, to) in spoken {
            for s in &mut samples[seconds_to_samples(from)..seconds_to_samples(to)] {
                *s = 0.1;
            }
        }
        let track = Track::from_samples(Path::new("t.wav"), &samples).unwrap();
        (track, spoken.map(|(start, end)| Region { start, end }))
    }

    /// Every word's start, to the millisecond.
    fn word_starts(segments: &[Segment]) -> Vec<f64> {
        segments
            .iter()
            .flat_map(|s| &s.words)
            .map(|w| (w.start * 1000.0).round() / 1000.0)
            .collect()
    }

    #[test]
    fn chunks_side_by_side_map_back_as_one_at_a_time() {
        let (track, regions) = five_short_sounds();
        let run = |backwards| {
            let mut progress = Vec::new();
            let segments =
                transcribe_regions(&mut Side { backwards }, &track, &regions, "en", &mut |d| {
                    progress.push(d);
                })
                .unwrap();
            (word_starts(&segments), progress)
        };
        let (in_order, progress) = run(false);
        assert_eq!(in_order, [1.0, 4.0, 8.0, 12.0, 16.0]);
        let (backwards, progress_backwards) = run(true);
        assert_eq!(backwards, in_order);
        // Progress grows with each chunk, to the same total either way.
        assert_eq!(progress.len(), 5);
        assert!(progress.is_sorted() && progress_backwards.is_sorted());
        assert_eq!(progress.last(), progress_backwards.last());
    }

    #[test]
    fn a_chunk_knows_its_length_and_layout_before_it_is_read() {
        let (mut track, _) = five_short_sounds();
        // The file starts 0.5 s into the call, and the regions' edges fall
        // between samples.
        track.offset = 0.5;
        let regions = [
            Region {
                start: 0.2,
                end: 1.700_03,
            },
            Region {
                start: 4.499_99,
                end: 5.012_345,
            },
            Region {
                start: 19.9,
                end: 21.0,
            },
        ];
        let chunk = Chunk {
            track: &track,
            regions: &regions,
            language: "en",
        };
        let packed = chunk.pack().unwrap();
        assert_eq!(packed.len(), chunk.samples());
        let placements = chunk.placements();
        let mut at = 0;
        for (placement, region) in placements.iter().zip(&regions) {
            assert_eq!(seconds_to_samples(placement.packed_start), at);
            at += track.read_call(region.start, region.end).unwrap().len() + separator_samples();
        }
        assert_eq!(at, packed.len());
    }

    /// Says, as its one word, the language each chunk was given.
    struct LanguageEcho;

    impl Transcriber for LanguageEcho {
        fn transcribe(
            &mut self,
            _: &[f32],
            language: &str,
        ) -> Result<Vec<Segment>, TranscribeError> {
            Ok(vec![Segment {
                start: 0.0,
                end: 0.3,
                words: vec![word(language, 0.0)],
            }])
        }

        fn chunk_seconds(&self) -> f64 {
            1.0
        }
    }

    #[test]
    fn the_tracks_chunks_share_one_queue_and_keep_their_track_and_language() {
        let (track, regions) = five_short_sounds();
        let speech = [
            TrackSpeech {
                track: &track,
                regions: &regions[..3],
                language: "en",
            },
            TrackSpeech {
                track: &track,
                regions: &regions[3..],
                language: "nl",
            },
        ];
        let mut progress = Vec::new();
        let mut backwards = Side { backwards: true };
        let heard = transcribe_tracks(&mut backwards, &speech, &mut |d| progress.push(d)).unwrap();
        assert_eq!(word_starts(&heard[0]), [1.0, 4.0, 8.0]);
        assert_eq!(word_starts(&heard[1]), [12.0, 16.0]);
        assert!(
            (progress.last().unwrap() - 2.5).abs() < 1e-9,
            "{progress:?}"
        );
        let said = transcribe_tracks(&mut LanguageEcho, &speech, &mut |_| {}).unwrap();
        let words = |segments: &[Segment]| -> Vec<String> {
            segments
                .iter()
                .flat_map(|s| &s.words)
                .map(|w| w.text.clone())
                .collect()
        };
        assert_eq!(words(&said[0]), ["en", "en", "en"]);
        assert_eq!(words(&said[1]), ["nl", "nl"]);
    }

    fn placement(start: f64, end: f64, packed_start: f64) -> Placement {
        Placement {
            region: Region { start, end },
            packed_start,
        }
    }

    #[test]
    fn words_at_region_joins_stay_inside_one_region() {
        let placements = [placement(5.0, 6.0, 0.0), placement(9.0, 10.0, 1.3)];
        let mapped = |start, end| {
            let (a, b, _) = unpack_span(&placements, start, end, None);
            ((a * 100.0).round() / 100.0, (b * 100.0).round() / 100.0)
        };
        // Inside one region: shifted by its offset.
        assert_eq!(mapped(0.2, 0.5), (5.2, 5.5));
        // Ends in the separator: held at the region's end.
        assert_eq!(mapped(0.8, 1.2), (5.8, 6.0));
        // Starts in the separator: begins with the next region.
        assert_eq!(mapped(1.1, 1.6), (9.0, 9.3));
        // Runs into the next region: cut at the end of its own.
        assert_eq!(mapped(0.9, 2.0), (5.9, 6.0));
        // Starts in the separator but finishes a sentence: the region before.
        let mid_sentence = Previous {
            region: 0,
            ends_sentence: false,
        };
        assert_eq!(
            unpack_span(&placements, 1.1, 1.6, Some(mid_sentence)),
            (6.0, 6.0, 0)
        );
        // Never behind the word before.
        let later = Previous {
            region: 1,
            ends_sentence: false,
        };
        assert_eq!(unpack_span(&placements, 0.5, 0.7, Some(later)).2, 1);
    }

    #[test]
    fn languages_are_read_as_codes_names_or_choices() {
        let fixed = |code: &str| LanguageChoice::Fixed(code.into());
        assert_eq!(parse_language("nl").unwrap(), fixed("nl"));
        assert_eq!(parse_language(" Dutch ").unwrap(), fixed("nl"));
        assert_eq!(
            parse_language("AUTO").unwrap(),
            LanguageChoice::Detect(vec![])
        );
        let choice = parse_language("en, nl,english").unwrap();
        assert_eq!(
            choice,
            LanguageChoice::Detect(vec!["en".into(), "nl".into()])
        );
        assert_eq!(choice.spec(), "en,nl");
        for bad in ["klingon", "", "en,", "n\0l", "nl;rm"] {
            let err = parse_language(bad).unwrap_err().to_string();
            assert!(
                err.contains("not a language Whisper knows"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn the_encoder_context_is_fitted_to_short_chunks_only() {
        // 50 frames a second and a margin of 16, rounded up to 32 frames.
        assert_eq!(audio_context(15.0, false), 768);
        assert_eq!(audio_context(14.0, false), 736);
        assert_eq!(audio_context(29.9, false), 0);
        // A chunk that fills a window (a long region) keeps whisper.cpp's own.
        assert_eq!(audio_context(30.0, false), 0);
        assert_eq!(audio_context(95.0, false), 0);
        // A short chunk still gets 10 s of context.
        assert_eq!(audio_context(2.0, false), 544);
        for seconds in [2.0, 10.3, 12.5, 14.9, 17.7, 25.0] {
            assert_eq!(audio_context(seconds, false) % 32, 0, "{seconds} s");
        }
        // Flash attention: no pad rows past a fitted context.
        assert_eq!(audio_context(15.0, true), 768);
        assert_eq!(audio_context(2.0, true), 768);
        assert_eq!(audio_context(26.0, true), 0);
    }

    #[test]
    fn long_calls_are_split_into_chunks_at_region_boundaries() {
        let regions: Vec<Region> = (0..100)
            .map(|i| Region {
                start: f64::from(i) * 10.0,
                end: f64::from(i) * 10.0 + 6.0,
            })
            .collect();
        let parts = chunks(&regions, 240.0);
        assert!(parts.len() > 1);
        assert_eq!(parts.iter().map(|c| c.len()).sum::<usize>(), 100);
    }

    #[test]
    fn a_window_is_decoded_into_at_most_eight_tokens_a_second() {
        assert_eq!(token_cap(15.0), 136);
        assert_eq!(token_cap(1.0), 24);
        // whisper.cpp's own limit is 220 a window; a long chunk is decoded
        // a window at a time, so the cap is a window's.
        assert_eq!(token_cap(30.0), 256);
        assert_eq!(token_cap(95.0), token_cap(30.0));
    }

    #[test]
    fn long_regions_are_cut_in_their_pauses_into_pieces_of_a_chunk_at_most() {
        // 40 s of tone from 5 s on, with short pauses at 18 s and 31.5 s.
        let mut samples = vec![0.0f32; 16_000 * 80];
        for (i, s) in samples.iter_mut().enumerate() {
            let t = i as f64 / 16_000.0;
            let paused = (18.0..18.3).contains(&t) || (31.5..31.8).contains(&t);
            if (5.0..45.0).contains(&t) && !paused {
                *s = 0.3 * (t * 200.0 * std::f64::consts::TAU).sin() as f32;
            }
        }
        let track = Track::from_samples(Path::new("t.wav"), &samples).unwrap();
        let short = Region {
            start: 1.0,
            end: 3.0,
        };
        let long = Region {
            start: 5.0,
            end: 45.0,
        };
        let pieces = split_long_regions(&track, &[short, long], 15.0).unwrap();
        assert_eq!(pieces.len(), 4, "{pieces:?}");
        assert_eq!(pieces[0], short);
        let in_pause = |t: f64| (18.0..18.3).contains(&t) || (31.5..31.8).contains(&t);
        assert!(in_pause(pieces[1].end), "{pieces:?}");
        assert!(in_pause(pieces[2].end), "{pieces:?}");
        assert_eq!((pieces[1].start, pieces[3].end), (5.0, 45.0));
        for pair in pieces[1..].windows(2) {
            assert!((pair[0].end - pair[1].start).abs() < 1e-9);
        }
        assert!(
            pieces
                .iter()
                .all(|p| p.duration() <= 15.0 && p.duration() > 0.0)
        );
        // A region as long as the limit, or a limit past every region,
        // changes nothing.
        let whole = split_long_regions(&track, &[long], 40.0).unwrap();
        assert_eq!(whole, vec![long]);
        // A region longer than one read still comes out whole, in pieces.
        let call = Region {
            start: 0.0,
            end: 80.0,
        };
        let pieces = split_long_regions(&track, &[call], 30.0).unwrap();
        assert!(pieces.len() >= 3, "{pieces:?}");
        assert_eq!((pieces[0].start, pieces[pieces.len() - 1].end), (0.0, 80.0));
        assert!(
            pieces
                .windows(2)
                .all(|p| (p[0].end - p[1].start).abs() < 1e-9)
        );
        assert!(pieces.iter().all(|p| p.duration() <= 30.0));
    }

    fn text_of(segment: &Segment) -> String {
        let words: Vec<&str> = segment.words.iter().map(|w| w.text.as_str()).collect();
        words.join(" ")
    }

    /// A segment of one word per second.
    fn segment_of(spoken: &str) -> Segment {
        let words: Vec<Word> = spoken
            .split(' ')
            .enumerate()
            .map(|(i, w)| word(w, i as f64))
            .collect();
        Segment {
            start: 0.0,
            end: words.len() as f64,
            words,
        }
    }

    #[test]
    fn repetition_loops_are_cut_to_two() {
        let mut segment = segment_of("so I think I think I think I think that works");
        drop_repetition_loops(&mut segment.words);
        assert_eq!(text_of(&segment), "so I think I think that works");
    }

    #[test]
    fn ordinary_speech_is_left_alone() {
        let mut segment = segment_of("very very good, that that is fine");
        let before = segment.clone();
        drop_repetition_loops(&mut segment.words);
        assert_eq!(segment, before);
    }
}
