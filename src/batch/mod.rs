//! Many calls at once: a week of recordings and transcripts in, one result
//! per call out, as fast as the machine allows, and safe to kill.
//!
//! [`discover`] finds the calls; a [`Shard`] takes a deterministic share of
//! them for one machine of many; [`run`] analyses them into an
//! [`Outdir`]. Whisper runs `jobs` calls at a time with `threads` each,
//! never more threads than cores (ggml's threads spin while they wait, and
//! oversubscribed they crawl); imported transcripts, cached transcripts and
//! re-scoring run on every core with rayon. A call whose record in the
//! output folder was made from the same inputs, settings and rubric is not
//! touched again; one whose rubric changed is re-scored from the record's
//! transcript, without Whisper. A failing call is recorded with its reason
//! and the batch goes on.

mod discover;
pub mod manifest;
pub mod outdir;

pub use discover::{CallInputs, Discovered, discover};
pub use manifest::{CallMeta, Manifest, ManifestError};
pub use outdir::{CallRecord, DateSource, Failure, Outdir, Page};

use crate::cache::{self, Cache};
use crate::detectors::Detectors;
use crate::l10n::ReportLanguage;
use crate::score::Rubric;
use crate::transcribe::{LanguageChoice, WhisperSettings, WhisperTranscriber};
use crate::{CallOptions, Progress, import};
use jiff::civil::Date;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum BatchError {
    #[error("{path}: no such file or folder")]
    NoSuchTarget { path: PathBuf },
    #[error("{pattern}: not a valid pattern: {reason}")]
    Pattern { pattern: String, reason: String },
    #[error("{path}: cannot read the folder: {reason}")]
    Walk { path: PathBuf, reason: String },
    #[error("{path}: cannot use it as the output folder: {source}")]
    Outdir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: another rapport batch is writing this folder")]
    Busy { path: PathBuf },
    #[error("{path}: not a batch output folder (it has no calls/ folder)")]
    NotAnOutdir { path: PathBuf },
    #[error("{path}: not a readable call record: {reason}")]
    BadRecord { path: PathBuf, reason: String },
    #[error("call {id} is in both {first} and {second}: merge each call's results once")]
    Duplicate {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("{spec}: {reason}")]
    Shard { spec: String, reason: String },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{file} is listed in both {first} and {second}: a file belongs to one call")]
    ClaimedTwice {
        file: PathBuf,
        first: PathBuf,
        second: PathBuf,
    },
}

/// One machine's share of a batch: shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = BatchError;

    /// `K/N`, K counted from 1.
    fn from_str(spec: &str) -> Result<Self, BatchError> {
        let bad = |reason: &str| BatchError::Shard {
            spec: spec.into(),
            reason: reason.into(),
        };
        let (k, n) = spec
            .split_once('/')
            .ok_or_else(|| bad("give the shard as K/N, e.g. 2/8"))?;
        let (k, n) = (
            k.trim()
                .parse::<usize>()
                .map_err(|_| bad("K is not a whole number"))?,
            n.trim()
                .parse::<usize>()
                .map_err(|_| bad("N is not a whole number"))?,
        );
        if n == 0 || k == 0 || k > n {
            return Err(bad("K must be from 1 to N"));
        }
        Ok(Self {
            index: k - 1,
            count: n,
        })
    }
}

