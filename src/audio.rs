//! Decoding recordings into 16 kHz mono tracks, one per person.
//!
//! Whisper wants 16 kHz mono f32. Each channel of a recording is one track
//! (stereo call recorders put one person on each side), and several input
//! files are several tracks (Zoom's and Riverside's one file per person).
//! Samples are read and resampled in blocks, so the native-rate audio is
//! never held whole; the 16 kHz tracks are (64 KB per second per track).

use hound::{SampleFormat, WavReader};
use rubato::{FftFixedIn, Resampler};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Whisper's sample rate.
pub const SAMPLE_RATE: u32 = 16_000;
const BLOCK_FRAMES: usize = 8192;

#[derive(Debug, Error)]
pub enum AudioError {
    #[error("{path}: cannot open: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: not a readable WAV file ({reason}); only WAV is supported for now")]
    NotWav { path: PathBuf, reason: String },
    #[error(
        "{path}: the WAV file is truncated or corrupt after {seconds:.1} s of audio ({reason})"
    )]
    Truncated {
        path: PathBuf,
        seconds: f64,
        reason: String,
    },
    #[error("{path}: the recording has no audio (zero samples)")]
    NoAudio { path: PathBuf },
    #[error("{path}: cannot resample from {rate} Hz: {reason}")]
    Resample {
        path: PathBuf,
        rate: u32,
        reason: String,
    },
}

/// One person's side of a call: a mono 16 kHz signal and where it came from.
#[derive(Debug, Clone)]
pub struct Track {
    /// The file it was read from.
    pub file: PathBuf,
    /// 1-based channel within that file.
    pub channel: u16,
    /// Channels in that file (1 for a mono file).
    pub channels_in_file: u16,
    pub samples: Vec<f32>,
}

impl Track {
    pub fn duration(&self) -> f64 {
        self.samples.len() as f64 / f64::from(SAMPLE_RATE)
    }
}

/// Reads every input file and returns its channels as tracks, in input order.
pub fn load(inputs: &[PathBuf]) -> Result<Vec<Track>, AudioError> {
    let mut tracks = Vec::new();
    for path in inputs {
        tracks.extend(load_file(path)?);
    }
    Ok(tracks)
}

