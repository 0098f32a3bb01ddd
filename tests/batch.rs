//! `rapport batch` and `rapport merge`, end to end: a week's folder with
//! recordings (through the real Whisper model), transcripts and broken
//! files; a batch killed mid-run and resumed; shards merged.

use assert_cmd::Command;
use rapport::summary::Week;
use rapport::summary::ledger::Status;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

mod common;

use common::{model, project, whisper_turn};

/// `rapport` with its own empty transcript cache and no user config.
fn rapport(cache: &Path) -> Command {
    let mut cmd = Command::cargo_bin("rapport").unwrap();
    cmd.env_remove("RAPPORT_MODEL")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("RAPPORT_CONFIG")
        .env("RAPPORT_CACHE", cache)
        .env("XDG_CONFIG_HOME", cache);
    cmd
}

/// A WebVTT transcript of `cues`: (start, end, speaker, text).
fn vtt(cues: &[(f64, f64, &str, &str)]) -> String {
    let clock = |t: f64| {
        let ms = (t * 1000.0).round() as u64;
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    let mut text = String::from("WEBVTT\n\n");
    for (start, end, who, said) in cues {
        let _ = write!(
            text,
            "{} --> {}\n<v {who}>{said}</v>\n\n",
            clock(*start),
            clock(*end)
        );
    }
    text
}

/// A short call between Ann (the consultant) and `client`, in which Ann
/// says `line`.
fn short_call(client: &str, line: &str) -> String {
    vtt(&[
        (0.0, 4.0, "Ann Smith", "Good morning, how have things been?"),
        (
            4.5,
            12.0,
            client,
            "Busy. The move is behind and the team is tired.",
        ),
        (12.5, 17.0, "Ann Smith", line),
        (17.5, 20.0, client, "That works for me."),
    ])
}

fn write(path: &Path, content: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn week_of(outdir: &Path) -> Week {
    serde_json::from_slice(&std::fs::read(outdir.join("summary.json")).unwrap()).unwrap()
}

/// The call records in `outdir` (none before the batch made it), with
/// when each was written.
fn records(outdir: &Path) -> BTreeMap<String, SystemTime> {
    let Ok(entries) = std::fs::read_dir(outdir.join("calls")) else {
        return BTreeMap::new();
    };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

/// Monday: a stereo recording and a transcript with Dana; Thursday: Dana
/// again, and Bo; a broken recording, an empty one, and notes.
fn make_week(week: &Path) {
    std::fs::create_dir_all(week.join("mon")).unwrap();
    std::fs::copy(
        project().join("tests/fixtures/call.m4a"),
        week.join("mon").join("stereo 2026-11-16.m4a"),
    )
    .unwrap();
    std::fs::copy(
        project().join("tests/fixtures/call.teams.vtt"),
        week.join("mon").join("dana 2026-11-16.vtt"),
    )
    .unwrap();
    write(
        &week.join("thu").join("dana 2026-11-19.vtt"),
        short_call(
            "Dana Lee",
            "I have the count plan here, shall we go through it?",
        ),
    );
    write(
        &week.join("thu").join("globex 2026-11-19.vtt"),
        short_call("Bo Chen", "I'll send you the pricing sheet by Friday."),
    );
    write(
        &week.join("thu").join("broken 2026-11-19.wav"),
        b"not a recording",
    );
    write(&week.join("fri").join("empty 2026-11-20.mp3"), b"");
    write(&week.join("notes.txt"), b"agenda");
}

/// Monday's promise of the count plan came up again on Thursday with the
/// same client; Thursday's pricing sheet, due Friday, is overdue by Monday.
fn check_ledger(summary: &Week) {
    let promise = |what: &str| {
        summary
            .promises
            .iter()
            .find(|p| p.what.contains(what))
            .unwrap_or_else(|| panic!("no promise of {what}: {:#?}", summary.promises))
    };
    let count_plan = promise("count plan");
    assert_eq!(count_plan.status, Status::FollowedUp);
    assert_eq!(
        count_plan.due.map(|d| d.to_string()).as_deref(),
        Some("2026-11-20")
    );
    let mention = count_plan.follow_up.as_ref().unwrap();
    assert_eq!(mention.call, "thu__dana_2026-11-19.vtt");
    assert!(
        mention
            .link
            .starts_with("calls/thu__dana_2026-11-19.vtt.html#e")
    );
    let pricing = promise("pricing sheet");
    assert_eq!(pricing.status, Status::Overdue);
    assert_eq!(pricing.client.as_deref(), Some("Bo Chen"));
}

#[test]
fn a_week_is_analysed_and_broken_files_are_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let (week, out, cache) = (
        dir.path().join("week"),
        dir.path().join("out"),
        dir.path().join("cache"),
    );
    make_week(&week);
    let batch = || {
        let mut cmd = rapport(&cache);
        cmd.arg("batch")
            .arg(&week)
            .arg("-o")
            .arg(&out)
            .args(["--as-of", "2026-11-23", "--model"])
            .arg(model());
        cmd
    };
    let output = {
        let _turn = whisper_turn();
        batch().output().unwrap()
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "some calls failed: {stderr}");
    assert!(stderr.contains("broken 2026-11-19.wav"), "{stderr}");
    assert!(stderr.contains("empty 2026-11-20.mp3"), "{stderr}");
    assert!(
        stderr.contains("6 calls: 4 ok (1 transcribed, 3 from transcripts), 2 failed, 0 skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 file neither recording nor transcript ignored"),
        "{stderr}"
    );

    let summary = week_of(&out);
    let ids: Vec<&str> = summary.calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "mon__dana_2026-11-16.vtt",
            "mon__stereo_2026-11-16.m4a",
            "thu__dana_2026-11-19.vtt",
            "thu__globex_2026-11-19.vtt",
        ]
    );
    let failures: Vec<(&str, &str)> = summary
        .failures
        .iter()
        .map(|f| (f.id.as_str(), f.error.as_str()))
        .collect();
    assert_eq!(failures.len(), 2);
    assert!(failures[0].1.contains("empty"), "{failures:?}");
    assert!(failures[1].1.contains("corrupt"), "{failures:?}");
    // The recording was heard: a stereo call has two people talking.
    let stereo = &summary.calls[1];
    assert!(stereo.score.is_some(), "{stereo:?}");
    assert!(stereo.participants.contains("(client)"), "{stereo:?}");

    check_ledger(&summary);

    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.starts_with("call,date,duration_s,participants,client,score,"),
        "{csv}"
    );
    let html = std::fs::read_to_string(out.join("summary.html")).unwrap();
    for id in ids {
        assert!(
            html.contains(&format!("href=\"calls/{id}.html\"")),
            "no link to {id}"
        );
        let page = std::fs::read_to_string(out.join("calls").join(format!("{id}.html"))).unwrap();
        assert!(page.contains("<tr id=\"e0\">"), "{id} has no anchors");
    }
    assert!(html.contains("overdue") && html.contains("followed up"));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("average of 4 calls"), "{table}");

    // Again: nothing is redone.
    let before = records(&out);
    let output = batch().output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("4 skipped (done before)"), "{stderr}");
    assert_eq!(records(&out), before, "finished calls were rewritten");

    // Another rubric re-scores every call; the recording is not transcribed again.
    let rubric = dir.path().join("strict.toml");
    let built_in = std::fs::read_to_string(project().join("src/rubric.toml")).unwrap();
    write(
        &rubric,
        built_in.replacen("name = \"rapport default\"", "name = \"strict\"", 1),
    );
    let output = batch().arg("--rubric").arg(&rubric).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("4 ok (3 from transcripts, 1 re-scored)"),
        "{stderr}"
    );
    assert!(week_of(&out).calls.iter().all(|c| c.score.is_some()));
}

