//! Teaching the detectors: labelled utterances and coaches' verdicts in, a
//! model file out (`rapport train`).
//!
//! Every example goes through the path a real call takes — it becomes a
//! small call (its context, then the utterance), the signals' rules read
//! it, and the detectors' features are taken from that — so what is
//! learned is what runs. Half the examples (chosen by a hash of their id,
//! so the same data gives the same model) are learned a second time with
//! punctuation and capitals gone, as speech recognition and imported
//! transcripts often give them.
//!
//! By default training starts from the detectors rapport ships: their
//! weights are the prior the new ones are pulled toward, and their labels
//! stand where the new data has no positives (`--base none` starts from
//! nothing). The examples the project wrote itself
//! (`src/detectors/written.txt`) join the data unless told not to.

use crate::annotations::{self, agreement};
use crate::detectors::features::{self, FeatureSettings, stable_hash};
use crate::detectors::learn::{self, Labelled, Learned, Rows, Stopping};
use crate::detectors::model::{Header, LabelModel, Source as ModelSource, Training};
use crate::detectors::{Label, Model};
use crate::labelled::{ContextLine, DatasetError, Example};
use crate::signals::Input;
use crate::speakers::Role;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The examples the project wrote itself: what real consultations lack
/// (options between named alternatives, hand-backs, dated promises,
/// confidences told) and their near misses.
pub const WRITTEN: &str = include_str!("detectors/written.txt");
const WRITTEN_NAME: &str = "rapport's written examples";
/// The corpus of the written examples: they teach, but never measure.
const WRITTEN_CORPUS: &str = "written";
/// How `--weight` names the written examples.
pub const WRITTEN_SOURCE: &str = "written";

#[derive(Debug, Error)]
pub enum TrainError {
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    #[error(transparent)]
    Annotations(#[from] annotations::AnnotationError),
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no *{} files in it (rapport review writes them)", path.display(), annotations::SUFFIX)]
    EmptyFolder { path: PathBuf },
    #[error("{}: no coach verdicts on any utterance: nothing to learn from", path.display())]
    NoVerdicts { path: PathBuf },
    #[error("--weight {0}: give FILE=WEIGHT or FILE:LABEL=WEIGHT, with a weight of 0 or more")]
    BadWeight(String),
    #[error("--weight {0}: no data file of that name was given")]
    UnknownWeight(String),
    #[error("{line}: {problem} (the written examples)")]
    Written { line: usize, problem: String },
    #[error("nothing to learn: no label has both examples that hold it and examples that do not")]
    NothingLearned,
}

/// One file of training data, read.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as given.
    pub path: PathBuf,
    pub lines: usize,
    pub sha256: String,
    pub examples: Vec<Example>,
}

impl Source {
    /// The file's name: with its hash, all a model records of where it
    /// learned, so that the same data gives the same model wherever it lies.
    fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

fn sha256_of(bytes: &[u8]) -> String {
    crate::cache::hex(&Sha256::digest(bytes))
}

/// Reads training data: datasets (labelled utterances, one per line),
/// annotations files, and folders (every annotations file under them).
pub fn read(paths: &[PathBuf]) -> Result<Vec<Source>, TrainError> {
    let mut sources = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = annotations::find(path)?;
            if found.is_empty() {
                return Err(TrainError::EmptyFolder { path: path.clone() });
            }
            for file in found {
                sources.push(read_annotations(&file)?);
            }
        } else if path.to_string_lossy().ends_with(annotations::SUFFIX) {
            sources.push(read_annotations(path)?);
        } else {
            let bytes = crate::read_regular(path).map_err(|source| TrainError::Read {
                path: path.clone(),
                source,
            })?;
            let examples = crate::labelled::load(path)?;
            sources.push(Source {
                path: path.clone(),
                lines: bytes
                    .split(|&b| b == b'\n')
                    .filter(|l| !l.is_empty())
                    .count(),
                sha256: sha256_of(&bytes),
                examples,
            });
        }
    }
    Ok(sources)
}

