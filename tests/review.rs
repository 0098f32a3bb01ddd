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
        self.script_with(script, &json!([]))
    }

    fn script_with(&self, script: &str, args: &Value) -> Value {
        self.post("execute/sync", &json!({ "script": script, "args": args }))
    }

    /// Whether an alert, confirm or prompt dialog is open.
    fn dialog_open(&self) -> bool {
        let url = format!("{}/session/{}/alert/text", self.driver, self.session);
        ureq::get(url).call().is_ok()
    }

    /// From the next page on, every content-security-policy violation is
    /// kept in `window.violations` (by a script the browser itself adds to
    /// each new document, before the page's own).
    fn keep_csp_violations(&self) {
        self.post(
            "goog/cdp/execute",
            &json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source":
                "window.violations = []; document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));"}}),
        );
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

/// What a transcript could carry to attack the page that shows it: markup
/// and script, a `javascript:` link, breakouts from a style, an attribute,
/// a table and a comment, template syntax, bidirectional overrides. Each
/// sets `pwned` if it ever runs.
const ATTACKS: [&str; 10] = [
    "<script>pwned = 'script'</script>",
    "<img src=x onerror=\"pwned = 'img'\">",
    "<a href=\"javascript:pwned = 'link'\">open</a>",
    "</style><style>* { display: none }</style>",
    "\" onmouseover=\"pwned = 'attribute'\" x=\"",
    "' autofocus onfocus='pwned = 1' x='",
    "</td></tr></table><svg onload=\"pwned = 'svg'\">",
    "</textarea></title><iframe srcdoc=\"<script>parent.pwned = 'frame'</script>\">",
    "\u{202E}evil\u{202C} \u{2067}isolated\u{2069} -->",
    "{{ 7 * 7 }} ${7 * 7} {% raw %} <![CDATA[",
];

/// The client's name, as the transcript gives it.
const CLIENT: &str = "<img src=x onerror=\"pwned = 'name'\">Kim";
/// The call's file name after its date, which the week's summary shows.
const FILE: &str = "<b onmouseover=pwned=1>Kim";

/// The same text with every character that could mean something to a
/// browser made an `x`: the page rendered from it is the one to match.
fn disarmed(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' {
                c
            } else {
                'x'
            }
        })
        .collect()
}

/// A transcript (faster-whisper's JSON) whose client is named with markup,
/// where the consultant says every attack in a question that offers an
/// option and in a promise, the client in a reply, and one question is a
/// 1 MB line.
fn hostile_transcript(arm: impl Fn(&str) -> String) -> String {
    let client = arm(CLIENT);
    let mut said: Vec<(String, String)> = Vec::new();
    for attack in ATTACKS {
        let attack = arm(attack);
        said.push((
            "Dana".into(),
            format!("Which would you prefer, {attack} or the plan we discussed?"),
        ));
        said.push((client.clone(), format!("I am not sure about {attack} yet.")));
        said.push((
            "Dana".into(),
            format!("I will send you the plan by Friday with {attack} in it."),
        ));
    }
    said.push((
        "Dana".into(),
        format!("Could we {}go on?", "really ".repeat(150_000)),
    ));
    let segments: Vec<Value> = said
        .into_iter()
        .enumerate()
        .map(|(i, (speaker, text))| {
            let start = 4.0 * i as f64;
            json!({"start": start, "end": start + 3.5, "speaker": speaker, "text": text})
        })
        .collect();
    serde_json::to_string(&segments).unwrap()
}

/// What a page shows once loaded (and `ready` says it has all it will
/// show): whether anything ran, what the browser refused, every element
/// by tag, and which attacks read as plain text.
fn inspect(browser: &Browser, url: &str, ready: &str, attacks: &[String]) -> Value {
    browser.go(url);
    browser.wait_for(
        "the page",
        &format!("return document.readyState == 'complete' && ({ready})"),
    );
    assert!(!browser.dialog_open(), "{url} opened a dialog");
    browser.script_with(
        "const tags = {};
         for (const e of document.querySelectorAll('*')) tags[e.tagName] = (tags[e.tagName] || 0) + 1;
         const text = document.body.textContent;
         return {
           ran: typeof pwned == 'undefined' ? null : String(pwned),
           violations: window.violations,
           tags: Object.keys(tags).sort().map(t => t + ' ' + tags[t]),
           shown: arguments[0].filter(a => text.includes(a)).length,
         };",
        &json!([attacks]),
    )
}

