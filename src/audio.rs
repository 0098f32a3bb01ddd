//! Decoding recordings into 16 kHz mono tracks, one per person.
//!
//! Whisper wants 16 kHz mono f32. Each channel of a recording is one track
//! (stereo call recorders put one person on each side), and several input
//! files are several tracks (Zoom's and Riverside's one file per person),
//! each placed on the call's timeline at its own offset.
//!
//! Any container and codec `symphonia` reads (WAV of every encoding, MP4/M4A
//! with AAC, MP3, FLAC, OGG/Vorbis, MKV/WebM, CAF, AIFF) plus Opus through
//! libopus. Decoding streams: packets are decoded, resampled in blocks, and
//! each channel's 16 kHz samples go to an unlinked temporary file as 16-bit
//! PCM (32 KB per second per track), which the later stages read a window at
//! a time. Memory stays flat whatever the length of the call; the temporary
//! file is owner-only and disappears when the track is dropped, even if the
//! process is killed.

use rubato::{FftFixedIn, Resampler};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::errors::Error as MediaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use thiserror::Error;

/// Whisper's sample rate.
pub const SAMPLE_RATE: u32 = 16_000;
/// Frames resampled at a time.
const BLOCK_FRAMES: usize = 8192;
/// A longer recording is refused: it is not one call, and its temporary
/// audio alone would take gigabytes.
pub const MAX_HOURS: f64 = 12.0;
/// Packets in a row that may fail to decode (a glitch in a long recording)
/// before the file is called corrupt.
const MAX_BAD_PACKETS: usize = 50;

/// Sample rates recorders use, with room either side: a header stating
/// one outside them is damaged, and its audio would be resampled into
/// noise (or nothing) rather than refused.
const SANE_RATES: std::ops::RangeInclusive<u32> = 1_000..=768_000;

#[derive(Debug, Error)]
pub enum AudioError {
    #[error("{path}: cannot open: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error(
        "{path}: not an audio or video file rapport can read ({reason}); it reads WAV, MP4/M4A, MP3, FLAC, OGG, MKV/WebM, CAF and AIFF, and transcripts (.vtt, .srt, .json)"
    )]
    UnknownFormat { path: PathBuf, reason: String },
    #[error("{path}: cannot read this {kind} file; it may be corrupt or truncated ({reason})")]
    Unreadable {
        path: PathBuf,
        kind: String,
        reason: String,
    },
    #[error("{path}: the file has no audio track (a video without sound?)")]
    NoAudioTrack { path: PathBuf },
    #[error(
        "{path}: the audio is encoded as {codec}, which rapport cannot decode; convert it first, e.g. `ffmpeg -i {path} -ac 2 call.wav`"
    )]
    UnsupportedCodec { path: PathBuf, codec: String },
    #[error("{path}: the file is corrupt or truncated after {seconds:.1} s of audio ({reason})")]
    Corrupt {
        path: PathBuf,
        seconds: f64,
        reason: String,
    },
    #[error("{path}: the recording has no audio (zero samples)")]
    NoAudio { path: PathBuf },
    #[error(
        "{path}: the recording is longer than {MAX_HOURS} hours; rapport reads one call at a time, so split it first"
    )]
    TooLong { path: PathBuf },
    #[error("{path}: cannot resample from {rate} Hz: {reason}")]
    Resample {
        path: PathBuf,
        rate: u32,
        reason: String,
    },
    #[error("{path}: cannot write audio: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot keep the decoded audio in a temporary file: {source}")]
    Scratch {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--offset {spec}: {reason}")]
    Offset { spec: String, reason: String },
}

/// One person's side of a call: a mono 16 kHz signal and where it came from.
#[derive(Debug)]
pub struct Track {
    /// The file it was read from.
    pub file: PathBuf,
    /// 1-based channel within that file.
    pub channel: u16,
    /// Channels in that file (1 for a mono file).
    pub channels_in_file: u16,
    /// Where the file starts on the call's timeline, in seconds.
    pub offset: f64,
    frames: usize,
    /// 16-bit little-endian samples; unlinked, so it vanishes with the track.
    scratch: File,
}