impl Shard {
    /// The shard a job engine gives this process: a Kubernetes Indexed Job
    /// (`JOB_COMPLETION_INDEX` of `JOB_COMPLETIONS`) or a Slurm job array
    /// (`SLURM_ARRAY_TASK_ID` of `SLURM_ARRAY_TASK_COUNT`, counted from
    /// `SLURM_ARRAY_TASK_MIN`). `None` outside both.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, BatchError> {
        let pairs = [
            ("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", None),
            (
                "SLURM_ARRAY_TASK_ID",
                "SLURM_ARRAY_TASK_COUNT",
                Some("SLURM_ARRAY_TASK_MIN"),
            ),
        ];
        for (index_var, count_var, min_var) in pairs {
            let Some(index) = var(index_var) else {
                continue;
            };
            let spec = format!("{index_var}={index}");
            let number = |name: &str, value: Option<String>| {
                value
                    .ok_or_else(|| BatchError::Shard {
                        spec: spec.clone(),
                        reason: format!("{name} is not set"),
                    })?
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| BatchError::Shard {
                        spec: spec.clone(),
                        reason: format!("{name} is not a whole number"),
                    })
            };
            let index = number(index_var, Some(index.clone()))?;
            let count = number(count_var, var(count_var))?;
            let min = match min_var.and_then(&var) {
                Some(min) => number(min_var.unwrap_or_default(), Some(min))?,
                None => 0,
            };
            let index = index
                .checked_sub(min)
                .filter(|&i| i < count)
                .ok_or_else(|| BatchError::Shard {
                    spec: spec.clone(),
                    reason: format!(
                        "the index is outside 0–{} (counted from {min})",
                        count.saturating_sub(1)
                    ),
                })?;
            return Ok(Some(Self { index, count }));
        }
        Ok(None)
    }

    /// Whether this shard takes the call: by a hash of its id, so the split
    /// does not depend on the order the calls were found in, or on which
    /// other calls there are.
    pub fn takes(&self, id: &str) -> bool {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(id.as_bytes());
        let n = digest
            .iter()
            .take(8)
            .fold(0u64, |n, b| n << 8 | u64::from(*b));
        n % self.count as u64 == self.index as u64
    }
}

/// Concurrent Whisper runs and threads for each, their product never over
/// `cores`. `jobs` defaults to one run per four cores (whisper.cpp gains
/// little past four threads a run), `threads` to the cores each run can have.
pub fn plan_threads(cores: usize, jobs: Option<usize>, threads: Option<usize>) -> (usize, usize) {
    let cores = cores.max(1);
    let jobs = jobs.unwrap_or_else(|| threads.map_or(cores.div_ceil(4), |t| cores / t.max(1)));
    let jobs = jobs.clamp(1, cores);
    let threads = threads.unwrap_or(cores / jobs).clamp(1, cores / jobs);
    (jobs, threads)
}

/// The call's date: a `2026-11-16` or `20261116` in the first input's name,
/// else the day the first input was last modified.
pub fn call_date(inputs: &[PathBuf]) -> (Option<Date>, Option<DateSource>) {
    let Some(first) = inputs.first() else {
        return (None, None);
    };
    let name = first
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(date) = date_in(&name) {
        return (Some(date), Some(DateSource::FileName));
    }
    let modified = std::fs::metadata(first)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::system()).date());
    (modified, modified.map(|_| DateSource::Modified))
}

/// The first date written `YYYY-MM-DD` (or with `_` or `.`) or `YYYYMMDD`
/// in `name`, not inside a longer run of digits.
fn date_in(name: &str) -> Option<Date> {
    let bytes = name.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i16> {
        let part = bytes.get(from..from + n)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
    };
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    for start in 0..bytes.len() {
        if start > 0 && digit_at(start - 1) {
            continue;
        }
        let Some(year) = digits(start, 4) else {
            continue;
        };
        let separated = matches!(bytes.get(start + 4), Some(b'-' | b'_' | b'.'))
            && bytes.get(start + 7) == bytes.get(start + 4);
        let (month_at, day_at, end) = if separated {
            (start + 5, start + 8, start + 10)
        } else {
            (start + 4, start + 6, start + 8)
        };
        if digit_at(end) {
            continue;
        }
        if let (Some(month), Some(day)) = (digits(month_at, 2), digits(day_at, 2))
            && (1990..=2200).contains(&year)
            && let Ok(date) = Date::new(year, month as i8, day as i8)
        {
            return Some(date);
        }
    }
    None
}

/// What a call's record says about it besides the analysis: when it was
/// and what the manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Labels {
    date: Option<Date>,
    date_from: Option<DateSource>,
    time: Option<jiff::civil::Time>,
    meta: CallMeta,
}

impl Labels {
    fn of(call: &CallInputs) -> Self {
        let listed = call.listed.as_ref();
        let (date, date_from) = match listed.and_then(|l| l.date) {
            Some(date) => (Some(date), Some(DateSource::Manifest)),
            None => call_date(&call.inputs),
        };
        Self {
            date,
            date_from,
            time: listed.and_then(|l| l.time),
            meta: listed.map(|l| l.meta.clone()).unwrap_or_default(),
        }
    }

    fn of_record(record: &CallRecord) -> Self {
        Self {
            date: record.date,
            date_from: record.date_from,
            time: record.time,
            meta: record.meta.clone(),
        }
    }

