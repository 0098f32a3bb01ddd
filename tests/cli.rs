//! The `rapport` command line, end to end, with the real Whisper model on
//! real (synthesised) speech the project makes itself. `scripts/test`
//! installs the model first; without it these tests fail, they never skip.

use assert_cmd::Command;
use rapport::speakers::Role;
use rapport::text::{normalized_words, word_error_rate};
use rapport::transcript::Call;
use std::path::{Path, PathBuf};

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn model() -> PathBuf {
    let path = project().join("models/ggml-tiny.en.bin");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/test (it installs the model)",
        path.display()
    );
    path
}

/// ggml threads spin while they wait, so two transcriptions sharing the
/// cores run many times slower: tests in this binary take turns.
static WHISPER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn whisper_turn() -> std::sync::MutexGuard<'static, ()> {
    WHISPER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn rapport() -> Command {
    let mut cmd = Command::cargo_bin("rapport").unwrap();
    cmd.env_remove("RAPPORT_MODEL");
    cmd
}

fn transcribe_json(args: &[&str]) -> Call {
    let _turn = whisper_turn();
    let output = rapport()
        .arg("transcribe")
        .args(args)
        .arg("--format=json")
        .arg("--model")
        .arg(model())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "rapport failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the JSON output is a Call")
}

/// One scripted line of `samples/call.truth.tsv`.
#[derive(Debug)]
struct Line {
    role: Role,
    start: f64,
    end: f64,
    text: String,
}

fn sample_truth() -> Vec<Line> {
    let tsv = std::fs::read_to_string(project().join("samples/call.truth.tsv")).unwrap();
    tsv.lines()
        .skip(1)
        .map(|row| {
            let cols: Vec<&str> = row.splitn(4, '\t').collect();
            Line {
                role: if cols[0] == "consultant" {
                    Role::Consultant
                } else {
                    Role::Client
                },
                start: cols[1].parse().unwrap(),
                end: cols[2].parse().unwrap(),
                text: cols[3].to_string(),
            }
        })
        .collect()
}

fn role_of(call: &Call, speaker: &str) -> Role {
    call.participant(speaker)
        .expect("utterances name participants")
        .person
        .role
}

#[test]
fn sample_call_is_transcribed_attributed_and_only_its_speech_is_sent() {
    let call = transcribe_json(&["samples/call.wav", "--consultant", "1"]);
    let truth = sample_truth();
    assert_eq!(call.schema_version, rapport::transcript::SCHEMA_VERSION);
    assert_eq!(call.participants.len(), 2);
    assert!(call.notes.is_empty(), "roles were given: {:?}", call.notes);

    // The words: the whole transcript against the whole script. espeak-ng's
    // voices are harder than people for tiny.en; measured 0.12 here.
    let script: Vec<&str> = truth.iter().map(|l| l.text.as_str()).collect();
    let heard: Vec<&str> = call.utterances.iter().map(|u| u.text.as_str()).collect();
    let wer = word_error_rate(&script.join(" "), &heard.join(" "));
    assert!(wer < 0.2, "word error rate {wer:.3}\n{}", heard.join("\n"));

    // Attribution: every utterance is said by its speaker while that
    // speaker is scripted to talk, and no scripted line goes unheard.
    let overlaps = |u: &rapport::transcript::Utterance, l: &Line| {
        u.start < l.end + 0.3 && u.end > l.start - 0.3
    };
    for u in &call.utterances {
        let role = role_of(&call, &u.speaker);
        assert!(
            truth.iter().any(|l| l.role == role && overlaps(u, l)),
            "{role:?} is not scripted to speak at {:.1}–{:.1}: {:?}",
            u.start,
            u.end,
            u.text
        );
    }
    for line in &truth {
        let heard: Vec<String> = call
            .utterances
            .iter()
            .filter(|u| role_of(&call, &u.speaker) == line.role && overlaps(u, line))
            .flat_map(|u| normalized_words(&u.text))
            .collect();
        let scripted = normalized_words(&line.text);
        let found = scripted.iter().filter(|w| heard.contains(w)).count();
        assert!(
            found * 2 >= scripted.len(),
            "line {:?} is mostly lost: heard {heard:?}",
            line.text
        );
    }

    // Speech activity: silence is not sent to Whisper, yet talk time holds.
    let all_audio = call.recording.audio_seconds;
    assert!((all_audio - 2.0 * call.duration).abs() < 0.01);
    assert!(
        call.recording.transcribed_seconds < 0.75 * all_audio,
        "{:.1} s of {all_audio:.1} s sent to Whisper",
        call.recording.transcribed_seconds
    );
    let scripted = |role| {
        truth
            .iter()
            .filter(|l| l.role == role)
            .map(|l| l.end - l.start)
            .sum::<f64>()
    };
    let consultant_share =
        scripted(Role::Consultant) / (scripted(Role::Consultant) + scripted(Role::Client));
    let measured = call
        .participants
        .iter()
        .find(|p| p.person.role == Role::Consultant)
        .unwrap()
        .talk_share;
    assert!(
        (measured - consultant_share).abs() < 0.05,
        "consultant talk share {measured:.3}, scripted {consultant_share:.3}"
    );

    // The scripted interruption survives as overlapping speech.
    assert!(
        call.utterances
            .windows(2)
            .any(|w| w[0].speaker != w[1].speaker && w[1].start < w[0].end),
        "no overlap between speakers was kept"
    );
}