impl Track {
    /// A track of samples already in memory (tests, benchmarks, generated audio).
    pub fn from_samples(file: &Path, samples: &[f32]) -> Result<Self, AudioError> {
        let scratch_error = |source| AudioError::Scratch {
            path: file.to_path_buf(),
            source,
        };
        let mut writer = BufWriter::new(tempfile::tempfile().map_err(scratch_error)?);
        write_pcm(&mut writer, samples).map_err(scratch_error)?;
        Ok(Self {
            file: file.to_path_buf(),
            channel: 1,
            channels_in_file: 1,
            offset: 0.0,
            frames: samples.len(),
            scratch: writer
                .into_inner()
                .map_err(|e| scratch_error(e.into_error()))?,
        })
    }

    /// Length of the recording itself, in seconds.
    pub fn duration(&self) -> f64 {
        self.frames as f64 / f64::from(SAMPLE_RATE)
    }

    /// Where the recording ends on the call's timeline, in seconds.
    pub fn end(&self) -> f64 {
        self.offset + self.duration()
    }

    /// Samples `from..to` of the recording itself (clamped to its length).
    pub fn read(&self, from: usize, to: usize) -> Result<Vec<f32>, AudioError> {
        let (from, to) = (from.min(self.frames), to.min(self.frames));
        let mut bytes = vec![0u8; (to.saturating_sub(from)) * 2];
        self.scratch
            .read_exact_at(&mut bytes, from as u64 * 2)
            .map_err(|source| AudioError::Scratch {
                path: self.file.clone(),
                source,
            })?;
        Ok(bytes
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
            .collect())
    }

    /// The stretch `start..end` of the call's timeline, in seconds, as heard
    /// on this track: silence where the recording had not started or had ended.
    pub fn read_call(&self, start: f64, end: f64) -> Result<Vec<f32>, AudioError> {
        let wanted = call_frames(start, end);
        let local_start = start - self.offset;
        let lead = seconds_to_frames((-local_start).max(0.0)).min(wanted);
        let from = seconds_to_frames(local_start.max(0.0));
        let mut samples = vec![0.0; lead];
        samples.extend(self.read(from, from + wanted - lead)?);
        samples.resize(wanted, 0.0);
        Ok(samples)
    }
}

