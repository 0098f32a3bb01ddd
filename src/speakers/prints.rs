//! Who spoke when on a single mixed track, from voice prints: the CAM++
//! network ([`crate::voices`]) gives a print of every 1.5 s of speech
//! (windows every 0.5 s, none across a pause); the prints are clustered
//! by average linkage on cosine distance, stopping where the clusters left
//! are further apart than one voice ever is from itself; clusters whose
//! centres are still alike merge, so one voice stays one; a cluster too
//! small to be a person (a cough, a laugh, a burst of line noise) joins the
//! nearest. Every 10 ms of speech then goes to the speaker whose centre the
//! prints covering it are nearest to, which places a change of speaker
//! between the windows that straddle it.
//!
//! The thresholds were set on recordings of one voice and of two (see
//! `benches/diarization.rs` and the README): a voice against itself scores
//! a centre similarity of at least 0.80 there, two people at most 0.55.

use super::diarize::{
    Diarization, MAX_SPEAKERS, Turn, average_linkage, cosine_distances, cut, renumber, silhouette,
};
use crate::audio::{AudioError, Track};
use crate::speech::Region;
use crate::voices::VoiceModel;
use rayon::prelude::*;

/// A region shorter than this gives no print of its own (too little voice
/// to tell whose it is); its frames go to the speaker heard nearest in time.
const MIN_WINDOW_SECONDS: f64 = 0.5;
/// Prints clustered directly (the linkage is cubic); the rest join the
/// nearest cluster.
const MAX_CLUSTERED: usize = 600;
const WINDOW_SECONDS: f64 = 1.5;
/// Windows overlap by two thirds: each 10 ms is heard by three prints,
/// which places a change of speaker to within about a quarter second
/// (measured better than half-overlapping windows on the short turns of a
/// phone call).
const HOP_SECONDS: f64 = 0.5;
const FRAME: f64 = 0.01;
/// The fewest prints (about 3 s of speech) that can be a speaker of their own.
const MIN_CLUSTER: usize = 4;

/// Where the clustering stops and what merges after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Average-linkage merging stops when the nearest clusters are further
    /// apart than this cosine distance.
    pub stop_distance: f64,
    /// Clusters whose centres have at least this cosine similarity are
    /// one voice and merge.
    pub same_voice: f64,
    /// A cluster with a smaller share of the prints is not a person.
    pub min_share: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            stop_distance: 0.575,
            same_voice: 0.75,
            min_share: 0.15,
        }
    }
}

/// The voice print of one window of speech.
#[derive(Debug, Clone)]
pub struct WindowPrint {
    pub start: f64,
    pub end: f64,
    /// Unit length.
    pub print: Vec<f32>,
}

/// The prints of every window of the `regions` of `track`.
pub fn window_prints(
    model: &VoiceModel,
    track: &Track,
    regions: &[Region],
) -> Result<Vec<WindowPrint>, AudioError> {
    embed_spans(model, track, window_spans(regions))
}

/// Windows of [`WINDOW_SECONDS`] every [`HOP_SECONDS`] within each region.
fn window_spans(regions: &[Region]) -> Vec<(f64, f64)> {
    let mut windows = Vec::new();
    for region in regions {
        if region.end - region.start < MIN_WINDOW_SECONDS {
            continue;
        }
        let first = windows.len();
        let mut start = region.start;
        while start + WINDOW_SECONDS < region.end {
            windows.push((start, start + WINDOW_SECONDS));
            start += HOP_SECONDS;
        }
        // The last window ends with the region, unless the one before
        // already nearly does.
        let last = (region.end - WINDOW_SECONDS).max(region.start);
        if windows[first..]
            .last()
            .is_none_or(|w| w.1 < region.end - HOP_SECONDS / 2.0)
        {
            windows.push((last, region.end));
        }
    }
    windows
}

fn embed_spans(
    model: &VoiceModel,
    track: &Track,
    spans: Vec<(f64, f64)>,
) -> Result<Vec<WindowPrint>, AudioError> {
    spans
        .into_par_iter()
        .map(|(start, end)| {
            let samples = track.read_call(start, end)?;
            Ok(model.embed(&samples).map(|mut print| {
                let norm = print
                    .iter()
                    .map(|v| v * v)
                    .sum::<f32>()
                    .sqrt()
                    .max(f32::MIN_POSITIVE);
                for v in &mut print {
                    *v /= norm;
                }
                WindowPrint { start, end, print }
            }))
        })
        .filter_map(Result::transpose)
        .collect()
}

/// Separates the speakers in the `regions` of `track` by voice print.
/// `speakers` fixes their number; otherwise it is estimated (1 to
/// [`MAX_SPEAKERS`]).
pub fn diarize(
    model: &VoiceModel,
    track: &Track,
    regions: &[Region],
    speakers: Option<usize>,
) -> Result<Diarization, AudioError> {
    let prints = window_prints(model, track, regions)?;
    Ok(cluster(&prints, regions, speakers, Thresholds::default()))
}

