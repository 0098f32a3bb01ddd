//! Who spoke when on a single mixed track, with no downloaded model.
//!
//! The classic recipe, done small: cepstral features (MFCC-style: log mel
//! energies in the telephone band, decorrelated by a DCT, normalised over
//! the call) every 10 ms of speech; one voice print per 1.5 s window (the
//! shift its frames ask of a Gaussian mixture fitted to the whole call's
//! speech: a GMM "supervector", which compares like sounds with like, so
//! what was said weighs less than who said it); average-linkage clustering
//! of the prints (cosine distance), cut at the number of speakers given, or
//! estimated (two unless the voices do not separate, or more separate
//! clearly better); then one pass frame by frame, each frame going to the
//! speaker whose adapted model best explains the second around it.
//!
//! It is an estimate and is reported as one: the silhouette of the final
//! clustering (0 = voices indistinguishable, 1 = cleanly apart) travels with
//! the result. Overlapping speech is given to one speaker.

use crate::audio::{AudioError, SAMPLE_RATE, Track};
use crate::speech::Region;
use crate::transcribe::{Segment, Word};
use rustfft::FftPlanner;
use rustfft::num_complex::Complex32;
use serde::{Deserialize, Serialize};

const FRAME_LEN: usize = 400;
const FRAME_HOP: usize = 160;
const FFT_LEN: usize = 512;
const FRAME_SECONDS: f64 = FRAME_HOP as f64 / SAMPLE_RATE as f64;
const BANDS: usize = 30;
/// Cepstra kept: c1..=c16 (c0 is loudness, which says more about the
/// microphone than the voice).
const DIMS: usize = 16;
/// Telephone band: every recording has it, and it holds most of the voice.
const LOW_HZ: f64 = 100.0;
const HIGH_HZ: f64 = 3800.0;
/// Voice-print windows, in frames.
const WINDOW_FRAMES: usize = 150;
const WINDOW_STEP: usize = 75;
const MIN_WINDOW_FRAMES: usize = 40;
/// Windows clustered directly; the rest join their nearest cluster. Keeps
/// the O(n²) clustering to a fraction of a second on a long call.
const MAX_CLUSTERED: usize = 600;
/// Most speakers estimated when the number is not given.
pub const MAX_SPEAKERS: usize = 6;
/// Below this silhouette, two clusters are one voice split in two. Set on
/// real calls: two people mixed separate at 0.11–0.12, one person's channel
/// at 0.07–0.08 (one with heavy bleed: 0.12; see `benches/diarization.rs`).
const ONE_VOICE_SILHOUETTE: f64 = 0.10;
/// How much better a third (fourth…) speaker must separate the voices than
/// two do, since the silhouette of a few windows grows with their number.
const MORE_VOICES_GAIN: f64 = 0.05;
/// Each estimated speaker holds at least this share of the windows.
const MIN_SPEAKER_SHARE: f64 = 0.15;
/// Frames on each side whose likelihoods decide a frame's speaker when
/// re-labelling (±0.5 s).
const RESEGMENT_REACH: usize = 50;
/// Components of the call's general model of speech.
const COMPONENTS: usize = 16;
/// How many frames of a component a window needs before its own sound
/// outweighs the general model's (MAP adaptation's relevance factor).
const RELEVANCE: f64 = 8.0;

/// A stretch of the call in which one speaker (0-based, in order of first
/// speech) was heard.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub start: f64,
    pub end: f64,
    pub speaker: usize,
}

/// The speakers found on a mixed track.
#[derive(Debug, Clone, PartialEq)]
pub struct Diarization {
    pub speakers: usize,
    /// Whether the number of speakers was estimated (not given).
    pub estimated: bool,
    /// How far apart the voices are: the silhouette of the clustering, 0–1.
    pub separation: f64,
    pub turns: Vec<Turn>,
    /// Told apart by the voice model's prints, not the built-in method.
    pub by_voice_prints: bool,
}