fn read_annotations(path: &Path) -> Result<Source, TrainError> {
    let bytes = crate::read_regular(path).map_err(|source| TrainError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file = agreement::Annotated::load(path)?;
    let lines = file.annotations.labels.len();
    let files = [file];
    let judged = agreement::judged(&files);
    let examples = agreement::examples(&judged).examples;
    if examples.is_empty() {
        return Err(TrainError::NoVerdicts {
            path: path.to_path_buf(),
        });
    }
    Ok(Source {
        path: path.to_path_buf(),
        lines,
        sha256: sha256_of(&bytes),
        examples,
    })
}

/// The project's written examples as a source.
///
/// The table is sections of lines: `[label, label]` names the labels its
/// lines judge, `+ text` holds them all, `- text` none of them; `# …` is a
/// comment. `context >> text` gives what the client said just before (its
/// lines split by ` | `).
pub fn written() -> Result<Source, TrainError> {
    let mut examples = Vec::new();
    let mut scope: Vec<String> = Vec::new();
    for (n, line) in WRITTEN.lines().enumerate() {
        let line_no = n + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let problem = |problem: &str| TrainError::Written {
            line: line_no,
            problem: problem.to_string(),
        };
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            scope = section.split(',').map(|l| l.trim().to_string()).collect();
            if let Some(unknown) = scope.iter().find(|l| Label::parse(l).is_none()) {
                return Err(problem(&format!("unknown label {unknown:?}")));
            }
            continue;
        }
        let (holds, said) = match line.split_at(1) {
            ("+", rest) => (true, rest.trim()),
            ("-", rest) => (false, rest.trim()),
            _ => return Err(problem("a line starts with +, -, # or [")),
        };
        if scope.is_empty() {
            return Err(problem("an example before any [label] section"));
        }
        let (context, text) = match said.split_once(">>") {
            Some((context, text)) => (context.trim(), text.trim()),
            None => ("", said),
        };
        examples.push(Example {
            id: format!("written-{line_no}"),
            corpus: WRITTEN_CORPUS.into(),
            conversation: format!("written-{line_no}"),
            speaker: "Consultant".into(),
            role: Some(Role::Consultant),
            text: text.to_string(),
            context: context
                .split(" | ")
                .filter(|c| !c.trim().is_empty())
                .map(|c| ContextLine {
                    speaker: "Client".into(),
                    text: c.trim().to_string(),
                })
                .collect(),
            labels: if holds { scope.clone() } else { Vec::new() },
            scope: scope.clone(),
            ignore: Vec::new(),
        });
    }
    Ok(Source {
        path: PathBuf::from(WRITTEN_NAME),
        lines: WRITTEN.lines().count(),
        sha256: sha256_of(WRITTEN.as_bytes()),
        examples,
    })
}

/// How much one source's examples count: `FILE=WEIGHT`, or for one label
/// `FILE:LABEL=WEIGHT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighting {
    pub source: String,
    pub label: Option<Label>,
    pub weight: f32,
}

impl std::str::FromStr for Weighting {
    type Err = TrainError;

    fn from_str(spec: &str) -> Result<Self, TrainError> {
        let bad = || TrainError::BadWeight(spec.to_string());
        let (target, weight) = spec.rsplit_once('=').ok_or_else(bad)?;
        let weight: f32 = weight.trim().parse().map_err(|_| bad())?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(bad());
        }
        let (source, label) = match target.rsplit_once(':') {
            Some((source, label)) => (source, Some(Label::parse(label).ok_or_else(bad)?)),
            None => (target, None),
        };
        if source.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            source: source.to_string(),
            label,
            weight,
        })
    }
}

/// How to train.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    pub features: FeatureSettings,
    pub l2: f64,
    pub folds: usize,
    pub min_precision: f64,
    /// The share of examples learned a second time without punctuation and
    /// capitals.
    pub augment: f64,
    /// How much each source's examples count, by the file's path as given
    /// or its name, for every label or for one (1 when not listed; 0
    /// leaves them out).
    pub weights: Vec<Weighting>,
    /// The model to start from (`--base default`), if any.
    pub base: Option<std::sync::Arc<Model>>,
    /// Whether the project's written examples join the data.
    pub written: bool,
}

/// The precision each threshold aims for by default: evidence shown to a
/// person should be right far more often than not.
pub const MIN_PRECISION: f64 = 0.75;

impl Default for Settings {
    fn default() -> Self {
        Self {
            name: "detectors".into(),
            features: FeatureSettings::default(),
            l2: 1e-4,
            folds: 4,
            min_precision: MIN_PRECISION,
            augment: 0.5,
            weights: Vec::new(),
            base: None,
            written: true,
        }
    }
}