/// Writes the stretch `start..end` of the call's timeline, every track
/// mixed into one, as a 16 kHz 16-bit WAV file (for listening: a review
/// page's player, a clip of a moment). Reads a minute at a time, so an hour
/// costs no more memory than a minute. Tracks are summed, not averaged:
/// people on separate tracks rarely talk at once, and averaging two would
/// halve everyone's volume.
pub fn write_mix(tracks: &[Track], start: f64, end: f64, path: &Path) -> Result<(), AudioError> {
    const CHUNK_SECONDS: f64 = 60.0;
    let error = |source| AudioError::Write {
        path: path.to_path_buf(),
        source,
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    // Owner-only, as everything rapport writes about a client's call.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(error)?;
    let mut wav =
        hound::WavWriter::new(BufWriter::new(file), spec).map_err(|e| error(hound_io(e)))?;
    let mut from = start.max(0.0);
    while from < end {
        let to = (from + CHUNK_SECONDS).min(end);
        let mut mixed = vec![0.0f32; seconds_to_frames(to) - seconds_to_frames(from)];
        for track in tracks {
            for (sum, sample) in mixed.iter_mut().zip(track.read_call(from, to)?) {
                *sum += sample;
            }
        }
        for sample in mixed {
            wav.write_sample((sample.clamp(-1.0, 1.0) * 32767.0).round() as i16)
                .map_err(|e| error(hound_io(e)))?;
        }
        from = to;
    }
    wav.finalize().map_err(|e| error(hound_io(e)))
}

fn hound_io(err: hound::Error) -> std::io::Error {
    match err {
        hound::Error::IoError(io) => io,
        other => std::io::Error::other(other),
    }
}

/// How many samples [`Track::read_call`] gives for `start..end`.
pub fn call_frames(start: f64, end: f64) -> usize {
    seconds_to_frames(end) - seconds_to_frames(start).min(seconds_to_frames(end))
}

pub fn seconds_to_frames(t: f64) -> usize {
    (t.max(0.0) * f64::from(SAMPLE_RATE)).round() as usize
}

fn write_pcm(out: &mut impl Write, samples: &[f32]) -> std::io::Result<()> {
    for s in samples {
        let pcm = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        out.write_all(&pcm.to_le_bytes())?;
    }
    Ok(())
}

/// Whether `spec` names the file at `path`: its name, its name without the
/// extension, or the path as given.
pub fn names_file(spec: &str, path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    name.as_deref() == Some(spec) || file_stem(path) == spec || path == Path::new(spec)
}

pub fn file_stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Parses `--offset NAME=SECONDS` specs and gives each input its offset
/// (0 where none is given). Every spec must name an input.
pub fn offsets(inputs: &[PathBuf], specs: &[String]) -> Result<Vec<f64>, AudioError> {
    let mut offsets = vec![0.0; inputs.len()];
    for spec in specs {
        let error = |reason: String| AudioError::Offset {
            spec: spec.clone(),
            reason,
        };
        let (name, seconds) = spec
            .rsplit_once('=')
            .ok_or_else(|| error("write it as FILE=SECONDS, e.g. bob.m4a=2.5".into()))?;
        let seconds: f64 = seconds
            .trim()
            .parse()
            .ok()
            .filter(|s: &f64| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| {
                error(format!(
                    "{seconds:?} is not a number of seconds ≥ 0 (delay the other files instead)"
                ))
            })?;
        let hits: Vec<usize> = (0..inputs.len())
            .filter(|&i| names_file(name, &inputs[i]))
            .collect();
        match hits.as_slice() {
            [one] => offsets[*one] = seconds,
            [] => return Err(error(format!("no input file is named {name:?}"))),
            _ => return Err(error(format!("several input files are named {name:?}"))),
        }
    }
    Ok(offsets)
}

/// Reads every input file and returns its channels as tracks, in input
/// order, each placed at its file's offset on the call's timeline.
pub fn load(inputs: &[PathBuf], offsets: &[f64]) -> Result<Vec<Track>, AudioError> {
    let mut tracks = Vec::new();
    for (i, path) in inputs.iter().enumerate() {
        let offset = offsets.get(i).copied().unwrap_or(0.0);
        tracks.extend(load_file(path)?.into_iter().map(|t| Track { offset, ..t }));
    }
    Ok(tracks)
}

/// Symphonia's decoders, and Opus (WebM from browsers, some Meet exports)
/// through libopus.
static CODECS: LazyLock<CodecRegistry> = LazyLock::new(|| {
    let mut registry = CodecRegistry::new();
    symphonia::default::register_enabled_codecs(&mut registry);
    registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
    registry
});

/// Reads one recording (any container, rate, encoding and channel count) as tracks.
pub fn load_file(path: &Path) -> Result<Vec<Track>, AudioError> {
    Decoding::new(path, open_media(path)?)?.run()
}

/// The recording's length in seconds as its container states it, without
/// decoding; `None` when the file does not read or does not say. For
/// planning and progress only: decoding finds the true length.
pub fn stated_seconds(path: &Path) -> Option<f64> {
    let format = open_media(path).ok()?;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.track_type() == Some(TrackType::Audio))?;
    let rate = track.codec_params.as_ref()?.audio()?.sample_rate?;
    Some(track.num_frames? as f64 / f64::from(rate))
}

fn open_media(path: &Path) -> Result<Box<dyn FormatReader>, AudioError> {
    let file = crate::open_regular(path).map_err(|source| AudioError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    if file.metadata().is_ok_and(|m| m.len() == 0) {
        return Err(AudioError::Empty {
            path: path.to_path_buf(),
        });
    }
    let stream = MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    symphonia::default::get_probe()
        .probe(
            &hint,
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| {
            let (path, reason) = (path.to_path_buf(), e.to_string());
            match media_kind(&path) {
                // A file named as media that does not read as any is damaged
                // (a recording cut off before its index was written, say).
                Some(kind) => AudioError::Unreadable { path, kind, reason },
                None => AudioError::UnknownFormat { path, reason },
            }
        })
}

/// File extensions of the containers rapport reads.
pub const MEDIA_EXTENSIONS: [&str; 16] = [
    "wav", "wave", "mp4", "m4a", "aac", "mov", "mp3", "flac", "ogg", "oga", "opus", "mkv", "webm",
    "caf", "aiff", "aif",
];

/// The container a file's extension names, if rapport reads that kind.
pub fn media_kind(path: &Path) -> Option<String> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    MEDIA_EXTENSIONS
        .contains(&ext.as_str())
        .then(|| ext.to_ascii_uppercase())
}

