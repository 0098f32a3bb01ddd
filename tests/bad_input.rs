//! A corpus of bad inputs, made by this file, each run through every
//! command that reads it: recordings and transcripts through `transcribe`,
//! `analyze` and `batch` (beside a good transcript, which must still be
//! analysed); coaches' sidecars through `eval`, `export` and `review`'s
//! start-up; labelled datasets through `eval` and `train`; rubrics and
//! `rapport.toml` through `analyze`. Each run must end within its time
//! bound, without a panic, with the exit status expected (2 for an error,
//! 1 for a batch with a failed call, 0 where the input is odd but valid)
//! and, for an error, a message naming the file; its peak memory is
//! recorded. A table of every run is printed.
//!
//! `cargo test --test bad_input` runs the fast cases (those that need no
//! Whisper and no large file); `scripts/bad-input` runs them all.

use serde_json::Value;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(project().join("tests/fixtures").join(name)).unwrap()
}

/// No run may take longer.
const TIME_BOUND: Duration = Duration::from_mins(2);
/// Nor hold more memory at its peak (resident). The 10 MB transcript line
/// takes the most: 1.8 GiB in `batch` (release), 2.2 GiB (test build).
const MEMORY_BOUND_MIB: u64 = 3072;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Recording,
    Transcript,
    Sidecar,
    Dataset,
    Rubric,
    Config,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Refused: exit 2 (a batch: 1), the file named.
    Error,
    /// Odd but valid: read and analysed.
    Fine,
}

/// What the file is.
enum Content {
    Bytes(Vec<u8>),
    Fifo,
    Folder,
    /// A symbolic link to itself.
    Loop,
}

struct Case {
    name: String,
    file: String,
    content: Content,
    reader: Reader,
    expect: Expect,
    /// Commands for which the outcome differs from `expect`.
    except: Vec<(&'static str, Expect)>,
    /// Runs in the test suite (no Whisper, no large file).
    fast: bool,
}

impl Case {
    fn expect(&self, command: &str) -> Expect {
        self.except
            .iter()
            .find(|(c, _)| *c == command)
            .map_or(self.expect, |(_, e)| *e)
    }

