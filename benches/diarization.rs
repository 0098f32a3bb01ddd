//! Who spoke when, old method (spectral GMM prints) beside new (CAM++ voice
//! prints), in one run over every recording there is:
//!
//! - one voice: `jfk.wav`, the Dutch read clips, each channel of the two
//!   stereo calls alone and each channel of the sample call alone — the
//!   number of speakers found should be 1;
//! - two people on one track: the phone call with its RTTM, the stereo
//!   calls downmixed (their RTTMs), the sample call downmixed (its script's
//!   times) — speakers found, diarization error rate (missed speech, false
//!   alarm and confusion over the reference speech, 10 ms frames, no
//!   collar, overlap counted) and talk-share error in points.
//!
//! Also the seconds each method takes per minute of audio and the peak
//! memory after each. Reads `$RAPPORT_DATA` (default `../shared/data`) and
//! the installed voice model; `cargo bench --bench diarization`
//! (`-- --tune` adds what the thresholds are set on).

use rapport::audio::{self, Track};
use rapport::speakers::diarize::{self, Diarization};
use rapport::speakers::prints::{self, Thresholds};
use rapport::speech::{self, SpeechSettings};
use rapport::voices::{self, VoiceModel};
use std::collections::BTreeMap;
use std::fmt::Write as _;
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

struct Case {
    name: String,
    track: Track,
    /// Reference turns per speaker; none for a recording of one voice.
    truth: Option<BTreeMap<String, Vec<(f64, f64)>>>,
}

fn mono_mix(name: &str, tracks: &[Track]) -> Track {
    let left = tracks[0].read(0, usize::MAX).unwrap();
    let right = tracks[1].read(0, usize::MAX).unwrap();
    let mixed: Vec<f32> = left
        .iter()
        .zip(&right)
        .map(|(a, b)| (a + b) / 2.0)
        .collect();
    Track::from_samples(Path::new(name), &mixed).unwrap()
}

