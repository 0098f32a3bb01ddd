//! A full disk: `analyze -o`, `batch -o`, the transcript cache and the
//! annotations sidecar on a small tmpfs that runs out of space. Each gets
//! a clear error (or, for the cache, a warning and the analysis anyway),
//! leaves no part of a file where a whole one is expected, and loses
//! nothing it had written before; once space is freed, the work resumes.
//!
//! The tmpfs is mounted in a user and mount namespace of its own
//! (`unshare -rm`), where this test binary runs its ignored half.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn model() -> PathBuf {
    let path = project().join("models/ggml-tiny.en-q8_0.bin");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/test",
        path.display()
    );
    path
}

/// Where the namespace mounted the small tmpfs.
const DISK: &str = "RAPPORT_TEST_FULL_DISK";

#[test]
fn a_full_disk_loses_nothing_already_written() {
    if !Command::new("unshare")
        .args(["-rm", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        // Containers without user namespaces; CI has them (it runs as root).
        eprintln!("skipped: unshare -rm is not available here, so no tmpfs can be mounted");
        return;
    }
    let disk = tempfile::tempdir().unwrap();
    let run = Command::new("unshare")
        .args([
            "-rm",
            "bash",
            "-c",
            r#"mount -t tmpfs -o size=2m rapport-full-disk "$RAPPORT_TEST_FULL_DISK" && exec "$0" --exact on_a_full_disk --ignored --nocapture --test-threads 1"#,
        ])
        .arg(std::env::current_exe().unwrap())
        .env(DISK, disk.path())
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    eprintln!("{said}");
    assert!(run.status.success(), "the run on a full disk failed");
    assert!(
        said.contains("1 passed"),
        "the run on a full disk did not run"
    );
}

/// Takes the disk's free space, and gives it back.
struct Filler(PathBuf);

impl Filler {
    /// Fills the disk but for `spare` bytes.
    fn leaving(disk: &Path, spare: u64) -> Self {
        let path = disk.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 64 * 1024];
        loop {
            match file.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(err) if err.raw_os_error() == Some(28) => break,
                Err(err) => panic!("filling {}: {err}", path.display()),
            }
        }
        let full = file.metadata().unwrap().len();
        file.set_len(full.saturating_sub(spare)).unwrap();
        Self(path)
    }
}

