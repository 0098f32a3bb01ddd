//! The CAM++ forward pass against embeddings computed independently, in
//! float64 numpy, by `scripts/campplus-reference.py` (its outputs are
//! `tests/fixtures/campplus-reference.json`), and the model file's checks.

use rapport::speakers::prints;
use rapport::voices::{self, VoiceModel, fbank::Fbank};
use serde_json::Value;
use std::path::Path;

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The model `scripts/test` installs; without it the tests fail, they never skip.
fn voice_model_path() -> std::path::PathBuf {
    let path = project().join("models").join(voices::VOICE_MODEL_FILE);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/test (it installs the model)",
        path.display()
    );
    path
}

fn fixture() -> (Vec<f32>, Value) {
    let dir = project().join("tests/fixtures");
    let samples = hound::WavReader::open(dir.join("voices-16k.wav"))
        .unwrap()
        .into_samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect();
    let reference = serde_json::from_str(
        &std::fs::read_to_string(dir.join("campplus-reference.json")).unwrap(),
    )
    .unwrap();
    (samples, reference)
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn clip<'a>(samples: &'a [f32], entry: &Value) -> &'a [f32] {
    let at = |key: &str| (entry[key].as_f64().unwrap() * 16_000.0).round() as usize;
    &samples[at("start")..at("end")]
}

#[test]
fn filterbank_matches_the_reference() {
    let (samples, reference) = fixture();
    let fbank = &reference["fbank"];
    let name = fbank["clip"].as_str().unwrap();
    let clip = clip(&samples, &reference["embeddings"][name]);
    let ours = Fbank::default();
    let raw = ours.log_mel(clip);
    let normalised = ours.features(clip);
    assert_eq!(raw.len() as u64, fbank["frames"].as_u64().unwrap());
    for (ours, theirs) in raw.iter().zip(floats(&fbank["row_means_raw"])) {
        let mean = ours.iter().sum::<f32>() / ours.len() as f32;
        assert!((mean - theirs).abs() < 1e-3, "{mean} vs {theirs}");
    }
    for (row, theirs) in fbank["first_rows"].as_array().unwrap().iter().enumerate() {
        for (bin, t) in floats(theirs).iter().enumerate() {
            let o = normalised[row][bin];
            assert!((o - t).abs() < 2e-3, "row {row} bin {bin}: {o} vs {t}");
        }
    }
}

#[test]
fn embeddings_match_the_reference() {
    let model = VoiceModel::load(&voice_model_path()).unwrap();
    let (samples, reference) = fixture();
    let clips = reference["embeddings"].as_object().unwrap();
    assert!(clips.len() >= 5);
    let mut ours = std::collections::BTreeMap::new();
    for (name, entry) in clips {
        let embedding = model.embed(clip(&samples, entry)).unwrap();
        let theirs = floats(&entry["embedding"]);
        let cosine = voices::cosine(&embedding, &theirs);
        let worst = embedding
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(
            cosine > 0.9999 && worst < 0.02,
            "{name}: cosine {cosine}, largest difference {worst}"
        );
        ours.insert(name.clone(), embedding);
    }
    // One voice is closer to itself than to the other voice.
    let same = voices::cosine(&ours["client_a"], &ours["client_b"]);
    let across = voices::cosine(&ours["client_a"], &ours["consultant_a"]);
    assert!(same > across + 0.2, "{same} vs {across}");
}

#[test]
fn a_damaged_model_file_is_named_as_such() {
    let good = std::fs::read(voice_model_path()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("flipped", {
            let mut bytes = good.clone();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x40;
            bytes
        }),
        ("empty", Vec::new()),
        ("text", b"not a model".to_vec()),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(format!("{name}.pt"));
        std::fs::write(&path, bytes).unwrap();
        let err = VoiceModel::load(&path).unwrap_err().to_string();
        assert!(
            err.contains(&path.display().to_string())
                && err.contains("not a usable CAM++ voice model"),
            "{name}: {err}"
        );
    }
    let missing = dir.path().join("absent.pt");
    let err = VoiceModel::load(&missing).unwrap_err().to_string();
    assert!(err.contains("absent.pt"), "{err}");
}