fn cases(audio_dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let one = |name: String, track: Track| Case {
        name,
        track,
        truth: None,
    };
    cases.push(one(
        "jfk".into(),
        audio::load_file(&audio_dir.join("jfk.wav"))
            .unwrap()
            .remove(0),
    ));
    let mut dutch: Vec<PathBuf> = std::fs::read_dir(audio_dir.join("dutch"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav" || e == "flac"))
        .collect();
    dutch.sort();
    for path in dutch {
        let name = format!("nl {}", path.file_stem().unwrap().to_string_lossy());
        cases.push(one(name, audio::load_file(&path).unwrap().remove(0)));
    }
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/call.wav");
    let mut two = Vec::new();
    for call in ["SNG0072", "MUL1423"] {
        let dir = audio_dir.join("stereo-calls");
        let tracks = audio::load_file(&dir.join(format!("{call}.wav"))).unwrap();
        two.push(Case {
            name: format!("{call} mixed"),
            track: mono_mix(call, &tracks),
            truth: Some(rttm(&dir.join(format!("{call}.rttm")))),
        });
        for (side, track) in ["left", "right"].iter().zip(tracks) {
            cases.push(one(format!("{call} {side} alone"), track));
        }
    }
    let tracks = audio::load_file(&sample).unwrap();
    let mut truth: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for line in std::fs::read_to_string(sample.with_file_name("call.truth.tsv"))
        .unwrap()
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = line.split('\t').collect();
        truth
            .entry(f[0].to_string())
            .or_default()
            .push((f[1].parse().unwrap(), f[2].parse().unwrap()));
    }
    two.push(Case {
        name: "sample mixed".into(),
        track: mono_mix("sample", &tracks),
        truth: Some(truth),
    });
    for (side, track) in ["consultant", "client"].iter().zip(tracks) {
        cases.push(one(format!("sample {side} alone"), track));
    }
    let phone = audio_dir.join("two-party-phone");
    two.push(Case {
        name: "phone".into(),
        track: audio::load_file(&phone.join("sample.wav"))
            .unwrap()
            .remove(0),
        truth: Some(rttm(&phone.join("sample.rttm"))),
    });
    cases.extend(two);
    cases
}

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn outcome(case: &Case, found: &Diarization) -> String {
    match &case.truth {
        None => format!("{} speaker(s)", found.speakers),
        Some(truth) => {
            let (der, [missed, false_alarm, confusion], share) = score(truth, found);
            format!(
                "{} speaker(s), DER {:.1} % ({missed:.1}/{false_alarm:.1}/{confusion:.1}), share off {share:.1}",
                found.speakers,
                der * 100.0
            )
        }
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
    let tune = std::env::args().any(|a| a == "--tune");
    let loading = std::time::Instant::now();
    let model = VoiceModel::load(&voices::default_path())
        .expect("the voice model (scripts/setup installs it)");
    println!(
        "voice model loaded in {:.2} s",
        loading.elapsed().as_secs_f64()
    );
    let cases = cases(&audio_dir);
    let settings = SpeechSettings::default().for_mixed_track();
    let regions: Vec<_> = cases
        .iter()
        .map(|c| speech::detect_track(&c.track, &settings).unwrap())
        .collect();
    let minutes: f64 = cases.iter().map(|c| c.track.duration()).sum::<f64>() / 60.0;
    let started = std::time::Instant::now();
    let old: Vec<Diarization> = cases
        .iter()
        .zip(&regions)
        .map(|(c, r)| diarize::diarize(&c.track, r, None).unwrap())
        .collect();
    let old_seconds = started.elapsed().as_secs_f64();
    let old_peak = peak_mib();
    let started = std::time::Instant::now();
    let window_prints: Vec<_> = cases
        .iter()
        .zip(&regions)
        .map(|(c, r)| prints::window_prints(&model, &c.track, r).unwrap())
        .collect();
    let embed_seconds = started.elapsed().as_secs_f64();
    let new: Vec<Diarization> = window_prints
        .iter()
        .zip(&regions)
        .map(|(p, r)| prints::cluster(p, r, None, Thresholds::default()))
        .collect();
    let new_seconds = started.elapsed().as_secs_f64();
    let new_peak = peak_mib();
    println!(
        "{:<24} {:>6}  {:<58} new (CAM++ voice prints)",
        "recording", "audio", "old (spectral GMM)"
    );
    let (mut old_right, mut new_right) = (0, 0);
    for ((case, old), new) in cases.iter().zip(&old).zip(&new) {
        let truth_count = case.truth.as_ref().map_or(1, BTreeMap::len);
        old_right += usize::from(old.speakers == truth_count);
        new_right += usize::from(new.speakers == truth_count);
        println!(
            "{:<24} {:>5.1}s  {:<58} {}",
            case.name,
            case.track.duration(),
            outcome(case, old),
            outcome(case, new)
        );
        if let Some(truth) = &case.truth {
            let given = prints::cluster(
                &window_prints[cases.iter().position(|c| c.name == case.name).unwrap()],
                &regions[cases.iter().position(|c| c.name == case.name).unwrap()],
                Some(truth.len()),
                Thresholds::default(),
            );
            println!(
                "{:<24} {:>6}  {:<58} {} (number given)",
                "",
                "",
                "",
                outcome(case, &given)
            );
        }
    }
    println!(
        "speaker count right: old {old_right}/{n}, new {new_right}/{n}",
        n = cases.len()
    );
    println!(
        "time per audio minute: old {:.2} s, new {:.2} s (voice prints {:.2} s) over {minutes:.1} min; peak RSS after old {old_peak:.0} MiB, after new {new_peak:.0} MiB",
        old_seconds / minutes,
        new_seconds / minutes,
        embed_seconds / minutes,
    );
    two_tracks(&model, &audio_dir);
    if tune {
        tune_report(&cases, &window_prints, &regions);
    }
}

/// How alike the voices on a call's two channels are: two people on the
/// stereo calls and the sample, against one channel copied as the other's
/// bleed (a twentieth of its level, 30 ms late, over a faint hiss).
fn two_tracks(model: &VoiceModel, audio_dir: &Path) {
    let settings = SpeechSettings::default();
    let similarity = |a: &Track, b: &Track| {
        let (ra, rb) = (
            speech::detect_track(a, &settings).unwrap(),
            speech::detect_track(b, &settings).unwrap(),
        );
        prints::track_similarity(model, (a, &ra), (b, &rb))
            .unwrap()
            .map_or("too little speech".into(), |s| format!("{s:.2}"))
    };
    let mut files: Vec<PathBuf> = ["SNG0072", "MUL1423"]
        .iter()
        .map(|c| audio_dir.join(format!("stereo-calls/{c}.wav")))
        .collect();
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/call.wav"));
    for file in files {
        let tracks = audio::load_file(&file).unwrap();
        let left = tracks[0].read(0, usize::MAX).unwrap();
        let mut noise = 12345u32;
        let bleed: Vec<f32> = (0..left.len())
            .map(|i| {
                noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let hiss = (f64::from(noise >> 8) / f64::from(1u32 << 24) - 0.5) as f32 * 0.002;
                i.checked_sub(480).map_or(0.0, |j| left[j] * 0.05) + hiss
            })
            .collect();
        let bleed = Track::from_samples(Path::new("bleed"), &bleed).unwrap();
        println!(
            "two tracks {:<12} left vs right {}; left vs its own bleed {}",
            file.file_stem().unwrap().to_string_lossy(),
            similarity(&tracks[0], &tracks[1]),
            similarity(&tracks[0], &bleed),
        );
    }
}

/// What the thresholds are set on: a grid of them, each recording's margin
/// on the stop distance, and how alike the two halves of each recording
/// split in two are (and its true speakers, where known).
fn tune_report(
    cases: &[Case],
    window_prints: &[Vec<prints::WindowPrint>],
    regions: &[Vec<speech::Region>],
) {
    sweep(cases, window_prints, regions);
    // Per recording: the stop distances (0.40 to 0.95) at which its
    // number of speakers comes out right, the other thresholds as set.
    for ((case, p), r) in cases.iter().zip(window_prints).zip(regions) {
        let count = case.truth.as_ref().map_or(1, BTreeMap::len);
        let right: String = (0..=22)
            .map(|i| {
                let thresholds = Thresholds {
                    stop_distance: 0.4 + 0.025 * f64::from(i),
                    ..Thresholds::default()
                };
                if prints::cluster(p, r, None, thresholds).speakers == count {
                    '+'
                } else {
                    '.'
                }
            })
            .collect();
        println!("margin {:<24} 0.40 {right} 0.95", case.name);
    }
    for ((case, p), r) in cases.iter().zip(window_prints).zip(regions) {
        let forced = prints::cluster(p, r, Some(2), Thresholds::default());
        let by_forced: Vec<usize> = p
            .iter()
            .map(|w| forced.speaker_at(f64::midpoint(w.start, w.end)))
            .collect();
        let mut line = format!(
            "tune {:<24} prints {:>4}  split in two: centres {:.2}",
            case.name,
            p.len(),
            centre_similarity(p, &by_forced)
        );
        if let Some(truth) = &case.truth {
            let speakers: Vec<&Vec<(f64, f64)>> = truth.values().collect();
            let by_truth: Vec<usize> = p
                .iter()
                .map(|w| {
                    let t = f64::midpoint(w.start, w.end);
                    speakers
                        .iter()
                        .position(|s| active(s, t))
                        .unwrap_or(usize::MAX)
                })
                .collect();
            let _ = write!(
                line,
                "; true speakers: centres {:.2}",
                centre_similarity(p, &by_truth)
            );
        }
        println!("{line}");
    }
}

/// How many recordings get the number of speakers right, and the mean and
/// largest talk-share error on the mixes, for a grid of thresholds.
fn sweep(
    cases: &[Case],
    window_prints: &[Vec<prints::WindowPrint>],
    regions: &[Vec<speech::Region>],
) {
    for stop_distance in [0.5, 0.6, 0.7, 0.8, 0.9] {
        for same_voice in [0.4, 0.5, 0.6, 0.7, 0.8] {
            for min_share in [0.05, 0.1, 0.15, 0.2] {
                let thresholds = Thresholds {
                    stop_distance,
                    same_voice,
                    min_share,
                };
                let (mut right, mut shares, mut wrong) = (0, Vec::new(), Vec::new());
                for ((case, p), r) in cases.iter().zip(window_prints).zip(regions) {
                    let found = prints::cluster(p, r, None, thresholds);
                    let count = case.truth.as_ref().map_or(1, BTreeMap::len);
                    if found.speakers == count {
                        right += 1;
                    } else {
                        wrong.push(case.name.as_str());
                    }
                    if let Some(truth) = &case.truth {
                        shares.push(score(truth, &found).2);
                    }
                }
                println!(
                    "sweep stop {stop_distance:.1} same {same_voice:.1} small {min_share:.2}: count right {right}/{}  share off mean {:.1} max {:.1}  wrong: {}",
                    cases.len(),
                    shares.iter().sum::<f64>() / shares.len() as f64,
                    shares.iter().copied().fold(0.0, f64::max),
                    wrong.join(", ")
                );
            }
        }
    }
}

/// Cosine similarity of the centres of prints labelled 0 and 1.
fn centre_similarity(prints: &[prints::WindowPrint], labels: &[usize]) -> f32 {
    let centre = |label: usize| {
        let mut sum = vec![0f32; voices::campplus::EMBEDDING];
        for (p, _) in prints.iter().zip(labels).filter(|(_, l)| **l == label) {
            sum.iter_mut().zip(&p.print).for_each(|(s, v)| *s += v);
        }
        sum
    };
    voices::cosine(&centre(0), &centre(1))
}