    fn apply(self, record: &mut CallRecord) {
        record.date = self.date;
        record.date_from = self.date_from;
        record.time = self.time;
        record.meta = self.meta;
    }
}

/// How a batch analyses calls.
#[derive(Debug)]
pub struct Settings {
    pub call: CallOptions,
    /// `--model` (a name or a file), else the default; resolved only if a
    /// recording needs Whisper.
    pub model: Option<String>,
    /// `model` in rapport.toml.
    pub configured_model: Option<String>,
    /// Whisper's settings for each run (`threads` from [`plan_threads`]);
    /// the language is each call's ([`Settings::whisper_for`]).
    pub whisper: WhisperSettings,
    /// The language asked for (`--language`, rapport.toml), for the calls
    /// whose manifest entry names none; else the model's default.
    pub language: Option<LanguageChoice>,
    /// Whisper runs at a time.
    pub jobs: usize,
    /// A change to it (to what it says, not to its comments) re-scores every call.
    pub rubric: Rubric,
    /// What decides what utterances are; a change re-scores every call too.
    pub detectors: Detectors,
    /// The language of the reports (`--report-language`); a change
    /// rewrites every call's.
    pub report_language: ReportLanguage,
    pub cache: Option<Cache>,
    /// Transcribe again rather than take the cache's transcript.
    pub no_cache: bool,
    pub pages: Vec<Page>,
}

impl Settings {
    /// The batch's options with what the manifest says of this call: its
    /// consultant and its files' offsets.
    /// Whisper's settings for `call` with `model`: in the language its
    /// manifest entry names, else the one asked for, else the model's
    /// default (detected with a multilingual model, English otherwise).
    fn whisper_for(&self, call: &CallInputs, model: &Path) -> WhisperSettings {
        let listed = call
            .listed
            .as_ref()
            .and_then(|l| l.meta.language.clone())
            .map(LanguageChoice::Fixed);
        WhisperSettings {
            language: listed
                .or_else(|| self.language.clone())
                .unwrap_or_else(|| crate::transcribe::default_language(model)),
            ..self.whisper.clone()
        }
    }

    /// The language a transcript file is said to be in (its manifest
    /// entry's, else one `--language` gave), over what its text suggests.
    fn transcript_language<'a>(&'a self, call: &'a CallInputs) -> Option<&'a str> {
        call.listed
            .as_ref()
            .and_then(|l| l.meta.language.as_deref())
            .or(match &self.language {
                Some(LanguageChoice::Fixed(code)) => Some(code.as_str()),
                _ => None,
            })
    }

    fn options_for(&self, call: &CallInputs) -> CallOptions {
        let mut options = self.call.clone();
        if let Some(listed) = &call.listed {
            if listed.consultant.is_some() {
                options.consultant.clone_from(&listed.consultant);
            }
            options.offsets.extend(listed.offsets.iter().cloned());
        }
        options
    }
}

/// What became of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Whisper transcribed it.
    Transcribed,
    /// Its transcript came from the cache.
    FromCache,
    /// It was a transcript file.
    Imported,
    /// Its earlier record's transcript was scored with the new rubric.
    Rescored,
    /// Only what the manifest says about it changed: its record says it now.
    Relabelled,
    /// Its record was already up to date: nothing done.
    UpToDate,
    Failed(String),
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        !matches!(self, Self::Failed(_))
    }
}

/// What a batch reports as it goes, for the caller to show.
#[derive(Debug)]
pub enum Event<'a> {
    /// The calls to do: how many, and their audio in seconds (as the
    /// containers state it, without decoding; transcripts have none).
    Planned { calls: usize, audio_seconds: f64 },
    /// A Whisper run (`worker`) started on a call.
    Started { worker: usize, id: &'a str },
    /// How far a Whisper run is through its call's speech.
    Transcribing {
        worker: usize,
        id: &'a str,
        audio_seconds: f64,
        progress: Progress,
    },
    /// A call is done; `audio_seconds` is what it adds to the total done.
    Finished {
        worker: Option<usize>,
        id: &'a str,
        audio_seconds: f64,
        outcome: &'a Outcome,
    },
}

/// A call waiting for Whisper.
struct Pending<'a> {
    index: usize,
    call: &'a CallInputs,
    key: String,
    audio_seconds: f64,
}

