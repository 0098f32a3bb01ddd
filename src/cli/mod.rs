//! The command line: one module per subcommand, each with its arguments
//! (`Args`, a clap struct) and `exec`, which runs it and prints. What
//! several commands share — how a call's transcript is made, where output
//! goes, how annotated files are read — is here.

pub mod analyze;
pub mod batch;
pub mod cache;
pub mod completions;
pub mod eval;
pub mod export;
pub mod merge;
pub mod model;
pub mod review;
pub mod signals;
pub mod train;
pub mod transcribe;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rapport::annotations;
use rapport::annotations::agreement::Annotated;
use rapport::cache::Cache;
use rapport::config::Config;
use rapport::detectors::Detectors;
use rapport::import;
use rapport::l10n::ReportLanguage;
use rapport::report::Format;
use rapport::score::Rubric;
use rapport::transcribe::{
    DEFAULT_CHUNK_SECONDS, LanguageChoice, WhisperSettings, WhisperTranscriber, default_states,
    default_threads,
};
use rapport::{CallOptions, Progress};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Local, private analysis of recorded client calls. Nothing leaves this machine.
#[derive(Debug, Parser)]
#[command(name = "rapport", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score a recorded call: whether the consultant kept the client in
    /// control, with the reasons and the timestamped evidence.
    ///
    /// Takes the same inputs as `transcribe`. The transcript is cached (by
    /// the inputs' content, the model and the settings), so analysing the
    /// same call again, with another rubric say, takes milliseconds.
    Analyze(analyze::Args),
    /// Transcribe a recorded call and say who said what, when.
    ///
    /// INPUT is a recording (WAV, MP4/M4A, MP3, FLAC, OGG, MKV/WebM: video
    /// files give their audio) with one person per channel, several files
    /// (one per participant, as Zoom and Riverside record), or a transcript
    /// (WebVTT or SRT as Zoom and Teams export, whisper.cpp or faster-whisper
    /// JSON, or rapport's own JSON), which is read in milliseconds with no
    /// model. Each channel is one participant; only the speech on each is
    /// sent to Whisper.
    Transcribe(transcribe::Args),
    /// List the trust signals, or print one's documentation.
    Signals(signals::Args),
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
    Eval(eval::Args),
    /// Teach the detectors a team's own labels: labelled utterances and
    /// coaches' verdicts in, a detectors file out (use it with
    /// `--detectors FILE`).
    ///
    /// Prints what it learned from (examples and positives per label and
    /// file) and, per label, the threshold chosen and a cross-validated
    /// estimate of precision, recall and F1 (folds by conversation). A
    /// label no example holds is skipped and said so: the base model's
    /// detector, or the rules, decide it.
    Train(train::Args),
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
    Batch(batch::Args),
    /// Build the summary of several batch output folders (the shards of
    /// one batch run on several machines): the calls' results are copied
    /// into OUTDIR and the summary written there, as one machine would have.
    /// Exits 1 when any call failed.
    Merge(merge::Args),
    /// Review a call in the browser and label its moments: a page on
    /// 127.0.0.1 with the audio, the transcript, who spoke when and what
    /// the detectors found, where a coach adds, confirms, rejects or
    /// corrects labels, with a rating and a comment.
    ///
    /// Takes the same inputs as `analyze`. Labels go to
    /// CALL.annotations.jsonl beside the call (append-only; several tabs or
    /// coaches may write at once). Prints the address to open, which
    /// carries this session's token; stops on Ctrl-C.
    Review(review::Args),
    /// Write coaches' labelled moments as a training and example set: the
    /// words with their context, labels, rating, comment, speaker role and
    /// times; with --clips, each moment's audio as a WAV file.
    Export(export::Args),
    /// Install the models, or convert a Whisper model.
    #[command(subcommand)]
    Model(model::Command),
    /// List or clear the transcript cache (clients' words, kept 30 days
    /// unless rapport.toml says otherwise).
    #[command(subcommand)]
    Cache(cache::Command),
    /// Print shell completions for bash, zsh, fish, elvish or PowerShell.
    ///
    /// For bash: `rapport completions bash > ~/.local/share/bash-completion/completions/rapport`;
    /// for zsh, into a folder on `$fpath` as `_rapport`; for fish:
    /// `rapport completions fish > ~/.config/fish/completions/rapport.fish`.
    Completions(completions::CompletionsArgs),
    /// Print the manual page, or write one per subcommand with --output.
    ///
    /// `rapport man --output ~/.local/share/man/man1` installs them for
    /// `man rapport` and `man rapport-batch`.
    Man(completions::ManArgs),
}

