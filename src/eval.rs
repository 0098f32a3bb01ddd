//! How well the detectors agree with people: precision, recall and F1 per
//! label on human-labelled utterances.
//!
//! A dataset is JSON Lines, one utterance per line with up to three
//! preceding utterances as context (the format of the project's evaluation
//! data). Each line becomes a small [`Call`] — the context, then the
//! utterance — and goes through the same signals as a real call; the labels
//! predicted for the utterance are the evidence the signals put on it. So
//! what is measured is the product's own code path, not a copy of its rules.
//!
//! A label counts only where the line's `scope` says the corpus annotates it
//! and its `ignore` does not leave it out.

use crate::annotations::agreement::CoachAgreement;
use crate::signals::{
    self, Evidence, Input, Settings, Signal, SignalOutput, options_offered, promises, questions,
};
use crate::speakers::{Participant, Role, RoleSource};
use crate::transcript::{Call, Utterance};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The labels the detectors predict, in report order: the evaluation
/// data's, then the product's own (which coaches' annotations use).
pub const LABELS: [&str; 10] = crate::annotations::VOCABULARY;

/// The labels of the evaluation data format.
const DATASET_LABELS: [&str; 5] = [
    "question",
    "question.open",
    "question.closed",
    "option",
    "commitment",
];

#[derive(Debug, Error)]
pub enum EvalError {
    #[error("{}: cannot read the dataset: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: not a labelled utterance: {source}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    #[error("{}:{line}: unknown label {label:?} (known: {})", path.display(), LABELS.join(", "))]
    UnknownLabel {
        path: PathBuf,
        line: usize,
        label: String,
    },
    #[error("{}: no labelled utterances in it", path.display())]
    Empty { path: PathBuf },
}

/// One labelled utterance.
#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    pub id: String,
    #[serde(default)]
    pub corpus: String,
    pub speaker: String,
    pub role: Option<Role>,
    pub text: String,
    #[serde(default)]
    pub context: Vec<ContextLine>,
    pub labels: Vec<String>,
    pub scope: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ContextLine {
    pub speaker: String,
    pub text: String,
}

/// Counts and scores for one label.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Utterances that carry the label.
    pub support: usize,
}

impl LabelScore {
    fn finish(&mut self) {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.precision = ratio(self.tp, self.tp + self.fp);
        self.recall = ratio(self.tp, self.tp + self.fn_);
        self.f1 = if self.precision + self.recall > 0.0 {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        } else {
            0.0
        };
        self.support = self.tp + self.fn_;
    }
}

/// Scores over a set of utterances.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Only labels that some utterance had in scope.
    pub labels: BTreeMap<String, LabelScore>,
    pub utterances: usize,
}

/// The whole report: pooled, and per corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    #[serde(flatten)]
    pub pooled: Scores,
    pub corpora: BTreeMap<String, Scores>,
    /// Where the detectors and the labels disagree, when asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disagreements: Vec<Disagreement>,
    /// How far coaches agree with each other, when annotated calls were
    /// measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coaches: Option<CoachAgreement>,
}

/// An utterance the detectors got wrong for one label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    pub id: String,
    pub label: String,
    /// `missed` (labelled, not detected) or `false-alarm`.
    pub kind: String,
    pub text: String,
}

impl Report {
    /// A table per corpus and pooled, for reading in a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut table = |name: &str, scores: &Scores| {
            let _ = writeln!(out, "{name} ({} utterances)", scores.utterances);
            let _ = writeln!(
                out,
                "  {:<19} {:>9} {:>6} {:>6} {:>8} {:>6} {:>6} {:>6}",
                "label", "precision", "recall", "F1", "support", "tp", "fp", "fn"
            );
            for label in LABELS {
                if let Some(s) = scores.labels.get(label) {
                    let _ = writeln!(
                        out,
                        "  {label:<19} {:>9.3} {:>6.3} {:>6.3} {:>8} {:>6} {:>6} {:>6}",
                        s.precision, s.recall, s.f1, s.support, s.tp, s.fp, s.fn_
                    );
                }
            }
            out.push('\n');
        };
        if self.corpora.len() > 1 {
            for (name, scores) in &self.corpora {
                table(name, scores);
            }
        }
        table("all", &self.pooled);
        if let Some(coaches) = &self.coaches {
            out.push_str(&coaches.to_text());
        }
        for d in &self.disagreements {
            let _ = writeln!(
                out,
                "{:<11} {:<15} {:<24} {}",
                d.kind,
                d.label,
                d.id,
                crate::report::terminal_safe(&d.text)
            );
        }
        out
    }
}