/// Renders the call page, the week's summary and the review page from
/// the transcript `arm` makes, in `dir`, and inspects each.
fn pages(
    browser: &Browser,
    dir: &Path,
    arm: &dyn Fn(&str) -> String,
) -> Vec<(&'static str, Value)> {
    let calls = dir.join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    // The file is named with markup too: the summary shows its name.
    let transcript = calls.join(format!("2026-11-02 {}.json", arm(FILE)));
    std::fs::write(&transcript, hostile_transcript(arm)).unwrap();
    let attacks: Vec<String> = ATTACKS
        .iter()
        .chain(&[CLIENT, FILE])
        .map(|a| arm(a))
        .collect();
    let file_url = |path: &Path| format!("file://{}", path.display());

    let call_page = dir.join("call.html");
    succeeded(rapport(
        &[
            "analyze",
            "--consultant",
            "Dana",
            "--format",
            "html",
            "-o",
            call_page.to_str().unwrap(),
        ],
        &[&transcript],
    ));
    let week = dir.join("week");
    succeeded(rapport(
        &[
            "batch",
            "--consultant",
            "Dana",
            "-o",
            week.to_str().unwrap(),
        ],
        &[&calls],
    ));
    let mut seen = vec![
        (
            "call",
            inspect(browser, &file_url(&call_page), "true", &attacks),
        ),
        (
            "summary",
            inspect(
                browser,
                &file_url(&week.join("summary.html")),
                "true",
                &attacks,
            ),
        ),
    ];

    let (_server, url) = review(
        &[transcript.to_str().unwrap(), "--consultant", "Dana"],
        &dir.join("labels.jsonl"),
        "dana",
        &dir.join("cache"),
    );
    // A coach's comment is shown on the page too.
    assert_eq!(post_label(&url, &arm(ATTACKS[1])).unwrap(), 201);
    // The page fetches the labels once it has loaded.
    let labelled = "document.querySelectorAll('.coached .chip').length > 0";
    seen.push(("review", inspect(browser, &url, labelled, &attacks)));
    seen
}

/// The call page, the week's summary and the review page, each rendered
/// from a transcript full of attacks and from the same transcript with
/// the attacks disarmed, in headless Chromium: nothing runs, no dialog
/// opens, the content security policy refuses nothing, the pages have
/// exactly the same elements, and every attack reads as the text it is.
#[test]
fn hostile_transcripts_are_shown_as_text_in_a_real_browser() {
    let work = tempfile::tempdir().unwrap();
    let browser = Browser::start();
    browser.keep_csp_violations();
    let hostile = pages(&browser, &work.path().join("hostile"), &|a| a.to_string());
    let twin = pages(&browser, &work.path().join("disarmed"), &disarmed);
    for ((page, seen), (_, plain)) in hostile.iter().zip(&twin) {
        eprintln!("{page}: {seen}");
        assert_eq!(seen["ran"], Value::Null, "{page}: an attack ran");
        assert_eq!(
            seen["violations"],
            json!([]),
            "{page}: the policy refused something"
        );
        assert_eq!(plain["violations"], json!([]), "{page} (disarmed)");
        assert_eq!(
            seen["tags"], plain["tags"],
            "{page}: elements the page did not make"
        );
        assert_eq!(
            seen["shown"], plain["shown"],
            "{page}: attacks not shown as the text they are"
        );
        // The call page and the review page show every attack and the
        // client's name; the summary, the one moment it quotes and the
        // call's name.
        let least = if *page == "summary" {
            2
        } else {
            ATTACKS.len() + 1
        };
        assert!(seen["shown"].as_u64() >= Some(least as u64), "{page}");
    }
}

/// The server's resident memory, in KiB.
fn resident_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Posts a label that carries `tag` as its comment; whether the server
/// said it was saved, or why it could not be asked.
fn post_label(url: &str, tag: &str) -> Result<u16, ureq::Error> {
    let result = ureq::post(format!("{}/api/labels", base_of(url)))
        .header("x-rapport-token", token_of(url))
        .send_json(json!({"action": "add", "label": "question",
            "target": {"utterance": 0, "start": 0, "end": 0}, "comment": tag}));
    match result {
        Ok(response) => Ok(response.status().as_u16()),
        Err(ureq::Error::StatusCode(code)) => Ok(code),
        Err(other) => Err(other),
    }
}

/// How often each comment is in the sidecar's labels.
fn comments_in(sidecar: &Path) -> std::collections::HashMap<String, usize> {
    let kept = rapport::annotations::Annotations::load(sidecar).unwrap();
    let mut counts = std::collections::HashMap::new();
    for label in kept.labels {
        *counts.entry(label.comment).or_insert(0) += 1;
    }
    counts
}

