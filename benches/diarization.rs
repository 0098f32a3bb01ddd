//! Diarization error on real recordings: the two-person phone call with its
//! RTTM, and the stereo calls downmixed to mono (their channels are the
//! truth). Prints, per call, the diarization error rate (missed speech,
//! false alarm and speaker confusion over the reference speech, 10 ms
//! frames, no forgiveness collar, overlap counted) and the talk-share error
//! in percentage points. Reads `$RAPPORT_DATA` (default `../shared/data`);
//! `cargo bench --bench diarization`.

use rapport::audio::{self, Track};
use rapport::speakers::diarize::{Diarization, diarize};
use rapport::speech::{self, SpeechSettings};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const STEP: f64 = 0.01;

/// Reference turns per speaker from an RTTM file.
fn rttm(path: &Path) -> BTreeMap<String, Vec<(f64, f64)>> {
    let mut speakers: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for line in std::fs::read_to_string(path).expect("rttm").lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (start, duration): (f64, f64) = (f[3].parse().unwrap(), f[4].parse().unwrap());
        speakers
            .entry(f[7].to_string())
            .or_default()
            .push((start, start + duration));
    }
    speakers
}

fn active(turns: &[(f64, f64)], t: f64) -> bool {
    turns.iter().any(|&(s, e)| s <= t && t < e)
}

/// Under the best mapping of found speakers to reference speakers: DER,
/// its parts (missed, false alarm, confusion), and the talk-share error in
/// points.
fn score(
    reference: &BTreeMap<String, Vec<(f64, f64)>>,
    found: &Diarization,
) -> (f64, [f64; 3], f64) {
    let refs: Vec<&Vec<(f64, f64)>> = reference.values().collect();
    let hyp: Vec<Vec<(f64, f64)>> = (0..found.speakers)
        .map(|s| {
            found
                .turns
                .iter()
                .filter(|t| t.speaker == s)
                .map(|t| (t.start, t.end))
                .collect()
        })
        .collect();
    let end = refs
        .iter()
        .copied()
        .chain(hyp.iter())
        .flat_map(|t| t.iter().map(|x| x.1))
        .fold(0.0, f64::max);
    let frames = (end / STEP) as usize + 1;
    let ref_on: Vec<Vec<bool>> = refs
        .iter()
        .map(|t| (0..frames).map(|i| active(t, i as f64 * STEP)).collect())
        .collect();
    let hyp_on: Vec<Vec<bool>> = hyp
        .iter()
        .map(|t| (0..frames).map(|i| active(t, i as f64 * STEP)).collect())
        .collect();
    // Every assignment of found speakers to reference speakers (or to none).
    let mut best = (f64::INFINITY, [0.0; 3], 0.0);
    let choices = refs.len() + 1;
    for code in 0..choices.pow(hyp.len() as u32) {
        let map: Vec<usize> = (0..hyp.len())
            .map(|h| code / choices.pow(h as u32) % choices)
            .collect();
        let used: Vec<usize> = map.iter().copied().filter(|&m| m < refs.len()).collect();
        let mut unique = used.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != used.len() {
            continue;
        }
        let (mut parts, mut total) = ([0usize; 3], 0usize);
        for i in 0..frames {
            let r: Vec<usize> = (0..refs.len()).filter(|&s| ref_on[s][i]).collect();
            let h: Vec<usize> = (0..hyp.len()).filter(|&s| hyp_on[s][i]).collect();
            let matched = h.iter().filter(|&&s| r.contains(&map[s])).count();
            total += r.len();
            parts[0] += r.len().saturating_sub(h.len());
            parts[1] += h.len().saturating_sub(r.len());
            parts[2] += r.len().min(h.len()) - matched;
        }
        let der = parts.iter().sum::<usize>() as f64 / total as f64;
        let parts = parts.map(|p| p as f64 / total as f64 * 100.0);
        if der < best.0 {
            let ref_seconds: Vec<f64> = ref_on
                .iter()
                .map(|on| on.iter().filter(|&&x| x).count() as f64)
                .collect();
            let mut hyp_seconds = vec![0.0; refs.len()];
            for (h, &m) in map.iter().enumerate() {
                if m < refs.len() {
                    hyp_seconds[m] += hyp_on[h].iter().filter(|&&x| x).count() as f64;
                }
            }
            let (rt, ht): (f64, f64) = (ref_seconds.iter().sum(), hyp_seconds.iter().sum());
            let share_error = ref_seconds
                .iter()
                .zip(&hyp_seconds)
                .map(|(r, h)| (r / rt - h / ht.max(1e-9)).abs() * 100.0)
                .fold(0.0, f64::max);
            best = (der, parts, share_error);
        }
    }
    best
}

fn run(name: &str, mono: &Track, reference: &Path) {
    let settings = SpeechSettings::default().for_mixed_track();
    let regions = speech::detect_track(mono, &settings).unwrap();
    let truth = rttm(reference);
    for given in [None, Some(2)] {
        let started = std::time::Instant::now();
        let found = diarize(mono, &regions, given).unwrap();
        let took = started.elapsed().as_secs_f64();
        let (der, [missed, false_alarm, confusion], share) = score(&truth, &found);
        println!(
            "{name:<8} {} speakers ({:<9}) separation {:.2}  DER {:>5.1} % (missed {missed:.1}, false alarm {false_alarm:.1}, confusion {confusion:.1})  talk-share error {share:>4.1} points  ({took:.2} s for {:.0} s)",
            found.speakers,
            if given.is_some() {
                "given"
            } else {
                "estimated"
            },
            found.separation,
            der * 100.0,
            mono.duration(),
        );
    }
}

fn main() {
    let data = PathBuf::from(
        std::env::var("RAPPORT_DATA")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data").into()),
    );
    let audio_dir = data.join("audio");
    if !audio_dir.is_dir() {
        eprintln!(
            "no evaluation audio at {}; set RAPPORT_DATA",
            audio_dir.display()
        );
        return;
    }
    let phone = audio_dir.join("two-party-phone");
    let tracks = audio::load_file(&phone.join("sample.wav")).unwrap();
    run("phone", &tracks[0], &phone.join("sample.rttm"));
    for call in ["SNG0072", "MUL1423"] {
        let dir = audio_dir.join("stereo-calls");
        let tracks = audio::load_file(&dir.join(format!("{call}.wav"))).unwrap();
        let left = tracks[0].read(0, usize::MAX).unwrap();
        let right = tracks[1].read(0, usize::MAX).unwrap();
        let mixed: Vec<f32> = left
            .iter()
            .zip(&right)
            .map(|(a, b)| (a + b) / 2.0)
            .collect();
        let mono = Track::from_samples(Path::new(call), &mixed).unwrap();
        run(call, &mono, &dir.join(format!("{call}.rttm")));
        // Each channel alone is one voice (with a little of the other's
        // bleed): the estimate should say one speaker.
        for (side, track) in ["customer", "agent"].iter().zip(&tracks) {
            let settings = SpeechSettings::default().for_mixed_track();
            let regions = speech::detect_track(track, &settings).unwrap();
            let found = diarize(track, &regions, None).unwrap();
            println!(
                "{call} {side} channel alone: {} speaker(s) estimated, separation {:.2}",
                found.speakers, found.separation
            );
        }
    }
}