impl Diarization {
    /// The speaker heard at `t`: the turn holding it, else the nearest.
    pub fn speaker_at(&self, t: f64) -> usize {
        // Turns are in time order and do not overlap: the answer is the
        // first turn not over by `t`, or the one before it.
        let next = self.turns.partition_point(|turn| turn.end < t);
        self.turns[next.saturating_sub(1)..(next + 1).min(self.turns.len())]
            .iter()
            .min_by(|a, b| distance(a, t).total_cmp(&distance(b, t)))
            .map_or(0, |turn| turn.speaker)
    }

    /// One speaker's turns, as speech regions.
    pub fn regions_of(&self, speaker: usize) -> Vec<Region> {
        self.turns
            .iter()
            .filter(|t| t.speaker == speaker)
            .map(|t| Region {
                start: t.start,
                end: t.end,
            })
            .collect()
    }

    /// Whisper's segments of the mixed track, per speaker: each word goes to
    /// the speaker heard at its middle, and a segment is cut where the
    /// speaker changes.
    pub fn split(&self, segments: Vec<Segment>) -> Vec<Vec<Segment>> {
        let mut out: Vec<Vec<Segment>> = vec![Vec::new(); self.speakers];
        for segment in segments {
            let mut run: Option<(usize, Vec<Word>)> = None;
            for word in segment.words {
                let speaker = self.speaker_at(f64::midpoint(word.start, word.end));
                match &mut run {
                    Some((s, words)) if *s == speaker => words.push(word),
                    _ => {
                        if let Some((s, words)) = run.take() {
                            out[s].push(segment_of(words));
                        }
                        run = Some((speaker, vec![word]));
                    }
                }
            }
            if let Some((s, words)) = run {
                out[s].push(segment_of(words));
            }
        }
        out
    }
}

fn segment_of(words: Vec<Word>) -> Segment {
    Segment {
        start: words.first().map_or(0.0, |w| w.start),
        end: words.last().map_or(0.0, |w| w.end),
        words,
    }
}

fn distance(turn: &Turn, t: f64) -> f64 {
    if t < turn.start {
        turn.start - t
    } else if t > turn.end {
        t - turn.end
    } else {
        0.0
    }
}

type Frame = [f32; DIMS];

/// Separates the speakers in the `regions` of `track`. `speakers` fixes
/// their number; otherwise it is estimated (1 to [`MAX_SPEAKERS`]).
pub fn diarize(
    track: &Track,
    regions: &[Region],
    speakers: Option<usize>,
) -> Result<Diarization, AudioError> {
    let features = Features::of(track, regions)?;
    Ok(diarize_features(&features, speakers))
}