    #[must_use]
    fn except(mut self, command: &'static str, expect: Expect) -> Self {
        self.except.push((command, expect));
        self
    }
}

fn case(
    name: &str,
    file: &str,
    bytes: Vec<u8>,
    reader: Reader,
    expect: Expect,
    fast: bool,
) -> Case {
    Case {
        name: name.into(),
        file: file.into(),
        content: Content::Bytes(bytes),
        reader,
        expect,
        except: Vec::new(),
        fast,
    }
}

/// A WAV header over `data`, saying what it is told to.
fn wav(
    rate: u32,
    channels: u16,
    bits: u16,
    format: u16,
    data: &[u8],
    stated: Option<u32>,
) -> Vec<u8> {
    let block = (u32::from(channels) * u32::from(bits) / 8).max(1);
    let mut out = b"RIFF".to_vec();
    out.extend((36 + data.len() as u32).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(format.to_le_bytes());
    out.extend(channels.to_le_bytes());
    out.extend(rate.to_le_bytes());
    out.extend(rate.wrapping_mul(block).to_le_bytes());
    out.extend((block as u16).to_le_bytes());
    out.extend(bits.to_le_bytes());
    out.extend(b"data");
    out.extend(stated.unwrap_or(data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}

/// Three seconds of the sample's voices, as a 16 kHz mono WAV.
fn good_wav() -> Vec<u8> {
    let voices = fixture("voices-16k.wav");
    let samples = &voices[44..44 + 3 * 32_000];
    wav(16_000, 1, 16, 1, samples, None)
}

fn vtt(cues: &str) -> Vec<u8> {
    format!("WEBVTT\n\n{cues}").into_bytes()
}

#[allow(clippy::too_many_lines, reason = "the corpus is a list")]
fn corpus() -> Vec<Case> {
    use Expect::{Error, Fine};
    use Reader::{Config, Dataset, Recording, Rubric, Sidecar, Transcript};
    let mut cases = Vec::new();
    let containers: Vec<(&str, Vec<u8>)> = vec![
        ("wav", good_wav()),
        ("flac", fixture("call.flac")),
        ("m4a", fixture("call.m4a")),
        ("mp3", fixture("call.mp3")),
        ("ogg", fixture("call.ogg")),
        ("webm", fixture("call.webm")),
        ("mp4", fixture("call.mp4")),
    ];
    for (ext, bytes) in &containers {
        let fast = matches!(*ext, "wav" | "mp3");
        cases.push(case(
            &format!("empty .{ext}"),
            &format!("empty.{ext}"),
            Vec::new(),
            Recording,
            Error,
            fast,
        ));
        cases.push(case(
            &format!("one byte .{ext}"),
            &format!("byte.{ext}"),
            bytes[..1].to_vec(),
            Recording,
            Error,
            fast,
        ));
        let n = bytes.len();
        for (at, cut) in [
            ("4 B", 4),
            ("12 B", 12),
            ("44 B", 44),
            ("200 B", 200),
            ("10 %", n / 10),
            ("50 %", n / 2),
            ("90 %", n * 9 / 10),
        ] {
            // OGG states no length: a stream cut after its headers is a
            // shorter stream, analysed as what it holds. A file short of
            // its stated length by under half a second is taken as an
            // encoder's rounding (the three-second WAV cut at 90 %).
            let expect = if (*ext == "ogg" && cut > 200) || (*ext == "wav" && at == "90 %") {
                Fine
            } else {
                Error
            };
            let fast = fast && matches!(at, "12 B" | "50 %");
            cases.push(case(
                &format!(".{ext} cut at {at}"),
                &format!("cut.{ext}"),
                bytes[..cut].to_vec(),
                Recording,
                expect,
                fast && expect == Error,
            ));
        }
    }
    // Named for another format: the content decides, where it is a recording.
    let named = [
        ("MP3 named .wav", "call.wav", fixture("call.mp3"), Fine),
        ("FLAC named .m4a", "call.m4a", fixture("call.flac"), Fine),
        ("WAV named .mp3", "call.mp3", good_wav(), Fine),
        (
            "a transcript named .wav",
            "call.wav",
            fixture("call.zoom.vtt"),
            Error,
        ),
        (
            "a PDF named .mp4",
            "call.mp4",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
            Error,
        ),
    ];
    for (name, file, bytes, expect) in named {
        cases.push(case(name, file, bytes, Recording, expect, expect == Error));
    }
    let tone: Vec<u8> = (0..16_000u32)
        .flat_map(|i| (((i % 40) as i16 - 20) * 500).to_le_bytes())
        .collect();
    let lies: Vec<(&str, Vec<u8>)> = vec![
        ("WAV: sample rate 0", wav(0, 1, 16, 1, &tone, None)),
        (
            "WAV: sample rate 4 GHz",
            wav(4_000_000_000, 1, 16, 1, &tone, None),
        ),
        ("WAV: 0 channels", wav(16_000, 0, 16, 1, &tone, None)),
        (
            "WAV: 65,535 channels",
            wav(16_000, 65_535, 16, 1, &tone, None),
        ),
        ("WAV: 7-bit samples", wav(16_000, 1, 7, 1, &tone, None)),
        ("WAV: 12-bit samples", wav(16_000, 1, 12, 1, &tone, None)),
        (
            "WAV: 64-bit integer samples",
            wav(16_000, 1, 64, 1, &tone, None),
        ),
        (
            "WAV: unknown format code",
            wav(16_000, 1, 16, 99, &tone, None),
        ),
        (
            "WAV: data size beyond the file (100 hours)",
            wav(16_000, 1, 16, 1, &tone, Some(0xFFFF_FFF0)),
        ),
        (
            "WAV: NaN samples",
            wav(
                16_000,
                1,
                32,
                3,
                &f32::NAN.to_le_bytes().repeat(16_000),
                None,
            ),
        ),
        (
            "WAV: infinite samples",
            wav(
                16_000,
                1,
                32,
                3,
                &[f32::INFINITY.to_le_bytes(), f32::NEG_INFINITY.to_le_bytes()]
                    .concat()
                    .repeat(8_000),
                None,
            ),
        ),
        (
            "MP3: ID3 tags only",
            [b"ID3\x03\x00\x00\x00\x00\x00\x0a".as_slice(), &[0; 10]].concat(),
        ),
        ("MP4: a picture and no sound", fixture("video-only.mp4")),
    ];
    for (name, bytes) in lies {
        let file = if name.starts_with("MP3") {
            "tags.mp3"
        } else if name.starts_with("MP4") {
            "picture.mp4"
        } else {
            "lies.wav"
        };
        cases.push(case(name, file, bytes, Recording, Error, true));
    }
    cases.push(case(
        "an hour of silence",
        "silence.wav",
        wav(16_000, 1, 16, 1, &vec![0; 16_000 * 2 * 3600], None),
        Recording,
        Error,
        false,
    ));
    let good_vtt = fixture("call.zoom.vtt");
    let good_text = String::from_utf8(good_vtt.clone()).unwrap();
    let transcripts: Vec<(&str, &str, Vec<u8>, Expect)> = vec![
        ("VTT: empty", "t.vtt", Vec::new(), Error),
        ("VTT: header only", "t.vtt", b"WEBVTT\n".to_vec(), Error),
        (
            "VTT: invalid UTF-8",
            "t.vtt",
            [&good_vtt[..40], b"\xff\xfe\xc3(", &good_vtt[40..]].concat(),
            Error,
        ),
        (
            "VTT: byte-order mark",
            "t.vtt",
            [b"\xef\xbb\xbf".as_slice(), &good_vtt].concat(),
            Fine,
        ),
        (
            "VTT: CRLF line ends",
            "t.vtt",
            good_text.replace('\n', "\r\n").into_bytes(),
            Fine,
        ),
        (
            "VTT: a 10 MB line",
            "t.vtt",
            vtt(&format!(
                "00:00:01.000 --> 00:00:09.000\n<v Ann>{}\n",
                "so ".repeat(3_500_000)
            )),
            Fine,
        ),
        (
            "VTT: 100,000 cues",
            "t.vtt",
            vtt(&(0..100_000).fold(String::new(), |mut cues, i| {
                let who = if i % 2 == 0 { "Ann" } else { "Bo" };
                let at = clock(i);
                let _ = write!(
                    cues,
                    "{at}.000 --> {at}.500\n<v {who}>Yes, and then what?\n\n"
                );
                cues
            })),
            Fine,
        ),
        (
            "VTT: a negative time",
            "t.vtt",
            vtt("-00:00:01.000 --> 00:00:02.000\n<v Ann>Hello.\n"),
            Error,
        ),
        (
            "VTT: end before start",
            "t.vtt",
            vtt("00:00:05.000 --> 00:00:02.000\n<v Ann>Hello.\n"),
            Error,
        ),
        (
            "VTT: a time of 300 years",
            "t.vtt",
            vtt("2628000:00:00.000 --> 2628000:00:01.000\n<v Ann>Hello.\n"),
            Error,
        ),
        (
            "VTT: binary garbage",
            "t.vtt",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
            Error,
        ),
        (
            "SRT: no times",
            "t.srt",
            b"1\nHello there\n\n2\nAnd again\n".to_vec(),
            Error,
        ),
        (
            "SRT: end before start",
            "t.srt",
            b"1\n00:00:05,000 --> 00:00:01,000\nAnn: Hello.\n".to_vec(),
            Error,
        ),
        (
            "JSON: nested 100,000 deep",
            "t.json",
            [b"[".repeat(100_000), b"]".repeat(100_000)].concat(),
            Error,
        ),
        (
            "JSON: not a list of segments",
            "t.json",
            b"{\"hello\": 1}".to_vec(),
            Error,
        ),
        (
            "JSON: times as words",
            "t.json",
            br#"[{"start": "one", "end": "two", "text": "Hello."}]"#.to_vec(),
            Error,
        ),
        (
            "JSON: an infinite time",
            "t.json",
            br#"[{"start": 1e999, "end": 2, "text": "Hello.", "speaker": "Ann"}]"#.to_vec(),
            Error,
        ),
        (
            "JSON: a negative time",
            "t.json",
            br#"[{"start": -5, "end": 2, "text": "Hello.", "speaker": "Ann"}]"#.to_vec(),
            Error,
        ),
    ];
    for (name, file, bytes, expect) in transcripts {
        // The two large ones take ~15 s a run: the full corpus has them.
        let fast = bytes.len() < 1_000_000;
        cases.push(case(name, file, bytes, Transcript, expect, fast));
    }
    let sidecar =
        std::fs::read_to_string(project().join("samples/call.annotations.jsonl")).unwrap();
    let records: Vec<&str> = sidecar.lines().collect();
    // A sidecar is only ever appended to: a line a killed writer tore, or
    // one that is not a record, is reported by number and kept, and the
    // rest is read; one a newer rapport wrote, or with no record at all, is
    // refused. An empty one is a new one to `review`.
    let garbage: Vec<u8> = (0..2048u32).map(|i| (i * 31 % 256) as u8).collect();
    let sidecars: Vec<(&str, String, Expect)> = vec![
        ("sidecar: empty", String::new(), Error),
        (
            "sidecar: cut mid-line",
            format!("{}\n{}", records[0], &records[1][..records[1].len() / 2]),
            Fine,
        ),
        (
            "sidecar: a label before its call",
            format!("{}\n{}\n", records[1], records[0]),
            Fine,
        ),
        (
            "sidecar: from a newer version",
            sidecar.replace("\"record_version\":1", "\"record_version\":9"),
            Error,
        ),
        (
            "sidecar: binary garbage",
            String::from_utf8_lossy(&garbage).into_owned(),
            Error,
        ),
        (
            "sidecar: a line that is not a record",
            format!("{}\n{}\n[1, 2, 3]\n", records[0], records[1]),
            Fine,
        ),
    ];
    for (name, text, expect) in sidecars {
        let made = case(
            name,
            "call.annotations.jsonl",
            text.into_bytes(),
            Sidecar,
            expect,
            true,
        );
        cases.push(if name == "sidecar: empty" {
            made.except("review", Fine)
        } else {
            made
        });
    }
    let datasets: Vec<(&str, &str)> = vec![
        ("dataset: empty", ""),
        ("dataset: not JSON", "id,text\n1,hello\n"),
        (
            "dataset: a line without text",
            "{\"id\": \"a\", \"labels\": []}\n",
        ),
    ];
    for (name, text) in datasets {
        cases.push(case(
            name,
            "labels.jsonl",
            text.into(),
            Dataset,
            Error,
            true,
        ));
    }
    let rubrics: Vec<(&str, &str)> = vec![
        ("rubric: TOML syntax", "name = \"x\"\n[[dimension\n"),
        (
            "rubric: an unknown field",
            "name = \"x\"\ncolour = \"red\"\n",
        ),
        ("rubric: empty", ""),
        ("rubric: binary garbage", "\u{0}\u{1}\u{2}PK\u{3}\u{4}"),
    ];
    for (name, text) in rubrics {
        cases.push(case(name, "rubric.toml", text.into(), Rubric, Error, true));
    }
    let configs: Vec<(&str, &str)> = vec![
        ("rapport.toml: TOML syntax", "consultant = [\"Ann\"\n"),
        ("rapport.toml: an unknown key", "consultants = [\"Ann\"]\n"),
        ("rapport.toml: a number for names", "consultant = 7\n"),
        (
            "rapport.toml: a negative retention",
            "[cache]\nkeep_days = -3\n",
        ),
    ];
    for (name, text) in configs {
        cases.push(case(name, "rapport.toml", text.into(), Config, Error, true));
    }
    for (name, file, content, reader) in [
        (
            "a folder named .wav",
            "folder.wav",
            Content::Folder,
            Recording,
        ),
        ("a FIFO named .wav", "pipe.wav", Content::Fifo, Recording),
        ("a FIFO named .vtt", "pipe.vtt", Content::Fifo, Transcript),
        (
            "a FIFO named as a sidecar",
            "call.annotations.jsonl",
            Content::Fifo,
            Sidecar,
        ),
        (
            "a FIFO as a dataset",
            "labels.jsonl",
            Content::Fifo,
            Dataset,
        ),
        ("a FIFO as a rubric", "rubric.toml", Content::Fifo, Rubric),
        (
            "a symbolic link loop named .wav",
            "loop.wav",
            Content::Loop,
            Recording,
        ),
        (
            "a symbolic link loop named .vtt",
            "loop.vtt",
            Content::Loop,
            Transcript,
        ),
    ] {
        let made = Case {
            name: name.into(),
            file: file.into(),
            content,
            reader,
            expect: Error,
            except: Vec::new(),
            fast: true,
        };
        // In a batch, a folder is a folder to search, not a call.
        cases.push(if name == "a folder named .wav" {
            made.except("batch", Fine)
        } else {
            made
        });
    }
    for (name, file) in [
        ("a newline in a file name", "new\nline.vtt"),
        ("a name that is not UTF-8", "caf\u{fffd}.vtt"),
    ] {
        cases.push(case(name, file, good_vtt.clone(), Transcript, Fine, true));
    }
    cases
}

fn clock(second: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// Writes the case's file into `dir`, returning its path.
fn make(case: &Case, dir: &Path) -> PathBuf {
    let path = if case.name == "a name that is not UTF-8" {
        use std::os::unix::ffi::OsStrExt;
        dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9.vtt"))
    } else {
        dir.join(&case.file)
    };
    match &case.content {
        Content::Bytes(bytes) => std::fs::write(&path, bytes).unwrap(),
        Content::Folder => std::fs::create_dir(&path).unwrap(),
        Content::Loop => std::os::unix::fs::symlink(&path, &path).unwrap(),
        Content::Fifo => {
            let made = Command::new("mkfifo").arg(&path).status().unwrap();
            assert!(made.success(), "mkfifo");
        }
    }
    path
}

/// One run's outcome.
struct Run {
    status: Option<i32>,
    seconds: f64,
    peak_mib: u64,
    stderr: String,
    stdout: String,
    timed_out: bool,
    /// `review` printed its address: it started serving.
    served: bool,
}

fn peak_mib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024)
}

fn run(mut command: Command) -> Run {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let mut served = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            served |= line.starts_with("open ");
            text.push_str(&line);
            text.push('\n');
            if served {
                break;
            }
        }
        (text, served)
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let mut peak = 0;
    let mut timed_out = false;
    let status = loop {
        if let Some(mib) = peak_mib(child.id()) {
            peak = peak.max(mib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if out_reader.is_finished() || started.elapsed() > TIME_BOUND {
            // A review server that started, or a run past its bound.
            timed_out = !out_reader.is_finished();
            let _ = child.kill();
            break child.wait().unwrap().code();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, served) = out_reader.join().unwrap();
    Run {
        status,
        seconds: started.elapsed().as_secs_f64(),
        peak_mib: peak,
        stderr: err_reader.join().unwrap(),
        stdout,
        timed_out,
        served,
    }
}

fn rapport(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rapport"));
    command
        .current_dir(dir)
        .env("RAPPORT_CACHE", dir.join("cache"))
        .env(
            "RAPPORT_CONFIG",
            project().join("tests/fixtures/empty.toml"),
        )
        .env("NO_COLOR", "1");
    command
}

/// The commands that read this kind of input, each with its arguments.
fn commands(case: &Case, path: &Path, dir: &Path) -> Vec<(&'static str, Vec<OsString>)> {
    let p = path.as_os_str().to_os_string();
    let good = dir.join("good.vtt").into_os_string();
    let model = project()
        .join("models/ggml-tiny.en-q8_0.bin")
        .into_os_string();
    let out = dir.join("out").into_os_string();
    let detectors = dir.join("out.detectors").into_os_string();
    let week = dir.join("week").into_os_string();
    let args = |v: &[&dyn AsRef<OsStr>]| v.iter().map(|a| a.as_ref().to_os_string()).collect();
    match case.reader {
        Reader::Recording | Reader::Transcript => vec![
            (
                "transcribe",
                args(&[&"transcribe", &p, &"--model", &model, &"--format", &"json"]),
            ),
            (
                "analyze",
                args(&[&"analyze", &p, &"--model", &model, &"--format", &"json"]),
            ),
            (
                "batch",
                args(&[&"batch", &week, &"-o", &out, &"--model", &model]),
            ),
        ],
        Reader::Sidecar => vec![
            ("eval", args(&[&"eval", &p])),
            ("export", args(&[&"export", &p, &"--format", &"jsonl"])),
            (
                "review",
                args(&[&"review", &good, &"--annotations", &p, &"--coach", &"x"]),
            ),
        ],
        Reader::Dataset => vec![
            ("eval", args(&[&"eval", &p])),
            ("train", args(&[&"train", &p, &"-o", &detectors])),
        ],
        Reader::Rubric => vec![("analyze", args(&[&"analyze", &good, &"--rubric", &p]))],
        Reader::Config => vec![
            ("analyze", args(&[&"analyze", &good])),
            ("batch", args(&[&"batch", &week, &"-o", &out])),
        ],
    }
}

/// Why the run is not what the case expects, if it is not.
fn judge(case: &Case, command: &str, run: &Run, shown_name: &str, dir: &Path) -> Option<String> {
    if run.timed_out {
        return Some(format!("no answer within {} s", TIME_BOUND.as_secs()));
    }
    if run.stderr.contains("panicked") || run.status.is_none() && !run.served {
        return Some("panicked or was killed by a signal".into());
    }
    if run.peak_mib > MEMORY_BOUND_MIB {
        return Some(format!("peak memory {} MiB", run.peak_mib));
    }
    // A bad file among a batch's calls fails its call (exit 1); a bad
    // configuration stops the batch (exit 2).
    let per_call = matches!(case.reader, Reader::Recording | Reader::Transcript);
    let batch = command == "batch" && per_call;
    match case.expect(command) {
        Expect::Error => {
            if run.served {
                return Some("started serving".into());
            }
            let wanted = if batch { 1 } else { 2 };
            if run.status != Some(wanted) {
                return Some(format!("exit status {:?}, not {wanted}", run.status));
            }
            let told = format!("{}{}", run.stderr, run.stdout);
            if !told.contains(shown_name) {
                return Some("the message does not name the file".into());
            }
        }
        Expect::Fine => {
            if run.status != Some(0) && !run.served {
                return Some(format!(
                    "exit status {:?}: {}",
                    run.status,
                    first_line(&run.stderr)
                ));
            }
        }
    }
    if batch {
        // The good transcript beside the bad file is analysed all the same.
        let summary: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("out/summary.json")).unwrap_or_default(),
        )
        .unwrap_or(Value::Null);
        let analysed = summary["calls"].as_array().is_some_and(|calls| {
            calls
                .iter()
                .any(|c| c["id"].as_str().is_some_and(|id| id.starts_with("good")))
        });
        if !analysed {
            return Some("the good call beside it was not analysed".into());
        }
    }
    None
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(110)
        .collect()
}

fn run_corpus(all: bool) {
    let cases: Vec<Case> = corpus().into_iter().filter(|c| all || c.fast).collect();
    let mut table = String::new();
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        let week = dir.path().join("week");
        std::fs::create_dir(&week).unwrap();
        std::fs::write(dir.path().join("good.vtt"), fixture("call.zoom.vtt")).unwrap();
        std::fs::write(week.join("good.vtt"), fixture("call.zoom.vtt")).unwrap();
        let path = match case.reader {
            Reader::Recording | Reader::Transcript => make(case, &week),
            _ => make(case, dir.path()),
        };
        let shown_name = path
            .file_name()
            .map(|n| n.to_string_lossy().replace('\n', "_"))
            .unwrap_or_default();
        let shown_name = if case.reader == Reader::Config {
            "rapport.toml".to_string()
        } else {
            shown_name
        };
        for (command_name, args) in commands(case, &path, dir.path()) {
            let mut command = rapport(dir.path());
            command.args(&args);
            if case.reader == Reader::Config {
                command.env("RAPPORT_CONFIG", &path);
            }
            let _ = std::fs::remove_dir_all(dir.path().join("out"));
            let outcome = run(command);
            runs += 1;
            let verdict = judge(case, command_name, &outcome, &shown_name, dir.path());
            let _ = writeln!(
                table,
                "{:<44} {:<10} {:<5} {:>4} {:>6.2}s {:>5} MiB  {:<4} {}",
                case.name.chars().take(44).collect::<String>(),
                command_name,
                if case.expect(command_name) == Expect::Error {
                    "error"
                } else {
                    "fine"
                },
                outcome.status.map_or_else(
                    || if outcome.served {
                        "up".into()
                    } else {
                        "sig".into()
                    },
                    |s| s.to_string()
                ),
                outcome.seconds,
                outcome.peak_mib,
                if verdict.is_none() { "ok" } else { "FAIL" },
                first_line(&outcome.stderr),
            );
            if let Some(why) = verdict {
                failures.push(format!(
                    "{} / {command_name}: {why}\n{}",
                    case.name, outcome.stderr
                ));
            }
        }
    }
    println!(
        "{} cases, {runs} runs ({}); time bound {} s, memory bound {MEMORY_BOUND_MIB} MiB\n{:<44} {:<10} {:<5} {:>4} {:>7} {:>9}  {:<4} message\n{table}",
        cases.len(),
        if all {
            "all of them"
        } else {
            "the fast ones; scripts/bad-input runs all"
        },
        TIME_BOUND.as_secs(),
        "case",
        "command",
        "want",
        "exit",
        "time",
        "peak",
        "",
    );
    assert!(
        failures.is_empty(),
        "{} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_bad_input_gets_a_clear_error() {
    let all = std::env::var_os("RAPPORT_BAD_INPUT_ALL").is_some_and(|v| v == "1");
    let model = project().join("models/ggml-tiny.en-q8_0.bin");
    assert!(
        model.is_file(),
        "{} is missing: run scripts/test",
        model.display()
    );
    run_corpus(all);
}

#[test]
fn the_corpus_has_a_hundred_cases() {
    assert!(corpus().len() >= 100, "{}", corpus().len());
}
