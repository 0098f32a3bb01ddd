//! Stage benchmarks on the shipped sample call (2.5 minutes, stereo 22.05 kHz):
//! decoding + resampling, speech detection, and Whisper on one region.
//! Throughput is reported in audio seconds. Needs `models/ggml-tiny.en.bin`
//! (`scripts/setup`) for the Whisper bench.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rapport::speech::{self, SpeechSettings};
use rapport::transcribe::{Transcriber, WhisperSettings, WhisperTranscriber};
use std::path::Path;
use std::time::Duration;

fn sample() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/call.wav"))
}

fn stages(c: &mut Criterion) {
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

    let model = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/ggml-tiny.en.bin"
    ));
    let mut whisper = WhisperTranscriber::load(model, WhisperSettings::default())
        .expect("the model is installed (scripts/setup)");
    let regions = speech::detect_track(&tracks[0], &SpeechSettings::default()).unwrap();
    let longest = regions
        .iter()
        .max_by(|a, b| a.duration().total_cmp(&b.duration()))
        .expect("the sample has speech");
    let clip = tracks[0].read_call(longest.start, longest.end).unwrap();
    let mut group = c.benchmark_group("whisper");
    group.throughput(Throughput::Elements(longest.duration() as u64));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("transcribe_longest_region (elements = audio s)", |b| {
        b.iter(|| whisper.transcribe(&clip).unwrap());
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