/// Reads a dataset, checking every line.
pub fn load(path: &Path) -> Result<Vec<Example>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut examples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let example: Example = serde_json::from_str(line).map_err(|source| EvalError::Parse {
            path: path.to_path_buf(),
            line: n + 1,
            source,
        })?;
        let unknown = example
            .labels
            .iter()
            .chain(&example.scope)
            .chain(&example.ignore)
            .find(|l| !LABELS.contains(&l.as_str()));
        if let Some(label) = unknown {
            return Err(EvalError::UnknownLabel {
                path: path.to_path_buf(),
                line: n + 1,
                label: label.clone(),
            });
        }
        examples.push(example);
    }
    if examples.is_empty() {
        return Err(EvalError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(examples)
}

/// The example as a call: context lines, then the utterance, two seconds
/// apart. The labelled speaker has the example's role; everyone else the
/// opposite one (a consultant talks to a client), or no role when the
/// corpus has none.
fn as_call(example: &Example) -> Call {
    let lines: Vec<(&str, &str)> = example
        .context
        .iter()
        .map(|c| (c.speaker.as_str(), c.text.as_str()))
        .chain([(example.speaker.as_str(), example.text.as_str())])
        .collect();
    let mut speakers: Vec<&str> = Vec::new();
    for (speaker, _) in &lines {
        if !speakers.contains(speaker) {
            speakers.push(speaker);
        }
    }
    let role_of = |speaker: &str| match example.role {
        Some(role) if speaker == example.speaker => role,
        Some(Role::Consultant) => Role::Client,
        Some(Role::Client) => Role::Consultant,
        _ => Role::Other,
    };
    let people = speakers
        .iter()
        .enumerate()
        .map(|(i, &speaker)| Participant {
            id: format!("p{}", i + 1),
            name: speaker.to_string(),
            role: role_of(speaker),
            track: i + 1,
        })
        .collect();
    let utterances = lines
        .iter()
        .enumerate()
        .map(|(i, (speaker, text))| {
            let index = speakers.iter().position(|s| s == speaker).unwrap_or(0);
            let start = 2.0 * i as f64;
            Utterance {
                speaker: format!("p{}", index + 1),
                start,
                end: start + 1.5,
                text: (*text).to_string(),
                words: Vec::new(),
            }
        })
        .collect();
    Call::from_utterances(
        people,
        utterances,
        RoleSource::Given,
        vec![example.id.clone()],
    )
}

/// The signals that put labels on utterances, and the labels they put.
pub(crate) fn labels_of(signal: &str, evidence: &Evidence) -> &'static [&'static str] {
    match (signal, evidence.kind.as_str()) {
        ("questions", "open") => &["question", "question.open"],
        ("questions", _) => &["question", "question.closed"],
        ("options-offered", _) => &["option"],
        ("promises", "vague-promise") => &["commitment", "vague-promise"],
        ("promises", _) => &["commitment"],
        ("decision-handback", _) => &["decision-handback"],
        ("out-of-school", _) => &["out-of-school"],
        ("interruptions", _) => &["interruption"],
        ("check-understanding", _) => &["check-understanding"],
        _ => &[],
    }
}

/// The labels on each of `utterances` utterances, from signals' outputs.
fn labels_from(outputs: &[SignalOutput], utterances: usize) -> Vec<BTreeSet<&'static str>> {
    let mut labels = vec![BTreeSet::new(); utterances];
    for output in outputs {
        for evidence in &output.evidence {
            let Some(set) = labels.get_mut(evidence.utterance) else {
                continue;
            };
            // An utterance asking several things is judged by its last
            // question, the one left for the other person to answer.
            if output.id == "questions" {
                set.remove("question.open");
                set.remove("question.closed");
            }
            set.extend(labels_of(&output.id, evidence));
        }
    }
    labels
}

/// The labels the detectors put on each utterance of a whole call.
pub fn detect(call: &Call) -> Vec<BTreeSet<&'static str>> {
    labels_from(
        &signals::run(call, &Settings::default()),
        call.utterances.len(),
    )
}

/// The labels the detectors give the example's utterance. Only the signals
/// behind the dataset labels run: datasets are hundreds of thousands of
/// utterances.
pub fn predict(example: &Example) -> BTreeSet<&'static str> {
    let call = as_call(example);
    let input = Input::new(&call);
    let settings = Settings::default();
    let outputs: Vec<SignalOutput> = [
        &questions::Questions as &dyn Signal,
        &options_offered::OptionsOffered,
        &promises::Promises,
    ]
    .iter()
    .map(|signal| signal.detect(&input, &settings))
    .collect();
    labels_from(&outputs, call.utterances.len())
        .pop()
        .unwrap_or_default()
        .into_iter()
        .filter(|l| DATASET_LABELS.contains(l))
        .collect()
}

