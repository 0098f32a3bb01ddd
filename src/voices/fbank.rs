//! Kaldi's log mel filterbank, as the CAM++ voice model was trained on it
//! (`torchaudio.compliance.kaldi.fbank` with 80 bins at 16 kHz, no dither):
//! 25 ms frames every 10 ms, each with its DC removed, pre-emphasised
//! (0.97), shaped by the "povey" window, zero-padded to 512 points; power
//! spectrum through 80 triangular filters evenly spaced on the mel scale
//! from 20 Hz to 8 kHz; natural log, floored at `f32::EPSILON`. The model
//! takes them with each bin's mean over the clip subtracted.

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

pub const BINS: usize = 80;
const FRAME_LEN: usize = 400;
pub const FRAME_HOP: usize = 160;
const FFT_LEN: usize = 512;
const SAMPLE_RATE: f64 = 16_000.0;
const LOW_HZ: f64 = 20.0;
const PREEMPHASIS: f32 = 0.97;

/// The filterbank and its FFT, made once and shared by every clip.
pub struct Fbank {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    /// Per bin: the first FFT bin it weighs and the weights from there.
    filters: Vec<(usize, Vec<f32>)>,
}

impl std::fmt::Debug for Fbank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fbank").finish_non_exhaustive()
    }
}

fn mel(hz: f64) -> f64 {
    1127.0 * (1.0 + hz / 700.0).ln()
}

impl Default for Fbank {
    fn default() -> Self {
        let window = (0..FRAME_LEN)
            .map(|i| {
                let hann = 0.5
                    - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (FRAME_LEN - 1) as f64).cos();
                hann.powf(0.85) as f32
            })
            .collect();
        let (low, high) = (mel(LOW_HZ), mel(SAMPLE_RATE / 2.0));
        let delta = (high - low) / (BINS + 1) as f64;
        let bin_hz = SAMPLE_RATE / FFT_LEN as f64;
        // Kaldi weighs FFT bins 0..256 and leaves out the Nyquist bin.
        let filters = (0..BINS)
            .map(|m| {
                let (left, centre, right) = (
                    low + m as f64 * delta,
                    low + (m + 1) as f64 * delta,
                    low + (m + 2) as f64 * delta,
                );
                let weights: Vec<(usize, f32)> = (0..FFT_LEN / 2)
                    .filter_map(|i| {
                        let at = mel(i as f64 * bin_hz);
                        let weight = if at <= left || at >= right {
                            return None;
                        } else if at <= centre {
                            (at - left) / (centre - left)
                        } else {
                            (right - at) / (right - centre)
                        };
                        Some((i, weight as f32))
                    })
                    .collect();
                let first = weights.first().map_or(0, |w| w.0);
                (first, weights.into_iter().map(|w| w.1).collect())
            })
            .collect();
        Self {
            fft: FftPlanner::new().plan_fft_forward(FFT_LEN),
            window,
            filters,
        }
    }
}

impl Fbank {
    /// Frames that fit wholly in `samples` (Kaldi's `snip_edges`).
    pub fn frames_in(samples: usize) -> usize {
        if samples < FRAME_LEN {
            0
        } else {
            1 + (samples - FRAME_LEN) / FRAME_HOP
        }
    }

    /// Log mel energies of each frame of `samples` (16 kHz, −1..1), before
    /// any mean is taken out.
    pub fn log_mel(&self, samples: &[f32]) -> Vec<[f32; BINS]> {
        let mut buffer = vec![Complex32::default(); FFT_LEN];
        let mut scratch = vec![Complex32::default(); self.fft.get_inplace_scratch_len()];
        let mut frame = [0f32; FRAME_LEN];
        let mut power = [0f32; FFT_LEN / 2];
        (0..Self::frames_in(samples.len()))
            .map(|f| {
                frame.copy_from_slice(&samples[f * FRAME_HOP..f * FRAME_HOP + FRAME_LEN]);
                let mean = frame.iter().sum::<f32>() / FRAME_LEN as f32;
                for s in &mut frame {
                    *s -= mean;
                }
                for i in (1..FRAME_LEN).rev() {
                    frame[i] -= PREEMPHASIS * frame[i - 1];
                }
                frame[0] -= PREEMPHASIS * frame[0];
                for (i, b) in buffer.iter_mut().enumerate() {
                    let s = if i < FRAME_LEN {
                        frame[i] * self.window[i]
                    } else {
                        0.0
                    };
                    *b = Complex32::new(s, 0.0);
                }
                self.fft.process_with_scratch(&mut buffer, &mut scratch);
                for (p, b) in power.iter_mut().zip(&buffer) {
                    *p = b.norm_sqr();
                }
                let mut out = [0f32; BINS];
                for (o, (first, weights)) in out.iter_mut().zip(&self.filters) {
                    let energy: f32 = weights
                        .iter()
                        .zip(&power[*first..])
                        .map(|(w, p)| w * p)
                        .sum();
                    *o = energy.max(f32::EPSILON).ln();
                }
                out
            })
            .collect()
    }

    /// The model's input: log mel energies with each bin's mean over the
    /// clip taken out.
    pub fn features(&self, samples: &[f32]) -> Vec<[f32; BINS]> {
        let mut frames = self.log_mel(samples);
        if frames.is_empty() {
            return frames;
        }
        let mut means = [0f64; BINS];
        for frame in &frames {
            for (m, v) in means.iter_mut().zip(frame) {
                *m += f64::from(*v);
            }
        }
        let n = frames.len() as f64;
        for frame in &mut frames {
            for (v, m) in frame.iter_mut().zip(&means) {
                *v -= (m / n) as f32;
            }
        }
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_follow_kaldi_snip_edges() {
        assert_eq!(Fbank::frames_in(399), 0);
        assert_eq!(Fbank::frames_in(400), 1);
        assert_eq!(Fbank::frames_in(16_000), 98);
    }

    #[test]
    fn a_tone_lights_the_bin_holding_its_frequency() {
        let tone: Vec<f32> = (0..16_000)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16_000.0).sin() * 0.5)
            .collect();
        let frames = Fbank::default().log_mel(&tone);
        let loudest = (0..BINS)
            .max_by(|&a, &b| frames[10][a].total_cmp(&frames[10][b]))
            .unwrap();
        let centre_hz = |m: usize| {
            let (low, high) = (mel(LOW_HZ), mel(8000.0));
            let c = low + (m + 1) as f64 * (high - low) / (BINS + 1) as f64;
            700.0 * ((c / 1127.0).exp() - 1.0)
        };
        assert!(
            (centre_hz(loudest) - 1000.0).abs() < 60.0,
            "{}",
            centre_hz(loudest)
        );
    }
}