/// Analyses `calls` into `outdir`; the outcomes are in the calls' order.
pub fn run(
    calls: &[CallInputs],
    outdir: &Outdir,
    settings: &Settings,
    on: &(dyn Fn(Event) + Sync),
) -> Vec<Outcome> {
    let audio: Vec<f64> = calls
        .par_iter()
        .map(|c| {
            c.inputs
                .iter()
                .filter_map(|p| crate::audio::stated_seconds(p))
                .fold(0.0, f64::max)
        })
        .collect();
    on(Event::Planned {
        calls: calls.len(),
        audio_seconds: audio.iter().sum(),
    });
    // The language asked for picks the model, else the first language
    // other than English that the manifest names.
    let wanted = settings
        .language
        .as_ref()
        .map(LanguageChoice::spec)
        .or_else(|| {
            calls
                .iter()
                .filter_map(|c| c.listed.as_ref()?.meta.language.clone())
                .find(|l| l != crate::language::ENGLISH)
        });
    let model = std::sync::OnceLock::new();
    let model_path = || {
        model
            .get_or_init(|| {
                crate::model::resolve(crate::model::ModelChoice {
                    explicit: settings.model.as_deref(),
                    configured: settings.configured_model.as_deref(),
                    language: wanted.as_deref(),
                })
                .map_err(|e| e.to_string())
            })
            .clone()
    };
    // Everything that needs no Whisper, on every core.
    let first: Vec<Result<Outcome, Pending>> = calls
        .par_iter()
        .enumerate()
        .map(|(index, call)| {
            let pending = |key| Pending {
                index,
                call,
                key,
                audio_seconds: audio[index],
            };
            without_whisper(call, outdir, settings, &model_path)
                .map_err(|NeedsWhisper(key)| pending(key))
        })
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; calls.len()];
    let mut queue = Vec::new();
    for (index, result) in first.into_iter().enumerate() {
        match result {
            Ok(outcome) => {
                on(Event::Finished {
                    worker: None,
                    id: &calls[index].id,
                    audio_seconds: audio[index],
                    outcome: &outcome,
                });
                outcomes[index] = Some(outcome);
            }
            Err(pending) => queue.push(pending),
        }
    }
    // Longest first, so the last call to finish is a short one.
    queue.sort_by(|a, b| a.audio_seconds.total_cmp(&b.audio_seconds));
    let queue = Mutex::new(queue);
    let done = Mutex::new(outcomes);
    std::thread::scope(|scope| {
        for worker in 0..settings.jobs.max(1) {
            let (queue, done, model_path) = (&queue, &done, &model_path);
            scope.spawn(move || {
                whisper_worker(worker, queue, done, outdir, settings, model_path, on);
            });
        }
    });
    done.into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Failed("not run".into())))
        .collect()
}

/// One Whisper run: takes calls off the queue until it is empty, with its
/// own model and decoding state.
fn whisper_worker(
    worker: usize,
    queue: &Mutex<Vec<Pending>>,
    done: &Mutex<Vec<Option<Outcome>>>,
    outdir: &Outdir,
    settings: &Settings,
    model_path: &dyn Fn() -> Result<PathBuf, String>,
    on: &(dyn Fn(Event) + Sync),
) {
    let mut transcriber: Option<WhisperTranscriber> = None;
    loop {
        let Some(job) = queue.lock().unwrap_or_else(PoisonError::into_inner).pop() else {
            break;
        };
        on(Event::Started {
            worker,
            id: &job.call.id,
        });
        let outcome = match with_whisper(
            &job,
            outdir,
            settings,
            &mut transcriber,
            model_path,
            &mut |progress| {
                on(Event::Transcribing {
                    worker,
                    id: &job.call.id,
                    audio_seconds: job.audio_seconds,
                    progress,
                });
            },
        ) {
            Ok(()) => Outcome::Transcribed,
            Err(reason) => fail(job.call, outdir, reason),
        };
        on(Event::Finished {
            worker: Some(worker),
            id: &job.call.id,
            audio_seconds: job.audio_seconds,
            outcome: &outcome,
        });
        done.lock().unwrap_or_else(PoisonError::into_inner)[job.index] = Some(outcome);
    }
}

/// The transcript key of a call that has to go to Whisper.
struct NeedsWhisper(String);

fn input_names(call: &CallInputs) -> Vec<String> {
    call.inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect()
}

