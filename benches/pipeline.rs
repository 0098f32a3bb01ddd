//! Stage benchmarks on the shipped sample call (2.5 minutes, stereo 22.05 kHz):
//! decoding + resampling, speech detection, and Whisper's encoder + decoder
//! on 15 s of speech, with the encoder's context fitted to it (the default)
//! and with a full 30 s window. Throughput is reported in audio seconds.
//! Needs the default model (`scripts/setup`) for the Whisper benches.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rapport::speech::{self, SpeechSettings};
use rapport::transcribe::{Transcriber, WhisperSettings, WhisperTranscriber};
use std::path::Path;
use std::time::Duration;

fn sample() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/call.wav"))
}

fn stages(c: &mut Criterion) {
    const SECONDS: u64 = 15;
    let tracks = rapport::audio::load_file(sample()).expect("samples/call.wav decodes");
    let seconds: f64 = tracks.iter().map(rapport::audio::Track::duration).sum();

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Elements(seconds as u64));
    group.sample_size(20);
    group.bench_function("decode_and_resample_sample (elements = audio s)", |b| {
        b.iter(|| rapport::audio::load_file(sample()).unwrap());
    });
    group.bench_function("speech_detection_sample (elements = audio s)", |b| {
        b.iter(|| {
            for track in &tracks {
                speech::detect_track(track, &SpeechSettings::default()).unwrap();
            }
        });
    });
    group.finish();

    let model = rapport::model::resolve(rapport::model::ModelChoice::default())
        .expect("the model is installed (scripts/setup)");
    let regions = speech::detect_track(&tracks[0], &SpeechSettings::default()).unwrap();
    // 15 s of the track's speech, packed as the transcriber packs it.
    let samples = SECONDS as usize * rapport::audio::SAMPLE_RATE as usize;
    let mut window = Vec::new();
    for region in &regions {
        window.extend(tracks[0].read_call(region.start, region.end).unwrap());
        if window.len() >= samples {
            break;
        }
    }
    window.truncate(samples);
    let mut group = c.benchmark_group("whisper");
    group.throughput(Throughput::Elements(SECONDS));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    for (name, fit_window) in [("fitted", true), ("full_window", false)] {
        let settings = WhisperSettings {
            fit_window,
            ..WhisperSettings::default()
        };
        let mut whisper = WhisperTranscriber::load(&model, settings).unwrap();
        group.bench_function(format!("transcribe_15s_{name} (elements = audio s)"), |b| {
            b.iter(|| whisper.transcribe(&window, "en").unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
