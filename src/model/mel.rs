//! The mel filter bank whisper.cpp reads from the model file.
//!
//! CTranslate2 models do not carry it (CTranslate2 computes it at run time),
//! so the converter computes what Whisper was trained with: librosa's Slaney
//! mel filters (`librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)`), in f64
//! as librosa does, stored as f32.

// Slaney's mel scale: linear (200/3 Hz per mel) below 1 kHz, logarithmic
// above, with 27 mels per factor of 6.4.
const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// Triangular, area-normalised ("Slaney") filters covering 0 Hz to Nyquist;
/// row-major `n_mels × (n_fft / 2 + 1)`.
pub fn slaney_filters(sample_rate: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let bins = n_fft / 2 + 1;
    let nyquist = f64::from(sample_rate) / 2.0;
    let fft_freqs: Vec<f64> = (0..bins)
        .map(|i| i as f64 * nyquist / (bins - 1) as f64)
        .collect();
    let (mel_min, mel_max) = (hz_to_mel(0.0), hz_to_mel(nyquist));
    let edges: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(mel_min + (mel_max - mel_min) * i as f64 / (n_mels + 1) as f64))
        .collect();

    let mut filters = Vec::with_capacity(n_mels * bins);
    for m in 0..n_mels {
        let (lo, centre, hi) = (edges[m], edges[m + 1], edges[m + 2]);
        let area_norm = 2.0 / (hi - lo);
        for &f in &fft_freqs {
            let rising = (f - lo) / (centre - lo);
            let falling = (hi - f) / (hi - centre);
            filters.push((rising.min(falling).max(0.0) * area_norm) as f32);
        }
    }
    filters
}

#[cfg(test)]
mod tests {
    use super::*;

    // `LIBROSA_REFERENCE`: values printed by `librosa.filters.mel(sr=16000,
    // n_fft=400, n_mels=80)` as `(mel, bin, value)`, an independent reference.
    include!("mel_reference.rs");

    #[test]
    fn matches_librosa_slaney_filters() {
        let filters = slaney_filters(16_000, 400, 80);
        assert_eq!(filters.len(), 80 * 201);
        for &(mel, bin, expected) in LIBROSA_REFERENCE {
            let got = f64::from(filters[mel * 201 + bin]);
            assert!(
                (got - expected).abs() <= 1e-6 * expected.abs().max(1e-3),
                "filter[{mel}][{bin}] = {got}, librosa says {expected}"
            );
        }
    }

    #[test]
    fn mel_scale_round_trips() {
        for hz in [0.0, 300.0, 999.0, 1000.0, 4321.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
    }
}