fn fail(call: &CallInputs, outdir: &Outdir, reason: String) -> Outcome {
    let failure = Failure {
        record_version: outdir::RECORD_VERSION,
        id: call.id.clone(),
        inputs: input_names(call),
        error: reason.clone(),
    };
    match outdir.fail(&failure) {
        Ok(()) => Outcome::Failed(reason),
        Err(e) => Outcome::Failed(format!(
            "{reason} (and the failure could not be recorded in {}: {e})",
            outdir.root().display()
        )),
    }
}

/// The call's result key: its transcript's, the rubric's (as parsed, so
/// that only what the rubric says counts), the detectors' and the report
/// language asked for.
fn result_key(transcript_key: &str, settings: &Settings) -> String {
    use sha2::{Digest, Sha256};
    cache::hex(&Sha256::digest(format!(
        "{transcript_key}|{:?}|{}|{:?}",
        settings.rubric,
        settings.detectors.identity(),
        settings.report_language
    )))
}

/// Finishes the call if it needs no Whisper.
fn without_whisper(
    call: &CallInputs,
    outdir: &Outdir,
    settings: &Settings,
    model_path: &dyn Fn() -> Result<PathBuf, String>,
) -> Result<Outcome, NeedsWhisper> {
    let options = settings.options_for(call);
    let transcript = crate::transcript_input(&call.inputs);
    let key = match &transcript {
        Ok(Some(_)) => cache::content_key(
            &call.inputs,
            &format!(
                "import|{:?}|{:?}|{:?}",
                options.consultant,
                options.consultant_names,
                settings.transcript_language(call)
            ),
        ),
        Ok(None) => match model_path() {
            Ok(model) => cache::transcript_key(
                &call.inputs,
                &options,
                &model,
                &settings.whisper_for(call, &model),
            ),
            Err(reason) => return Ok(fail(call, outdir, reason)),
        },
        Err(e) => return Ok(fail(call, outdir, e.to_string())),
    };
    let key = match key {
        Ok(key) => key,
        Err(e) => return Ok(fail(call, outdir, e.to_string())),
    };
    let result_key = result_key(&key, settings);
    let earlier = outdir.record(&call.id);
    if let Some(record) = &earlier
        && record.result_key == result_key
    {
        let labels = Labels::of(call);
        if Labels::of_record(record) == labels {
            return Ok(Outcome::UpToDate);
        }
        let mut record = record.clone();
        labels.apply(&mut record);
        return Ok(match outdir.relabel(&record) {
            Ok(()) => Outcome::Relabelled,
            Err(e) => fail(call, outdir, unwritten(outdir, &e)),
        });
    }
    let (transcribed, outcome) = match transcript {
        Ok(Some((path, format))) => {
            match import::read(
                path,
                format,
                options.consultant.as_deref(),
                &options.consultant_names,
            ) {
                Ok(mut transcript) => {
                    if let Some(language) = settings.transcript_language(call) {
                        transcript.set_language(language);
                    }
                    (transcript, Outcome::Imported)
                }
                Err(e) => return Ok(fail(call, outdir, e.to_string())),
            }
        }
        _ => {
            if let Some(record) = earlier.filter(|r| r.transcript_key == key) {
                (record.analysis.call, Outcome::Rescored)
            } else if let Some(cached) = settings
                .cache
                .as_ref()
                .filter(|_| !settings.no_cache)
                .and_then(|c| c.get(&key))
            {
                (cached, Outcome::FromCache)
            } else {
                return Err(NeedsWhisper(key));
            }
        }
    };
    Ok(match record(call, outdir, settings, transcribed, key) {
        Ok(()) => outcome,
        Err(reason) => fail(call, outdir, reason),
    })
}

/// Analyses the transcript and writes the call's record and pages.
fn record(
    call: &CallInputs,
    outdir: &Outdir,
    settings: &Settings,
    transcript: crate::transcript::Call,
    transcript_key: String,
) -> Result<(), String> {
    let mut record = CallRecord {
        record_version: outdir::RECORD_VERSION,
        id: call.id.clone(),
        inputs: input_names(call),
        date: None,
        date_from: None,
        time: None,
        meta: CallMeta::default(),
        result_key: result_key(&transcript_key, settings),
        transcript_key,
        analysis: crate::analyze(
            transcript,
            &settings.rubric,
            &settings.detectors,
            settings.report_language,
        ),
    };
    Labels::of(call).apply(&mut record);
    outdir
        .finish(&record, &settings.pages)
        .map_err(|e| unwritten(outdir, &e))
}

