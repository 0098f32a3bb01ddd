//! The `rapport` command line, end to end, with the real Whisper model on
//! real (synthesised) speech the project makes itself. `scripts/test`
//! installs the model first; without it these tests fail, they never skip.

use assert_cmd::Command;
use rapport::Analysis;
use rapport::speakers::Role;
use rapport::text::{normalized_words, word_error_rate};
use rapport::transcript::Call;
use std::path::{Path, PathBuf};

mod common;

use common::{json_of, model, project, whisper_turn};

/// One transcript cache for this test binary, never the user's own.
fn test_cache() -> &'static Path {
    static CACHE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn rapport() -> Command {
    let mut cmd = Command::cargo_bin("rapport").unwrap();
    cmd.env_remove("RAPPORT_MODEL")
        .env_remove("NO_COLOR")
        .env("RAPPORT_CACHE", test_cache());
    cmd
}

/// Runs a subcommand on the real model and parses its JSON output.
fn run_json<T: serde::de::DeserializeOwned>(command: &str, args: &[&str]) -> T {
    let _turn = whisper_turn();
    json_of(
        rapport()
            .arg(command)
            .args(args)
            .arg("--model")
            .arg(model()),
    )
}

fn transcribe_json(args: &[&str]) -> Call {
    run_json("transcribe", args)
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

/// One mixed track: Ann's greeting, spoken.
fn ann_greets(dir: &Path) -> PathBuf {
    speak(
        dir,
        "ann",
        "en-gb",
        0.2,
        "Good afternoon, thank you for calling.",
    )
}

#[test]
fn text_output_attributes_each_line_and_notes_a_mixed_track() {
    let dir = tempfile::tempdir().unwrap();
    let ann = ann_greets(dir.path());
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

/// The voice model is loaded only when a call needs it; a broken one is
/// then named, not skipped.
#[test]
fn a_broken_voice_model_is_named_when_a_mixed_track_needs_it() {
    let dir = tempfile::tempdir().unwrap();
    let ann = ann_greets(dir.path());
    let broken = dir.path().join("voices.pt");
    std::fs::write(&broken, b"not a model").unwrap();
    fails_with(
        rapport()
            .env("RAPPORT_VOICE_MODEL", &broken)
            .arg("transcribe")
            .arg(&ann)
            .arg("--model")
            .arg(model())
            .arg("--no-cache"),
        &[broken.to_str().unwrap(), "not a usable CAM++ voice model"],
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
        (&text, "cannot read this WAV file"),
        (&truncated, "corrupt or truncated"),
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

/// `-o` naming a FIFO (or a device: `-o /dev/null`) writes into it and
/// leaves it what it was; renaming a file over it, as a regular output is
/// written, once turned a root machine's `/dev/null` into a plain file.
#[test]
fn output_to_a_fifo_is_written_into_it_and_the_fifo_stays() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    rapport()
        .arg("analyze")
        .arg(project().join("tests/fixtures/call.zoom.vtt"))
        .args(["--format", "json", "-o"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_mins(1))
        .assert()
        .success();
    // First, so that a FIFO replaced by a file fails here rather than
    // leaving the reader waiting.
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let analysis: Analysis = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert!(!analysis.call.utterances.is_empty());
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

fn analyze_json(args: &[&str]) -> Analysis {
    run_json("analyze", args)
}

fn evidence<'a>(analysis: &'a Analysis, signal: &str) -> Vec<&'a rapport::signals::Evidence> {
    analysis
        .signals
        .iter()
        .find(|s| s.id == signal)
        .unwrap_or_else(|| panic!("no {signal} signal"))
        .evidence
        .iter()
        .collect()
}

#[test]
fn analyze_scores_the_sample_call_with_the_evidence_behind_it() {
    let analysis = analyze_json(&["samples/call.wav", "--consultant", "1"]);
    let call = &analysis.call;
    assert_eq!(call.schema_version, 1);
    let ids: Vec<&str> = analysis.signals.iter().map(|s| s.id.as_str()).collect();
    let registry: Vec<&str> = rapport::signals::SIGNALS
        .iter()
        .map(|s| s.meta().id)
        .collect();
    assert_eq!(ids, registry);

    // Every quote of a sentence-level signal is the text its span points at.
    for signal in &analysis.signals {
        for e in &signal.evidence {
            let u = &call.utterances[e.utterance];
            assert_eq!(u.speaker, e.speaker);
            assert!(
                e.start >= u.start - 0.01 && e.start <= e.end + 0.01,
                "{e:?}"
            );
            if !matches!(signal.id.as_str(), "monologue" | "client-story") {
                assert_eq!(u.text[e.span.start..e.span.end], e.quote, "{}", signal.id);
            }
        }
    }
    let consultant =
        |e: &&rapport::signals::Evidence| role_of(call, &e.speaker) == Role::Consultant;

    // The script: open questions, two options, a decision handed back, a
    // promise for Friday (afternoon, if Whisper hears it), a 40 s monologue, one interruption,
    // another client's trouble told.
    let open = evidence(&analysis, "questions")
        .into_iter()
        .filter(|e| consultant(e) && e.kind == "open")
        .count();
    assert!(open >= 2, "open questions: {open}");
    let options = evidence(&analysis, "options-offered");
    assert!(
        options.iter().any(|e| e.kind == "alternatives"),
        "{options:?}"
    );
    let handbacks = evidence(&analysis, "decision-handback");
    // "Which would you prefer? It is your call, …" at 1:49.
    assert!(
        handbacks.iter().any(|e| (105.0..=115.0).contains(&e.start)),
        "{handbacks:?}"
    );
    let promises = evidence(&analysis, "promises");
    assert!(
        promises.iter().any(|e| e.kind == "promise"
            && e.details
                .get("due")
                .is_some_and(|due| due.starts_with("friday"))),
        "{promises:?}"
    );
    let monologue = analysis
        .signals
        .iter()
        .find(|s| s.id == "monologue")
        .unwrap();
    let longest = monologue.value.unwrap();
    assert!(
        (34.0..=48.0).contains(&longest),
        "longest monologue {longest} s; the script's is 40 s"
    );
    let interruptions = evidence(&analysis, "interruptions");
    assert!(
        interruptions
            .iter()
            .any(|e| (70.0..=80.0).contains(&e.start)),
        "the scripted interruption is at 1:16: {interruptions:?}"
    );
    assert!(!evidence(&analysis, "out-of-school").is_empty());

    let talk = analysis
        .signals
        .iter()
        .find(|s| s.id == "talk-share")
        .unwrap();
    let consultant_share = call
        .participants
        .iter()
        .find(|p| p.person.role == Role::Consultant)
        .unwrap()
        .talk_share;
    assert!((talk.value.unwrap() - consultant_share).abs() < 1e-9);

    let score = &analysis.score;
    let overall = score.overall.unwrap();
    assert!((0.0..=100.0).contains(&overall));
    let dimensions: Vec<&str> = score.dimensions.keys().map(String::as_str).collect();
    assert_eq!(
        dimensions,
        ["control", "discretion", "reliability", "understanding"]
    );
    let talk_reason = &score.dimensions["control"].checks[0].reason;
    assert!(
        talk_reason.starts_with("the consultant spoke "),
        "{talk_reason}"
    );
}

/// A short two-person call made with espeak-ng, one file per person.
fn short_call(dir: &Path) -> (PathBuf, PathBuf) {
    let consultant = speak(
        dir,
        "consultant",
        "en-us",
        0.3,
        "What worries you most about the launch? I will send you the plan by Friday.",
    );
    let client = speak(
        dir,
        "client",
        "en-us+f2",
        6.5,
        "Mostly the budget, to be honest.",
    );
    (consultant, client)
}

#[test]
fn analyze_reuses_the_cached_transcript_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let (consultant, client) = short_call(dir.path());
    let run = |extra: &[&str]| {
        let _turn = whisper_turn();
        let output = rapport()
            .env("RAPPORT_CACHE", &cache)
            .arg("analyze")
            .arg(&consultant)
            .arg(&client)
            .args(["--consultant", "1", "--format", "json", "--model"])
            .arg(model())
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Analysis>(&output.stdout).unwrap()
    };
    let first = run(&[]);
    let entries: Vec<PathBuf> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&entries[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Mark the cached transcript: a run that reads the cache reports the mark.
    let mut cached: Call = serde_json::from_slice(&std::fs::read(&entries[0]).unwrap()).unwrap();
    assert_eq!(cached, first.call);
    cached.utterances[0].text = "Marked in the cache?".into();
    std::fs::write(&entries[0], serde_json::to_vec(&cached).unwrap()).unwrap();
    assert_eq!(run(&[]).call.utterances[0].text, "Marked in the cache?");
    // --no-cache transcribes again and replaces the entry.
    let fresh = run(&["--no-cache"]);
    assert_eq!(fresh.call, first.call);
    let words = normalized_words(&fresh.call.utterances[0].text);
    assert!(words.contains(&"launch".to_string()), "{words:?}");
}

#[test]
fn analyze_writes_text_html_and_fails_under_a_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let (consultant, client) = short_call(dir.path());
    let analyze = |extra: &[&str]| {
        let _turn = whisper_turn();
        rapport()
            .arg("analyze")
            .arg(&consultant)
            .arg(&client)
            .arg("--model")
            .arg(model())
            .args(extra)
            .output()
            .unwrap()
    };
    let text = analyze(&[]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Client in control: "), "{text}");
    assert!(!text.contains('\u{1b}'), "colour when piped: {text}");
    assert!(
        text.contains("roles assumed"),
        "the note on assumed roles: {text}"
    );

    let page = dir.path().join("call.html");
    let html = analyze(&["--format", "html", "-o", page.to_str().unwrap()]);
    assert!(
        html.status.success(),
        "{}",
        String::from_utf8_lossy(&html.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
    assert!(!html.contains("http://") && !html.contains("https://"));

    let strict = analyze(&["--fail-under", "100"]);
    assert_eq!(
        strict.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    assert!(String::from_utf8_lossy(&strict.stderr).contains("under --fail-under 100"));
    assert_eq!(analyze(&["--fail-under", "0"]).status.code(), Some(0));
}

#[test]
fn a_bad_rubric_is_refused_before_any_transcription() {
    let dir = tempfile::tempdir().unwrap();
    let rubric = dir.path().join("mine.toml");
    std::fs::write(
        &rubric,
        "name = \"mine\"\n[[dimensions]]\nid = \"control\"\n",
    )
    .unwrap();
    fails_with(
        rapport()
            .arg("analyze")
            .arg(dir.path().join("no-such-call.wav"))
            .arg("--rubric")
            .arg(&rubric)
            .arg("--model")
            .arg(model()),
        &["mine.toml", "not a valid rubric", "missing field"],
    );
}

#[test]
fn signals_lists_and_documents_every_signal() {
    let list = rapport().arg("signals").output().unwrap();
    assert!(list.status.success());
    let list = String::from_utf8(list.stdout).unwrap();
    for signal in rapport::signals::SIGNALS {
        let id = signal.meta().id;
        assert!(list.lines().any(|l| l.starts_with(id)), "{id} not listed");
        let doc = rapport().args(["signals", id]).output().unwrap();
        assert!(doc.status.success());
        let doc = String::from_utf8(doc.stdout).unwrap();
        for heading in rapport::signals::DOC_HEADINGS {
            assert!(doc.contains(&format!("## {heading}")), "{id}: {heading}");
        }
    }
    fails_with(
        rapport().args(["signals", "charisma"]),
        &["no signal \"charisma\"", "questions"],
    );
}

/// Labelled utterances this project wrote, in the evaluation data's format.
const FIXTURE: &str = r#"{"id": "f-1", "corpus": "fixture", "speaker": "a", "role": "consultant", "text": "What has the board said so far?", "context": [{"speaker": "b", "text": "We met the board."}], "labels": ["question", "question.open"], "scope": ["question", "question.open", "question.closed", "option", "commitment"], "ignore": []}
{"id": "f-2", "corpus": "fixture", "speaker": "a", "role": "consultant", "text": "I'll send you the draft by Friday.", "context": [], "labels": ["commitment"], "scope": ["question", "question.open", "question.closed", "option", "commitment"], "ignore": []}
{"id": "f-3", "corpus": "fixture", "speaker": "a", "role": "consultant", "text": "We could either wait or start now.", "context": [], "labels": ["option"], "scope": ["question", "question.open", "question.closed", "option", "commitment"], "ignore": []}
{"id": "f-4", "corpus": "fixture", "speaker": "a", "role": null, "text": "so you moved in may", "context": [], "labels": ["question", "question.closed"], "scope": ["question", "question.open", "question.closed"], "ignore": []}
{"id": "f-5", "corpus": "other", "speaker": "b", "role": null, "text": "The weather was fine.", "context": [], "labels": [], "scope": ["question", "commitment"], "ignore": []}
"#;

#[test]
fn eval_reports_precision_recall_and_f1_per_label() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("labels.jsonl");
    std::fs::write(&dataset, FIXTURE).unwrap();
    // The rules, whose verdicts on these lines are known: the arithmetic
    // is what is tested here (tests/train.rs tests the learned detectors).
    let out = rapport()
        .args(["eval", "--format", "json", "--detectors", "rules"])
        .arg(&dataset)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: rapport::eval::Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.pooled.utterances, 5);
    let q = &report.pooled.labels["question"];
    // f-1 found; f-4 is a question only its intonation showed: missed.
    assert_eq!((q.tp, q.fp, q.fn_, q.support), (1, 0, 1, 2));
    assert!((q.f1 - 2.0 / 3.0).abs() < 1e-9);
    for label in ["question.open", "option", "commitment"] {
        let s = &report.pooled.labels[label];
        assert_eq!((s.tp, s.fp, s.fn_), (1, 0, 0), "{label}");
    }
    assert_eq!(report.corpora["other"].utterances, 1);
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["tp", "fp", "fn", "precision", "recall", "f1", "support"] {
        assert!(raw["labels"]["question"].get(key).is_some(), "{key}");
    }

    let text = rapport()
        .arg("eval")
        .arg(&dataset)
        .arg("--show-errors=question")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("precision") && text.contains("fixture"),
        "{text}"
    );
    assert!(text.contains("missed      question        f-4"), "{text}");

    std::fs::write(&dataset, format!("{FIXTURE}{{\"id\": 7}}\n")).unwrap();
    fails_with(
        rapport().arg("eval").arg(&dataset),
        &["labels.jsonl:6", "not a labelled utterance"],
    );
    fails_with(
        rapport().arg("eval").arg(dir.path().join("none.jsonl")),
        &["none.jsonl", "cannot read"],
    );
}

/// The sample call's first 19 s as a WAV: the recording the encoded
/// fixtures in `tests/fixtures/` were made from (`make.sh`).
fn excerpt(dir: &Path) -> PathBuf {
    let mut reader = hound::WavReader::open(project().join("samples/call.wav")).unwrap();
    let spec = reader.spec();
    let path = dir.join("call.wav");
    let mut writer = hound::WavWriter::create(&path, spec).unwrap();
    let samples = 19 * spec.sample_rate as usize * usize::from(spec.channels);
    for s in reader.samples::<i16>().take(samples) {
        writer.write_sample(s.unwrap()).unwrap();
    }
    writer.finalize().unwrap();
    path
}

fn fixture(name: &str) -> String {
    project()
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn all_words(call: &Call) -> String {
    call.utterances
        .iter()
        .map(|u| u.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The speaker of the utterance in `call` that overlaps `start..end` most.
fn speaker_over(call: &Call, start: f64, end: f64) -> Option<Role> {
    call.utterances
        .iter()
        .map(|u| (u.end.min(end) - u.start.max(start), u))
        .filter(|(overlap, _)| *overlap > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, u)| role_of(call, &u.speaker))
}

/// The speaker heard at `t` in `call`, if any.
fn speaker_at(call: &Call, t: f64) -> Option<Role> {
    call.utterances
        .iter()
        .find(|u| u.start <= t && t <= u.end)
        .map(|u| role_of(call, &u.speaker))
}

#[test]
fn every_container_and_codec_gives_the_call_the_wav_gives() {
    let dir = tempfile::tempdir().unwrap();
    let wav = excerpt(dir.path());
    let reference = transcribe_json(&[wav.to_str().unwrap(), "--consultant", "1"]);
    // Consultant, client, consultant.
    assert!(
        reference.utterances.len() >= 3,
        "{:?}",
        reference.utterances
    );
    // Tolerances: speech found within 0.15 s of the WAV's (lossy codecs
    // move energy a little), words within a 25 % word error rate of the
    // WAV's transcript (tiny.en is sensitive to coding noise), and every
    // utterance given to the person the WAV gives it to.
    for name in [
        "call.m4a",
        "call.mp3",
        "call.ogg",
        "call.flac",
        "call.webm",
        "call.mp4",
    ] {
        let call = transcribe_json(&[&fixture(name), "--consultant", "1"]);
        assert_eq!(call.participants.len(), 2, "{name}");
        assert!(
            (call.duration - reference.duration).abs() < 0.1,
            "{name}: {}",
            call.duration
        );
        for (track, expected) in call
            .recording
            .tracks
            .iter()
            .zip(&reference.recording.tracks)
        {
            assert_eq!(
                track.speech.len(),
                expected.speech.len(),
                "{name}: {:?}",
                track.speech
            );
            for (got, want) in track.speech.iter().zip(&expected.speech) {
                assert!(
                    (got.start - want.start).abs() < 0.15 && (got.end - want.end).abs() < 0.15,
                    "{name}: speech at {got:?}, the WAV's at {want:?}"
                );
            }
        }
        let wer = word_error_rate(&all_words(&reference), &all_words(&call));
        assert!(wer <= 0.25, "{name}: WER {wer:.2}: {}", all_words(&call));
        for u in &call.utterances {
            assert_eq!(
                Some(role_of(&call, &u.speaker)),
                speaker_over(&reference, u.start, u.end),
                "{name}: {:?} at {:.1} s",
                u.text,
                u.start
            );
        }
    }
}

#[test]
fn files_that_started_late_are_placed_by_their_offset() {
    let dir = tempfile::tempdir().unwrap();
    let wav = excerpt(dir.path());
    let reference = transcribe_json(&[wav.to_str().unwrap(), "--consultant", "1"]);
    // One file per person, as Zoom records them: the client's recording
    // started 3 s into the call.
    let mut reader = hound::WavReader::open(&wav).unwrap();
    let spec = hound::WavSpec {
        channels: 1,
        ..reader.spec()
    };
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    let late = 3 * spec.sample_rate as usize;
    let ann = dir.path().join("Ann Smith.wav");
    let dana = dir.path().join("Dana Lee.wav");
    let mut ann_writer = hound::WavWriter::create(&ann, spec).unwrap();
    let mut dana_writer = hound::WavWriter::create(&dana, spec).unwrap();
    for (i, frame) in samples.chunks(2).enumerate() {
        ann_writer.write_sample(frame[0]).unwrap();
        if i >= late {
            dana_writer.write_sample(frame[1]).unwrap();
        }
    }
    ann_writer.finalize().unwrap();
    dana_writer.finalize().unwrap();

    let call = transcribe_json(&[
        ann.to_str().unwrap(),
        dana.to_str().unwrap(),
        "--offset",
        "Dana Lee.wav=3",
        "--consultant",
        "Ann Smith",
    ]);
    let client_starts = |c: &Call| {
        c.utterances
            .iter()
            .find(|u| role_of(c, &u.speaker) == Role::Client)
            .map(|u| u.start)
            .unwrap()
    };
    let (got, want) = (client_starts(&call), client_starts(&reference));
    assert!(
        (got - want).abs() < 0.15,
        "client starts at {got:.2}, not {want:.2}"
    );
    assert!((call.duration - reference.duration).abs() < 0.01);

    fails_with(
        rapport()
            .arg("transcribe")
            .args([&ann, &dana])
            .args(["--offset", "Bob.wav=2", "--model"])
            .arg(model()),
        &["--offset Bob.wav=2", "no input file"],
    );
    fails_with(
        rapport()
            .arg("transcribe")
            .args([&ann, &dana])
            .args(["--offset", "Dana Lee.wav=soon", "--model"])
            .arg(model()),
        &["--offset Dana Lee.wav=soon", "seconds"],
    );
}

#[test]
fn a_mono_mix_is_split_into_its_speakers_and_called_an_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let mut reader = hound::WavReader::open(project().join("samples/call.wav")).unwrap();
    let spec = hound::WavSpec {
        channels: 1,
        ..reader.spec()
    };
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    let mono = dir.path().join("mix.wav");
    let mut writer = hound::WavWriter::create(&mono, spec).unwrap();
    for frame in samples.chunks(2) {
        writer
            .write_sample(i16::midpoint(frame[0], frame[1]))
            .unwrap();
    }
    writer.finalize().unwrap();

    let call = transcribe_json(&[mono.to_str().unwrap()]);
    let diarized = call
        .recording
        .diarization
        .as_ref()
        .expect("speakers separated");
    assert_eq!((diarized.speakers, diarized.estimated), (2, true));
    assert!(
        call.notes.iter().any(|n| n.text.contains("estimates")),
        "{:?}",
        call.notes
    );
    let names: Vec<&str> = call
        .participants
        .iter()
        .map(|p| p.person.name.as_str())
        .collect();
    assert_eq!(names, ["Speaker 1", "Speaker 2"]);
    // The consultant opens the call, so is speaker 1, assumed consultant.
    let truth = sample_truth();
    let consultant_share = call.participants[0].talk_share;
    let true_share = {
        let seconds = |role| {
            truth
                .iter()
                .filter(|l| l.role == role)
                .map(|l| l.end - l.start)
                .sum::<f64>()
        };
        seconds(Role::Consultant) / (seconds(Role::Consultant) + seconds(Role::Client))
    };
    assert!(
        (consultant_share - true_share).abs() < 0.05,
        "consultant share {consultant_share:.3}, scripted {true_share:.3}"
    );
    let attributed = truth
        .iter()
        .filter(|line| {
            let middle = f64::midpoint(line.start, line.end);
            speaker_at(&call, middle) == Some(line.role)
        })
        .count();
    assert!(
        attributed * 10 >= truth.len() * 9,
        "{attributed} of {} lines",
        truth.len()
    );

    let unsplit = transcribe_json(&[mono.to_str().unwrap(), "--speakers", "1"]);
    assert_eq!(unsplit.participants.len(), 1);
    assert!(unsplit.recording.diarization.is_none());
}

#[test]
fn teams_zoom_and_srt_transcripts_give_one_call_in_milliseconds() {
    let teams: Analysis = json_of(rapport().args([
        "analyze",
        &fixture("call.teams.vtt"),
        "--consultant",
        "Ann Smith",
    ]));
    let call = &teams.call;
    let people: Vec<(&str, Role)> = call
        .participants
        .iter()
        .map(|p| (p.person.name.as_str(), p.person.role))
        .collect();
    assert_eq!(
        people,
        [("Ann Smith", Role::Consultant), ("Dana Lee", Role::Client)]
    );
    let truth = sample_truth();
    assert_eq!(call.utterances.len(), truth.len());
    for (u, line) in call.utterances.iter().zip(&truth) {
        assert_eq!(
            (role_of(call, &u.speaker), u.text.as_str()),
            (line.role, line.text.as_str())
        );
        assert!((u.start - line.start).abs() < 1e-6 && (u.end - line.end).abs() < 1e-6);
    }
    // The script's overlap survives, and is what the interruptions signal reads.
    assert!(!evidence(&teams, "interruptions").is_empty());
    // The same call from the audio gives the same talk shares.
    let audio = analyze_json(&["samples/call.wav", "--consultant", "1"]);
    for (a, b) in call.participants.iter().zip(&audio.call.participants) {
        assert!((a.talk_share - b.talk_share).abs() < 0.05, "{a:?} vs {b:?}");
    }

    for other in ["call.zoom.vtt", "call.srt"] {
        let same: Call =
            json_of(rapport().args(["transcribe", &fixture(other), "--consultant", "ann smith"]));
        assert_eq!(same.utterances, call.utterances, "{other}");
        assert_eq!(same.participants, call.participants, "{other}");
    }
}

#[test]
fn the_consultant_is_found_by_name_from_rapport_toml() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rapport.toml");
    std::fs::write(&config, "consultant = [\"Ann Smith\"]\n").unwrap();
    let call: Call = json_of(
        rapport()
            .env("RAPPORT_CONFIG", &config)
            .args(["transcribe", &fixture("call.teams.vtt")]),
    );
    assert_eq!(call.roles, rapport::speakers::RoleSource::Configured);
    assert_eq!(call.participants[0].person.role, Role::Consultant);

    std::fs::write(&config, "consultants = [\"Ann\"]\n").unwrap();
    fails_with(
        rapport()
            .env("RAPPORT_CONFIG", &config)
            .args(["transcribe", &fixture("call.teams.vtt")]),
        &["rapport.toml", "unknown field"],
    );
}

#[test]
fn broken_transcripts_and_media_get_errors_naming_file_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let m4a = std::fs::read(fixture("call.m4a")).unwrap();
    let cases = [
        (
            write("empty.vtt", b"WEBVTT\n\nNOTE nothing said\n"),
            "no cues",
        ),
        (
            write("clock.vtt", b"WEBVTT\n\n00:01.000 --> 00:0x.000\nAnn: hi\n"),
            "line 3",
        ),
        (write("notes.srt", b"1\nhello there\n"), "timing line"),
        (
            write("words.json", b"{\"minutes\": []}"),
            "no `transcription`",
        ),
        (
            write(
                "latin1.vtt",
                b"WEBVTT\n\n00:01.000 --> 00:02.000\nJos\xe9: hola\n",
            ),
            "UTF-8",
        ),
        (
            write("cut.m4a", &m4a[..m4a.len() / 2]),
            "corrupt or truncated",
        ),
        (PathBuf::from(fixture("video-only.mp4")), "no audio track"),
        (
            write("song.xyz", b"\x00\x01\x02 not media"),
            "not an audio or video file",
        ),
    ];
    for (path, problem) in &cases {
        fails_with(
            rapport()
                .arg("transcribe")
                .arg(path)
                .arg("--model")
                .arg(model()),
            &[&path.file_name().unwrap().to_string_lossy(), problem],
        );
    }
    fails_with(
        rapport().args(["transcribe", &fixture("call.srt"), &fixture("call.m4a")]),
        &["give one transcript, or recordings only"],
    );
}

#[test]
fn out_of_order_cues_are_sorted_and_said_to_be() {
    let dir = tempfile::tempdir().unwrap();
    let vtt = dir.path().join("shuffled.vtt");
    std::fs::write(
        &vtt,
        "WEBVTT\n\n00:05.000 --> 00:07.000\n<v Ann>Which would you prefer?\n\n\
         00:01.000 --> 00:06.000\n<v Dana>We tried a full count last spring and it never matched.\n",
    )
    .unwrap();
    let call: Call = json_of(rapport().args(["transcribe", vtt.to_str().unwrap()]));
    assert!(call.utterances[0].start < call.utterances[1].start);
    assert!(
        call.notes.iter().any(|n| n.text.contains("out of order")),
        "{:?}",
        call.notes
    );
    // Dana speaks first, so is taken for the consultant, and the call says so.
    assert_eq!(
        call.roles,
        rapport::speakers::RoleSource::AssumedFirstSpeaker
    );
    assert!(
        call.notes
            .iter()
            .any(|n| n.text.contains("first to speak (Dana)"))
    );
}

#[test]
fn completions_and_manual_pages_come_from_the_command_line_itself() {
    for (shell, mark) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef rapport"),
        ("fish", "complete -c rapport"),
    ] {
        let output = rapport().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains(mark), "{shell}: {script}");
        assert!(
            script.contains("write-manifest"),
            "{shell} lacks batch's flags"
        );
    }
    let output = rapport().arg("man").output().unwrap();
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH rapport"),
        "{page}"
    );
    let dir = tempfile::tempdir().unwrap();
    let man1 = dir.path().join("man1");
    let output = rapport()
        .args(["man", "--output"])
        .arg(&man1)
        .output()
        .unwrap();
    assert!(output.status.success());
    let batch = std::fs::read_to_string(man1.join("rapport-batch.1")).unwrap();
    assert!(batch.contains("manifest"), "{batch}");
    assert!(man1.join("rapport.1").is_file());
}