/// The sample call's channels (consultant left, client right; two
/// espeak-ng voices), as the pipeline reads them.
fn sample_tracks() -> Vec<rapport::audio::Track> {
    rapport::audio::load_file(&project().join("samples/call.wav")).unwrap()
}

fn speech_of(track: &rapport::audio::Track) -> Vec<rapport::speech::Region> {
    let settings = rapport::speech::SpeechSettings::default().for_mixed_track();
    rapport::speech::detect_track(track, &settings).unwrap()
}

#[test]
fn one_voice_reads_as_one() {
    let model = VoiceModel::load(&voice_model_path()).unwrap();
    for track in sample_tracks() {
        let found = prints::diarize(&model, &track, &speech_of(&track), None).unwrap();
        assert_eq!(found.speakers, 1, "channel {}", track.channel);
    }
}

#[test]
fn two_voices_on_one_track_are_told_apart_and_attributed() {
    let model = VoiceModel::load(&voice_model_path()).unwrap();
    let tracks = sample_tracks();
    let (left, right) = (
        tracks[0].read(0, usize::MAX).unwrap(),
        tracks[1].read(0, usize::MAX).unwrap(),
    );
    let mixed: Vec<f32> = left
        .iter()
        .zip(&right)
        .map(|(a, b)| (a + b) / 2.0)
        .collect();
    let mono = rapport::audio::Track::from_samples(Path::new("mixed"), &mixed).unwrap();
    let found = prints::diarize(&model, &mono, &speech_of(&mono), None).unwrap();
    assert_eq!(found.speakers, 2);
    // The script's times: who speaks when, and the consultant's share.
    let truth = std::fs::read_to_string(project().join("samples/call.truth.tsv")).unwrap();
    let (mut consultant, mut everyone) = (0.0, 0.0);
    let consultant_speaker = found.speaker_at(3.0);
    for line in truth.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (start, end): (f64, f64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let expected = f[0] == "consultant";
        let middle = f64::midpoint(start, end);
        assert_eq!(
            found.speaker_at(middle) == consultant_speaker,
            expected,
            "{line}"
        );
        everyone += end - start;
        if expected {
            consultant += end - start;
        }
    }
    let found_share = {
        let seconds = |s: usize| {
            found
                .turns
                .iter()
                .filter(|t| t.speaker == s)
                .map(|t| t.end - t.start)
                .sum::<f64>()
        };
        seconds(consultant_speaker) / (seconds(0) + seconds(1))
    };
    let true_share = consultant / everyone;
    assert!(
        (found_share - true_share).abs() < 0.03,
        "consultant share {found_share:.3}, script {true_share:.3}"
    );
}

#[test]
fn two_tracks_of_one_voice_are_heard_as_one() {
    let model = VoiceModel::load(&voice_model_path()).unwrap();
    let tracks = sample_tracks();
    let left = tracks[0].read(0, usize::MAX).unwrap();
    let echo: Vec<f32> = (0..left.len())
        .map(|i| i.checked_sub(480).map_or(0.0, |j| left[j] * 0.05))
        .collect();
    let echo = rapport::audio::Track::from_samples(Path::new("echo"), &echo).unwrap();
    let regions = |t: &rapport::audio::Track| speech_of(t);
    let same = prints::track_similarity(
        &model,
        (&tracks[0], &regions(&tracks[0])),
        (&echo, &regions(&echo)),
    )
    .unwrap()
    .unwrap();
    let apart = prints::track_similarity(
        &model,
        (&tracks[0], &regions(&tracks[0])),
        (&tracks[1], &regions(&tracks[1])),
    )
    .unwrap()
    .unwrap();
    let threshold = prints::Thresholds::default().same_voice as f32;
    assert!(
        same >= threshold && apart < threshold,
        "same {same}, apart {apart}"
    );
}