#[test]
fn a_batch_killed_three_times_resumes_without_losing_redoing_or_repeating_a_call() {
    let dir = tempfile::tempdir().unwrap();
    let (week, out, cache) = (
        dir.path().join("week"),
        dir.path().join("out"),
        dir.path().join("cache"),
    );
    for (i, ext) in ["m4a", "mp3"].iter().enumerate() {
        let to = week.join(format!("call-{i} 2026-11-1{i}.{ext}"));
        std::fs::create_dir_all(&week).unwrap();
        std::fs::copy(project().join(format!("tests/fixtures/call.{ext}")), to).unwrap();
    }
    write(
        &week.join("dana 2026-11-18.vtt"),
        short_call("Dana Lee", "I'll send the count plan tomorrow."),
    );
    let batch_into = |out: &Path, cache: &Path| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("rapport"));
        cmd.env_remove("RAPPORT_MODEL")
            .env_remove("RAPPORT_CONFIG")
            .env("RAPPORT_CACHE", cache)
            .env("XDG_CONFIG_HOME", cache)
            .arg("batch")
            .arg(&week)
            .arg("-o")
            .arg(out)
            .args(["--jobs", "1", "--as-of", "2026-11-23", "--model"])
            .arg(model())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd
    };
    let batch = || batch_into(&out, &cache);
    let _turn = whisper_turn();
    let mut child = batch().spawn().unwrap();
    // The transcript is done at once; kill as soon as one recording is too.
    let started = Instant::now();
    while records(&out).len() < 2 {
        assert!(
            started.elapsed() < Duration::from_mins(5),
            "no recording finished"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the batch ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let finished = records(&out);
    assert!(
        finished.len() < 4,
        "killed too late to test anything: {finished:?}"
    );

    // Twice more, early in a resumed run: while it starts, and while it
    // works.
    for after in [Duration::from_millis(150), Duration::from_millis(700)] {
        let mut child = batch().spawn().unwrap();
        std::thread::sleep(after);
        let _ = child.kill();
        child.wait().unwrap();
    }
    let done = records(&out);
    let output = batch().output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("{} skipped (done before)", done.len())),
        "{stderr}"
    );
    let after = records(&out);
    assert_eq!(after.len(), 3, "{after:?}");
    for (name, modified) in &finished {
        assert_eq!(after.get(name), Some(modified), "{name} was redone");
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.join("calls"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let summary = week_of(&out);
    let mut ids: Vec<&str> = summary.calls.iter().map(|c| c.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // The same summary as a batch never killed, byte for byte.
    let reference = dir.path().join("reference");
    let run = batch_into(&reference, &dir.path().join("fresh-cache"))
        .output()
        .unwrap();
    assert!(run.status.success());
    for name in ["summary.json", "summary.csv", "summary.html"] {
        assert!(
            std::fs::read(out.join(name)).unwrap() == std::fs::read(reference.join(name)).unwrap(),
            "{name} differs from an uninterrupted run's"
        );
    }
}

/// Fifteen transcripts: three clients a day for five days, each promised
/// the revised budget on even days and shown it on odd ones.
fn three_clients_five_days(week: &Path) {
    let clients = ["Dana Lee", "Bo Chen", "Kim Park"];
    for day in 16..=20 {
        for (i, client) in clients.iter().enumerate() {
            let line = if day % 2 == 0 {
                "I'll send you the revised budget by Friday."
            } else {
                "Here is the revised budget, what do you think?"
            };
            write(
                &week.join(format!("client{i} 2026-11-{day}.vtt")),
                short_call(client, line),
            );
        }
    }
}

#[test]
fn shards_merged_give_what_one_machine_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (week, cache) = (dir.path().join("week"), dir.path().join("cache"));
    three_clients_five_days(&week);
    let run = |args: &[&str], env: &[(&str, &str)], out: &Path| {
        let mut cmd = rapport(&cache);
        cmd.arg("batch")
            .arg(&week)
            .arg("-o")
            .arg(out)
            .args(["--as-of", "2026-11-23"])
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        records(out)
    };
    let whole = dir.path().join("whole");
    let all = run(&[], &[], &whole);
    assert_eq!(all.len(), 15);

    let shards: Vec<PathBuf> = (1..=3)
        .map(|k| dir.path().join(format!("shard{k}")))
        .collect();
    let mut taken = Vec::new();
    taken.extend(run(&["--shard", "1/3"], &[], &shards[0]).into_keys());
    taken.extend(
        run(
            &[],
            &[("JOB_COMPLETION_INDEX", "1"), ("JOB_COMPLETIONS", "3")],
            &shards[1],
        )
        .into_keys(),
    );
    taken.extend(
        run(
            &[],
            &[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
            ],
            &shards[2],
        )
        .into_keys(),
    );
    taken.sort();
    let mut expected: Vec<String> = all.into_keys().collect();
    expected.sort();
    assert_eq!(taken, expected, "every call in exactly one shard");
    for shard in &shards {
        assert!(
            !shard.join("summary.json").exists(),
            "a shard wrote a summary"
        );
    }

    let merged = dir.path().join("merged");
    merge_ok(&cache, &shards, &merged);
    for file in ["summary.json", "summary.csv", "summary.html"] {
        assert_eq!(
            std::fs::read(merged.join(file)).unwrap(),
            std::fs::read(whole.join(file)).unwrap(),
            "{file} differs"
        );
    }
    let followed = week_of(&merged)
        .promises
        .iter()
        .filter(|p| p.status == Status::FollowedUp)
        .count();
    assert!(followed >= 3, "the budget came up again with every client");

    // A call in two shard folders would count twice.
    let output = rapport(&cache)
        .arg("merge")
        .args([&shards[0], &whole])
        .arg("-o")
        .arg(dir.path().join("twice"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is in both"));
}

#[test]
fn bad_targets_and_shards_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let fails_with = |args: &[&str], wanted: &str| {
        let output = rapport(&cache)
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(wanted), "{args:?}: {stderr}");
    };
    fails_with(
        &["batch", "no-such-folder"],
        "no-such-folder: no such file or folder",
    );
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    fails_with(
        &["batch", "empty"],
        "empty: no recordings or transcripts found",
    );
    write(&dir.path().join("a.vtt"), short_call("Dana Lee", "Fine."));
    fails_with(
        &["batch", "a.vtt", "--shard", "4/3"],
        "K must be from 1 to N",
    );
    fails_with(&["merge", "empty"], "not a batch output folder");
}

/// A call between "Doctor" and "Patient", as telehealth exports name them,
/// in which the doctor says `line`.
fn consultation(line: &str) -> String {
    vtt(&[
        (0.0, 4.0, "Doctor", "Good morning, how have you been?"),
        (4.5, 9.0, "Patient", "Tired, and the cough is still there."),
        (9.5, 14.0, "Doctor", line),
        (14.5, 16.0, "Patient", "Thank you."),
    ])
}

/// Monday and Thursday with one patient, Tuesday with another: the
/// results promised on Monday come up on Tuesday (another patient's) and
/// on Thursday (the same patient's).
fn three_consultations(week: &Path) {
    write(
        &week.join("mon 2026-11-16.vtt"),
        consultation("I'll send you the blood test results by Friday."),
    );
    write(
        &week.join("tue 2026-11-17.vtt"),
        consultation("Have you had the blood test results from the lab?"),
    );
    write(
        &week.join("thu 2026-11-19.vtt"),
        consultation("Here are the blood test results we talked about."),
    );
}

const TWO_PATIENTS: &str = r#"
[[call]]
files = ["mon 2026-11-16.vtt"]
client = "Sam Jones"
consultant = "Doctor"

[[call]]
files = ["tue 2026-11-17.vtt"]
client = "Lee Park"
consultant = "Doctor"

[[call]]
files = ["thu 2026-11-19.vtt"]
client = "Sam Jones"
consultant = "Doctor"
"#;

/// `rapport merge SHARDS -o OUT`, which must succeed.
fn merge_ok(cache: &Path, shards: &[PathBuf], out: &Path) {
    let output = rapport(cache)
        .arg("merge")
        .args(shards)
        .arg("-o")
        .arg(out)
        .args(["--as-of", "2026-11-23"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `rapport batch WEEK -o OUT ARGS`, which must succeed: its standard
/// output and standard error.
fn batch_ok(cache: &Path, week: &Path, out: &Path, args: &[&str]) -> (String, String) {
    let output = rapport(cache)
        .arg("batch")
        .arg(week)
        .arg("-o")
        .arg(out)
        .args(["--as-of", "2026-11-23"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    (String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
}

#[test]
fn generic_names_follow_nothing_and_a_manifest_follows_each_client() {
    let dir = tempfile::tempdir().unwrap();
    let (week, cache) = (dir.path().join("week"), dir.path().join("cache"));
    three_consultations(&week);
    let batch = |out: &Path, args: &[&str]| {
        let (stdout, stderr) = batch_ok(&cache, &week, out, args);
        (week_of(out), stdout, stderr)
    };
    let results = |week: &Week| {
        week.promises
            .iter()
            .find(|p| p.what.contains("blood test results"))
            .cloned()
            .unwrap_or_else(|| panic!("no promise: {:#?}", week.promises))
    };

    // No manifest: "Patient" names nobody, so nothing is followed.
    let (unnamed, table, _) = batch(&dir.path().join("unnamed"), &[]);
    let promise = results(&unnamed);
    assert!(
        !promise.trackable && promise.follow_up.is_none(),
        "{promise:?}"
    );
    assert!(
        promise
            .untrackable
            .as_deref()
            .unwrap()
            .contains("\"Patient\" is a role"),
        "{promise:?}"
    );
    assert!(table.contains("cannot be followed"), "{table}");
    assert!(unnamed.promises.iter().all(|p| p.follow_up.is_none()));

    // The manifest names two patients: Monday's promise is followed by
    // Thursday's call with the same patient, not Tuesday's with the other.
    write(&week.join("calls.toml"), TWO_PATIENTS);
    let out = dir.path().join("named");
    let (named, table, stderr) = batch(&out, &[]);
    assert!(stderr.contains("calls.toml: 3 calls listed"), "{stderr}");
    assert!(
        !stderr.contains("ignored"),
        "the manifest is not a stray file: {stderr}"
    );
    let promise = results(&named);
    assert_eq!(promise.status, Status::FollowedUp);
    assert_eq!(promise.client.as_deref(), Some("Sam Jones"));
    assert_eq!(
        promise.follow_up.as_ref().unwrap().call,
        "thu_2026-11-19.vtt"
    );
    assert!(table.contains("Sam Jones: 2 calls"), "{table}");
    let groups: Vec<Option<&str>> = named.clients.iter().map(|g| g.client.as_deref()).collect();
    assert_eq!(groups, [Some("Sam Jones"), Some("Lee Park")]);
    let html = std::fs::read_to_string(out.join("summary.html")).unwrap();
    assert!(html.contains("<h3>Sam Jones</h3>"), "no client section");
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(csv.contains(",Lee Park,"), "{csv}");

    // Thursday was in fact Lee: the records are re-labelled, nothing is
    // analysed again, and the promise has no later call with Sam.
    let before = records(&out);
    write(
        &week.join("calls.toml"),
        TWO_PATIENTS.replacen(
            "files = [\"thu 2026-11-19.vtt\"]\nclient = \"Sam Jones\"",
            "files = [\"thu 2026-11-19.vtt\"]\nclient = \"Lee Park\"",
            1,
        ),
    );
    let (relabelled, _, stderr) = batch(&out, &[]);
    assert!(
        stderr.contains("1 ok (1 re-labelled from the manifest), 0 failed, 2 skipped"),
        "{stderr}"
    );
    assert_eq!(records(&out).len(), before.len());
    let promise = results(&relabelled);
    assert_eq!(
        (promise.status, promise.later_calls),
        (Status::Overdue, 0),
        "{promise:?}"
    );

    // Shards read the same manifest, and their merge gives the same ledger.
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let shard = dir.path().join(format!("shard{k}"));
            batch_ok(&cache, &week, &shard, &["--shard", &format!("{k}/2")]);
            shard
        })
        .collect();
    let merged = dir.path().join("merged");
    merge_ok(&cache, &shards, &merged);
    assert_eq!(week_of(&merged).promises, relabelled.promises);
}

#[test]
fn a_stereo_recording_named_in_the_manifest_has_its_promises_followed() {
    let dir = tempfile::tempdir().unwrap();
    let (week, cache) = (dir.path().join("week"), dir.path().join("cache"));
    // The sample call from 119.9 s: the consultant promises the count plan
    // by Friday, the client asks for a rough cost; one person per channel.
    let mut reader = hound::WavReader::open(project().join("samples/call.wav")).unwrap();
    let spec = reader.spec();
    let frame = |seconds: f64| (seconds * f64::from(spec.sample_rate)) as u32;
    reader.seek(frame(119.9)).unwrap();
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .take((frame(129.6) - frame(119.9)) as usize * usize::from(spec.channels))
        .map(Result::unwrap)
        .collect();
    std::fs::create_dir_all(&week).unwrap();
    let mut writer = hound::WavWriter::create(week.join("acme.wav"), spec).unwrap();
    for s in samples {
        writer.write_sample(s).unwrap();
    }
    writer.finalize().unwrap();
    write(
        &week.join("dana.vtt"),
        short_call("Dana", "Here is the count plan, with the rough cost."),
    );
    let batch = |out: &Path| {
        let output = {
            let _turn = whisper_turn();
            rapport(&cache)
                .arg("batch")
                .arg(&week)
                .arg("-o")
                .arg(out)
                .args(["--as-of", "2026-11-23", "--model"])
                .arg(model())
                .output()
                .unwrap()
        };
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        week_of(out)
    };
    let count_plan = |week: &Week| {
        week.promises
            .iter()
            .find(|p| p.call == "acme.wav" && p.what.contains("count plan"))
            .cloned()
            .unwrap_or_else(|| panic!("no promise of the count plan: {:#?}", week.promises))
    };

    write(&week.join("calls.toml"), "[[call]]\nfile = \"acme.wav\"\n");
    let promise = count_plan(&batch(&dir.path().join("unnamed")));
    assert!(!promise.trackable, "{promise:?}");
    assert!(
        promise
            .untrackable
            .as_deref()
            .unwrap()
            .contains("carry no names"),
        "{promise:?}"
    );

    write(
        &week.join("calls.toml"),
        r#"
[[call]]
file = "acme.wav"
client = "Dana Lee"
organisation = "Acme"
date = 2026-11-16T09:30:00

[[call]]
file = "dana.vtt"
client = "Dana Lee"
organisation = "Acme"
date = 2026-11-19
"#,
    );
    let named = batch(&dir.path().join("named"));
    let promise = count_plan(&named);
    assert_eq!(promise.client.as_deref(), Some("Dana Lee (Acme)"));
    assert_eq!(
        promise.due.map(|d| d.to_string()).as_deref(),
        Some("2026-11-20")
    );
    assert_eq!(promise.status, Status::FollowedUp, "{promise:?}");
    assert_eq!(promise.follow_up.as_ref().unwrap().call, "dana.vtt");
}

#[test]
fn manifest_mistakes_are_named_by_line_and_a_starting_one_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (week, cache) = (dir.path().join("week"), dir.path().join("cache"));
    three_consultations(&week);
    let run = |args: &[&str]| {
        let output = rapport(&cache)
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let cases = [
        (
            "[[call]]\nfiles = [\"mon 2026-11-16.vtt\"]\nclinet = \"Sam\"\n",
            "calls.toml:3: unknown field `clinet`",
        ),
        ("[[call]]\nfiles = [\"gone.vtt\"]\n", "calls.toml:2: "),
        (
            "[[call]]\nfile = \"mon 2026-11-16.vtt\"\n\n[[call]]\nfile = \"mon 2026-11-16.vtt\"\n",
            "calls.toml:5: ",
        ),
    ];
    for (text, wanted) in cases {
        write(&week.join("calls.toml"), text);
        let (code, stderr) = run(&["batch", "week"]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(wanted), "{text:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    std::fs::remove_file(week.join("calls.toml")).unwrap();
    let (code, stderr) = run(&["batch", "week", "--write-manifest"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("3 calls listed"), "{stderr}");
    let written = std::fs::read_to_string(week.join("calls.toml")).unwrap();
    assert!(
        written.contains("files = [\"tue 2026-11-17.vtt\"]\ndate = 2026-11-17"),
        "{written}"
    );
    let (code, stderr) = run(&["batch", "week", "--write-manifest"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("already exists"), "{stderr}");
    // The written manifest runs as it is, from --manifest alone.
    let (code, stderr) = run(&["batch", "--manifest", "week/calls.toml", "-o", "out"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("3 calls listed"), "{stderr}");
    // A call the manifest says is German is read as German, and not
    // scored on English or Dutch cues.
    write(
        &week.join("calls.toml"),
        "[[call]]\nfile = \"mon 2026-11-16.vtt\"\nlanguage = \"de\"\n",
    );
    let (code, stderr) = run(&["batch", "week", "-o", "out"]);
    assert_eq!(code, Some(0), "{stderr}");
    let monday = std::fs::read_dir(dir.path().join("out/calls"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("mon") && name.ends_with(".json")
        })
        .expect("Monday's result");
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(monday).unwrap()).unwrap();
    assert_eq!(result["analysis"]["language"], "de");
    let withheld = result["analysis"]["score"]["withheld"]
        .as_str()
        .unwrap_or_default();
    assert!(withheld.contains("the call is in German"), "{withheld}");
}