/// Reads one WAV file (any rate, bit depth and channel count) as tracks.
pub fn load_file(path: &Path) -> Result<Vec<Track>, AudioError> {
    let file = File::open(path).map_err(|source| AudioError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let is_empty = file.metadata().is_ok_and(|m| m.len() == 0);
    if is_empty {
        return Err(AudioError::Empty {
            path: path.to_path_buf(),
        });
    }
    let reader = WavReader::new(BufReader::new(file)).map_err(|e| AudioError::NotWav {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let spec = reader.spec();
    if reader.duration() == 0 {
        return Err(AudioError::NoAudio {
            path: path.to_path_buf(),
        });
    }
    let channels = usize::from(spec.channels);
    let signals = decode_resampled(reader, path)?;
    Ok(signals
        .into_iter()
        .enumerate()
        .map(|(i, samples)| Track {
            file: path.to_path_buf(),
            channel: i as u16 + 1,
            channels_in_file: channels as u16,
            samples,
        })
        .collect())
}

type Samples<'a> = Box<dyn Iterator<Item = Result<f32, hound::Error>> + 'a>;

/// The file's samples as f32 in [-1, 1], whatever their encoding.
fn samples_f32(reader: &mut WavReader<BufReader<File>>) -> Samples<'_> {
    let spec = reader.spec();
    match spec.sample_format {
        SampleFormat::Float => Box::new(reader.samples::<f32>()),
        SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            Box::new(
                reader
                    .samples::<i32>()
                    .map(move |s| s.map(|v| v as f32 * scale)),
            )
        }
    }
}

/// Deinterleaves up to [`BLOCK_FRAMES`] frames into `block` (one vector per
/// channel); returns how many frames it read, or why it had to stop.
fn read_block(samples: &mut Samples<'_>, block: &mut [Vec<f32>]) -> Result<usize, String> {
    for ch in block.iter_mut() {
        ch.clear();
    }
    for frame in 0..BLOCK_FRAMES {
        for (c, ch) in block.iter_mut().enumerate() {
            match samples.next() {
                Some(Ok(v)) => ch.push(v),
                Some(Err(e)) => return Err(e.to_string()),
                None if c == 0 => return Ok(frame),
                None => return Err("the last frame is incomplete".into()),
            }
        }
    }
    Ok(BLOCK_FRAMES)
}

/// Streams the samples block by block, resampling each to 16 kHz.
fn decode_resampled(
    mut reader: WavReader<BufReader<File>>,
    path: &Path,
) -> Result<Vec<Vec<f32>>, AudioError> {
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    let rate = spec.sample_rate;
    let total_frames = reader.duration() as usize;
    let out_frames =
        (total_frames as u64 * u64::from(SAMPLE_RATE)).div_ceil(u64::from(rate)) as usize;
    let resample_error = |reason: String| AudioError::Resample {
        path: path.to_path_buf(),
        rate,
        reason,
    };
    let truncated = |frames_read: usize, reason: String| AudioError::Truncated {
        path: path.to_path_buf(),
        seconds: frames_read as f64 / f64::from(rate),
        reason,
    };
    let mut resampler = (rate != SAMPLE_RATE)
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
        .map_err(|e| resample_error(e.to_string()))?;

    let mut samples = samples_f32(&mut reader);
    let mut output: Vec<Vec<f32>> = vec![Vec::with_capacity(out_frames + BLOCK_FRAMES); channels];
    let mut block: Vec<Vec<f32>> = vec![Vec::with_capacity(BLOCK_FRAMES); channels];
    let mut frames_read = 0usize;
    loop {
        let filled = read_block(&mut samples, &mut block).map_err(|e| truncated(frames_read, e))?;
        frames_read += filled;
        let Some(r) = resampler.as_mut() else {
            append(&mut output, block.iter().map(Vec::as_slice));
            if filled < BLOCK_FRAMES {
                break;
            }
            continue;
        };
        if filled == BLOCK_FRAMES {
            let converted = r
                .process(&block, None)
                .map_err(|e| resample_error(e.to_string()))?;
            append(&mut output, converted.iter().map(Vec::as_slice));
            continue;
        }
        // The last block: flush the resampler and drop its delay.
        let converted = r
            .process_partial(Some(&block), None)
            .map_err(|e| resample_error(e.to_string()))?;
        append(&mut output, converted.iter().map(Vec::as_slice));
        let delay = r.output_delay();
        while output[0].len() < out_frames + delay {
            let tail = r
                .process_partial::<Vec<f32>>(None, None)
                .map_err(|e| resample_error(e.to_string()))?;
            append(&mut output, tail.iter().map(Vec::as_slice));
        }
        for out in &mut output {
            out.drain(..delay);
        }
        break;
    }
    if frames_read < total_frames {
        return Err(truncated(
            frames_read,
            format!("the header promises {total_frames} frames, the file holds {frames_read}"),
        ));
    }
    for out in &mut output {
        out.truncate(out_frames);
        out.shrink_to_fit();
    }
    Ok(output)
}

fn append<'a>(output: &mut [Vec<f32>], block: impl Iterator<Item = &'a [f32]>) {
    for (out, ch) in output.iter_mut().zip(block) {
        out.extend_from_slice(ch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hound::{WavSpec, WavWriter};
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
        assert_eq!(tracks[0].samples.len(), 40_000);
        assert_eq!((tracks[0].channel, tracks[1].channel), (1, 2));
        assert!((dominant_frequency(&tracks[0].samples) - 440.0).abs() < 3.0);
        assert!((dominant_frequency(&tracks[1].samples) - 1000.0).abs() < 3.0);
        let peak = tracks[0].samples.iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!((peak - 0.5).abs() < 0.02, "peak {peak}");
    }

    #[test]
    fn sixteen_khz_mono_passes_through_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mono.wav");
        write_wav(&path, 16_000, 1, 1.0, 16);
        let tracks = load_file(&path).unwrap();
        assert_eq!(tracks.len(), 1);
        assert_eq!(tracks[0].samples.len(), 16_000);
    }

    #[test]
    fn truncated_file_is_an_error_with_the_readable_duration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        write_wav(&path, 8_000, 1, 2.0, 16);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let err = load_file(&path).unwrap_err();
        assert!(matches!(err, AudioError::Truncated { .. }), "{err}");
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
        assert!(matches!(err, AudioError::NotWav { .. }) && err.to_string().contains("notes.wav"));
    }

    #[test]
    fn header_only_wav_has_no_audio() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("silent.wav");
        write_wav(&path, 16_000, 1, 0.0, 16);
        assert!(matches!(load_file(&path), Err(AudioError::NoAudio { .. })));
    }
}