/// What `rapport train` reports: what it learned from and what came of it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub sources: Vec<ModelSource>,
    pub labels: Vec<LabelReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabelReport {
    pub label: &'static str,
    pub examples: usize,
    pub positives: usize,
    /// Fitted with this threshold and cross-validated figures, or skipped.
    pub model: Option<LabelModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

impl Report {
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "learned from:");
        for s in &self.sources {
            let positives = s
                .positives
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(l, n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                out,
                "  {} — {} examples ({})",
                crate::report::terminal_safe(&s.file),
                s.examples,
                if positives.is_empty() {
                    "no positives".into()
                } else {
                    positives
                }
            );
        }
        let _ = writeln!(
            out,
            "\n  {:<19} {:>8} {:>9}   {:<27}   {:<27}",
            "", "", "", "speakers with roles (calls)", "speakers without roles"
        );
        let _ = writeln!(
            out,
            "  {:<19} {:>8} {:>9}   {:>9} {:>5} {:>5} {:>5}   {:>9} {:>5} {:>5} {:>5}",
            "label",
            "examples",
            "positives",
            "threshold",
            "P",
            "R",
            "F1",
            "threshold",
            "P",
            "R",
            "F1"
        );
        let cell = |t: &crate::detectors::model::Threshold| {
            let figures = t.cross_validated.map_or_else(
                || format!("{:>5} {:>5} {:>5}", "–", "–", "–"),
                |c| format!("{:>5.2} {:>5.2} {:>5.2}", c.precision, c.recall, c.f1),
            );
            format!("{:>9.3} {figures}", t.threshold)
        };
        for l in &self.labels {
            let head = format!("  {:<19} {:>8} {:>9}", l.label, l.examples, l.positives);
            match (&l.model, &l.skipped) {
                (Some(m), None) => {
                    let _ = writeln!(
                        out,
                        "{head}   {}   {}",
                        cell(&m.with_roles),
                        cell(&m.without_roles)
                    );
                }
                (_, Some(reason)) => {
                    let _ = writeln!(
                        out,
                        "{head}   skipped: {reason}{}",
                        if l.model.is_some() {
                            "; the base model's detector stands"
                        } else {
                            "; the rules decide it"
                        }
                    );
                }
                (None, None) => {}
            }
        }
        out.push_str(
            "\nP, R, F1: cross-validated by conversation at the threshold (–: too few conversations\nwith positives of that kind to measure; the threshold is then the one chosen on all)\n",
        );
        out
    }
}

/// Drops what speech recognition often drops: punctuation and capitals.
pub fn unpunctuated(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '.' | ',' | '?' | '!' | ';' | ':' | '"'))
        .collect::<String>()
        .to_lowercase()
}

/// An example without punctuation and capitals, context included.
fn unpunctuated_example(example: &Example) -> Example {
    Example {
        id: format!("{}~", example.id),
        text: unpunctuated(&example.text),
        context: example
            .context
            .iter()
            .map(|c| ContextLine {
                speaker: c.speaker.clone(),
                text: unpunctuated(&c.text),
            })
            .collect(),
        ..example.clone()
    }
}

/// The features of an example's utterance, as a real call would give them.
pub fn features_of(example: &Example, settings: &FeatureSettings) -> features::Sparse {
    let call = example.as_call();
    let input = Input::new(&call);
    let last = call.utterances.len() - 1;
    features::extract(&input.observation(last), settings)
}

/// An example as training takes it: how much it counts per label, and
/// whether it is a copy without punctuation.
struct Gathered {
    example: Example,
    weights: [f32; Label::ALL.len()],
    copy: bool,
}

impl Gathered {
    /// Whether it counts toward `label` in the report: copies without
    /// punctuation are not more data.
    fn counts_for(&self, label: Label) -> bool {
        !self.copy && self.weights[label as usize] > 0.0 && self.example.judges(label.as_str())
    }
}

/// Every example of `sources` with its weights, and a copy without
/// punctuation of the share `settings.augment` draws.
fn gather(sources: &[Source], settings: &Settings) -> Vec<Gathered> {
    let mut gathered = Vec::new();
    for source in sources {
        let weights = Label::ALL.map(|label| {
            let given = |l: Option<Label>| {
                settings
                    .weights
                    .iter()
                    .find(|w| w.label == l && source_matches(source, &w.source))
                    .map(|w| w.weight)
            };
            given(Some(label)).or_else(|| given(None)).unwrap_or(1.0)
        });
        for example in &source.examples {
            gathered.push(Gathered {
                example: example.clone(),
                weights,
                copy: false,
            });
            let draw = stable_hash(&example.id) as f64 / u64::MAX as f64;
            if draw < settings.augment {
                gathered.push(Gathered {
                    example: unpunctuated_example(example),
                    weights,
                    copy: true,
                });
            }
        }
    }
    gathered
}