fn diarize_features(features: &Features, speakers: Option<usize>) -> Diarization {
    let windows = features.windows();
    let one_speaker = |separation| Diarization {
        speakers: 1,
        estimated: speakers.is_none(),
        separation,
        turns: features.turns(&vec![0; features.frames.len()]),
        by_voice_prints: false,
    };
    if speakers == Some(1) || windows.len() < 4 {
        return one_speaker(0.0);
    }
    // Every other frame is plenty to learn the general model from.
    let training: Vec<&Frame> = features.frames.iter().step_by(2).collect();
    let ubm = Gmm::fit(&training, COMPONENTS);
    let prints = supervectors(&ubm, &features.frames, &windows);
    let sample: Vec<usize> = if prints.len() > MAX_CLUSTERED {
        (0..MAX_CLUSTERED)
            .map(|i| i * prints.len() / MAX_CLUSTERED)
            .collect()
    } else {
        (0..prints.len()).collect()
    };
    let sampled: Vec<Vec<f32>> = sample.iter().map(|&i| prints[i].clone()).collect();
    let distances = cosine_distances(&sampled);
    let merges = average_linkage(&distances);
    let (labels, silhouette) = if let Some(k) = speakers {
        // As many as given, however small a cluster comes out.
        let labels = cut(&merges, sampled.len(), k.min(sampled.len() - 1));
        let s = silhouette(&labels, &distances);
        (labels, s)
    } else {
        let clustering = |k: usize| {
            let labels = absorb_small(cut(&merges, sampled.len(), k), &distances);
            let s = silhouette(&labels, &distances);
            (labels, s)
        };
        // Two people is the common call: more are taken only when they
        // separate clearly better, one when two do not separate at all.
        let two = clustering(2);
        if two.1 < ONE_VOICE_SILHOUETTE {
            return one_speaker(two.1.max(0.0));
        }
        (3..=MAX_SPEAKERS.min(sampled.len() - 1))
            .map(clustering)
            .filter(|(labels, s)| {
                *s >= two.1 + MORE_VOICES_GAIN && smallest_share(labels) >= MIN_SPEAKER_SHARE
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or(two)
    };
    let k = labels.iter().max().map_or(1, |m| m + 1);
    // Every window joins the cluster whose sampled prints it is nearest on average.
    let window_labels: Vec<usize> = prints
        .iter()
        .map(|p| nearest_cluster(p, &sampled, &labels, k))
        .collect();
    let frame_labels = features.frame_labels(&windows, &window_labels);
    // Windows place a change of speaker to within ±0.4 s; one pass frame
    // by frame sharpens it (a second pass was measured to gain nothing).
    let frame_labels = features.resegment(&ubm, &frame_labels, k);
    let (frame_labels, k) = renumber(&frame_labels);
    Diarization {
        speakers: k,
        estimated: speakers.is_none(),
        separation: silhouette.clamp(0.0, 1.0),
        turns: features.turns(&frame_labels),
        by_voice_prints: false,
    }
}

/// Frame features of the speech, with where each frame sits.
struct Features {
    frames: Vec<Frame>,
    times: Vec<f64>,
    /// Frame index ranges of each region, in order.
    spans: Vec<std::ops::Range<usize>>,
}

impl Features {
    fn of(track: &Track, regions: &[Region]) -> Result<Self, AudioError> {
        let bank = MelBank::new();
        let mut fft = FftPlanner::new();
        let fft = fft.plan_fft_forward(FFT_LEN);
        let window: Vec<f32> = (0..FRAME_LEN)
            .map(|i| {
                let x = std::f32::consts::TAU * i as f32 / (FRAME_LEN - 1) as f32;
                0.54 - 0.46 * x.cos()
            })
            .collect();
        let mut frames = Vec::new();
        let mut times = Vec::new();
        let mut spans = Vec::new();
        let mut buffer = vec![Complex32::default(); FFT_LEN];
        for region in regions {
            let samples = track.read_call(region.start, region.end)?;
            let begin = frames.len();
            let mut at = 0;
            while at + FRAME_LEN <= samples.len() {
                for (i, b) in buffer.iter_mut().enumerate() {
                    let s = if i < FRAME_LEN {
                        samples[at + i] * window[i]
                    } else {
                        0.0
                    };
                    *b = Complex32::new(s, 0.0);
                }
                fft.process(&mut buffer);
                frames.push(bank.cepstrum(&buffer));
                times.push(region.start + (at + FRAME_LEN / 2) as f64 / f64::from(SAMPLE_RATE));
                at += FRAME_HOP;
            }
            spans.push(begin..frames.len());
        }
        normalise(&mut frames);
        Ok(Self {
            frames,
            times,
            spans,
        })
    }

    /// Windows of up to [`WINDOW_FRAMES`] within each region.
    fn windows(&self) -> Vec<std::ops::Range<usize>> {
        let mut windows = Vec::new();
        for span in &self.spans {
            if span.len() < MIN_WINDOW_FRAMES {
                continue;
            }
            let mut start = span.start;
            loop {
                let end = (start + WINDOW_FRAMES).min(span.end);
                windows.push(start..end);
                if end == span.end {
                    break;
                }
                start += WINDOW_STEP;
                if span.end - start < MIN_WINDOW_FRAMES {
                    break;
                }
            }
        }
        windows
    }

    /// Each frame takes the label of the last window that covers it (where
    /// windows overlap, the later one: measured to place changes of
    /// speaker better than the nearest centre); frames in no window (the
    /// tail of a short region) keep the label before them.
    fn frame_labels(&self, windows: &[std::ops::Range<usize>], labels: &[usize]) -> Vec<usize> {
        let mut frame_labels = vec![None; self.frames.len()];
        for (w, &l) in windows.iter().zip(labels) {
            for f in w.clone() {
                frame_labels[f] = Some(l);
            }
        }
        let mut last = labels.first().copied().unwrap_or(0);
        frame_labels
            .into_iter()
            .map(|l| {
                last = l.unwrap_or(last);
                last
            })
            .collect()
    }

    /// Each frame's speaker again, by which speaker's voice (the general
    /// model adapted to that speaker's frames) explains the frames around
    /// it best: sharpens changes of speaker to a few frames.
    fn resegment(&self, ubm: &Gmm, labels: &[usize], k: usize) -> Vec<usize> {
        let voices: Vec<Gmm> = (0..k)
            .map(|s| {
                let mine: Vec<&Frame> = self
                    .frames
                    .iter()
                    .zip(labels)
                    .filter(|(_, l)| **l == s)
                    .map(|(f, _)| f)
                    .collect();
                ubm.adapted(&mine)
            })
            .collect();
        let mut out = labels.to_vec();
        for span in &self.spans {
            let scores: Vec<Vec<f64>> = self.frames[span.clone()]
                .iter()
                .map(|f| voices.iter().map(|v| v.log_likelihood(f)).collect())
                .collect();
            for i in 0..scores.len() {
                let (from, to) = (
                    i.saturating_sub(RESEGMENT_REACH),
                    (i + RESEGMENT_REACH + 1).min(scores.len()),
                );
                out[span.start + i] = (0..k)
                    .max_by(|&a, &b| {
                        let sum = |s: usize| scores[from..to].iter().map(|x| x[s]).sum::<f64>();
                        sum(a).total_cmp(&sum(b))
                    })
                    .unwrap_or(0);
            }
        }
        out
    }

    /// Runs of one label within a region, as turns on the call's timeline.
    fn turns(&self, labels: &[usize]) -> Vec<Turn> {
        let half = FRAME_SECONDS / 2.0;
        let mut turns: Vec<Turn> = Vec::new();
        for span in &self.spans {
            let mut open: Option<Turn> = None;
            for f in span.clone() {
                let (t, speaker) = (self.times[f], labels[f]);
                match &mut open {
                    Some(turn) if turn.speaker == speaker => turn.end = t + half,
                    _ => {
                        turns.extend(open.take());
                        open = Some(Turn {
                            start: t - half,
                            end: t + half,
                            speaker,
                        });
                    }
                }
            }
            turns.extend(open);
        }
        turns
    }
}

/// Zero mean, unit variance per dimension over the whole call: removes the
/// channel, keeps what tells voices apart.
fn normalise(frames: &mut [Frame]) {
    if frames.is_empty() {
        return;
    }
    let n = frames.len() as f32;
    for d in 0..DIMS {
        let mean = frames.iter().map(|f| f[d]).sum::<f32>() / n;
        let var = frames.iter().map(|f| (f[d] - mean).powi(2)).sum::<f32>() / n;
        let scale = 1.0 / var.sqrt().max(1e-6);
        for f in frames.iter_mut() {
            f[d] = (f[d] - mean) * scale;
        }
    }
}

struct MelBank {
    /// Per band: (first FFT bin, weights).
    filters: Vec<(usize, Vec<f32>)>,
    /// DCT-II rows for c1..=c16.
    dct: Vec<[f32; BANDS]>,
}

impl MelBank {
    fn new() -> Self {
        let mel = |hz: f64| 2595.0 * (1.0 + hz / 700.0).log10();
        let hz = |mel: f64| 700.0 * (10f64.powf(mel / 2595.0) - 1.0);
        let (low, high) = (mel(LOW_HZ), mel(HIGH_HZ));
        let edges: Vec<f64> = (0..BANDS + 2)
            .map(|i| hz(low + (high - low) * i as f64 / (BANDS + 1) as f64))
            .map(|f| f * FFT_LEN as f64 / f64::from(SAMPLE_RATE))
            .collect();
        let filters = (0..BANDS)
            .map(|b| {
                let (left, centre, right) = (edges[b], edges[b + 1], edges[b + 2]);
                let first = left.ceil() as usize;
                let weights = (first..=right.floor() as usize)
                    .map(|bin| {
                        let x = bin as f64;
                        let w = if x <= centre {
                            (x - left) / (centre - left)
                        } else {
                            (right - x) / (right - centre)
                        };
                        w.max(0.0) as f32
                    })
                    .collect();
                (first, weights)
            })
            .collect();
        let dct = (1..=DIMS)
            .map(|k| {
                let mut row = [0f32; BANDS];
                for (n, r) in row.iter_mut().enumerate() {
                    *r = (std::f64::consts::PI * k as f64 * (n as f64 + 0.5) / BANDS as f64).cos()
                        as f32;
                }
                row
            })
            .collect();
        Self { filters, dct }
    }

    fn cepstrum(&self, spectrum: &[Complex32]) -> Frame {
        let mut energies = [0f32; BANDS];
        for (e, (first, weights)) in energies.iter_mut().zip(&self.filters) {
            let power: f32 = weights
                .iter()
                .enumerate()
                .map(|(i, w)| w * spectrum[first + i].norm_sqr())
                .sum();
            *e = (power + 1e-10).ln();
        }
        let mut cepstrum = [0f32; DIMS];
        for (c, row) in cepstrum.iter_mut().zip(&self.dct) {
            *c = row.iter().zip(&energies).map(|(a, b)| a * b).sum();
        }
        cepstrum
    }
}

/// Each window's voice as the shift it needs from the call's general model
/// of speech (a Gaussian mixture over everyone's frames): comparing the
/// shift per mixture component compares like sounds with like, so what was
/// said matters less than who said it.
fn supervectors(ubm: &Gmm, frames: &[Frame], windows: &[std::ops::Range<usize>]) -> Vec<Vec<f32>> {
    let m = ubm.weights.len();
    let mut prints: Vec<Vec<f32>> = windows
        .iter()
        .map(|w| {
            let window: Vec<&Frame> = frames[w.clone()].iter().collect();
            let adapted = ubm.adapted(&window);
            let mut print = Vec::with_capacity(m * DIMS);
            for c in 0..m {
                let weight = ubm.weights[c].sqrt();
                for ((shifted, mean), variance) in adapted.means[c]
                    .iter()
                    .zip(&ubm.means[c])
                    .zip(&ubm.variances[c])
                {
                    let shift = f64::from(shifted - mean) * weight / f64::from(*variance).sqrt();
                    print.push(shift as f32);
                }
            }
            print
        })
        .collect();
    // Centred on the call's average shift, so what every window shares
    // (the line, the room) does not count as likeness.
    let n = prints.len().max(1) as f32;
    for d in 0..m * DIMS {
        let mean = prints.iter().map(|p| p[d]).sum::<f32>() / n;
        for p in &mut prints {
            p[d] -= mean;
        }
    }
    for p in &mut prints {
        let norm = p.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-6);
        for v in p.iter_mut() {
            *v /= norm;
        }
    }
    prints
}

pub(super) fn cosine_distances(prints: &[Vec<f32>]) -> Vec<Vec<f64>> {
    prints
        .iter()
        .map(|a| {
            prints
                .iter()
                .map(|b| 1.0 - f64::from(a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()))
                .collect()
        })
        .collect()
}

/// Average-linkage merges, in order: (cluster a, cluster b, their average
/// distance), the merged cluster taking a's place. The distances never
/// decrease from one merge to the next.
pub(super) fn average_linkage(distances: &[Vec<f64>]) -> Vec<(usize, usize, f64)> {
    let n = distances.len();
    let mut d = distances.to_vec();
    let mut size = vec![1usize; n];
    let mut alive = vec![true; n];
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    for _ in 1..n {
        let mut best = (f64::INFINITY, 0, 0);
        for i in (0..n).filter(|&i| alive[i]) {
            for j in (i + 1..n).filter(|&j| alive[j]) {
                if d[i][j] < best.0 {
                    best = (d[i][j], i, j);
                }
            }
        }
        let (distance, a, b) = best;
        for k in (0..n).filter(|&k| alive[k] && k != a && k != b) {
            let average =
                (d[a][k] * size[a] as f64 + d[b][k] * size[b] as f64) / (size[a] + size[b]) as f64;
            d[a][k] = average;
            d[k][a] = average;
        }
        size[a] += size[b];
        alive[b] = false;
        merges.push((a, b, distance));
    }
    merges
}

/// Labels 0..k of each item after the first `n - k` merges.
pub(super) fn cut(merges: &[(usize, usize, f64)], n: usize, k: usize) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..n).collect();
    for &(a, b, _) in merges.iter().take(n.saturating_sub(k)) {
        parent[b] = a;
    }
    let root = |mut i: usize| {
        while parent[i] != i {
            i = parent[i];
        }
        i
    };
    let roots: Vec<usize> = (0..n).map(root).collect();
    let mut ids: Vec<usize> = roots.clone();
    ids.sort_unstable();
    ids.dedup();
    roots
        .iter()
        .map(|r| ids.binary_search(r).expect("a root"))
        .collect()
}

