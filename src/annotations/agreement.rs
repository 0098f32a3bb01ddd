//! What coaches' labels say about the detectors, and about each other.
//!
//! Coaches do not label every utterance: they confirm or reject what the
//! page shows as detected and add what was missed. So a coach's verdict is
//! taken as truth only where the coach gave one: a label a coach added or
//! confirmed on an utterance is a positive, one they rejected (or corrected
//! away) a negative, and a detection nobody judged counts for nothing. Each
//! coach's verdicts on an utterance become one example of the labelled
//! format (the label judged is its scope), so `rapport eval` reports
//! precision, recall and F1 per label against coaches exactly as it does
//! against a dataset, with the detectors run over the whole transcript the
//! coach saw, and `rapport train` learns from them as from a dataset.
//!
//! Between two coaches of the same transcript, agreement is Cohen's kappa
//! per label over all its utterances, where a coach who did not mark a
//! label on an utterance is taken to say it does not hold there: agreement
//! beyond what two coaches marking that often would reach by chance.

use super::{Annotations, Label, VOCABULARY};
use crate::labelled::{ContextLine, Example};
use crate::transcript::Call;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One sidecar as read, with the name its calls are reported under.
#[derive(Debug, Clone)]
pub struct Annotated {
    pub path: PathBuf,
    pub name: String,
    pub annotations: Annotations,
}

impl Annotated {
    pub fn load(path: &Path) -> Result<Self, super::AnnotationError> {
        let annotations = Annotations::load(path)?;
        if annotations.calls.is_empty() {
            return Err(super::AnnotationError::NoCall {
                path: path.to_path_buf(),
            });
        }
        let file = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let name = file
            .strip_suffix(super::SUFFIX)
            .unwrap_or(&file)
            .to_string();
        Ok(Self {
            path: path.to_path_buf(),
            name,
            annotations,
        })
    }
}

/// Verdicts per utterance: label → holds.
pub type Verdicts = Vec<BTreeMap<String, bool>>;

/// One transcript and every coach's verdicts on it, from every file.
#[derive(Debug)]
pub struct Judged<'a> {
    pub name: &'a str,
    pub call: &'a Call,
    pub coaches: BTreeMap<&'a str, Verdicts>,
}

