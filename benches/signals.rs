//! Signals + score on real-sized transcripts: one hour-long call (with the
//! shipped learned detectors, the default, and with the rules alone), and
//! a thousand calls (a few weeks of a team's calls) scored in parallel.
//! Transcripts are built from the sample call's script, repeated with its
//! own pauses, at 0.35 s a word: an hour is about 10,000 words.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rapport::detectors::Detectors;
use rapport::l10n::ReportLanguage;
use rapport::score::Rubric;
use rapport::speakers::{Participant, Role, RoleSource};
use rapport::transcript::{Call, Utterance};
use rayon::prelude::*;

const WORD_SECONDS: f64 = 0.35;

/// The sample's script lines: (role, pause before, text).
fn script() -> Vec<(Role, f64, String)> {
    let text = include_str!("../samples/call.script.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let mut cols = line.splitn(3, '|').map(str::trim);
            let role = match cols.next()? {
                "consultant" => Role::Consultant,
                _ => Role::Client,
            };
            let pause = cols.next()?.parse().ok()?;
            Some((role, pause, cols.next()?.to_string()))
        })
        .collect()
}

/// A call of `seconds` made by repeating the script.
fn call_of(seconds: f64) -> Call {
    let lines = script();
    let mut utterances = Vec::new();
    let mut at = 0.0;
    'outer: loop {
        for (role, pause, text) in &lines {
            at += pause;
            if at > seconds {
                break 'outer;
            }
            let speaker = if *role == Role::Consultant {
                "p1"
            } else {
                "p2"
            };
            let utterance = Utterance::evenly_timed(speaker, at, text, WORD_SECONDS);
            at = utterance.end;
            utterances.push(utterance);
        }
    }
    let people = [("p1", Role::Consultant), ("p2", Role::Client)]
        .into_iter()
        .enumerate()
        .map(|(i, (id, role))| Participant {
            id: id.into(),
            name: role.label().into(),
            role,
            track: i + 1,
        })
        .collect();
    Call::from_utterances(
        people,
        utterances,
        RoleSource::Given,
        vec!["bench".into()],
        Some("en"),
    )
}

fn signals_and_score(c: &mut Criterion) {
    let rubric = Rubric::default_rubric();
    let hour = call_of(3600.0);
    let words: usize = hour.utterances.iter().map(|u| u.words.len()).sum();
    eprintln!(
        "hour-long call: {} utterances, {words} words",
        hour.utterances.len()
    );
    let mut group = c.benchmark_group("analyze");
    group.throughput(Throughput::Elements(words as u64));
    for (name, detectors) in [
        ("default", Detectors::default()),
        ("rules", Detectors::Rules),
    ] {
        group.bench_function(
            format!("hour_long_call, {name} detectors (elements = words)"),
            |b| {
                b.iter(|| {
                    rapport::analyze(hour.clone(), &rubric, &detectors, ReportLanguage::Auto)
                });
            },
        );
    }
    group.finish();

    // A thousand calls of the sample's length (2.5 minutes each).
    let detectors = Detectors::default();
    let calls: Vec<Call> = (0..1000).map(|_| call_of(150.0)).collect();
    let mut group = c.benchmark_group("analyze");
    group.throughput(Throughput::Elements(calls.len() as u64));
    group.sample_size(10);
    group.bench_function("thousand_calls (elements = calls)", |b| {
        b.iter(|| {
            calls
                .par_iter()
                .map(|call| {
                    rapport::analyze(call.clone(), &rubric, &detectors, ReportLanguage::Auto)
                        .score
                        .overall
                })
                .collect::<Vec<_>>()
        });
    });
    group.finish();
}

criterion_group!(benches, signals_and_score);
criterion_main!(benches);