/// Clusters too small to be a person (a cough, a door, a burst of noise)
/// join the nearest large one; labels are renumbered 0..k.
fn absorb_small(mut labels: Vec<usize>, distances: &[Vec<f64>]) -> Vec<usize> {
    let n = labels.len();
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let sizes: Vec<usize> = (0..k)
        .map(|c| labels.iter().filter(|&&l| l == c).count())
        .collect();
    let minimum = (n / 20).max(2);
    let large: Vec<usize> = (0..k).filter(|&c| sizes[c] >= minimum).collect();
    if large.is_empty() {
        return vec![0; n];
    }
    let snapshot = labels.clone();
    for i in 0..n {
        if sizes[snapshot[i]] < minimum {
            labels[i] = *large
                .iter()
                .min_by(|&&a, &&b| {
                    mean_distance(i, a, &snapshot, distances)
                        .total_cmp(&mean_distance(i, b, &snapshot, distances))
                })
                .expect("not empty");
        }
    }
    renumber(&labels).0
}

fn mean_distance(i: usize, cluster: usize, labels: &[usize], distances: &[Vec<f64>]) -> f64 {
    let (sum, count) = labels
        .iter()
        .enumerate()
        .filter(|&(j, &l)| l == cluster && j != i)
        .fold((0.0, 0usize), |(s, c), (j, _)| (s + distances[i][j], c + 1));
    if count == 0 {
        f64::INFINITY
    } else {
        sum / count as f64
    }
}