#[test]
fn chunks_decoded_side_by_side_give_the_transcript_one_state_gives() {
    let dir = tempfile::tempdir().unwrap();
    let wav = excerpt(dir.path());
    let transcribe = |states: &str| {
        transcribe_json(&[
            wav.to_str().unwrap(),
            "--chunk",
            "4",
            "--states",
            states,
            "--no-cache",
        ])
    };
    // Three states take the chunks from one queue in turns that do not
    // line up with the chunks' order.
    let (one, two, three) = (transcribe("1"), transcribe("2"), transcribe("3"));
    assert!(one.utterances.len() >= 3, "{:?}", one.utterances);
    assert_eq!(one.utterances, two.utterances);
    assert_eq!(one.utterances, three.utterances);
}

/// The sample's first 19 s as a stereo WAV whose right channel is made
/// from its left (the consultant's): the other side not recorded.
fn one_sided_stereo(dir: &Path, name: &str, right: impl Fn(&[i16], usize) -> i16) -> PathBuf {
    let mut reader = hound::WavReader::open(project().join("samples/call.wav")).unwrap();
    let spec = reader.spec();
    let frames = 19 * spec.sample_rate as usize;
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .take(frames * 2)
        .map(Result::unwrap)
        .collect();
    let left: Vec<i16> = samples.chunks(2).map(|f| f[0]).collect();
    let path = dir.join(name);
    let mut writer = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..left.len() {
        writer.write_sample(left[i]).unwrap();
        writer.write_sample(right(&left, i)).unwrap();
    }
    writer.finalize().unwrap();
    path
}

