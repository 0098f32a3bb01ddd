//! `rapport train` end to end: a team's coach labels teach detectors that
//! `analyze` and `eval` then use; bad training data gets clear errors.
//!
//! The team is one the project made up: financial advisers whose coaches
//! count as an option any product laid before the client as a route to
//! take, however it is phrased ("a cash ISA is another route"). The shipped
//! detectors learned options from doctors' consultations and know few of
//! these phrasings. Its calls are written here from templates; the coaches'
//! labels go into annotation sidecars through the library, as the review
//! page writes them.

use assert_cmd::Command;
use rapport::annotations::{Action, Label, Sidecar, Target, check};
use rapport::eval::Report;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What `rapport eval` prints for more than one set of detectors.
#[derive(serde::Deserialize)]
struct Comparison {
    detectors: Vec<Report>,
}

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rapport() -> Command {
    let mut cmd = Command::cargo_bin("rapport").unwrap();
    cmd.current_dir(project());
    // No rapport.toml of the machine's may choose the detectors.
    cmd.env(
        "RAPPORT_CONFIG",
        project().join("tests/fixtures/empty.toml"),
    );
    cmd
}

fn succeeded(cmd: &mut Command) -> std::process::Output {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "rapport failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn fails_with(cmd: &mut Command, needles: &[&str]) {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in: {stderr}");
    }
}

const PRODUCTS: [&str; 10] = [
    "a tracker mortgage",
    "a fixed-rate deal",
    "an offset mortgage",
    "a cash ISA",
    "a stocks and shares ISA",
    "a lifetime ISA",
    "a pension top-up",
    "premium bonds",
    "an annuity",
    "income drawdown",
];

/// How the team lays a product before a client (an option to its coaches).
const ROUTES: [&str; 6] = [
    "{P} is another route.",
    "There's also {P} to think about.",
    "Some people in your shoes go for {P}.",
    "{P} would also be on the table.",
    "Then there's {P}.",
    "{P} is worth a look as well.",
];

/// How the team mentions a product without offering it.
const MENTIONS: [&str; 6] = [
    "You already hold {P}.",
    "We talked about {P} last time.",
    "I sent you the statement for {P}.",
    "Your brother took out {P} in March.",
    "The paperwork for {P} came back signed.",
    "{P} was in the news this week.",
];

const CLIENT: [&str; 5] = [
    "I want to pay less each month.",
    "What are my choices, then?",
    "I'm not sure.",
    "Okay.",
    "We're saving for a house.",
];

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// Call `n` of the team: a WebVTT transcript, and per consultant turn
/// whether the coaches call it an option.
fn team_call(n: usize) -> (String, Vec<bool>) {
    let mut vtt = String::from("WEBVTT\n\n");
    let mut options = Vec::new();
    let mut at = 0;
    for turn in 0..8 {
        let client = CLIENT[(n + turn) % CLIENT.len()];
        let product = PRODUCTS[(n * 3 + turn) % PRODUCTS.len()];
        let offers = !(n + turn * 5).is_multiple_of(3);
        let template = if offers {
            ROUTES[(n + turn) % ROUTES.len()]
        } else {
            MENTIONS[(n * 7 + turn) % MENTIONS.len()]
        };
        let said = capitalised(&template.replace("{P}", product));
        for (who, text) in [("Dana", client), ("Ann Smith", said.as_str())] {
            writeln!(
                vtt,
                "00:{:02}:{:02}.000 --> 00:{:02}:{:02}.500\n<v {who}>{text}\n",
                at / 60,
                at % 60,
                (at + 3) / 60,
                (at + 3) % 60
            )
            .unwrap();
            at += 4;
        }
        options.push(offers);
    }
    (vtt, options)
}