/// Mean silhouette: how much nearer each item is to its own cluster than
/// to the next one (−1 to 1).
pub(super) fn silhouette(labels: &[usize], distances: &[Vec<f64>]) -> f64 {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    if k < 2 {
        return 0.0;
    }
    let scores: Vec<f64> = (0..labels.len())
        .map(|i| {
            let own = mean_distance(i, labels[i], labels, distances);
            let other = (0..k)
                .filter(|&c| c != labels[i])
                .map(|c| mean_distance(i, c, labels, distances))
                .fold(f64::INFINITY, f64::min);
            if own.is_infinite() {
                0.0
            } else {
                (other - own) / own.max(other)
            }
        })
        .collect();
    scores.iter().sum::<f64>() / scores.len() as f64
}

fn nearest_cluster(print: &[f32], sampled: &[Vec<f32>], labels: &[usize], k: usize) -> usize {
    let mut sums = vec![(0.0, 0usize); k];
    for (s, &l) in sampled.iter().zip(labels) {
        let d = 1.0 - f64::from(print.iter().zip(s).map(|(x, y)| x * y).sum::<f32>());
        sums[l].0 += d;
        sums[l].1 += 1;
    }
    (0..k)
        .min_by(|&a, &b| {
            let mean = |c: usize| sums[c].0 / sums[c].1.max(1) as f64;
            mean(a).total_cmp(&mean(b))
        })
        .unwrap_or(0)
}