#[test]
fn a_recording_of_one_side_is_not_scored() {
    let dir = tempfile::tempdir().unwrap();
    let alone = speak(
        dir.path(),
        "alone",
        "en-gb",
        0.2,
        "Good afternoon, thank you for calling. Let me walk you through the plan for the move, step by step, and then we can talk about the budget.",
    );
    let silent_right = one_sided_stereo(dir.path(), "silent.wav", |_, _| 0);
    // The consultant's voice again, a twentieth as loud and 30 ms late,
    // over a faint hiss: what a channel hears of the other's microphone.
    let mut noise = 7u32;
    let noise = std::cell::RefCell::new(move || {
        noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (noise >> 28) as i16 - 8
    });
    let bleed_right = one_sided_stereo(dir.path(), "bleed.wav", |left, i| {
        i.checked_sub(660).map_or(0, |j| left[j] / 20) + noise.borrow_mut()()
    });
    for (input, because) in [
        (
            &alone,
            "one voice heard: the other side may not have been recorded",
        ),
        (
            &silent_right,
            "(only channel 1 spoke; the other track is silent)",
        ),
        // Heard as speech and matched by voice, or taken for bleed by the
        // speech detector: either way one voice.
        (&bleed_right, "one voice heard"),
    ] {
        let analysis = analyze_json(&[input.to_str().unwrap()]);
        assert_eq!(analysis.score.overall, None, "{input:?}");
        let withheld = analysis.score.withheld.as_deref().unwrap_or_default();
        assert!(withheld.contains(because), "{input:?}: {withheld}");
        assert!(
            analysis.call.notes[0].text.starts_with("one voice heard")
                && analysis.call.notes[0]
                    .text
                    .ends_with("not scored as a conversation"),
            "{:?}",
            analysis.call.notes
        );
    }
    // Both sides heard: scored.
    let both = excerpt(dir.path());
    let analysis = analyze_json(&[both.to_str().unwrap()]);
    assert!(analysis.score.overall.is_some() && analysis.score.withheld.is_none());
}

