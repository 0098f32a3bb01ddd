//! How well the detectors agree with people: precision, recall and F1 per
//! label on labelled utterances and on coaches' verdicts, with bootstrap
//! intervals.
//!
//! Each labelled utterance ([`crate::labelled`]) becomes a small [`Call`] —
//! its context, then the utterance — and goes through the same signals as a
//! real call; the labels predicted for the utterance are the evidence the
//! signals put on it. Coaches' verdicts are scored against the evidence of
//! the whole transcript the coach saw. So what is measured is the product's
//! own code path, not a copy of its rules, with whichever [`Detectors`]
//! decide.
//!
//! Supports are often small (a corpus may hold twenty options), so every
//! precision, recall and F1 comes with a 95 % interval from a bootstrap
//! over conversations: the conversations of a corpus are drawn again with
//! replacement, a thousand times (seeded, so a report is reproducible), and
//! the middle 95 % of the scores is the interval.

use crate::annotations::agreement::{self, Annotated, CoachAgreement};
use crate::detectors::Detectors;
use crate::labelled::Example;
use crate::signals::{self, Evidence, Input, Settings, Signal, SignalOutput};
use crate::transcript::Call;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

pub use crate::labelled::LABELS;

/// Bootstrap resamples behind each interval.
const RESAMPLES: usize = 1000;

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
    /// 95 % bootstrap intervals over conversations, `[low, high]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision_interval: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recall_interval: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f1_interval: Option<[f64; 2]>,
}

/// Precision, recall and F1 of counts.
fn rates(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    (precision, recall, f1)
}