fn smallest_share(labels: &[usize]) -> f64 {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    (0..k)
        .map(|c| labels.iter().filter(|&&l| l == c).count())
        .min()
        .unwrap_or(0) as f64
        / labels.len().max(1) as f64
}

/// Labels renumbered by first appearance, and how many there are.
pub(super) fn renumber(labels: &[usize]) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = Vec::new();
    let renumbered = labels
        .iter()
        .map(|l| {
            order.iter().position(|o| o == l).unwrap_or_else(|| {
                order.push(*l);
                order.len() - 1
            })
        })
        .collect();
    (renumbered, order.len())
}

/// A diagonal Gaussian mixture: one speaker's voice.
struct Gmm {
    weights: Vec<f64>,
    means: Vec<Frame>,
    variances: Vec<Frame>,
}

impl Gmm {
    /// A few EM steps from an even split of the frames.
    fn fit(frames: &[&Frame], components: usize) -> Self {
        let m = components.min(frames.len() / 50).max(1);
        let mut gmm = Self {
            weights: vec![1.0 / m as f64; m],
            means: (0..m)
                .map(|c| {
                    *frames
                        .get(c * frames.len() / m)
                        .copied()
                        .unwrap_or(&[0.0; DIMS])
                })
                .collect(),
            variances: vec![[1.0; DIMS]; m],
        };
        if frames.is_empty() {
            return gmm;
        }
        for _ in 0..8 {
            let mut weight = vec![0f64; m];
            let mut sum = vec![[0f64; DIMS]; m];
            let mut square = vec![[0f64; DIMS]; m];
            for f in frames {
                let posteriors = gmm.posteriors(f);
                for c in 0..m {
                    let p = posteriors[c];
                    weight[c] += p;
                    for d in 0..DIMS {
                        let x = f64::from(f[d]);
                        sum[c][d] += p * x;
                        square[c][d] += p * x * x;
                    }
                }
            }
            for c in 0..m {
                let w = weight[c].max(1e-9);
                gmm.weights[c] = (w / frames.len() as f64).max(1e-4);
                for d in 0..DIMS {
                    let mean = sum[c][d] / w;
                    gmm.means[c][d] = mean as f32;
                    gmm.variances[c][d] = (square[c][d] / w - mean * mean).max(0.01) as f32;
                }
            }
        }
        gmm
    }