/// One file's decode: packets in, 16 kHz channels out to their scratch files.
struct Decoding<'a> {
    path: &'a Path,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn symphonia::core::codecs::audio::AudioDecoder>,
    track_id: u32,
    /// Frames the container promises, where it says.
    promised_frames: Option<u64>,
}

impl<'a> Decoding<'a> {
    fn new(path: &'a Path, format: Box<dyn FormatReader>) -> Result<Self, AudioError> {
        let track = format
            .tracks()
            .iter()
            .find(|t| t.track_type() == Some(TrackType::Audio))
            .ok_or_else(|| AudioError::NoAudioTrack {
                path: path.to_path_buf(),
            })?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| AudioError::NoAudioTrack {
                path: path.to_path_buf(),
            })?;
        let unsupported = || AudioError::UnsupportedCodec {
            path: path.to_path_buf(),
            codec: format!("codec {}", params.codec),
        };
        if CODECS.get_audio_decoder(params.codec).is_none() {
            return Err(unsupported());
        }
        let decoder = CODECS
            .make_audio_decoder(params, &AudioDecoderOptions::default())
            .map_err(|_| unsupported())?;
        let (track_id, promised_frames) = (track.id, track.num_frames);
        Ok(Self {
            path,
            format,
            decoder,
            track_id,
            promised_frames,
        })
    }

    fn run(mut self) -> Result<Vec<Track>, AudioError> {
        let path = self.path;
        let mut output: Option<Output> = None;
        let mut planes: Vec<Vec<f32>> = Vec::new();
        let mut bad_packets = 0;
        let mut frames_in = 0u64;
        loop {
            let seconds_read = output.as_ref().map_or(0.0, Output::seconds_in);
            let corrupt = |reason: String| AudioError::Corrupt {
                path: path.to_path_buf(),
                seconds: seconds_read,
                reason,
            };
            let packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) | Err(MediaError::ResetRequired) => break,
                Err(MediaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    break;
                }
                Err(e) => return Err(corrupt(e.to_string())),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let decoded = match self.decoder.decode(&packet) {
                Ok(decoded) => decoded,
                Err(MediaError::DecodeError(e)) => {
                    bad_packets += 1;
                    if bad_packets > MAX_BAD_PACKETS {
                        return Err(corrupt(format!("undecodable packets in a row: {e}")));
                    }
                    continue;
                }
                Err(e) => return Err(corrupt(e.to_string())),
            };
            bad_packets = 0;
            if decoded.frames() == 0 {
                continue;
            }
            let rate = decoded.spec().rate();
            decoded.copy_to_vecs_planar::<f32>(&mut planes);
            if rate == 0 || planes.is_empty() {
                return Err(corrupt("a sample rate or channel count of zero".into()));
            }
            if !SANE_RATES.contains(&rate) {
                return Err(corrupt(format!(
                    "a sample rate of {rate} Hz, which no recorder uses (a damaged header?)"
                )));
            }
            frames_in += decoded.frames() as u64;
            let out = match &mut output {
                Some(out) => out,
                None => output.insert(Output::new(path, rate, planes.len())?),
            };
            if out.rate != rate || out.pending.len() != planes.len() {
                return Err(corrupt(
                    "the sample rate or channel count changes mid-stream".into(),
                ));
            }
            out.push(&planes)?;
            if out.seconds_in() > MAX_HOURS * 3600.0 {
                return Err(AudioError::TooLong {
                    path: path.to_path_buf(),
                });
            }
        }
        let Some(output) = output.filter(|_| frames_in > 0) else {
            return Err(AudioError::NoAudio {
                path: path.to_path_buf(),
            });
        };
        // A container that states its length (WAV, FLAC, MP4) and holds much
        // less was cut off: say so rather than analyse half a call.
        if let Some(promised) = self.promised_frames {
            let missing = promised.saturating_sub(frames_in);
            if missing > u64::from(output.rate) / 2 && missing * 100 > promised {
                return Err(AudioError::Corrupt {
                    path: path.to_path_buf(),
                    seconds: output.seconds_in(),
                    reason: format!(
                        "the header promises {promised} frames, the file holds {frames_in}"
                    ),
                });
            }
        }
        output.finish()
    }
}