impl Drop for Filler {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn rapport(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .env("RAPPORT_CACHE", cache)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir`, for saying what a failed write left behind.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(listing) = std::fs::read_dir(dir) {
        for entry in listing.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

fn no_temporaries(dir: &Path) {
    let left: Vec<PathBuf> = files_under(dir)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
#[ignore = "runs on a small tmpfs, inside the namespace a_full_disk_loses_nothing_already_written makes"]
fn on_a_full_disk() {
    let disk =
        PathBuf::from(std::env::var_os(DISK).expect("RAPPORT_TEST_FULL_DISK names the tmpfs"));
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    assert!(
        mounts.contains(&format!("rapport-full-disk {} tmpfs", disk.display())),
        "{} is not the small tmpfs",
        disk.display()
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let cache = elsewhere.path().join("cache");
    analyze_output_on_a_full_disk(&disk, &cache);
    batch_on_a_full_disk(&disk, elsewhere.path(), &cache);
    cache_on_a_full_disk(&disk);
    sidecar_on_a_full_disk(&disk);
}

/// analyze -o: nothing, or the whole page; never a part of it.
fn analyze_output_on_a_full_disk(disk: &Path, cache: &Path) {
    let transcript = project().join("tests/fixtures/call.zoom.vtt");
    let transcript = transcript.to_str().unwrap();
    for spare in [0, 8 * 1024] {
        let page = disk.join("call.html");
        let failed = {
            let _full = Filler::leaving(disk, spare);
            rapport(
                &[
                    "analyze",
                    transcript,
                    "--format",
                    "html",
                    "-o",
                    page.to_str().unwrap(),
                ],
                cache,
            )
        };
        eprintln!(
            "analyze -o, {spare} bytes spare: {}",
            stderr(&failed).trim()
        );
        assert_eq!(failed.status.code(), Some(2));
        assert!(stderr(&failed).contains("call.html"), "{}", stderr(&failed));
        assert!(stderr(&failed).contains("No space left on device"));
        assert_eq!(files_under(disk), Vec::<PathBuf>::new());
    }
}

/// batch -o: stopped with a clear error; resumed once there is room, to
/// the same summary as a batch that never ran short.
fn batch_on_a_full_disk(disk: &Path, elsewhere: &Path, cache: &Path) {
    let week = elsewhere.join("week");
    std::fs::create_dir_all(&week).unwrap();
    for name in ["call.zoom.vtt", "call.teams.vtt", "call.srt"] {
        std::fs::copy(project().join("tests/fixtures").join(name), week.join(name)).unwrap();
    }
    let week = week.to_str().unwrap();
    let out = disk.join("batch");
    let out_arg = out.to_str().unwrap();
    let failed = {
        let _full = Filler::leaving(disk, 24 * 1024);
        rapport(&["batch", week, "-o", out_arg], cache)
    };
    eprintln!("batch -o, 24 KiB spare: {}", stderr(&failed).trim());
    assert!(!failed.status.success());
    assert!(
        stderr(&failed).contains("No space left on device"),
        "{}",
        stderr(&failed)
    );
    no_temporaries(&out);
    for record in files_under(&out) {
        if record.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&record).unwrap();
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{} is torn: {e}", record.display()));
        }
    }
    let resumed = rapport(&["batch", week, "-o", out_arg], cache);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let fresh = elsewhere.join("fresh");
    let made = rapport(&["batch", week, "-o", fresh.to_str().unwrap()], cache);
    assert!(made.status.success(), "{}", stderr(&made));
    for file in ["summary.json", "summary.csv", "summary.html"] {
        assert!(
            std::fs::read(out.join(file)).unwrap() == std::fs::read(fresh.join(file)).unwrap(),
            "{file} differs from a batch that never ran short"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}

/// The transcript cache: the analysis goes on with a warning, and no torn
/// entry is left to be served later.
fn cache_on_a_full_disk(disk: &Path) {
    let disk_cache = disk.join("cache");
    let clip = project().join("tests/fixtures/voices-16k.wav");
    let clip = clip.to_str().unwrap();
    let model = model();
    let analyse = [
        "analyze",
        clip,
        "--model",
        model.to_str().unwrap(),
        "--format",
        "json",
    ];
    std::fs::create_dir_all(&disk_cache).unwrap();
    let warned = {
        let _full = Filler::leaving(disk, 0);
        rapport(&analyse, &disk_cache)
    };
    eprintln!("analyze, the cache full: {}", stderr(&warned).trim());
    assert!(warned.status.success(), "{}", stderr(&warned));
    assert!(stderr(&warned).contains("warning: cannot cache the transcript"));
    no_temporaries(&disk_cache);
    let again = rapport(&analyse, &disk_cache);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        again.stdout, warned.stdout,
        "the analysis after the cache had room differs"
    );
    let cached = rapport(&analyse, &disk_cache);
    assert_eq!(cached.stdout, warned.stdout, "the cached analysis differs");
    std::fs::remove_dir_all(&disk_cache).unwrap();
}

/// The annotations sidecar: labels written before the disk filled stay,
/// the one that did not fit is refused with the file named and leaves no
/// torn line, and labels go on once there is room.
fn sidecar_on_a_full_disk(disk: &Path) {
    use rapport::annotations::{Action, Annotations, Label, Sidecar, Target, check};
    let vtt = project().join("tests/fixtures/call.zoom.vtt");
    let call = rapport::import::read(&vtt, rapport::import::Format::WebVtt, None, &[]).unwrap();
    let sidecar = Sidecar::new(disk.join("call.annotations.jsonl"));
    let key = sidecar.record_call(&call, vec![], vec![]).unwrap();
    let label = |n: usize| {
        let mut label = Label {
            id: format!("label{n}"),
            at: jiff::Timestamp::now(),
            coach: "ann".into(),
            call: key.clone(),
            action: Action::Add,
            label: "question".into(),
            previous: None,
            target: Target {
                utterance: Some(n % call.utterances.len()),
                start: 0.0,
                end: 0.0,
            },
            comment: "a comment long enough to cross a page of the disk now and then".repeat(4),
            rating: None,
        };
        check(&mut label, &call).unwrap();
        label
    };
    for n in 0..3 {
        sidecar.record_label(&label(n)).unwrap();
    }
    let mut written = 3;
    let refused = {
        let _full = Filler::leaving(disk, 0);
        // A label may still fit in the file's last page; write until one
        // does not.
        loop {
            match sidecar.record_label(&label(written)) {
                Ok(()) => written += 1,
                Err(err) => break err.to_string(),
            }
            assert!(written < 1000, "the disk never filled");
        }
    };
    eprintln!("sidecar, the disk full after {written} labels: {refused}");
    assert!(refused.contains("call.annotations.jsonl"), "{refused}");
    assert!(refused.contains("No space left on device"), "{refused}");
    let kept = Annotations::load(sidecar.path()).unwrap();
    assert_eq!(kept.labels.len(), written);
    assert!(kept.skipped.is_empty(), "{:?}", kept.skipped);
    sidecar.record_label(&label(written)).unwrap();
    let kept = Annotations::load(sidecar.path()).unwrap();
    assert_eq!(kept.labels.len(), written + 1);
    assert!(kept.skipped.is_empty(), "{:?}", kept.skipped);
}