/// The speakers of `prints` (the windows of `regions`).
pub fn cluster(
    prints: &[WindowPrint],
    regions: &[Region],
    speakers: Option<usize>,
    thresholds: Thresholds,
) -> Diarization {
    let one_speaker = || Diarization {
        speakers: 1,
        estimated: speakers.is_none(),
        separation: 0.0,
        turns: regions
            .iter()
            .map(|r| Turn {
                start: r.start,
                end: r.end,
                speaker: 0,
            })
            .collect(),
        by_voice_prints: true,
    };
    if speakers == Some(1) || prints.len() < 2 {
        return one_speaker();
    }
    let sample: Vec<&[f32]> = if prints.len() > MAX_CLUSTERED {
        (0..MAX_CLUSTERED)
            .map(|i| prints[i * prints.len() / MAX_CLUSTERED].print.as_slice())
            .collect()
    } else {
        prints.iter().map(|p| p.print.as_slice()).collect()
    };
    let owned: Vec<Vec<f32>> = sample.iter().map(|p| p.to_vec()).collect();
    let distances = cosine_distances(&owned);
    let merges = average_linkage(&distances);
    let n = sample.len();
    // Clusters apart by more than one voice is from itself, however many
    // are given: a cough or a burst of noise makes a cluster of its own,
    // which must not count as one of the speakers.
    let apart = n - merges
        .iter()
        .take_while(|m| m.2 <= thresholds.stop_distance)
        .count();
    let labels = cut(&merges, n, apart.max(speakers.unwrap_or(1)).min(n));
    let mut centres = Centre::of(&sample, &labels);
    drop_small(&mut centres, thresholds.min_share * n as f64);
    if speakers.is_none() {
        merge_while(&mut centres, |similarity, _| {
            f64::from(similarity) >= thresholds.same_voice
        });
    }
    merge_while(&mut centres, |_, count| {
        count > speakers.unwrap_or(MAX_SPEAKERS)
    });
    if centres.len() < 2 {
        return one_speaker();
    }
    let directions: Vec<Vec<f32>> = centres.iter().map(Centre::direction).collect();
    let labels: Vec<usize> = sample.iter().map(|p| nearest(p, &directions)).collect();
    let separation = silhouette(&labels, &distances).clamp(0.0, 1.0);
    let (turns, k) = turns_of(regions, &frame_labels(prints, regions, &directions));
    Diarization {
        speakers: k,
        estimated: speakers.is_none(),
        separation,
        turns,
        by_voice_prints: true,
    }
}

/// Runs of one speaker within each region, the speakers numbered in order
/// of first speech; and how many there are.
fn turns_of(regions: &[Region], per_region: &[Vec<usize>]) -> (Vec<Turn>, usize) {
    let flat: Vec<usize> = per_region.iter().flatten().copied().collect();
    let (flat, k) = renumber(&flat);
    let mut turns = Vec::new();
    let mut at = 0;
    for (region, frames) in regions.iter().zip(per_region) {
        let mut open: Option<Turn> = None;
        for (f, &speaker) in flat[at..at + frames.len()].iter().enumerate() {
            let (start, end) = (
                region.start + f as f64 * FRAME,
                (region.start + (f + 1) as f64 * FRAME).min(region.end),
            );
            match &mut open {
                Some(turn) if turn.speaker == speaker => turn.end = end,
                _ => {
                    turns.extend(open.take());
                    open = Some(Turn {
                        start,
                        end,
                        speaker,
                    });
                }
            }
        }
        at += frames.len();
        turns.extend(open);
    }
    (turns, k)
}

/// A cluster of prints: their sum and count.
#[derive(Debug, Clone)]
struct Centre {
    sum: Vec<f32>,
    count: usize,
}

impl Centre {
    fn of(prints: &[&[f32]], labels: &[usize]) -> Vec<Self> {
        let k = labels.iter().max().map_or(0, |m| m + 1);
        let mut centres = vec![
            Self {
                sum: vec![0.0; prints.first().map_or(0, |p| p.len())],
                count: 0
            };
            k
        ];
        for (p, &l) in prints.iter().zip(labels) {
            centres[l].add(p);
            centres[l].count += 1;
        }
        centres
    }

    fn add(&mut self, print: &[f32]) {
        self.sum.iter_mut().zip(print).for_each(|(s, v)| *s += v);
    }

