//! `rapport review`, `eval` on annotated calls and `export`, end to end: the
//! sample call through the real model, its page in a real headless
//! Chromium driven over `WebDriver` (the `chromium` and `chromium-driver`
//! packages `scripts/test` installs), the labels the page saved measured
//! and exported with their audio. Without the browser the test fails, it
//! never skips.

use base64::Engine as _;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

use common::{model, project, whisper_turn};

/// A child process killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `rapport review` and returns it with the address it printed.
fn review(args: &[&str], annotations: &Path, coach: &str, cache: &Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("review")
        .args(args)
        .arg("--model")
        .arg(model())
        .arg("--annotations")
        .arg(annotations)
        .arg("--coach")
        .arg(coach)
        .env("RAPPORT_CACHE", cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("open ") {
                let _ = send.send(url.to_string());
            }
        }
    });
    let url = receive
        .recv_timeout(Duration::from_mins(10))
        .expect("rapport review printed its address");
    (running, url)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn base_of(url: &str) -> &str {
    url.split_once("/?").unwrap().0
}

fn token_of(url: &str) -> &str {
    url.split_once("token=").unwrap().1
}

fn status_of(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> u16 {
    match result {
        Ok(response) => response.status().as_u16(),
        Err(ureq::Error::StatusCode(code)) => code,
        Err(other) => panic!("request failed: {other}"),
    }
}

/// A `WebDriver` session on headless Chromium.
struct Browser {
    driver: String,
    session: String,
    _chromedriver: Running,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Self {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing: run scripts/test (it installs chromium and chromium-driver)"
            );
        }
        let port = free_port();
        let chromedriver = Running(
            Command::new("/usr/bin/chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let driver = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(format!("{driver}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1280,1000",
                    "--autoplay-policy=no-user-gesture-required",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        }}});
        let created: Value = ureq::post(format!("{driver}/session"))
            .send_json(capabilities)
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        let session = created["value"]["sessionId"].as_str().unwrap().to_string();
        Self {
            driver,
            session,
            _chromedriver: chromedriver,
            _profile: profile,
        }
    }

    fn post(&self, path: &str, body: &Value) -> Value {
        let url = format!("{}/session/{}/{path}", self.driver, self.session);
        let mut response = ureq::post(url).send_json(body).unwrap();
        let value: Value = response.body_mut().read_json().unwrap();
        value["value"].clone()
    }

    fn go(&self, url: &str) {
        self.post("url", &json!({ "url": url }));
    }

    fn script(&self, script: &str) -> Value {
        self.post("execute/sync", &json!({ "script": script, "args": [] }))
    }

    /// Waits until `script` returns something truthy, and returns it.
    fn wait_for(&self, what: &str, script: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.script(script);
            if !(value.is_null() || value == json!(false) || value == json!("")) {
                return value;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "timed out: {what}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Presses keys as a person would, one after another.
    fn keys(&self, keys: &[&str]) {
        let actions: Vec<Value> = keys
            .iter()
            .flat_map(|k| {
                [
                    json!({"type": "keyDown", "value": k}),
                    json!({"type": "keyUp", "value": k}),
                ]
            })
            .collect();
        self.post(
            "actions",
            &json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    fn type_text(&self, text: &str) {
        let keys: Vec<String> = text.chars().map(String::from).collect();
        self.keys(&keys.iter().map(String::as_str).collect::<Vec<_>>());
    }

    fn screenshot(&self, path: &Path) {
        let url = format!("{}/session/{}/screenshot", self.driver, self.session);
        let value: Value = ureq::get(url)
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(value["value"].as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(format!("{}/session/{}", self.driver, self.session)).call();
    }
}

const ENTER: &str = "\u{E007}";

/// The labels as a training set, with each moment's audio.
fn exported_with_clips(sidecar: &Path, clip_dir: &Path) {
    let export = succeeded(rapport(
        &["export", "--format", "jsonl", "--redact", "--clips"],
        &[clip_dir, sidecar],
    ));
    let moments: Vec<Value> = String::from_utf8(export.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        moments.len(),
        3,
        "one moment per labelled utterance or range"
    );
    let question = &moments[0];
    assert_eq!(question["labels"], json!(["question.open"]));
    assert_eq!(question["role"], "consultant");
    assert_eq!(moments[1]["labels"], json!(["question", "question.open"]));
    assert_eq!(moments[1]["rating"], "good");
    assert_eq!(moments[2]["labels"], json!(["talked-over"]));
    assert!(moments[2]["utterance"].is_null());
    let clip = clip_dir.join(question["clip"].as_str().unwrap());
    let reader = hound::WavReader::open(&clip).unwrap();
    let seconds = f64::from(reader.duration()) / f64::from(reader.spec().sample_rate);
    let said = question["end"].as_f64().unwrap() - question["start"].as_f64().unwrap();
    assert!(
        (seconds - (said + 1.0)).abs() < 0.05,
        "{seconds} s clip of {said} s"
    );
}

/// Where the screenshot is kept for people to look at.
fn artifact(name: &str) -> PathBuf {
    let dir = project().join("target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Nothing without the token, nothing for another host, no change with
/// the token in the URL only.
fn refuses_strangers(url: &str) {
    let (base, token) = (base_of(url), token_of(url));
    assert_eq!(status_of(ureq::get(format!("{base}/")).call()), 403);
    assert_eq!(
        status_of(ureq::get(format!("{base}/?token=00{token}")).call()),
        403
    );
    assert_eq!(
        status_of(ureq::get(url).header("Host", "rebound.example").call()),
        403
    );
    assert_eq!(
        status_of(
            ureq::post(format!("{base}/api/labels?token={token}"))
                .send_json(json!({"action": "add", "label": "option", "target": {"utterance": 0, "start": 0, "end": 0}}))
        ),
        403
    );
    assert_eq!(status_of(ureq::get(url).call()), 200);
}

#[test]
fn a_coach_labels_the_sample_call_in_a_real_browser() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let sidecar = work.path().join("call.annotations.jsonl");
    let sample = project().join("samples/call.wav");
    let (_server, url) = {
        let _turn = whisper_turn();
        review(&[sample.to_str().unwrap()], &sidecar, "dana", &cache)
    };

    refuses_strangers(&url);

    let browser = Browser::start();
    let opened = Instant::now();
    browser.go(&url);
    let rows = browser.wait_for(
        "the transcript",
        "return document.querySelectorAll('tr.u').length",
    );
    assert!(rows.as_u64().unwrap() >= 10, "{rows} utterances");
    let duration = browser.wait_for(
        "the audio",
        "const p = document.getElementById('player'); return p && p.readyState >= 1 && p.duration",
    );
    assert!(
        (140.0..170.0).contains(&duration.as_f64().unwrap()),
        "the player has {duration} s"
    );

    // The keyboard: down to the first utterance the detectors call an open
    // question, a label, enter; down to the next, rated good, confirm what
    // was detected there.
    let open_questions: Vec<usize> = serde_json::from_value(browser.script(
        "return Array.from(document.querySelectorAll('tr.u')).map((r, i) => [r, i]).filter(([r]) => r.querySelector('.chip.det[data-label=\"question.open\"]')).map(([, i]) => i)",
    ))
    .unwrap();
    assert!(open_questions.len() >= 2, "{open_questions:?}");
    let (first, second) = (open_questions[0], open_questions[1]);
    browser.keys(&vec!["j"; first + 1]);
    browser.keys(&["a"]);
    browser.type_text("question.open");
    browser.keys(&[ENTER]);
    let saved = browser.wait_for(
        "the label saved",
        "const s = document.getElementById('status').textContent; return s.startsWith('saved') && s",
    );
    assert_eq!(saved, json!("saved: add question.open"));
    browser.keys(&vec!["j"; second - first]);
    browser.keys(&["1", "c"]);
    browser.wait_for(
        "the confirmations saved",
        "return document.querySelectorAll('tr.u.sel .coached .chip.yes').length == 2",
    );
    // A stretch of the two utterances after it, with a free tag.
    browser.keys(&["j", "J", "a"]);
    browser.type_text("talked-over");
    browser.keys(&[ENTER]);
    browser.wait_for(
        "the range saved",
        "return document.getElementById('status').textContent == 'saved: add talked-over'",
    );
    let labelled_in = opened.elapsed();

    browser.post("refresh", &json!({}));
    let chips = browser.wait_for(
        "the labels after a reload",
        &format!("return Array.from(document.querySelectorAll('#u{first} .coached .chip.yes')).map(c => c.textContent).join('|')"),
    );
    assert_eq!(chips, json!("✓ question.open · dana"));
    browser.screenshot(&artifact("review.png"));
    eprintln!(
        "page opened to four labels saved: {:.1} s; screenshot {}",
        labelled_in.as_secs_f64(),
        artifact("review.png").display()
    );

    // The sidecar has the transcript and both labels, by coach dana.
    let text = std::fs::read_to_string(&sidecar).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "call");
    let labels: Vec<&Value> = lines.iter().filter(|l| l["type"] == "label").collect();
    assert_eq!(labels.len(), 4, "{text}");
    assert_eq!(labels[0]["label"], "question.open");
    assert_eq!(labels[0]["target"]["utterance"], first);
    assert_eq!(labels[0]["coach"], "dana");
    assert!(
        labels[1..3]
            .iter()
            .all(|l| l["action"] == "confirm" && l["rating"] == "good")
    );
    let range = &labels[3]["target"];
    assert!(range.get("utterance").is_none(), "{range}");
    assert!(range["start"].as_f64() < range["end"].as_f64(), "{range}");

    // Measured against the detectors, and exported with the audio.
    let eval = succeeded(rapport(&["eval", "--format", "json"], &[&sidecar]));
    let report: Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!(report["labels"]["question.open"]["tp"], 2, "{report}");
    assert_eq!(report["labels"]["question"]["tp"], 1, "{report}");
    assert_eq!(report["coaches"]["coaches"], json!(["dana"]));

    exported_with_clips(&sidecar, &work.path().join("clips"));
}

fn rapport(args: &[&str], files: &[&Path]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .args(files)
        .output()
        .unwrap()
}

fn succeeded(output: std::process::Output) -> std::process::Output {
    assert!(
        output.status.success(),
        "rapport failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Two coaches' labels on the Teams transcript of the sample, written
/// through the library as the page writes them.
fn two_coaches(dir: &Path) -> PathBuf {
    use rapport::annotations::{Action, Label, Sidecar, Target, check};
    let vtt = project().join("tests/fixtures/call.teams.vtt");
    let (path, format) = rapport::transcript_input(std::slice::from_ref(&vtt))
        .unwrap()
        .unwrap();
    let call = rapport::import::read(path, format, None, &[]).unwrap();
    let sidecar = Sidecar::new(dir.join("mon.annotations.jsonl"));
    let key = sidecar.record_call(&call, vec![], vec![]).unwrap();
    let questions: Vec<usize> = (0..call.utterances.len())
        .filter(|&i| call.utterances[i].text.ends_with('?'))
        .collect();
    assert!(questions.len() >= 3, "{questions:?}");
    let mut at = jiff::Timestamp::now();
    for (coach, marked) in [("ann", &questions[..]), ("bo", &questions[1..])] {
        for &i in marked {
            at += jiff::SignedDuration::from_secs(1);
            let mut label = Label {
                id: format!("{coach}{i}"),
                at,
                coach: coach.into(),
                call: key.clone(),
                action: Action::Add,
                label: "question".into(),
                previous: None,
                target: Target {
                    utterance: Some(i),
                    start: 0.0,
                    end: 0.0,
                },
                comment: "call Ann Smith at 555 0100".into(),
                rating: None,
            };
            check(&mut label, &call).unwrap();
            sidecar.record_label(&label).unwrap();
        }
    }
    sidecar.path().to_path_buf()
}

#[test]
fn eval_and_export_read_annotated_calls_and_say_what_they_skip() {
    let dir = tempfile::tempdir().unwrap();
    let sidecar = two_coaches(dir.path());
    // A line no rapport wrote, and a writer killed mid-line.
    let mut text = std::fs::read_to_string(&sidecar).unwrap();
    text.push_str("not a record\n{\"record_version\":1,\"type\":\"lab");
    std::fs::write(&sidecar, text).unwrap();

    let eval = succeeded(rapport(&["eval", "--format", "json"], &[dir.path()]));
    let warnings = String::from_utf8_lossy(&eval.stderr);
    assert_eq!(
        warnings.matches("line skipped (kept in the file)").count(),
        2,
        "{warnings}"
    );
    assert!(warnings.contains("mon.annotations.jsonl:"), "{warnings}");
    let report: Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!(report["coaches"]["calls_with_two_coaches"], 1, "{report}");
    let kappa = report["coaches"]["labels"]["question"]["kappa"]
        .as_f64()
        .unwrap();
    assert!(
        (0.0..1.0).contains(&kappa),
        "{kappa}: one question marked by one coach only"
    );
    assert!(
        report["labels"]["question"]["tp"].as_u64().unwrap() >= 4,
        "{report}"
    );
    let text = succeeded(rapport(&["eval"], &[&sidecar]));
    assert!(String::from_utf8_lossy(&text.stdout).contains("Cohen's kappa"));

    let csv = succeeded(rapport(
        &["export", "--format", "csv", "--redact"],
        &[&sidecar],
    ));
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("call,transcript,coach,labels,"), "{csv}");
    assert!(
        csv.contains("call [name] [name] at [number] [number]"),
        "{csv}"
    );

    // No audio behind a transcript; no annotations where none are; a file
    // that is not one.
    let clips = rapport(
        &["export", "--clips"],
        &[&dir.path().join("clips"), &sidecar],
    );
    assert_eq!(clips.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&clips.stderr).contains("no audio to cut clips from"));
    let empty = tempfile::tempdir().unwrap();
    let none = rapport(&["eval"], &[empty.path()]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no *.annotations.jsonl files"));
    let stranger = dir.path().join("notes.annotations.jsonl");
    std::fs::write(&stranger, "hello\n").unwrap();
    let wrong = rapport(&["export"], &[&stranger]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&wrong.stderr)
            .contains("notes.annotations.jsonl: no transcript in it"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
}