/// Groups the labels of every file by the transcript they were made on.
/// The latest record on a moment wins; a record met twice (the same file
/// given twice, a copied file) counts once.
pub fn judged(files: &[Annotated]) -> Vec<Judged<'_>> {
    let mut by_call: BTreeMap<&str, (&str, &Call, Vec<&Label>)> = BTreeMap::new();
    for file in files {
        for snapshot in &file.annotations.calls {
            by_call.entry(snapshot.key.as_str()).or_insert((
                file.name.as_str(),
                &snapshot.call,
                Vec::new(),
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for file in files {
        for label in &file.annotations.labels {
            if let Some(entry) = by_call.get_mut(label.call.as_str())
                && seen.insert(label.id.as_str())
            {
                entry.2.push(label);
            }
        }
    }
    by_call
        .into_values()
        .map(|(name, call, mut labels)| {
            labels.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
            let mut coaches: BTreeMap<&str, Verdicts> = BTreeMap::new();
            for label in labels {
                let verdicts = coaches
                    .entry(label.coach.as_str())
                    .or_insert_with(|| vec![BTreeMap::new(); call.utterances.len()]);
                for i in label.target.utterances(call) {
                    for (name, holds) in label.verdicts() {
                        verdicts[i].insert(name.to_string(), holds);
                    }
                }
            }
            Judged {
                name,
                call,
                coaches,
            }
        })
        .collect()
}

/// Each coach's verdicts as labelled examples, with where each was said
/// (`at[i]` is the index in the judged calls and the utterance of
/// `examples[i]`). Only labels of the vocabulary become examples; free tags
/// are counted in `tags`.
#[derive(Debug, Default)]
pub struct CoachExamples {
    pub examples: Vec<Example>,
    pub at: Vec<(usize, usize)>,
    pub tags: BTreeMap<String, usize>,
}

pub fn examples(judged: &[Judged]) -> CoachExamples {
    let mut out = CoachExamples::default();
    for (n, call) in judged.iter().enumerate() {
        for (coach, verdicts) in &call.coaches {
            for (i, verdict) in verdicts.iter().enumerate() {
                let (known, tags): (Vec<_>, Vec<_>) = verdict
                    .iter()
                    .partition(|(label, _)| VOCABULARY.contains(&label.as_str()));
                for (tag, holds) in tags {
                    if *holds {
                        *out.tags.entry(tag.clone()).or_default() += 1;
                    }
                }
                if known.is_empty() {
                    continue;
                }
                out.examples.push(example(call, coach, i, &known));
                out.at.push((n, i));
            }
        }
    }
    out
}

fn example(call: &Judged, coach: &str, i: usize, verdicts: &[(&String, &bool)]) -> Example {
    let utterances = &call.call.utterances;
    let speaker = |id: &str| {
        call.call
            .participant(id)
            .map_or_else(|| id.to_string(), |p| p.person.name.clone())
    };
    let said = &utterances[i];
    Example {
        id: format!("{}#{i}@{coach}", call.name),
        corpus: call.name.to_string(),
        conversation: call.name.to_string(),
        speaker: speaker(&said.speaker),
        role: call.call.participant(&said.speaker).map(|p| p.person.role),
        text: said.text.clone(),
        context: utterances[i.saturating_sub(3)..i]
            .iter()
            .map(|u| ContextLine {
                speaker: speaker(&u.speaker),
                text: u.text.clone(),
            })
            .collect(),
        labels: verdicts
            .iter()
            .filter(|(_, holds)| **holds)
            .map(|(label, _)| (*label).clone())
            .collect(),
        scope: verdicts.iter().map(|(label, _)| (*label).clone()).collect(),
        ignore: Vec::new(),
    }
}

/// Agreement between two coaches on one label, pooled over calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Kappa {
    /// Cohen's kappa; `null` when chance alone explains every judgement
    /// (both coaches never, or always, marked it).
    pub kappa: Option<f64>,
    /// Utterances judged by both coaches of a pair, summed over pairs.
    pub utterances: usize,
    /// How many of them both marked.
    pub both: usize,
    /// How many of them exactly one marked.
    pub one: usize,
}

/// The counts of each (first, second) judgement kept apart, for kappa.
#[derive(Debug, Default, Clone, Copy)]
struct Table {
    yes_yes: f64,
    yes_no: f64,
    no_yes: f64,
    no_no: f64,
}

impl Table {
    fn add(&mut self, a: bool, b: bool) {
        match (a, b) {
            (true, true) => self.yes_yes += 1.0,
            (true, false) => self.yes_no += 1.0,
            (false, true) => self.no_yes += 1.0,
            (false, false) => self.no_no += 1.0,
        }
    }

    /// The agreement these counts give.
    fn summary(&self) -> Kappa {
        Kappa {
            kappa: self.kappa(),
            utterances: (self.yes_yes + self.yes_no + self.no_yes + self.no_no) as usize,
            both: self.yes_yes as usize,
            one: (self.yes_no + self.no_yes) as usize,
        }
    }

    fn kappa(&self) -> Option<f64> {
        let n = self.yes_yes + self.yes_no + self.no_yes + self.no_no;
        if n == 0.0 {
            return None;
        }
        let observed = (self.yes_yes + self.no_no) / n;
        let first_yes = (self.yes_yes + self.yes_no) / n;
        let second_yes = (self.yes_yes + self.no_yes) / n;
        let chance = first_yes * second_yes + (1.0 - first_yes) * (1.0 - second_yes);
        (chance < 1.0).then(|| (observed - chance) / (1.0 - chance))
    }
}

/// Agreement between coaches who labelled the same transcript.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoachAgreement {
    /// Transcripts annotated, and how many of them by two coaches or more.
    pub calls: usize,
    pub calls_with_two_coaches: usize,
    pub coaches: Vec<String>,
    /// Per label either coach of a pair used.
    pub labels: BTreeMap<String, Kappa>,
    /// Over every label.
    pub pooled: Kappa,
    /// Coach tags no detector predicts, with how often they were marked.
    pub tags: BTreeMap<String, usize>,
}

pub fn agreement(judged: &[Judged], tags: BTreeMap<String, usize>) -> CoachAgreement {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut pooled = Table::default();
    let mut coaches = BTreeSet::new();
    for call in judged {
        coaches.extend(call.coaches.keys().map(|c| (*c).to_string()));
        let people: Vec<&Verdicts> = call.coaches.values().collect();
        for (n, first) in people.iter().enumerate() {
            for second in &people[n + 1..] {
                let used: BTreeSet<&String> = first
                    .iter()
                    .chain(second.iter())
                    .flat_map(|v| v.iter().filter(|(_, holds)| **holds).map(|(l, _)| l))
                    .collect();
                for label in used {
                    let says = |v: &BTreeMap<String, bool>| v.get(label).copied().unwrap_or(false);
                    for (a, b) in first.iter().zip(second.iter()) {
                        let (a, b) = (says(a), says(b));
                        tables.entry(label.clone()).or_default().add(a, b);
                        pooled.add(a, b);
                    }
                }
            }
        }
    }
    CoachAgreement {
        calls: judged.len(),
        calls_with_two_coaches: judged.iter().filter(|j| j.coaches.len() >= 2).count(),
        coaches: coaches.into_iter().collect(),
        labels: tables
            .into_iter()
            .map(|(label, table)| (label, table.summary()))
            .collect(),
        pooled: pooled.summary(),
        tags,
    }
}

impl CoachAgreement {
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "coaches: {} ({}) on {} annotated call(s), {} with two or more",
            self.coaches.len(),
            self.coaches.join(", "),
            self.calls,
            self.calls_with_two_coaches
        );
        if self.calls_with_two_coaches == 0 {
            out.push_str("  agreement between coaches: needs a call annotated by two coaches\n");
        } else {
            let _ = writeln!(
                out,
                "  {:<28} {:>6} {:>10} {:>5} {:>5}",
                "agreement (Cohen's kappa)", "kappa", "utterances", "both", "one"
            );
            let row = |out: &mut String, name: &str, k: &Kappa| {
                let kappa = k.kappa.map_or_else(|| "-".into(), |k| format!("{k:.3}"));
                let _ = writeln!(
                    out,
                    "  {name:<28} {kappa:>6} {:>10} {:>5} {:>5}",
                    k.utterances, k.both, k.one
                );
            };
            for (label, k) in &self.labels {
                row(&mut out, label, k);
            }
            row(&mut out, "all labels", &self.pooled);
        }
        for (tag, count) in &self.tags {
            let _ = writeln!(
                out,
                "  coach tag {tag}: marked {count} time(s), no detector"
            );
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{annotated, label, sample_call as call};
    use super::super::{Action, Target};
    use super::*;
    #[test]
    fn coaches_verdicts_become_labelled_examples() {
        let call = call();
        let key = super::super::call_key(&call);
        let mut later = label("dana", &key, Action::Reject, "question.open", 1);
        later.at += jiff::SignedDuration::from_secs(5);
        let files = vec![annotated(
            "mon",
            &call,
            vec![
                label("dana", &key, Action::Confirm, "question.open", 1),
                later,
                label("dana", &key, Action::Add, "vague-promise", 3),
                label("dana", &key, Action::Add, "missed-chance", 2),
            ],
        )];
        let judged = judged(&files);
        let found = examples(&judged);
        assert_eq!(found.examples.len(), 2);
        assert_eq!(found.at, [(0, 1), (0, 3)]);
        // The later rejection wins over the confirmation.
        assert_eq!(found.examples[0].labels, Vec::<String>::new());
        assert_eq!(found.examples[0].scope, vec!["question.open".to_string()]);
        assert_eq!(found.examples[1].labels, vec!["vague-promise".to_string()]);
        assert_eq!(found.tags["missed-chance"], 1);
        // The example reads as the coach saw it: the utterance after its context.
        assert_eq!(found.examples[1].text, call.utterances[3].text);
        assert_eq!(found.examples[1].context.len(), 3);
    }

    #[test]
    fn kappa_between_two_coaches() {
        let call = call();
        let key = super::super::call_key(&call);
        let range = |coach: &str| {
            let mut l = label(coach, &key, Action::Add, "commitment", 0);
            l.target = Target {
                utterance: None,
                start: 8.0,
                end: 30.0,
            };
            l
        };
        // Two files (one per coach) on the same transcript.
        let files = vec![
            annotated(
                "mon",
                &call,
                vec![label("ann", &key, Action::Add, "question", 1), range("ann")],
            ),
            annotated(
                "mon-bo",
                &call,
                vec![label("bo", &key, Action::Add, "question", 2), range("bo")],
            ),
        ];
        let judged = judged(&files);
        assert_eq!(judged.len(), 1);
        let agreement = agreement(&judged, BTreeMap::new());
        assert_eq!(agreement.calls_with_two_coaches, 1);
        assert_eq!(agreement.coaches, ["ann", "bo"]);
        // commitment: both marked utterance 3 only: perfect agreement.
        assert_eq!(agreement.labels["commitment"].kappa, Some(1.0));
        // question: each marked a different one of four: observed 0.5,
        // chance 0.625, kappa -1/3.
        let question = agreement.labels["question"].kappa.unwrap();
        assert!((question + 1.0 / 3.0).abs() < 1e-9, "{question}");
        assert_eq!(agreement.labels["question"].one, 2);
    }

    #[test]
    fn one_coach_gives_no_kappa() {
        let call = call();
        let key = super::super::call_key(&call);
        let files = vec![annotated(
            "mon",
            &call,
            vec![label("ann", &key, Action::Add, "question", 1)],
        )];
        let agreement = agreement(&judged(&files), BTreeMap::new());
        assert_eq!(agreement.calls_with_two_coaches, 0);
        assert!(agreement.labels.is_empty());
        assert!(
            agreement
                .to_text()
                .contains("needs a call annotated by two")
        );
    }
}