    fn direction(&self) -> Vec<f32> {
        let norm = self
            .sum
            .iter()
            .map(|v| v * v)
            .sum::<f32>()
            .sqrt()
            .max(f32::MIN_POSITIVE);
        self.sum.iter().map(|v| v / norm).collect()
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Merges the two most alike centres while `go(their similarity, how many
/// centres there are)` says so.
fn merge_while(centres: &mut Vec<Centre>, go: impl Fn(f32, usize) -> bool) {
    while centres.len() > 1 {
        let directions: Vec<Vec<f32>> = centres.iter().map(Centre::direction).collect();
        let mut best = (f32::NEG_INFINITY, 0, 1);
        for i in 0..centres.len() {
            for j in i + 1..centres.len() {
                let similarity = dot(&directions[i], &directions[j]);
                if similarity > best.0 {
                    best = (similarity, i, j);
                }
            }
        }
        let (similarity, a, b) = best;
        if !go(similarity, centres.len()) {
            return;
        }
        let merged = centres.remove(b);
        centres[a].add(&merged.sum);
        centres[a].count += merged.count;
    }
}

/// Leaves out clusters of fewer than `minimum` prints (at least
/// [`MIN_CLUSTER`]), the largest always kept; their prints go to the
/// nearest centre left.
fn drop_small(centres: &mut Vec<Centre>, minimum: f64) {
    let minimum = minimum.max(MIN_CLUSTER as f64);
    let largest = centres.iter().map(|c| c.count).max().unwrap_or(0);
    centres.retain(|c| c.count as f64 >= minimum || c.count == largest);
}

fn nearest(print: &[f32], directions: &[Vec<f32>]) -> usize {
    (0..directions.len())
        .max_by(|&a, &b| dot(print, &directions[a]).total_cmp(&dot(print, &directions[b])))
        .unwrap_or(0)
}

/// Each 10 ms frame of each region: the speaker whose centre the prints
/// covering it are nearest to on average; a frame no print covers takes
/// the speaker of the print nearest in time.
fn frame_labels(
    prints: &[WindowPrint],
    regions: &[Region],
    directions: &[Vec<f32>],
) -> Vec<Vec<usize>> {
    let similarities: Vec<Vec<f32>> = prints
        .iter()
        .map(|p| directions.iter().map(|d| dot(&p.print, d)).collect())
        .collect();
    let nearest_in_time = |t: f64| {
        let w = (0..prints.len())
            .min_by(|&a, &b| {
                let gap = |w: usize| (f64::midpoint(prints[w].start, prints[w].end) - t).abs();
                gap(a).total_cmp(&gap(b))
            })
            .expect("at least two prints");
        argmax(&similarities[w])
    };
    regions
        .iter()
        .map(|region| {
            let inside: Vec<usize> = (0..prints.len())
                .filter(|&w| {
                    prints[w].start >= region.start - 1e-6 && prints[w].end <= region.end + 1e-6
                })
                .collect();
            let frames = ((region.end - region.start) / FRAME).ceil().max(1.0) as usize;
            (0..frames)
                .map(|f| {
                    let t = region.start + (f as f64 + 0.5) * FRAME;
                    let mut scores = vec![0f32; directions.len()];
                    let mut covered = false;
                    for &w in &inside {
                        if prints[w].start <= t && t < prints[w].end {
                            covered = true;
                            scores
                                .iter_mut()
                                .zip(&similarities[w])
                                .for_each(|(s, v)| *s += v);
                        }
                    }
                    if covered {
                        argmax(&scores)
                    } else {
                        nearest_in_time(t)
                    }
                })
                .collect()
        })
        .collect()
}

fn argmax(values: &[f32]) -> usize {
    (0..values.len())
        .max_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0)
}

/// Prints that decide whether two tracks hold one voice: spread evenly
/// over each track's speech, enough for a steady centre.
const SAME_VOICE_PRINTS: usize = 24;

/// How alike the voices on two tracks are: the cosine similarity of the
/// centres of their prints, or `None` when either has too little speech to
/// tell. One person's voice on both (a channel holding only the other's
/// bleed, a mono recording copied to two channels) measured 0.85–0.94,
/// two people 0.43–0.63 (`benches/diarization.rs`).
pub fn track_similarity(
    model: &VoiceModel,
    a: (&Track, &[Region]),
    b: (&Track, &[Region]),
) -> Result<Option<f32>, AudioError> {
    let centre = |(track, regions): (&Track, &[Region])| -> Result<Option<Vec<f32>>, AudioError> {
        let all = window_spans(regions);
        if all.len() < MIN_CLUSTER {
            return Ok(None);
        }
        let step = all.len().div_ceil(SAME_VOICE_PRINTS);
        let chosen: Vec<(f64, f64)> = all.into_iter().step_by(step).collect();
        let prints = embed_spans(model, track, chosen)?;
        let prints: Vec<&[f32]> = prints.iter().map(|p| p.print.as_slice()).collect();
        Ok(Centre::of(&prints, &vec![0; prints.len()])
            .first()
            .map(Centre::direction))
    };
    Ok(match (centre(a)?, centre(b)?) {
        (Some(a), Some(b)) => Some(dot(&a, &b)),
        _ => None,
    })
}