/// Writes calls `range` of the team into `dir`, each with its coach's
/// verdicts on every consultant turn in a sidecar.
fn team_folder(dir: &Path, range: std::ops::Range<usize>) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    let mut transcripts = Vec::new();
    for n in range {
        let (vtt, options) = team_call(n);
        let path = dir.join(format!("call{n:02}.vtt"));
        std::fs::write(&path, vtt).unwrap();
        let call = rapport::import::read(
            &path,
            rapport::import::Format::WebVtt,
            Some("Ann Smith"),
            &[],
        )
        .unwrap();
        let sidecar = Sidecar::new(rapport::annotations::sidecar_path(&path));
        let key = sidecar.record_call(&call, vec![], vec![]).unwrap();
        let consultant = call
            .participants
            .iter()
            .find(|p| p.person.role == rapport::speakers::Role::Consultant)
            .map(|p| p.person.id.clone())
            .unwrap();
        let consultant_turns =
            (0..call.utterances.len()).filter(|&i| call.utterances[i].speaker == consultant);
        let mut at = jiff::Timestamp::from_second(1_795_000_000).unwrap();
        for (i, offers) in consultant_turns.zip(options) {
            at += jiff::SignedDuration::from_secs(1);
            let mut label = Label {
                id: format!("c{n}u{i}"),
                at,
                coach: "dana".into(),
                call: key.clone(),
                action: if offers { Action::Add } else { Action::Reject },
                label: "option".into(),
                previous: None,
                target: Target {
                    utterance: Some(i),
                    start: 0.0,
                    end: 0.0,
                },
                comment: String::new(),
                rating: None,
            };
            check(&mut label, &call).unwrap();
            sidecar.record_label(&label).unwrap();
        }
        transcripts.push(path);
    }
    transcripts
}

#[test]
fn a_team_s_labels_teach_detectors_that_analyze_and_eval_then_use() {
    let dir = tempfile::tempdir().unwrap();
    let learn = dir.path().join("learn");
    let held = dir.path().join("held");
    team_folder(&learn, 0..12);
    let held_calls = team_folder(&held, 12..24);
    let model = dir.path().join("team.detectors");

    let out = succeeded(rapport().arg("train").arg(&learn).arg("-o").arg(&model));
    let printed = String::from_utf8_lossy(&out.stdout);
    // What it learned from, per file, and what it did per label.
    assert!(printed.contains("call00.annotations.jsonl"), "{printed}");
    assert!(printed.contains("rapport's written examples"), "{printed}");
    assert!(printed.contains("option"), "{printed}");
    assert!(
        printed.contains("the data does not label it; the base model's detector stands"),
        "{printed}"
    );
    assert!(printed.contains("wrote"), "{printed}");

    // The held-out half: the team's detectors against the shipped ones.
    let out = succeeded(
        rapport()
            .args([
                "eval",
                "--format",
                "json",
                "--detectors",
                "default",
                "--detectors",
            ])
            .arg(&model)
            .arg(&held),
    );
    let compared: Comparison = serde_json::from_slice(&out.stdout).unwrap();
    let [shipped, team] = compared.detectors.as_slice() else {
        panic!("two reports");
    };
    assert!(
        shipped.detectors.starts_with("default@"),
        "{}",
        shipped.detectors
    );
    assert!(team.detectors.starts_with("team@"), "{}", team.detectors);
    let (before, after) = (
        &shipped.pooled.labels["option"],
        &team.pooled.labels["option"],
    );
    assert!(
        after.f1 >= before.f1 + 0.15 && after.f1 >= 0.8,
        "the team's detectors should beat the shipped ones on its held-out calls: {:.2} vs {:.2}",
        after.f1,
        before.f1
    );
    assert!(after.f1_interval.is_some());
    let text = succeeded(
        rapport()
            .args(["eval", "--detectors", "rules", "--detectors"])
            .arg(&model)
            .arg(&held),
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("[1] rules") && text.contains("[2] team@"),
        "{text}"
    );

    // analyze uses the team's detectors: an option the shipped ones miss.
    let evidence_on = |detectors: &Path| -> usize {
        let out = succeeded(
            rapport()
                .args(["analyze", "--consultant", "Ann Smith", "--format", "json"])
                .arg("--detectors")
                .arg(detectors)
                .arg(&held_calls[0]),
        );
        let analysis: rapport::Analysis = serde_json::from_slice(&out.stdout).unwrap();
        analysis
            .signals
            .iter()
            .find(|s| s.id == "options-offered")
            .map_or(0, |s| s.evidence.len())
    };
    let (_, options) = team_call(12);
    let offered = options.iter().filter(|o| **o).count();
    assert_eq!(
        evidence_on(&model),
        offered,
        "every option the coaches would mark"
    );
    assert!(evidence_on(Path::new("rules")) < offered);
}

#[test]
fn training_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let learn = dir.path().join("learn");
    team_folder(&learn, 0..6);
    let (a, b) = (
        dir.path().join("a.detectors"),
        dir.path().join("b.detectors"),
    );
    for out in [&a, &b] {
        succeeded(
            rapport()
                .args(["train", "--base", "none", "--name", "team"])
                .arg(&learn)
                .arg("-o")
                .arg(out),
        );
    }
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "the same labels gave two different models"
    );
}