/// What decides a transcript.
#[derive(Debug, clap::Args)]
pub struct TranscriptionArgs {
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
    /// The Whisper model: an installed one's name (`tiny.en`, `base`) or a
    /// ggml file [default: `$RAPPORT_MODEL`, else `model` in rapport.toml,
    /// else base for a `--language` other than English, else tiny.en].
    #[arg(long, value_name = "NAME|PATH")]
    model: Option<String>,
    /// The language spoken: a code such as `en` or `nl`; `auto` to detect
    /// it per track from its first speech; or the languages to detect
    /// between, `en,nl` (surer than auto on accented speech). Detecting,
    /// and any language but English, need a multilingual model (base)
    /// [default: `language` in rapport.toml, else auto with a multilingual
    /// model, en with an English-only one]. For a transcript, what it is
    /// in over what its text suggests.
    #[arg(long, value_name = "auto|en|nl|en,nl|…", value_parser = language)]
    language: Option<LanguageChoice>,
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

/// What language a report is written in.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The language of the report: `auto` writes each call's in its own
    /// language when rapport writes that one (a Dutch call in Dutch), else
    /// in English; `en` or `nl` writes every one in that language
    /// [default: `report_language` in rapport.toml, else auto].
    #[arg(long, value_name = "auto|en|nl", value_parser = report_language)]
    report_language: Option<ReportLanguage>,
}

impl ReportArgs {
    /// `--report-language`, else rapport.toml's, else auto.
    pub fn resolve(&self, config: &Config) -> Result<ReportLanguage> {
        if let Some(given) = self.report_language {
            return Ok(given);
        }
        config
            .report_language
            .as_deref()
            .map(ReportLanguage::parse)
            .transpose()
            .with_context(|| format!("`report_language` in {}", rapport::config::FILE_NAME))
            .map(Option::unwrap_or_default)
    }
}

fn report_language(value: &str) -> Result<ReportLanguage, String> {
    ReportLanguage::parse(value).map_err(|e| e.to_string())
}

/// What decides what an utterance is.
#[derive(Debug, clap::Args)]
pub struct DetectorsArgs {
    /// What decides whether an utterance asks, offers an option, promises,
    /// hands a decision back…: `default` (the learned detectors rapport
    /// ships), `rules` (the cue rules alone), or a file `rapport train`
    /// wrote [default: `detectors` in rapport.toml, else `default`].
    #[arg(long, value_name = "rules|default|FILE")]
    detectors: Option<String>,
}

impl DetectorsArgs {
    pub fn load(&self) -> Result<Detectors> {
        let spec = match &self.detectors {
            Some(spec) => spec.clone(),
            None => Config::load()?
                .detectors
                .unwrap_or_else(|| "default".into()),
        };
        Ok(Detectors::from_spec(&spec)?)
    }
}

/// How Whisper runs: the speed levers, each measured (README, Performance).
#[derive(Debug, clap::Args)]
pub struct WhisperArgs {
    /// Seconds of speech packed into one Whisper call. 15 was measured
    /// 1.8-2x as fast as 240 on real calls, at the same accuracy (README,
    /// Performance).
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_CHUNK_SECONDS,
          value_parser = chunk_seconds)]
    chunk: f64,
    /// Encode chunks shorter than 30 s in Whisper's full window instead of
    /// a context sized to the chunk (slower; for comparison).
    #[arg(long)]
    full_window: bool,
    /// Retry unsure or looping windows at higher temperatures, as
    /// whisper.cpp does by default (slower; for comparison).
    #[arg(long)]
    temperature_fallback: bool,
    /// Use ggml's flash attention (a fitted window is then rounded up to
    /// 256 frames, as its unmasked padding needs; measured in the README).
    #[arg(long)]
    flash_attention: bool,
    /// Chunks transcribed side by side, the threads shared between them
    /// [default: 2 with two threads or more, else 1; measured in the
    /// README, Performance].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    states: Option<u16>,
}

impl WhisperArgs {
    pub fn settings(&self, threads: usize) -> WhisperSettings {
        WhisperSettings {
            threads,
            states: self
                .states
                .map_or_else(|| default_states(threads), usize::from),
            temperature_fallback: self.temperature_fallback,
            chunk_seconds: self.chunk,
            fit_window: !self.full_window,
            flash_attention: self.flash_attention,
            ..WhisperSettings::default()
        }
    }
}

/// The language asked for: `--language`, else rapport.toml's.
fn asked_language(
    given: Option<&LanguageChoice>,
    config: &Config,
) -> Result<Option<LanguageChoice>> {
    if let Some(given) = given {
        return Ok(Some(given.clone()));
    }
    config
        .language
        .as_deref()
        .map(rapport::transcribe::parse_language)
        .transpose()
        .with_context(|| format!("`language` in {}", rapport::config::FILE_NAME))
}

fn language(value: &str) -> Result<LanguageChoice, String> {
    rapport::transcribe::parse_language(value).map_err(|e| e.to_string())
}