/// A small generator for the test's random choices, seeded and printed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Eight clients at once, 3,200 requests: the page, ranges of the audio,
/// label writes and label lists. Every request is answered as asked,
/// the server's memory stays flat, and every label it acknowledged is in
/// the sidecar exactly once.
#[test]
fn the_review_server_under_load_answers_everything_and_keeps_every_label() {
    const CLIENTS: u64 = 8;
    const ROUNDS: u64 = 400;
    let work = tempfile::tempdir().unwrap();
    let sidecar = work.path().join("load.annotations.jsonl");
    let clip = project().join("tests/fixtures/voices-16k.wav");
    let (server, url) = {
        let _turn = whisper_turn();
        review(
            &[clip.to_str().unwrap()],
            &sidecar,
            "load",
            &work.path().join("cache"),
        )
    };
    let pid = server.0.id();
    let audio_bytes: u64 = ureq::get(format!("{}/audio.wav", base_of(&url)))
        .header("x-rapport-token", token_of(&url))
        .header("Range", "bytes=0-0")
        .call()
        .unwrap()
        .headers()
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit('/').next())
        .and_then(|v| v.parse().ok())
        .unwrap();

    let load = |rounds: std::ops::Range<u64>| {
        let threads: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let url = url.clone();
                let rounds = rounds.clone();
                std::thread::spawn(move || {
                    let mut random = Lcg(client + 1);
                    let mut acknowledged = Vec::new();
                    for round in rounds {
                        let token = token_of(&url);
                        let status = match round % 4 {
                            0 => status_of(ureq::get(&url).call()),
                            1 => {
                                let from = random.below(audio_bytes);
                                let to = (from + random.below(256 * 1024)).min(audio_bytes - 1);
                                status_of(
                                    ureq::get(format!("{}/audio.wav", base_of(&url)))
                                        .header("x-rapport-token", token)
                                        .header("Range", &format!("bytes={from}-{to}"))
                                        .call(),
                                )
                            }
                            2 => {
                                let tag = format!("client {client} round {round}");
                                let status = post_label(&url, &tag).unwrap();
                                if status == 201 {
                                    acknowledged.push(tag);
                                }
                                status
                            }
                            _ => status_of(
                                ureq::get(format!("{}/api/labels", base_of(&url)))
                                    .header("x-rapport-token", token)
                                    .call(),
                            ),
                        };
                        let expected: &[u16] = match round % 4 {
                            1 => &[206],
                            2 => &[201],
                            _ => &[200],
                        };
                        assert!(
                            expected.contains(&status),
                            "client {client} round {round}: {status}"
                        );
                    }
                    acknowledged
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect::<Vec<_>>()
    };
    let mut acknowledged = load(0..ROUNDS / 10);
    let warm = resident_kib(pid);
    acknowledged.extend(load(ROUNDS / 10..ROUNDS));
    let after = resident_kib(pid);
    eprintln!(
        "{} requests from {CLIENTS} clients; server memory {warm} KiB after the first tenth, {after} KiB at the end",
        CLIENTS * ROUNDS
    );
    assert!(
        after < warm + 32 * 1024,
        "memory grew from {warm} to {after} KiB"
    );
    assert_eq!(acknowledged.len() as u64, CLIENTS * ROUNDS / 4);
    let kept = comments_in(&sidecar);
    assert_eq!(kept.len(), acknowledged.len());
    for tag in &acknowledged {
        assert_eq!(kept.get(tag), Some(&1), "{tag}");
    }
}

/// `rapport review` killed (SIGKILL) three times while four clients write
/// labels as fast as it answers: after each restart every label it had
/// acknowledged is in the sidecar exactly once, and the page lists it.
#[test]
fn labels_acknowledged_before_a_kill_survive_it() {
    const SEED: u64 = 19;
    let work = tempfile::tempdir().unwrap();
    let sidecar = work.path().join("kill.annotations.jsonl");
    let transcript = project().join("tests/fixtures/call.zoom.vtt");
    let cache = work.path().join("cache");
    let mut random = Lcg(SEED);
    let mut acknowledged: Vec<String> = Vec::new();
    for kill in 0..3 {
        let (mut server, url) = review(&[transcript.to_str().unwrap()], &sidecar, "kill", &cache);
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let (url, count) = (url.clone(), count.clone());
                std::thread::spawn(move || {
                    let mut saved = Vec::new();
                    for n in 0.. {
                        let tag = format!("kill {kill} writer {writer} label {n}");
                        match post_label(&url, &tag) {
                            Ok(201) => {
                                saved.push(tag);
                                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            Ok(other) => panic!("{tag}: {other}"),
                            Err(_) => break,
                        }
                    }
                    saved
                })
            })
            .collect();
        let at = 20 + usize::try_from(random.below(200)).unwrap();
        while count.load(std::sync::atomic::Ordering::Relaxed) < at {
            std::thread::sleep(Duration::from_millis(1));
        }
        server.0.kill().unwrap();
        server.0.wait().unwrap();
        acknowledged.extend(writers.into_iter().flat_map(|w| w.join().unwrap()));
        eprintln!(
            "kill {kill} (seed {SEED}) after {at} labels: {} acknowledged so far",
            acknowledged.len()
        );
    }
    let kept = comments_in(&sidecar);
    for tag in &acknowledged {
        assert_eq!(kept.get(tag), Some(&1), "{tag}");
    }
    let (_server, url) = review(&[transcript.to_str().unwrap()], &sidecar, "kill", &cache);
    let listed: Value = ureq::get(format!("{}/api/labels", base_of(&url)))
        .header("x-rapport-token", token_of(&url))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let listed: std::collections::HashSet<&str> = listed["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["comment"].as_str().unwrap())
        .collect();
    assert!(acknowledged.iter().all(|tag| listed.contains(tag.as_str())));
}