    fn component_logs(&self, f: &Frame) -> Vec<f64> {
        (0..self.weights.len())
            .map(|c| {
                let mut log = self.weights[c].ln();
                for ((x, mean), variance) in f.iter().zip(&self.means[c]).zip(&self.variances[c]) {
                    let (x, v) = (f64::from(x - mean), f64::from(*variance));
                    log -= 0.5 * (x * x / v + v.ln() + std::f64::consts::TAU.ln());
                }
                log
            })
            .collect()
    }

    /// This model with its means moved toward `frames` (MAP adaptation).
    fn adapted(&self, frames: &[&Frame]) -> Self {
        let m = self.weights.len();
        let mut counts = vec![0f64; m];
        let mut sums = vec![[0f64; DIMS]; m];
        for f in frames {
            let post = self.posteriors(f);
            for c in 0..m {
                counts[c] += post[c];
                for d in 0..DIMS {
                    sums[c][d] += post[c] * f64::from(f[d]);
                }
            }
        }
        let means = (0..m)
            .map(|c| {
                let mut mean = [0f32; DIMS];
                for d in 0..DIMS {
                    let mu = f64::from(self.means[c][d]);
                    mean[d] = ((sums[c][d] + RELEVANCE * mu) / (counts[c] + RELEVANCE)) as f32;
                }
                mean
            })
            .collect();
        Self {
            weights: self.weights.clone(),
            means,
            variances: self.variances.clone(),
        }
    }

    fn log_likelihood(&self, f: &Frame) -> f64 {
        let logs = self.component_logs(f);
        let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top + logs.iter().map(|l| (l - top).exp()).sum::<f64>().ln()
    }