/// Speaks `text` with espeak-ng into a WAV of its native 22.05 kHz, after
/// `lead` seconds of silence.
fn speak(dir: &Path, name: &str, voice: &str, lead: f64, text: &str) -> PathBuf {
    let raw = dir.join(format!("{name}.raw.wav"));
    let status = std::process::Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&raw)
        .arg(text)
        .status()
        .expect("espeak-ng runs (scripts/test installs it)");
    assert!(status.success());
    let mut reader = hound::WavReader::open(&raw).unwrap();
    let spec = reader.spec();
    let path = dir.join(format!("{name}.wav"));
    let mut writer = hound::WavWriter::create(&path, spec).unwrap();
    for _ in 0..(lead * f64::from(spec.sample_rate)) as usize {
        writer.write_sample(0i16).unwrap();
    }
    for s in reader.samples::<i16>() {
        writer.write_sample(s.unwrap()).unwrap();
    }
    writer.finalize().unwrap();
    path
}

#[test]
fn one_file_per_participant_with_the_consultant_named_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let ann = speak(
        dir.path(),
        "ann",
        "en-gb",
        0.3,
        "Could you send me the proposal before the board meeting?",
    );
    let sam = speak(
        dir.path(),
        "sam",
        "en-us",
        4.5,
        "Yes, I will send the proposal on Thursday morning.",
    );
    let call = transcribe_json(&[
        ann.to_str().unwrap(),
        sam.to_str().unwrap(),
        "--consultant",
        "sam",
    ]);

    let names: Vec<(&str, Role)> = call
        .participants
        .iter()
        .map(|p| (p.person.name.as_str(), p.person.role))
        .collect();
    assert_eq!(names, [("ann", Role::Client), ("sam", Role::Consultant)]);
    assert_eq!(call.utterances.len(), 2, "{:?}", call.utterances);
    let (first, second) = (&call.utterances[0], &call.utterances[1]);
    assert_eq!(
        (
            role_of(&call, &first.speaker),
            role_of(&call, &second.speaker)
        ),
        (Role::Client, Role::Consultant)
    );
    assert!(
        word_error_rate(
            "Could you send me the proposal before the board meeting?",
            &first.text
        ) <= 0.2,
        "{}",
        first.text
    );
    assert!(
        word_error_rate(
            "Yes, I will send the proposal on Thursday morning.",
            &second.text
        ) <= 0.2,
        "{}",
        second.text
    );
    assert!(
        second.start > 4.0,
        "sam starts after 4.5 s of silence, not at {:.2}",
        second.start
    );
    assert!(
        second
            .words
            .iter()
            .all(|w| w.start >= second.start && w.end <= second.end)
    );
}

#[test]
fn text_output_attributes_each_line_and_notes_a_mixed_track() {
    let dir = tempfile::tempdir().unwrap();
    let ann = speak(
        dir.path(),
        "ann",
        "en-gb",
        0.2,
        "Good afternoon, thank you for calling.",
    );
    let out = rapport()
        .arg("transcribe")
        .arg(&ann)
        .arg("--model")
        .arg(model())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("note: one mixed track"), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with('['))
        .expect("an utterance line");
    assert!(
        line.starts_with("[00:0") && line.contains("] ann: "),
        "{line}"
    );
}

fn fails_with(cmd: &mut Command, needles: &[&str]) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit status for {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
}

#[test]
fn bad_audio_gets_a_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.path().join("minutes.wav");
    std::fs::write(&text, "Minutes of the meeting, not audio.").unwrap();
    let truncated = dir.path().join("cut.wav");
    let whole = std::fs::read(project().join("samples/call.wav")).unwrap();
    std::fs::write(&truncated, &whole[..whole.len() / 3]).unwrap();
    let missing = dir.path().join("nowhere.wav");

    for (file, problem) in [
        (&empty, "empty"),
        (&text, "not a readable WAV"),
        (&truncated, "truncated"),
        (&missing, "cannot open"),
    ] {
        fails_with(
            rapport()
                .arg("transcribe")
                .arg(file)
                .arg("--model")
                .arg(model()),
            &[&file.display().to_string(), problem],
        );
    }
}

#[test]
fn a_missing_model_says_how_to_get_one() {
    let absent = Path::new("no/such/ggml-model.bin");
    fails_with(
        rapport()
            .args(["transcribe", "samples/call.wav", "--model"])
            .arg(absent),
        &["no/such/ggml-model.bin", "model install", "--model"],
    );
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"not a model at all").unwrap();
    fails_with(
        rapport()
            .args(["transcribe", "samples/call.wav", "--model"])
            .arg(&junk),
        &["junk.bin", "could not load"],
    );
}

#[test]
fn a_consultant_spec_that_matches_nothing_is_refused() {
    fails_with(
        rapport()
            .args([
                "transcribe",
                "samples/call.wav",
                "--consultant",
                "3",
                "--model",
            ])
            .arg(model()),
        &["--consultant 3", "1 to 2"],
    );
}

#[test]
fn a_silent_recording_is_reported_not_transcribed() {
    let dir = tempfile::tempdir().unwrap();
    let silent = dir.path().join("silent.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&silent, spec).unwrap();
    for _ in 0..16_000 * 2 * 2 {
        writer.write_sample(0i16).unwrap();
    }
    writer.finalize().unwrap();
    fails_with(
        rapport()
            .arg("transcribe")
            .arg(&silent)
            .arg("--model")
            .arg(model()),
        &["silent.wav", "no speech"],
    );
}

#[test]
fn json_to_a_file_is_written_whole_and_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let ann = speak(dir.path(), "ann", "en-gb", 0.2, "Thank you.");
    let out = dir.path().join("out/call.json");
    let _turn = whisper_turn();
    rapport()
        .arg("transcribe")
        .arg(&ann)
        .args(["--format", "json", "-o"])
        .arg(&out)
        .arg("--model")
        .arg(model())
        .assert()
        .success()
        .stdout("");
    let call: Call = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(call.utterances.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
}

#[test]
fn model_install_is_quiet_when_the_model_is_there() {
    model();
    rapport()
        .args(["model", "install"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
}