fn chunk_seconds(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(seconds) if (1.0..=3600.0).contains(&seconds) => Ok(seconds),
        _ => Err("a number of seconds from 1 to 3600".into()),
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
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

pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// The call's transcript: from the cache when it has it, else from Whisper
/// (and then cached). The model is loaded only when it is needed.
/// The transcript cache, with the retention `rapport.toml` sets.
pub fn transcript_cache(settings: rapport::config::CacheConfig) -> Option<Cache> {
    Cache::default_dir().map(|dir| Cache::new(dir).with_retention(settings.retention()))
}

/// The voice model, if installed (`RAPPORT_VOICE_MODEL` names another
/// file, which must then exist), loaded when a call first needs it.
pub fn voice_model() -> Result<Option<std::sync::Arc<rapport::voices::LazyVoiceModel>>> {
    Ok(rapport::voices::resolve()?
        .map(|path| std::sync::Arc::new(rapport::voices::LazyVoiceModel::new(path))))
}

/// The call `args` ask for, with what `config` (rapport.toml) adds.
pub fn transcript(args: &TranscriptionArgs, config: &Config) -> Result<rapport::transcript::Call> {
    let consultant_names = if args.consultant.is_none() {
        config.consultant.clone()
    } else {
        Vec::new()
    };
    if let Some((path, format)) = rapport::transcript_input(&args.inputs)? {
        if !args.offsets.is_empty() {
            anyhow::bail!("--offset places recordings on a timeline; a transcript has its own");
        }
        let mut call = import::read(path, format, args.consultant.as_deref(), &consultant_names)?;
        if let Some(LanguageChoice::Fixed(code)) = asked_language(args.language.as_ref(), config)? {
            call.set_language(&code);
        }
        return Ok(call);
    }
    let language = asked_language(args.language.as_ref(), config)?;
    let language_spec = language.as_ref().map(LanguageChoice::spec);
    let model_path = rapport::model::resolve(rapport::model::ModelChoice {
        explicit: args.model.as_deref(),
        configured: config.model.as_deref(),
        language: language_spec.as_deref(),
    })?;
    let mut settings = args
        .whisper
        .settings(args.threads.map_or_else(default_threads, usize::from));
    settings.language = match language {
        Some(asked) => asked,
        None => rapport::transcribe::default_language(&model_path),
    };
    let options = CallOptions {
        consultant: args.consultant.clone(),
        consultant_names,
        offsets: args.offsets.clone(),
        speakers: args.speakers.map(usize::from),
        voices: voice_model()?,
        ..CallOptions::default()
    };
    let cache = transcript_cache(config.cache);
    // An input that cannot be read is reported by the decoder, with what is
    // wrong with it; here it only means no caching.
    let key = cache.as_ref().and_then(|_| {
        rapport::cache::transcript_key(&args.inputs, &options, &model_path, &settings).ok()
    });
    if let (Some(cache), Some(key), false) = (&cache, &key, args.no_cache)
        && let Some(call) = cache.get(key)
    {
        return Ok(call);
    }
    // The model loads while the recordings are decoded and their speech
    // found: each takes a few tenths of a second, and a call's audio is
    // ready about when the model is.
    let (prepared, transcriber) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| WhisperTranscriber::load(&model_path, settings));
        let prepared = rapport::prepare_call(&args.inputs, &options);
        (prepared, loading.join())
    });
    let prepared = prepared?;
    let mut transcriber = transcriber.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
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
    let call = prepared.transcribe(
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

/// The rubric in the file, or the built-in one.
pub fn rubric(path: Option<&Path>) -> Result<Rubric> {
    Ok(match path {
        Some(path) => Rubric::load(path)?,
        None => Rubric::default_rubric(),
    })
}

/// Writes to the file atomically, or to standard output.
pub fn emit(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    if let Some(path) = output {
        return rapport::write_atomically(path, write)
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let mut stdout = io::stdout().lock();
    write(&mut stdout)?;
    stdout.flush()?;
    Ok(())
}

/// Reads annotations files (folders: every one under them), warning about
/// lines that could not be read.
pub fn annotated(inputs: &[PathBuf]) -> Result<Vec<Annotated>> {
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

impl Command {
    /// Runs the command; the exit status on success (1 when a check the
    /// user asked for failed).
    pub fn exec(self) -> Result<ExitCode> {
        match self {
            Self::Transcribe(args) => transcribe::exec(&args),
            Self::Analyze(args) => analyze::exec(&args),
            Self::Signals(args) => signals::exec(&args),
            Self::Eval(args) => eval::exec(&args),
            Self::Train(args) => train::exec(&args),
            Self::Batch(args) => batch::exec(&args),
            Self::Merge(args) => merge::exec(&args),
            Self::Review(args) => review::exec(&args),
            Self::Export(args) => export::exec(&args),
            Self::Model(command) => model::exec(command),
            Self::Cache(command) => cache::exec(&command),
            Self::Completions(args) => completions::completions(&args),
            Self::Man(args) => completions::man(&args),
        }
    }
}