    fn posteriors(&self, f: &Frame) -> Vec<f64> {
        let logs = self.component_logs(f);
        let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exps: Vec<f64> = logs.iter().map(|l| (l - top).exp()).collect();
        let total: f64 = exps.iter().sum();
        exps.iter().map(|e| e / total).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::{SpeechSettings, detect_track};
    use std::path::Path;

    /// The sample call's two voices mixed onto one track.
    fn sample_mix() -> Track {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/call.wav"));
        let tracks = crate::audio::load_file(path).unwrap();
        let (a, b) = (
            tracks[0].read(0, usize::MAX).unwrap(),
            tracks[1].read(0, usize::MAX).unwrap(),
        );
        let mixed: Vec<f32> = a.iter().zip(&b).map(|(x, y)| (x + y) / 2.0).collect();
        Track::from_samples(path, &mixed).unwrap()
    }

    /// (start, end, is the consultant) for each scripted line.
    fn script() -> Vec<(f64, f64, bool)> {
        let tsv = include_str!("../../samples/call.truth.tsv");
        tsv.lines()
            .skip(1)
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                (
                    f[1].parse().unwrap(),
                    f[2].parse().unwrap(),
                    f[0] == "consultant",
                )
            })
            .collect()
    }

    #[test]
    fn two_voices_on_one_track_are_told_apart() {
        let mix = sample_mix();
        let regions = detect_track(&mix, &SpeechSettings::default().for_mixed_track()).unwrap();
        let found = diarize(&mix, &regions, None).unwrap();
        assert_eq!((found.speakers, found.estimated), (2, true));
        assert!(
            found.separation > ONE_VOICE_SILHOUETTE,
            "{}",
            found.separation
        );
        // The consultant speaks first, so is speaker 0. Score each scripted
        // line's middle 80 % (its edges overlap the next line in places).
        let (mut right, mut total) = (0usize, 0usize);
        for (start, end, consultant) in script() {
            let pad = (end - start) * 0.1;
            let mut t = start + pad;
            while t < end - pad {
                total += 1;
                right += usize::from((found.speaker_at(t) == 0) == consultant);
                t += 0.1;
            }
        }
        let accuracy = right as f64 / total as f64;
        assert!(
            accuracy > 0.9,
            "{accuracy:.3} of the script's time attributed right"
        );
    }

    #[test]
    fn one_voice_stays_one_and_a_given_number_is_kept() {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/call.wav"));
        let consultant = crate::audio::load_file(path).unwrap().remove(0);
        let settings = SpeechSettings::default().for_mixed_track();
        let regions = detect_track(&consultant, &settings).unwrap();
        let found = diarize(&consultant, &regions, None).unwrap();
        assert_eq!(found.speakers, 1, "separation {}", found.separation);
        let forced = diarize(&consultant, &regions, Some(1)).unwrap();
        assert_eq!((forced.speakers, forced.estimated), (1, false));
        let mix = sample_mix();
        let regions = detect_track(&mix, &settings).unwrap();
        assert_eq!(diarize(&mix, &regions, Some(3)).unwrap().speakers, 3);
    }

    #[test]
    fn words_go_to_the_speaker_heard_at_their_middle() {
        let found = Diarization {
            speakers: 2,
            estimated: true,
            separation: 0.2,
            by_voice_prints: false,
            turns: vec![
                Turn {
                    start: 0.0,
                    end: 2.0,
                    speaker: 0,
                },
                Turn {
                    start: 2.0,
                    end: 4.0,
                    speaker: 1,
                },
            ],
        };
        let word = |text: &str, start: f64| Word {
            start,
            end: start + 0.4,
            text: text.into(),
            probability: 1.0,
        };
        let segment = segment_of(vec![
            word("so", 1.0),
            word("yes", 1.5),
            word("right", 2.5),
            word("ok", 5.0),
        ]);
        let split = found.split(vec![segment]);
        let texts = |s: &Segment| s.words.iter().map(|w| w.text.clone()).collect::<Vec<_>>();
        assert_eq!(
            split[0].iter().map(texts).collect::<Vec<_>>(),
            [["so", "yes"]]
        );
        assert_eq!(
            split[1].iter().map(texts).collect::<Vec<_>>(),
            [["right", "ok"]]
        );
    }
}