fn score<'a>(examples: impl Iterator<Item = (&'a Example, &'a BTreeSet<&'static str>)>) -> Scores {
    let mut scores = Scores::default();
    for (example, predicted) in examples {
        scores.utterances += 1;
        for label in LABELS {
            let judged = example.scope.iter().any(|s| s == label)
                && !example.ignore.iter().any(|s| s == label);
            if !judged {
                continue;
            }
            let truth = example.labels.iter().any(|l| l == label);
            let guess = predicted.contains(label);
            let s = scores.labels.entry(label.to_string()).or_default();
            match (truth, guess) {
                (true, true) => s.tp += 1,
                (false, true) => s.fp += 1,
                (true, false) => s.fn_ += 1,
                (false, false) => {}
            }
        }
    }
    for s in scores.labels.values_mut() {
        s.finish();
    }
    scores
}

/// Runs the detectors on every example, in parallel; lists the
/// disagreements on the labels in `show`.
pub fn evaluate(examples: &[Example], show: &[String]) -> Report {
    let predictions: Vec<BTreeSet<&'static str>> = examples.par_iter().map(predict).collect();
    evaluate_predicted(examples, &predictions, show)
}

/// Scores predictions already made (`predictions[i]` for `examples[i]`).
pub fn evaluate_predicted(
    examples: &[Example],
    predictions: &[BTreeSet<&'static str>],
    show: &[String],
) -> Report {
    let predictions = &predictions[..examples.len().min(predictions.len())];
    let pooled = score(examples.iter().zip(predictions));
    let mut names: Vec<&str> = examples.iter().map(|e| e.corpus.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let corpora = names
        .into_iter()
        .map(|name| {
            let scores = score(
                examples
                    .iter()
                    .zip(predictions)
                    .filter(|(e, _)| e.corpus == name),
            );
            (name.to_string(), scores)
        })
        .collect();
    let disagreements = examples
        .iter()
        .zip(predictions)
        .flat_map(|(example, predicted)| {
            show.iter().filter_map(move |label| {
                let judged = example.scope.contains(label) && !example.ignore.contains(label);
                let truth = example.labels.contains(label);
                let guess = predicted.contains(label.as_str());
                (judged && truth != guess).then(|| Disagreement {
                    id: example.id.clone(),
                    label: label.clone(),
                    kind: if truth { "missed" } else { "false-alarm" }.into(),
                    text: example.text.clone(),
                })
            })
        })
        .collect();
    Report {
        pooled,
        corpora,
        disagreements,
        coaches: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(text: &str, labels: &[&str], ignore: &[&str]) -> Example {
        Example {
            id: "t".into(),
            corpus: "fixture".into(),
            speaker: "a".into(),
            role: Some(Role::Consultant),
            text: text.into(),
            context: vec![ContextLine {
                speaker: "b".into(),
                text: "We missed the March deadline.".into(),
            }],
            labels: labels.iter().map(|l| (*l).to_string()).collect(),
            scope: LABELS.iter().map(|l| (*l).to_string()).collect(),
            ignore: ignore.iter().map(|l| (*l).to_string()).collect(),
        }
    }

    #[test]
    fn predicts_through_the_signals() {
        let p = predict(&example("What happened with the deadline?", &[], &[]));
        assert_eq!(p, BTreeSet::from(["question", "question.open"]));
        let p = predict(&example("I'll send you the plan by Friday.", &[], &[]));
        assert_eq!(p, BTreeSet::from(["commitment"]));
        let p = predict(&example(
            "We could move it to April or cut scope.",
            &[],
            &[],
        ));
        assert!(p.contains("option"), "{p:?}");
    }

    #[test]
    fn counts_honour_scope_and_ignore() {
        let examples = vec![
            // tp question, tp open
            example("What happened?", &["question", "question.open"], &[]),
            // fn question (the detector cannot see a declarative question
            // without its mark), open/closed ignored
            example(
                "so you moved",
                &["question"],
                &["question.open", "question.closed"],
            ),
            // fp commitment
            example("I'll look into it.", &[], &[]),
            // question ignored altogether
            example(
                "Really?",
                &[],
                &["question", "question.open", "question.closed"],
            ),
        ];
        let report = evaluate(&examples, &[]);
        let q = &report.pooled.labels["question"];
        assert_eq!((q.tp, q.fp, q.fn_, q.support), (1, 0, 1, 2));
        assert!((q.precision - 1.0).abs() < 1e-12 && (q.recall - 0.5).abs() < 1e-12);
        assert!((q.f1 - 2.0 / 3.0).abs() < 1e-12);
        let c = &report.pooled.labels["commitment"];
        assert_eq!((c.tp, c.fp, c.fn_), (0, 1, 0));
        assert_eq!(report.pooled.utterances, 4);
        assert_eq!(report.corpora["fixture"], report.pooled);
    }
}