/// Resampling and spilling of one file's channels.
struct Output {
    path: PathBuf,
    rate: u32,
    resampler: Option<FftFixedIn<f32>>,
    /// Input not yet resampled, per channel (less than one block).
    pending: Vec<Vec<f32>>,
    /// The resampler's first output frames are its delay, not audio.
    warm_up_left: usize,
    frames_in: u64,
    frames_out: usize,
    scratch: Vec<BufWriter<File>>,
}

impl Output {
    fn new(path: &Path, rate: u32, channels: usize) -> Result<Self, AudioError> {
        let resampler = (rate != SAMPLE_RATE)
            .then(|| {
                FftFixedIn::<f32>::new(
                    rate as usize,
                    SAMPLE_RATE as usize,
                    BLOCK_FRAMES,
                    2,
                    channels,
                )
            })
            .transpose()
            .map_err(|e| AudioError::Resample {
                path: path.to_path_buf(),
                rate,
                reason: e.to_string(),
            })?;
        let scratch = (0..channels)
            .map(|_| tempfile::tempfile().map(BufWriter::new))
            .collect::<Result<_, _>>()
            .map_err(|source| AudioError::Scratch {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Self {
            path: path.to_path_buf(),
            rate,
            warm_up_left: resampler.as_ref().map_or(0, Resampler::output_delay),
            resampler,
            pending: vec![Vec::with_capacity(BLOCK_FRAMES * 2); channels],
            frames_in: 0,
            frames_out: 0,
            scratch,
        })
    }

    fn seconds_in(&self) -> f64 {
        self.frames_in as f64 / f64::from(self.rate)
    }

    fn resample_error(&self, e: &impl ToString) -> AudioError {
        AudioError::Resample {
            path: self.path.clone(),
            rate: self.rate,
            reason: e.to_string(),
        }
    }

    /// Appends 16 kHz frames to each channel's scratch file, after the
    /// resampler's warm-up.
    fn write<P: AsRef<[f32]>>(&mut self, planes: &[P]) -> Result<(), AudioError> {
        let len = planes.first().map_or(0, |p| p.as_ref().len());
        let skip = self.warm_up_left.min(len);
        self.warm_up_left -= skip;
        for (plane, out) in planes.iter().zip(&mut self.scratch) {
            write_pcm(out, &plane.as_ref()[skip..]).map_err(|source| AudioError::Scratch {
                path: self.path.clone(),
                source,
            })?;
        }
        self.frames_out += len - skip;
        Ok(())
    }

    fn push(&mut self, planes: &[Vec<f32>]) -> Result<(), AudioError> {
        self.frames_in += planes[0].len() as u64;
        if self.resampler.is_none() {
            return self.write(planes);
        }
        for (pending, plane) in self.pending.iter_mut().zip(planes) {
            pending.extend_from_slice(plane);
        }
        while self.pending[0].len() >= BLOCK_FRAMES {
            let block: Vec<&[f32]> = self.pending.iter().map(|p| &p[..BLOCK_FRAMES]).collect();
            let resampler = self.resampler.as_mut().expect("checked above");
            let converted = resampler
                .process(&block, None)
                .map_err(|e| self.resample_error(&e))?;
            self.write(&converted)?;
            for pending in &mut self.pending {
                pending.drain(..BLOCK_FRAMES);
            }
        }
        Ok(())
    }

    /// Flushes the resampler and hands each channel's scratch file to its track.
    fn finish(mut self) -> Result<Vec<Track>, AudioError> {
        let out_frames =
            (self.frames_in * u64::from(SAMPLE_RATE)).div_ceil(u64::from(self.rate)) as usize;
        if let Some(mut resampler) = self.resampler.take() {
            let last = std::mem::take(&mut self.pending);
            let mut converted = resampler
                .process_partial(Some(&last), None)
                .map_err(|e| self.resample_error(&e))?;
            loop {
                self.write(&converted)?;
                if self.frames_out >= out_frames || converted[0].is_empty() {
                    break;
                }
                converted = resampler
                    .process_partial::<Vec<f32>>(None, None)
                    .map_err(|e| self.resample_error(&e))?;
            }
        }
        let channels = self.scratch.len() as u16;
        let frames = self.frames_out.min(out_frames);
        let path = self.path;
        self.scratch
            .into_iter()
            .enumerate()
            .map(|(i, writer)| {
                let scratch = writer.into_inner().map_err(|e| AudioError::Scratch {
                    path: path.clone(),
                    source: e.into_error(),
                })?;
                Ok(Track {
                    file: path.clone(),
                    channel: i as u16 + 1,
                    channels_in_file: channels,
                    offset: 0.0,
                    frames,
                    scratch,
                })
            })
            .collect()
    }
}
#[cfg(test)]
mod tests {
    #[test]
    fn a_mix_sums_the_tracks_on_the_call_timeline() {
        let dir = tempfile::tempdir().unwrap();
        let tone = vec![0.25f32; SAMPLE_RATE as usize];
        let first = Track::from_samples(Path::new("a.wav"), &tone).unwrap();
        let second = Track {
            offset: 0.5,
            ..Track::from_samples(Path::new("b.wav"), &tone).unwrap()
        };
        let path = dir.path().join("mix.wav");
        write_mix(&[first, second], 0.25, 1.75, &path).unwrap();
        let samples: Vec<i16> = hound::WavReader::open(&path)
            .unwrap()
            .into_samples()
            .map(Result::unwrap)
            .collect();
        assert_eq!(samples.len(), 24_000);
        let at = |t: f64| samples[seconds_to_frames(t - 0.25)];
        assert_eq!(at(0.3), 8192, "only the first track");
        assert_eq!(at(0.75), 16384, "both tracks");
        assert_eq!(at(1.4), 8192, "only the second track");
    }

