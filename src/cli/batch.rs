//! `rapport batch`: a folder of calls, a result each and a summary of them all.

use super::{DetectorsArgs, WhisperArgs, emit, rubric};
use anyhow::{Context, Result};
use clap::ValueEnum;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rapport::CallOptions;
use rapport::batch::{self, CallInputs, Outcome, Outdir, Page, Shard, manifest};
use rapport::config::Config;
use rapport::report;
use rapport::summary::{self, Week};
use rapport::transcribe::LanguageChoice;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folders (searched recursively), files, or glob patterns [default:
    /// the folder of --manifest].
    #[arg(required_unless_present = "manifest", value_name = "DIR|FILE|GLOB")]
    targets: Vec<PathBuf>,
    /// The calls manifest (TOML) saying which files make each call and who
    /// its client is [default: `calls.toml` in each folder given]. Promises
    /// are followed only between calls with the same client, and a name
    /// like "Patient" or "Speaker 2" names no client, so without it such
    /// calls' promises cannot be followed. Calls it does not list are found
    /// as without it.
    ///
    ///     [[call]]
    ///     files = ["mon/acme--ann.m4a", "mon/acme--dana.m4a"]
    ///     client = "Dana Lee"
    ///     organisation = "Acme"
    ///     consultant = "Ann Smith"
    ///     date = 2026-11-16T09:30:00
    ///     offsets = { "mon/acme--dana.m4a" = 1.5 }
    ///     language = "en"
    ///     tags = ["kick-off"]
    #[arg(long, value_name = "FILE", verbatim_doc_comment)]
    manifest: Option<PathBuf>,
    /// Write a starting manifest listing the calls found (to --manifest, else
    /// `calls.toml` in the one folder given) for you to fill in each call's
    /// client, and stop.
    #[arg(long)]
    write_manifest: bool,
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
    /// The Whisper model: an installed one's name (`tiny.en`, `base`) or a
    /// ggml file [default: `$RAPPORT_MODEL`, else `model` in rapport.toml,
    /// else base when a language other than English is asked for or named
    /// in the calls manifest, else tiny.en].
    #[arg(long, value_name = "NAME|PATH")]
    model: Option<String>,
    /// The language spoken in the calls whose manifest entry names none:
    /// a code (`en`, `nl`), `auto`, or the languages to detect between
    /// (`en,nl`: a mixed week) [default: `language` in rapport.toml, else
    /// auto with a multilingual model, en with an English-only one].
    #[arg(long, value_name = "auto|en|nl|en,nl|…", value_parser = super::language)]
    language: Option<LanguageChoice>,
    /// A rubric (TOML) to score with; changing it re-scores every call
    /// without transcribing again.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    #[command(flatten)]
    detectors: DetectorsArgs,
    #[command(flatten)]
    report: super::ReportArgs,
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

/// "calls.toml: 8 calls listed", for each manifest found.
fn say_what_manifests_list(found: &batch::Discovered) {
    for manifest in &found.manifests {
        let listed = found
            .calls
            .iter()
            .filter(|c| c.listed.as_ref().is_some_and(|l| &l.manifest == manifest))
            .count();
        eprintln!(
            "{}: {listed} call{} listed",
            manifest.display(),
            if listed == 1 { "" } else { "s" }
        );
    }
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    // Read the rubric first: a typo in it should not cost a batch.
    let rubric = rubric(args.rubric.as_deref())?;
    let detectors = args.detectors.load()?;
    let targets = if args.targets.is_empty() {
        let manifest = args.manifest.as_deref().unwrap_or(Path::new(""));
        vec![folder_of(manifest)]
    } else {
        args.targets.clone()
    };
    if args.write_manifest {
        return write_manifest(args, &targets);
    }
    let found = batch::discover(&targets, &args.output, args.manifest.as_deref())?;
    say_what_manifests_list(&found);
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
            targets
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
    let language = super::asked_language(args.language.as_ref(), &config)?;
    let report_language = args.report.resolve(&config)?;
    let settings = batch::Settings {
        call: CallOptions {
            consultant: args.consultant.clone(),
            consultant_names: if args.consultant.is_none() {
                config.consultant
            } else {
                Vec::new()
            },
            speakers: args.speakers.map(usize::from),
            voices: super::voice_model()?,
            ..CallOptions::default()
        },
        model: args.model.clone(),
        configured_model: config.model.clone(),
        language,
        whisper: args.whisper.settings(threads),
        jobs,
        rubric,
        detectors,
        report_language,
        cache: super::transcript_cache(config.cache),
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
        write_summary(&outdir, &ids, args.as_of, &config.generic_names)?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The folder a file is in, `.` for a bare file name.
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `--write-manifest`: the calls found, as a manifest to fill in.
fn write_manifest(args: &Args, targets: &[PathBuf]) -> Result<ExitCode> {
    let path = match (&args.manifest, targets) {
        (Some(path), _) => path.clone(),
        (None, [folder]) if folder.is_dir() => folder.join(manifest::FILE_NAME),
        _ => anyhow::bail!(
            "--write-manifest: give one folder, or say where the manifest goes with --manifest FILE"
        ),
    };
    if path.exists() {
        return Err(manifest::ManifestError::Exists { path }.into());
    }
    let found = batch::discover(targets, &args.output, None)?;
    let text = manifest::starting_manifest(&found.calls, &folder_of(&path));
    manifest::write_new(&path, &text)?;
    eprintln!(
        "{}: {} call{} listed; fill in each call's client, then run `rapport batch` again",
        path.display(),
        found.calls.len(),
        if found.calls.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// Builds the summary of the calls `ids` in `outdir`, writes its files
/// there and prints its table.
pub fn write_summary(
    outdir: &Outdir,
    ids: &std::collections::BTreeSet<String>,
    as_of: Option<jiff::civil::Date>,
    generic_names: &[String],
) -> Result<Week> {
    let (mut records, mut failures) = batch::outdir::read_all(outdir.root())?;
    records.retain(|r| ids.contains(&r.id));
    failures.retain(|f| ids.contains(&f.id));
    let as_of = as_of.unwrap_or_else(|| jiff::Zoned::now().date());
    let week = Week::new(records, failures, as_of, generic_names);
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
        (
            count(|o| *o == Outcome::Relabelled),
            "re-labelled from the manifest",
        ),
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