impl LabelScore {
    fn finish(&mut self) {
        (self.precision, self.recall, self.f1) = rates(self.tp, self.fp, self.fn_);
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
    /// What decided: `rules`, or a model's name and hash.
    #[serde(default)]
    pub detectors: String,
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

fn interval(i: Option<[f64; 2]>) -> String {
    i.map_or_else(String::new, |[lo, hi]| format!("{lo:.2}–{hi:.2}"))
}

impl Report {
    /// A table per corpus and pooled, for reading in a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "detectors: {}\n", self.detectors);
        let mut table = |name: &str, scores: &Scores| {
            let _ = writeln!(out, "{name} ({} utterances)", scores.utterances);
            let _ = writeln!(
                out,
                "  {:<19} {:>9} {:>6} {:>6} {:>11} {:>8} {:>6} {:>6} {:>6}",
                "label", "precision", "recall", "F1", "F1 95 %", "support", "tp", "fp", "fn"
            );
            for label in LABELS {
                if let Some(s) = scores.labels.get(label) {
                    let _ = writeln!(
                        out,
                        "  {label:<19} {:>9.3} {:>6.3} {:>6.3} {:>11} {:>8} {:>6} {:>6} {:>6}",
                        s.precision,
                        s.recall,
                        s.f1,
                        interval(s.f1_interval),
                        s.support,
                        s.tp,
                        s.fp,
                        s.fn_
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

/// Two or more detector sets measured on the same data, side by side.
pub fn comparison_text(reports: &[Report]) -> String {
    let mut out = String::new();
    for (n, report) in reports.iter().enumerate() {
        let _ = writeln!(out, "[{}] {}", n + 1, report.detectors);
    }
    out.push('\n');
    let mut names: Vec<&str> = vec!["all"];
    if reports[0].corpora.len() > 1 {
        names.extend(reports[0].corpora.keys().map(String::as_str));
    }
    for name in names {
        let scores = |r: &'_ Report| -> Option<Scores> {
            if name == "all" {
                Some(r.pooled.clone())
            } else {
                r.corpora.get(name).cloned()
            }
        };
        let Some(first) = scores(&reports[0]) else {
            continue;
        };
        let _ = writeln!(out, "{name} ({} utterances)", first.utterances);
        let mut header = format!("  {:<19} {:>7}", "label", "support");
        for n in 1..=reports.len() {
            let _ = write!(header, "  {:>29}", format!("[{n}] P / R / F1 (F1 95 %)"));
        }
        let _ = writeln!(out, "{header}");
        for label in LABELS {
            let Some(support) = first.labels.get(label).map(|s| s.support) else {
                continue;
            };
            let mut row = format!("  {label:<19} {support:>7}");
            for report in reports {
                let cell = scores(report)
                    .and_then(|s| s.labels.get(label).cloned())
                    .map_or_else(
                        || "–".to_string(),
                        |s| {
                            format!(
                                "{:.2} / {:.2} / {:.2} ({})",
                                s.precision,
                                s.recall,
                                s.f1,
                                interval(s.f1_interval)
                            )
                        },
                    );
                let _ = write!(row, "  {cell:>29}");
            }
            let _ = writeln!(out, "{row}");
        }
        out.push('\n');
    }
    out
}

/// The signals that put labels on utterances, and the labels they put.
pub fn labels_of(signal: &str, evidence: &Evidence) -> &'static [&'static str] {
    match (signal, evidence.kind.as_str()) {
        ("questions", "open") => &["question", "question.open"],
        ("questions", _) => &["question", "question.closed"],
        ("options-offered", _) => &["option"],
        ("promises", "vague-promise") => &["commitment", "vague-promise"],
        ("promises", _) => &["commitment"],
        ("decision-handback", _) => &["decision-handback"],
        ("out-of-school", _) => &["out-of-school"],
        ("interruptions", _) => &["interruption"],
        // The labelling guideline counts a restatement that leads into a
        // question ("You mentioned the spray. How often…?") as the question:
        // reflections are scored by the rubric, not a label of their own.
        ("check-understanding", "reflection") => &[],
        ("check-understanding", _) => &["check-understanding"],
        _ => &[],
    }
}

/// The labels on each of `utterances` utterances, from signals' outputs:
/// every label any evidence on an utterance gives (an utterance asking an
/// open and a closed question is both).
pub fn labels_from(outputs: &[SignalOutput], utterances: usize) -> Vec<BTreeSet<&'static str>> {
    let mut labels = vec![BTreeSet::new(); utterances];
    for output in outputs {
        for evidence in &output.evidence {
            if let Some(set) = labels.get_mut(evidence.utterance) {
                set.extend(labels_of(&output.id, evidence));
            }
        }
    }
    labels
}

/// The labels the detectors put on each utterance of a whole call.
pub fn detect(call: &Call, detectors: &Detectors) -> Vec<BTreeSet<&'static str>> {
    labels_from(
        &signals::run(call, &Settings::default(), detectors, crate::l10n::Lang::En),
        call.utterances.len(),
    )
}

/// The signals that put labels on single utterances: only these run on a
/// dataset's lines (datasets are hundreds of thousands of them).
fn text_signals() -> [&'static dyn Signal; 6] {
    use crate::signals::{
        check_understanding, decision_handback, options_offered, out_of_school, promises, questions,
    };
    [
        &questions::Questions,
        &options_offered::OptionsOffered,
        &promises::Promises,
        &decision_handback::DecisionHandback,
        &check_understanding::CheckUnderstanding,
        &out_of_school::OutOfSchool,
    ]
}

/// The labels the detectors give the example's utterance.
pub fn predict(example: &Example, detectors: &Detectors) -> BTreeSet<&'static str> {
    let call = example.as_call();
    let input = Input::with_detectors(&call, detectors);
    let settings = Settings::default();
    let outputs: Vec<SignalOutput> = text_signals()
        .iter()
        .map(|signal| signal.detect(&input, &settings))
        .collect();
    labels_from(&outputs, call.utterances.len())
        .pop()
        .unwrap_or_default()
}

/// Per conversation, per label: (tp, fp, fn).
type Tally = BTreeMap<String, BTreeMap<&'static str, [usize; 3]>>;

fn tally<'a>(
    items: impl Iterator<Item = (&'a Example, &'a BTreeSet<&'static str>)>,
) -> (Tally, usize) {
    let mut counts = Tally::new();
    let mut n = 0;
    for (example, predicted) in items {
        n += 1;
        let per = counts.entry(example.conversation_key()).or_default();
        for label in LABELS {
            if !example.judges(label) {
                continue;
            }
            let c = per.entry(label).or_default();
            match (example.has(label), predicted.contains(label)) {
                (true, true) => c[0] += 1,
                (false, true) => c[1] += 1,
                (true, false) => c[2] += 1,
                (false, false) => {}
            }
        }
    }
    (counts, n)
}

/// A small, seeded generator for the bootstrap (splitmix64).
struct Draws(u64);

impl Draws {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        ((u128::from(z) * n as u128) >> 64) as usize
    }
}

fn percentile_interval(mut values: Vec<f64>) -> [f64; 2] {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    [at(0.025), at(0.975)]
}

fn score(counts: &Tally, utterances: usize) -> Scores {
    let mut scores = Scores {
        labels: BTreeMap::new(),
        utterances,
    };
    for per in counts.values() {
        for (label, c) in per {
            let s = scores.labels.entry((*label).to_string()).or_default();
            s.tp += c[0];
            s.fp += c[1];
            s.fn_ += c[2];
        }
    }
    let conversations: Vec<&BTreeMap<&'static str, [usize; 3]>> = counts.values().collect();
    for (label, s) in &mut scores.labels {
        s.finish();
        if conversations.len() < 2 {
            continue;
        }
        let mut draws = Draws(0x7261_7070_6f72_7421);
        let (mut p, mut r, mut f) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RESAMPLES {
            let mut c = [0usize; 3];
            for _ in 0..conversations.len() {
                if let Some(got) =
                    conversations[draws.below(conversations.len())].get(label.as_str())
                {
                    for k in 0..3 {
                        c[k] += got[k];
                    }
                }
            }
            let (precision, recall, f1) = rates(c[0], c[1], c[2]);
            p.push(precision);
            r.push(recall);
            f.push(f1);
        }
        s.precision_interval = Some(percentile_interval(p));
        s.recall_interval = Some(percentile_interval(r));
        s.f1_interval = Some(percentile_interval(f));
    }
    scores
}

/// Scores predictions already made (`predictions[i]` for `examples[i]`).
pub fn evaluate_predicted(
    examples: &[Example],
    predictions: &[BTreeSet<&'static str>],
    show: &[String],
) -> Report {
    let predictions = &predictions[..examples.len().min(predictions.len())];
    let (counts, n) = tally(examples.iter().zip(predictions));
    let pooled = score(&counts, n);
    let mut names: Vec<&str> = examples.iter().map(|e| e.corpus.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let corpora = names
        .into_par_iter()
        .map(|name| {
            let (counts, n) = tally(
                examples
                    .iter()
                    .zip(predictions)
                    .filter(|(e, _)| e.corpus == name),
            );
            (name.to_string(), score(&counts, n))
        })
        .collect();
    let disagreements = examples
        .iter()
        .zip(predictions)
        .flat_map(|(example, predicted)| {
            show.iter().filter_map(move |label| {
                let truth = example.has(label);
                let guess = predicted.contains(label.as_str());
                (example.judges(label) && truth != guess).then(|| Disagreement {
                    id: example.id.clone(),
                    label: label.clone(),
                    kind: if truth { "missed" } else { "false-alarm" }.into(),
                    text: example.text.clone(),
                })
            })
        })
        .collect();
    Report {
        detectors: String::new(),
        pooled,
        corpora,
        disagreements,
        coaches: None,
    }
}

/// Runs the detectors on every example, in parallel; lists the
/// disagreements on the labels in `show`.
pub fn evaluate(examples: &[Example], detectors: &Detectors, show: &[String]) -> Report {
    evaluate_with_coaches(examples, &[], detectors, show)
}

/// Scores the detectors against dataset utterances and coaches' verdicts
/// together (each annotated call is its own corpus), with the coaches'
/// agreement when any annotated file was given.
pub fn evaluate_with_coaches(
    dataset: &[Example],
    files: &[Annotated],
    detectors: &Detectors,
    show: &[String],
) -> Report {
    let judged = agreement::judged(files);
    let coached = agreement::examples(&judged);
    let detected: Vec<Vec<BTreeSet<&'static str>>> = judged
        .par_iter()
        .map(|j| detect(j.call, detectors))
        .collect();
    let mut all: Vec<Example> = dataset.to_vec();
    let mut predictions: Vec<BTreeSet<&'static str>> =
        dataset.par_iter().map(|e| predict(e, detectors)).collect();
    all.extend(coached.examples);
    predictions.extend(coached.at.iter().map(|&(n, i)| detected[n][i].clone()));
    let mut report = evaluate_predicted(&all, &predictions, show);
    report.detectors = detectors.identity();
    if !files.is_empty() {
        report.coaches = Some(agreement::agreement(&judged, coached.tags));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labelled::ContextLine;
    use crate::speakers::Role;

    fn example(text: &str, labels: &[&str], ignore: &[&str]) -> Example {
        Example {
            id: "t".into(),
            corpus: "fixture".into(),
            conversation: String::new(),
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
        let rules = Detectors::Rules;
        let p = predict(
            &example("What happened with the deadline?", &[], &[]),
            &rules,
        );
        assert_eq!(p, BTreeSet::from(["question", "question.open"]));
        let p = predict(
            &example("I'll send you the plan by Friday.", &[], &[]),
            &rules,
        );
        assert_eq!(p, BTreeSet::from(["commitment"]));
        let p = predict(
            &example("We could move it to April or cut scope.", &[], &[]),
            &rules,
        );
        assert!(p.contains("option"), "{p:?}");
        let p = predict(&example("Does that make sense?", &[], &[]), &rules);
        assert!(p.contains("check-understanding"), "{p:?}");
    }

    #[test]
    fn counts_honour_scope_and_ignore() {
        let examples = vec![
            // tp question, tp open
            example("What happened?", &["question", "question.open"], &[]),
            // fn question (the rules cannot see a declarative question
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
        let report = evaluate(&examples, &Detectors::Rules, &[]);
        assert_eq!(report.detectors, "rules");
        let q = &report.pooled.labels["question"];
        assert_eq!((q.tp, q.fp, q.fn_, q.support), (1, 0, 1, 2));
        assert!((q.precision - 1.0).abs() < 1e-12 && (q.recall - 0.5).abs() < 1e-12);
        assert!((q.f1 - 2.0 / 3.0).abs() < 1e-12);
        let c = &report.pooled.labels["commitment"];
        assert_eq!((c.tp, c.fp, c.fn_), (0, 1, 0));
        assert_eq!(report.pooled.utterances, 4);
        assert_eq!(report.corpora["fixture"], report.pooled);
    }

    #[test]
    fn intervals_come_from_conversations_and_hold_the_estimate() {
        // Ten conversations: in five the detector is right, in five wrong.
        let mut examples = Vec::new();
        let mut predictions = Vec::new();
        for c in 0..10 {
            let mut e = example("I'll send it.", &["commitment"], &[]);
            e.conversation = format!("c{c}");
            examples.push(e);
            predictions.push(if c < 5 {
                BTreeSet::from(["commitment"])
            } else {
                BTreeSet::new()
            });
        }
        let report = evaluate_predicted(&examples, &predictions, &[]);
        let c = &report.pooled.labels["commitment"];
        let [lo, hi] = c.recall_interval.unwrap();
        assert!(lo < 0.5 && 0.5 < hi, "{lo}–{hi}");
        assert!(lo >= 0.0 && hi <= 1.0);
        // The same data gives the same interval.
        let again = evaluate_predicted(&examples, &predictions, &[]);
        assert_eq!(
            again.pooled.labels["commitment"].recall_interval,
            c.recall_interval
        );
        // One conversation gives no interval.
        let one = evaluate_predicted(&examples[..1], &predictions[..1], &[]);
        assert!(one.pooled.labels["commitment"].f1_interval.is_none());
    }
}