/// Why a call's result is not in the output folder.
fn unwritten(outdir: &Outdir, e: &std::io::Error) -> String {
    format!(
        "cannot write its result in {}: {e}",
        outdir.root().display()
    )
}

fn with_whisper(
    job: &Pending,
    outdir: &Outdir,
    settings: &Settings,
    transcriber: &mut Option<WhisperTranscriber>,
    model_path: &dyn Fn() -> Result<PathBuf, String>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), String> {
    let model = model_path()?;
    let wanted = settings.whisper_for(job.call, &model);
    let whisper = if let Some(loaded) = transcriber.as_mut() {
        loaded
            .set_language(wanted.language)
            .map_err(|e| e.to_string())?;
        loaded
    } else {
        transcriber.insert(WhisperTranscriber::load(&model, wanted).map_err(|e| e.to_string())?)
    };
    let call = crate::transcribe_call(
        &job.call.inputs,
        &settings.options_for(job.call),
        whisper,
        &model.display().to_string(),
        progress,
    )
    .map_err(|e| e.to_string())?;
    if let Some(cache) = &settings.cache {
        // A cache that cannot be written costs time on a later run, not this result.
        let _ = cache.put(&job.key, &call);
    }
    record(job.call, outdir, settings, call, job.key.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whisper_threads_never_outnumber_the_cores() {
        for cores in 1..=32 {
            for jobs in [None, Some(1), Some(3), Some(64)] {
                for threads in [None, Some(1), Some(4), Some(64)] {
                    let (j, t) = plan_threads(cores, jobs, threads);
                    assert!(
                        j >= 1 && t >= 1 && j * t <= cores,
                        "{cores} {jobs:?} {threads:?}"
                    );
                }
            }
        }
        assert_eq!(plan_threads(2, None, None), (1, 2));
        assert_eq!(plan_threads(16, None, None), (4, 4));
        assert_eq!(plan_threads(16, Some(2), None), (2, 8));
        assert_eq!(plan_threads(16, None, Some(2)), (8, 2));
    }

    #[test]
    fn shards_split_every_call_once_whatever_the_order() {
        let ids: Vec<String> = (0..200).map(|i| format!("call-{i}.wav")).collect();
        let shards: Vec<Shard> = (1..=4).map(|k| format!("{k}/4").parse().unwrap()).collect();
        for id in &ids {
            assert_eq!(shards.iter().filter(|s| s.takes(id)).count(), 1, "{id}");
        }
        let share = ids.iter().filter(|id| shards[0].takes(id)).count();
        assert!((30..=70).contains(&share), "{share} of 200");
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("two".parse::<Shard>().is_err());
    }

    #[test]
    fn shards_come_from_kubernetes_or_slurm() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_string())
            }
        };
        let k8s = Shard::from_env(env(&[
            ("JOB_COMPLETION_INDEX", "2"),
            ("JOB_COMPLETIONS", "5"),
        ]));
        assert_eq!(k8s.unwrap(), Some(Shard { index: 2, count: 5 }));
        let slurm = Shard::from_env(env(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ]));
        assert_eq!(slurm.unwrap(), Some(Shard { index: 3, count: 4 }));
        assert_eq!(Shard::from_env(env(&[])).unwrap(), None);
        let broken = Shard::from_env(env(&[
            ("JOB_COMPLETION_INDEX", "7"),
            ("JOB_COMPLETIONS", "5"),
        ]));
        assert!(
            broken
                .unwrap_err()
                .to_string()
                .contains("JOB_COMPLETION_INDEX")
        );
    }

    #[test]
    fn dates_are_read_from_file_names() {
        let date = |name: &str| date_in(name).map(|d| d.to_string());
        assert_eq!(date("acme 2026-11-16.m4a").as_deref(), Some("2026-11-16"));
        assert_eq!(
            date("zoom_20261117_0930.m4a").as_deref(),
            Some("2026-11-17")
        );
        assert_eq!(
            date("acme_2026_11_18--ann.wav").as_deref(),
            Some("2026-11-18")
        );
        assert_eq!(date("audio1234567890.m4a"), None);
        assert_eq!(date("2026-13-40.wav"), None);
        assert_eq!(date("call.wav"), None);
    }
}
