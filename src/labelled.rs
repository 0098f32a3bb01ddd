//! Labelled utterances: the dataset format that measures the detectors
//! (`rapport eval`) and teaches them (`rapport train`).
//!
//! A dataset is JSON Lines, one utterance per line with up to three
//! preceding utterances as context (the format of the project's evaluation
//! data). Coaches' verdicts on reviewed calls become examples of the same
//! kind ([`crate::annotations::agreement`]), so one type carries both.
//! A label counts only where the line's `scope` says the corpus annotates
//! it and its `ignore` does not leave it out.

use crate::speakers::{Participant, Role, RoleSource};
use crate::transcript::{Call, Utterance};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The labels rapport knows: the evaluation data's, then the product's own
/// (which coaches' annotations use).
pub const LABELS: [&str; 10] = crate::annotations::VOCABULARY;

#[derive(Debug, Error)]
pub enum DatasetError {
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
    /// The conversation it comes from: cross-validation keeps a
    /// conversation's utterances on one side of a split.
    #[serde(default)]
    pub conversation: String,
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

impl Example {
    /// Which conversation it belongs to, across corpora: its own id when
    /// the data names none (an unpunctuated training copy, whose id ends in
    /// `~`, stays with its original).
    pub fn conversation_key(&self) -> String {
        if self.conversation.is_empty() {
            self.id.trim_end_matches('~').to_string()
        } else {
            format!("{}/{}", self.corpus, self.conversation)
        }
    }

    /// Whether the example says anything about `label`: in scope, not ignored.
    pub fn judges(&self, label: &str) -> bool {
        self.scope.iter().any(|s| s == label) && !self.ignore.iter().any(|s| s == label)
    }

    /// Whether `label` holds for it.
    pub fn has(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l == label)
    }

    /// The example as a call: context lines, then the utterance, two
    /// seconds apart. The labelled speaker has the example's role; everyone
    /// else the opposite one (a consultant talks to a client), or no role
    /// when the corpus has none.
    pub fn as_call(&self) -> Call {
        let lines: Vec<(&str, &str)> = self
            .context
            .iter()
            .map(|c| (c.speaker.as_str(), c.text.as_str()))
            .chain([(self.speaker.as_str(), self.text.as_str())])
            .collect();
        let mut speakers: Vec<&str> = Vec::new();
        for (speaker, _) in &lines {
            if !speakers.contains(speaker) {
                speakers.push(speaker);
            }
        }
        let role_of = |speaker: &str| match self.role {
            Some(role) if speaker == self.speaker => role,
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
                    // Set by `Call::from_utterances`.
                    language: String::new(),
                }
            })
            .collect();
        Call::from_utterances(
            people,
            utterances,
            RoleSource::Given,
            vec![self.id.clone()],
            // The labelled corpora are English, and a guess from one short
            // utterance could send a row to another language's rules.
            Some(crate::language::ENGLISH),
        )
    }
}

/// Reads a dataset, checking every line.
pub fn load(path: &Path) -> Result<Vec<Example>, DatasetError> {
    let text = crate::read_regular_to_string(path).map_err(|source| DatasetError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut examples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let example: Example =
            serde_json::from_str(line).map_err(|source| DatasetError::Parse {
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
            return Err(DatasetError::UnknownLabel {
                path: path.to_path_buf(),
                line: n + 1,
                label: label.clone(),
            });
        }
        examples.push(example);
    }
    if examples.is_empty() {
        return Err(DatasetError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(examples)
}