/// The feature rows of the examples, and what each one teaches.
fn learning_rows(gathered: &[Gathered], settings: &FeatureSettings) -> (Rows, Vec<Labelled>) {
    let features: Vec<features::Sparse> = gathered
        .par_iter()
        .map(|g| features_of(&g.example, settings))
        .collect();
    let mut rows = Rows::new();
    let mut labelled = Vec::with_capacity(gathered.len());
    for (row, (g, f)) in gathered.iter().zip(&features).enumerate() {
        rows.push(f);
        let example = &g.example;
        let mut verdicts = [None; Label::ALL.len()];
        for label in Label::ALL {
            if example.judges(label.as_str()) {
                verdicts[label as usize] = Some(example.has(label.as_str()));
            }
        }
        labelled.push(Labelled {
            row,
            conversation: stable_hash(&example.conversation_key()),
            validates: example.corpus != WRITTEN_CORPUS,
            role: example.role.unwrap_or(Role::Other),
            verdicts,
            weights: g.weights,
        });
    }
    (rows, labelled)
}

/// What the model records of each source it was trained on.
fn manifest(sources: &[Source]) -> Vec<ModelSource> {
    sources
        .iter()
        .map(|s| {
            let mut positives = BTreeMap::new();
            for label in Label::ALL {
                let n = s.examples.iter().filter(|e| e.has(label.as_str())).count();
                positives.insert(label.as_str().to_string(), n);
            }
            ModelSource {
                file: s.name(),
                lines: s.lines,
                sha256: s.sha256.clone(),
                examples: s.examples.len(),
                positives,
            }
        })
        .collect()
}

/// Trains a model on `sources` (and the written examples, unless
/// `settings.written` is off).
pub fn train(sources: &[Source], settings: &Settings) -> Result<(Model, Report), TrainError> {
    for w in &settings.weights {
        if !sources.iter().any(|s| source_matches(s, &w.source)) && w.source != WRITTEN_SOURCE {
            return Err(TrainError::UnknownWeight(w.source.clone()));
        }
    }
    let mut all: Vec<Source> = sources.to_vec();
    if settings.written {
        all.push(written()?);
    }
    let gathered = gather(&all, settings);
    let (rows, labelled) = learning_rows(&gathered, &settings.features);
    let base = settings.base.as_deref();
    let learned = learn::train(
        &rows,
        &labelled,
        settings.features.columns(),
        &learn::Options {
            l2: settings.l2,
            folds: settings.folds,
            min_precision: settings.min_precision,
            base,
            stopping: Stopping::default(),
        },
    );
    let mut fits = Vec::new();
    let mut metas = Vec::new();
    let mut label_reports = Vec::new();
    for (label, outcome) in learned {
        let counted = gathered.iter().filter(|g| g.counts_for(label));
        let judged = counted.clone().count();
        let holding = counted.filter(|g| g.example.has(label.as_str())).count();
        let (model, skipped) = match outcome {
            Learned::Fitted(fit, meta) => {
                let meta = LabelModel {
                    examples: judged,
                    positives: holding,
                    ..meta
                };
                fits.push(fit);
                metas.push(meta.clone());
                (Some(meta), None)
            }
            Learned::Skipped { reason, from_base } => match from_base {
                Some((fit, meta)) => {
                    fits.push(fit);
                    metas.push(meta.clone());
                    (Some(meta), Some(reason))
                }
                None => (None, Some(reason)),
            },
        };
        label_reports.push(LabelReport {
            label: label.as_str(),
            examples: judged,
            positives: holding,
            model,
            skipped,
        });
    }
    if label_reports.iter().all(|l| l.skipped.is_some()) {
        return Err(TrainError::NothingLearned);
    }
    let manifest = manifest(&all);
    let header = Header {
        name: settings.name.clone(),
        features: settings.features.clone(),
        labels: metas,
        training: Training {
            l2: settings.l2,
            folds: settings.folds,
            min_precision: settings.min_precision,
            base: base.map(Model::identity),
        },
        trained_on: manifest.clone(),
    };
    Ok((
        Model::new(header, &fits),
        Report {
            sources: manifest,
            labels: label_reports,
        },
    ))
}

fn source_matches(source: &Source, name: &str) -> bool {
    source.path == Path::new(name)
        || source.path.file_name().is_some_and(|f| f == name)
        || (name == WRITTEN_SOURCE && source.path == Path::new(WRITTEN_NAME))
}