    use super::*;
    use hound::{SampleFormat, WavSpec, WavWriter};
    use std::f32::consts::TAU;

    fn write_wav(path: &Path, rate: u32, channels: u16, seconds: f32, bits: u16) {
        let spec = WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: SampleFormat::Int,
        };
        let mut w = WavWriter::create(path, spec).unwrap();
        let frames = (rate as f32 * seconds) as usize;
        let full_scale = ((1i64 << (bits - 1)) - 1) as f32;
        for i in 0..frames {
            for ch in 0..channels {
                // A 440 Hz tone on channel 1, 1 kHz on channel 2, at half scale.
                let freq = if ch == 0 { 440.0 } else { 1000.0 };
                let v = (TAU * freq * i as f32 / rate as f32).sin() * 0.5;
                w.write_sample((v * full_scale) as i32).unwrap();
            }
        }
        w.finalize().unwrap();
    }

    fn samples(track: &Track) -> Vec<f32> {
        track.read(0, usize::MAX).unwrap()
    }

    fn dominant_frequency(samples: &[f32]) -> f32 {
        let crossings = samples
            .windows(2)
            .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
            .count();
        crossings as f32 / (samples.len() as f32 / SAMPLE_RATE as f32)
    }

    #[test]
    fn stereo_44k1_becomes_two_16k_tracks_of_the_same_length_and_pitch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("call.wav");
        write_wav(&path, 44_100, 2, 2.5, 24);
        let tracks = load_file(&path).unwrap();
        assert_eq!(tracks.len(), 2);
        assert_eq!(samples(&tracks[0]).len(), 40_000);
        assert_eq!((tracks[0].channel, tracks[1].channel), (1, 2));
        assert!((dominant_frequency(&samples(&tracks[0])) - 440.0).abs() < 3.0);
        assert!((dominant_frequency(&samples(&tracks[1])) - 1000.0).abs() < 3.0);
        let peak = samples(&tracks[0]).iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!((peak - 0.5).abs() < 0.02, "peak {peak}");
    }

    #[test]
    fn a_header_stating_a_rate_no_recorder_uses_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for rate in [4_000_000_000u32, 500] {
            // By hand: hound will not write a byte rate past 32 bits.
            let samples: Vec<u8> = (0..8_000i16)
                .flat_map(|i| (i % 50 * 200).to_le_bytes())
                .collect();
            let mut wav = b"RIFF".to_vec();
            wav.extend((36 + samples.len() as u32).to_le_bytes());
            wav.extend(b"WAVEfmt ");
            wav.extend(16u32.to_le_bytes());
            wav.extend(1u16.to_le_bytes()); // PCM
            wav.extend(1u16.to_le_bytes()); // mono
            wav.extend(rate.to_le_bytes());
            wav.extend(rate.wrapping_mul(2).to_le_bytes());
            wav.extend(2u16.to_le_bytes());
            wav.extend(16u16.to_le_bytes());
            wav.extend(b"data");
            wav.extend((samples.len() as u32).to_le_bytes());
            wav.extend(samples);
            let path = dir.path().join(format!("{rate}.wav"));
            std::fs::write(&path, wav).unwrap();
            let err = load_file(&path).unwrap_err().to_string();
            assert!(
                err.contains(&format!("{rate}.wav"))
                    && err.contains(&format!("a sample rate of {rate} Hz")),
                "{err}"
            );
        }
    }

    #[test]
    fn sixteen_khz_mono_passes_through_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mono.wav");
        write_wav(&path, 16_000, 1, 1.0, 16);
        let tracks = load_file(&path).unwrap();
        assert_eq!(tracks.len(), 1);
        assert_eq!(samples(&tracks[0]).len(), 16_000);
    }

    #[test]
    fn truncated_file_is_an_error_with_the_readable_duration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        write_wav(&path, 8_000, 1, 2.0, 16);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let err = load_file(&path).unwrap_err();
        assert!(matches!(err, AudioError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("cut.wav"), "{err}");
    }

    #[test]
    fn empty_and_foreign_files_are_named_errors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.wav");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(load_file(&empty), Err(AudioError::Empty { .. })));
        let text = dir.path().join("notes.wav");
        std::fs::write(&text, b"these are meeting notes, not audio").unwrap();
        let err = load_file(&text).unwrap_err();
        assert!(
            matches!(err, AudioError::Unreadable { .. }) && err.to_string().contains("notes.wav")
        );
    }

    #[test]
    fn header_only_wav_has_no_audio() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("silent.wav");
        write_wav(&path, 16_000, 1, 0.0, 16);
        assert!(matches!(load_file(&path), Err(AudioError::NoAudio { .. })));
    }

    #[test]
    fn telephone_mu_law_and_float_wavs_decode() {
        let mulaw = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tone-mulaw.wav"
        ));
        let tracks = load_file(mulaw).unwrap();
        assert_eq!(tracks.len(), 2);
        assert_eq!(samples(&tracks[0]).len(), 16_000);
        assert!((dominant_frequency(&samples(&tracks[0])) - 440.0).abs() < 5.0);
        assert!((dominant_frequency(&samples(&tracks[1])) - 1000.0).abs() < 5.0);

        let dir = tempfile::tempdir().unwrap();
        let float = dir.path().join("float.wav");
        let spec = WavSpec {
            channels: 1,
            sample_rate: 48_000,
            bits_per_sample: 32,
            sample_format: SampleFormat::Float,
        };
        let mut w = WavWriter::create(&float, spec).unwrap();
        for i in 0..48_000 {
            w.write_sample((TAU * 440.0 * i as f32 / 48_000.0).sin() * 0.25)
                .unwrap();
        }
        w.finalize().unwrap();
        let tracks = load_file(&float).unwrap();
        assert_eq!(samples(&tracks[0]).len(), 16_000);
        assert!((dominant_frequency(&samples(&tracks[0])) - 440.0).abs() < 3.0);
    }

    #[test]
    fn a_late_track_reads_silence_before_its_start() {
        let mut track = Track::from_samples(Path::new("late.wav"), &vec![0.5; 16_000]).unwrap();
        track.offset = 2.0;
        assert!((track.end() - 3.0).abs() < 1e-9);
        let heard = track.read_call(1.5, 2.5).unwrap();
        assert_eq!(heard.len(), 16_000);
        assert!(heard[..8_000].iter().all(|&s| s == 0.0));
        assert!(heard[8_000..].iter().all(|&s| (s - 0.5).abs() < 1e-3));
        assert!(track.read_call(4.0, 5.0).unwrap().iter().all(|&s| s == 0.0));
    }

    #[test]
    fn offsets_name_input_files() {
        let inputs = [PathBuf::from("rec/ann.m4a"), PathBuf::from("rec/bob.m4a")];
        let offsets = offsets(&inputs, &["bob.m4a=2.5".into()]).unwrap();
        assert_eq!(offsets, [0.0, 2.5]);
        for bad in ["bob.m4a", "zoe.m4a=1", "bob=-1", "bob=later"] {
            let err = super::offsets(&inputs, &[bad.into()]).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("--offset {bad}")),
                "{err}"
            );
        }
    }
}