/// Labelled utterances in the evaluation format, written here.
fn dataset(lines: &[(&str, &[&str])]) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(i, (text, labels))| {
            serde_json::json!({
                "id": format!("d-{i}"), "corpus": "d", "conversation": format!("c{}", i % 4),
                "speaker": "a", "role": "consultant", "text": text, "context": [],
                "labels": labels, "scope": ["option", "commitment"], "ignore": []
            })
            .to_string()
                + "\n"
        })
        .collect()
}

/// A scratch folder, and a writer of files in it.
fn scratch() -> (tempfile::TempDir, impl Fn(&str, &str) -> PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let write = move |name: &str, text: &str| {
        let path = root.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    (dir, write)
}

#[test]
fn bad_training_data_gets_a_clear_error() {
    let (dir, write) = scratch();
    let out = dir.path().join("x.detectors");
    let train = |data: &Path| {
        let mut cmd = rapport();
        cmd.args(["train", "--base", "none"])
            .arg(data)
            .arg("-o")
            .arg(&out);
        cmd
    };
    fails_with(
        &mut train(&write("empty.jsonl", "")),
        &["empty.jsonl", "no labelled utterances"],
    );
    let good = dataset(&[("We could try a cream.", &["option"]), ("Hello.", &[])]);
    fails_with(
        &mut train(&write(
            "torn.jsonl",
            &format!("{good}{{\"id\": \"x\", \"text\"\n"),
        )),
        &["torn.jsonl:3", "not a labelled utterance"],
    );
    fails_with(
        &mut train(&write(
            "unknown.jsonl",
            &good.replace("\"option\"]", "\"opshun\"]"),
        )),
        &["unknown.jsonl:1", "unknown label \"opshun\""],
    );
    fails_with(
        &mut train(&dir.path().join("missing.jsonl")),
        &["missing.jsonl", "cannot read"],
    );
    fails_with(
        rapport()
            .args(["train", "--weight", "nowhere.jsonl=2"])
            .arg(write("w.jsonl", &good))
            .arg("-o")
            .arg(&out),
        &["--weight nowhere.jsonl", "no data file of that name"],
    );
    fails_with(
        rapport()
            .args(["train", "--weight", "w.jsonl:option=-1"])
            .arg(dir.path().join("w.jsonl"))
            .arg("-o")
            .arg(&out),
        &["--weight w.jsonl:option=-1"],
    );
}

/// Options in several conversations, commitments in none: options are
/// learned, commitments skipped, and the report says why (without the
/// written examples, which hold commitments).
#[test]
fn a_label_without_positives_is_skipped_and_said_so() {
    let (dir, write) = scratch();
    let out = dir.path().join("x.detectors");
    let lines: Vec<(&str, &[&str])> = (0..24)
        .map(|i| {
            if i % 2 == 0 {
                (
                    "We could try a cream, or tablets if you'd rather.",
                    &["option"][..],
                )
            } else {
                ("Your blood pressure is fine.", &[][..])
            }
        })
        .collect();
    let printed = succeeded(
        rapport()
            .args(["train", "--base", "none", "--no-written"])
            .arg(write("options.jsonl", &dataset(&lines)))
            .arg("-o")
            .arg(&out),
    );
    let printed = String::from_utf8_lossy(&printed.stdout);
    assert!(
        printed.contains("commitment") && printed.contains("skipped: none of its"),
        "{printed}"
    );
    assert!(printed.contains("the rules decide it"), "{printed}");
    let model = std::fs::read(&out).unwrap();
    assert!(model.starts_with(b"rapport-detectors\n"));

    // Nothing learnable at all.
    let none: Vec<(&str, &[&str])> = (0..8).map(|_| ("Hello.", &[][..])).collect();
    fails_with(
        rapport()
            .args(["train", "--base", "none", "--no-written"])
            .arg(write("none.jsonl", &dataset(&none)))
            .arg("-o")
            .arg(&out),
        &["nothing to learn"],
    );
}

#[test]
fn detectors_that_are_not_a_model_file_are_refused_by_name() {
    let vtt = project().join("tests/fixtures/call.teams.vtt");
    fails_with(
        rapport()
            .arg("analyze")
            .arg(&vtt)
            .arg("--detectors")
            .arg(&vtt),
        &["call.teams.vtt", "not a detectors file"],
    );
    fails_with(
        rapport()
            .arg("analyze")
            .arg(&vtt)
            .args(["--detectors", "no-such.detectors"]),
        &["no-such.detectors", "cannot read the detectors"],
    );
}