#[test]
fn the_cache_is_listed_cleared_and_kept_as_rapport_toml_says() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let config = dir.path().join("rapport.toml");
    std::fs::write(&config, "[cache]\nkeep_days = 10\n").unwrap();
    let cached = || {
        let mut cmd = rapport();
        cmd.env("RAPPORT_CACHE", &cache)
            .env("RAPPORT_CONFIG", &config);
        cmd
    };
    // Entries as the cache holds them: a call in rapport's JSON.
    let call = cached()
        .args(["transcribe", &fixture("call.zoom.vtt"), "--format=json"])
        .output()
        .unwrap();
    assert!(call.status.success());
    std::fs::create_dir_all(&cache).unwrap();
    let aged = |name: &str, days: u64| {
        let path = cache.join(name);
        if !path.exists() {
            std::fs::write(&path, &call.stdout).unwrap();
        }
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(
                std::time::SystemTime::now() - std::time::Duration::from_secs(days * 86_400),
            )
            .unwrap();
        path
    };
    let (fresh, older, expired) = (aged("a.json", 0), aged("b.json", 3), aged("c.json", 11));
    let killed = aged(".tmpKilled", 1);
    let list = cached().args(["cache", "list"]).output().unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    assert!(
        text.contains("2 transcripts") && text.contains("kept 10 days"),
        "{text}"
    );
    assert!(text.contains("call.zoom.vtt"), "{text}");
    assert!(!expired.exists() && !killed.exists() && older.exists());
    let clear = cached()
        .args(["cache", "clear", "--older-than", "2days"])
        .output()
        .unwrap();
    assert!(clear.status.success());
    assert!(String::from_utf8_lossy(&clear.stderr).contains("removed 1 transcript "));
    assert!(fresh.exists() && !older.exists());
    assert!(
        cached()
            .args(["cache", "clear"])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(!fresh.exists());
    fails_with(
        cached().args(["cache", "clear", "--older-than", "soon"]),
        &["--older-than", "soon"],
    );
    std::fs::write(&config, "[cache]\nkeep_dayz = 10\n").unwrap();
    fails_with(
        cached().args(["cache", "list"]),
        &["rapport.toml", "unknown field `keep_dayz`"],
    );
}
