//! A learned model and its file.
//!
//! The file is `rapport-detectors\n`, a format version (u32, little
//! endian), the length of a JSON header and the header — the features it
//! reads, per label its bias, threshold and figures, and what it was
//! trained on — then, per label in the header's order, one 16-bit float
//! weight per feature column. Half precision keeps the shipped file small
//! (1 MiB a label at 2^18 columns) at no measurable cost in its decisions.
//! A file from a newer rapport, or one cut short or tampered with, is a
//! named error.

use super::features::{self, FeatureSettings, Sparse};
use super::learn::{Fit, OperatingPoint, sigmoid};
use super::{Decision, Label, Observation};
use crate::speakers::Role;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The version of the file format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &[u8] = b"rapport-detectors\n";

#[derive(Debug, Error)]
pub enum ModelError {
    #[error("{}: cannot read the detectors: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a detectors file (`rapport train` writes them)", path.display())]
    NotAModel { path: PathBuf },
    #[error("{}: written by a newer rapport (format {version}; this one reads {FORMAT_VERSION}): upgrade rapport, or retrain with this one", path.display())]
    Newer { path: PathBuf, version: u32 },
    #[error("{}: the detectors file is damaged: {problem}", path.display())]
    Damaged { path: PathBuf, problem: String },
}

/// Where a label's probability becomes a decision, for one kind of speech.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Probabilities at or above it decide that the label holds.
    pub threshold: f64,
    /// What cross-validation by conversation measured at it (absent when
    /// there were too few conversations to split, or none of this kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_validated: Option<OperatingPoint>,
}

/// One label's part of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelModel {
    pub label: String,
    pub bias: f32,
    /// For speakers whose role is known: a call's consultant and client.
    pub with_roles: Threshold,
    /// For speech whose speakers have no roles (a meeting, a transcript of
    /// unnamed voices): labels there are rarer and meant more loosely, so
    /// the same precision needs another threshold.
    pub without_roles: Threshold,
    /// The speakers' roles it learned from. It decides only for those: on
    /// a role it never saw (a client, where only consultants were
    /// labelled) its probabilities mean nothing, and the rules decide.
    pub roles: Vec<Role>,
    /// Examples and positives it learned from.
    pub examples: usize,
    pub positives: usize,
    /// Taken unchanged from the base model (the data had no positives).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_base: bool,
}

/// A file the model learned from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Its name (not where it lay: the hash says which file it was).
    pub file: String,
    /// Lines (datasets) or label records (annotations) read.
    pub lines: usize,
    pub sha256: String,
    /// Examples it gave, and per label the positives among them.
    pub examples: usize,
    pub positives: std::collections::BTreeMap<String, usize>,
}

/// How the model was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    pub l2: f64,
    pub folds: usize,
    /// The precision each threshold was chosen to reach.
    pub min_precision: f64,
    /// The model the weights were pulled toward, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
}

/// Everything in the file but the weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    pub features: FeatureSettings,
    pub labels: Vec<LabelModel>,
    pub training: Training,
    pub trained_on: Vec<Source>,
}

/// A learned detector per label.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub header: Header,
    /// Column by column, the weight of each label of the header in turn:
    /// deciding every label of an utterance then reads one cache line per
    /// feature, not one per feature and label.
    weights: Vec<f32>,
    /// Per [`Label::ALL`], where it is in the header.
    index: [Option<usize>; Label::ALL.len()],
    identity: String,
}

/// What a model says about each label of one utterance, by [`Label`].
pub type Decisions = [Option<Decision>; Label::ALL.len()];

impl Model {
    /// A model from its parts; the weights are rounded to what the file keeps.
    pub fn new(header: Header, fits: &[Fit]) -> Self {
        let columns = header.features.columns();
        let weights = (0..columns)
            .flat_map(|c| {
                fits.iter()
                    .map(move |fit| half::f16::from_f32(fit.weights[c]).to_f32())
            })
            .collect();
        let mut model = Self {
            header,
            weights,
            index: [None; Label::ALL.len()],
            identity: String::new(),
        };
        model.index = model.index_labels();
        model.identity = identity(&model.header.name, &model.to_bytes());
        model
    }

    fn index_labels(&self) -> [Option<usize>; Label::ALL.len()] {
        let mut index = [None; Label::ALL.len()];
        for (i, l) in self.header.labels.iter().enumerate() {
            if let Some(label) = Label::parse(&l.label) {
                index[label as usize] = Some(i);
            }
        }
        index
    }

    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let bytes = crate::read_regular(path).map_err(|source| ModelError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::read(&bytes, path)
    }

    /// Reads a model file's bytes; `path` names it in errors.
    pub fn read(bytes: &[u8], path: &Path) -> Result<Self, ModelError> {
        let damaged = |problem: String| ModelError::Damaged {
            path: path.to_path_buf(),
            problem,
        };
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| ModelError::NotAModel {
                path: path.to_path_buf(),
            })?;
        let take_u32 = |at: usize| -> Option<u32> {
            rest.get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let version = take_u32(0).ok_or_else(|| damaged("it ends before its version".into()))?;
        if version > FORMAT_VERSION {
            return Err(ModelError::Newer {
                path: path.to_path_buf(),
                version,
            });
        }
        if version == 0 {
            return Err(damaged("format version 0".into()));
        }
        let header_len =
            take_u32(4).ok_or_else(|| damaged("it ends before its header".into()))? as usize;
        let header_bytes = rest
            .get(8..8 + header_len)
            .ok_or_else(|| damaged("it ends inside its header".into()))?;
        let header: Header = serde_json::from_slice(header_bytes)
            .map_err(|e| damaged(format!("its header does not read: {e}")))?;
        if !(8..=24).contains(&header.features.bits) {
            return Err(damaged(format!(
                "{} feature bits (8 to 24 are possible)",
                header.features.bits
            )));
        }
        let columns = header.features.columns();
        let body = &rest[8 + header_len..];
        if body.len() != header.labels.len() * columns * 2 {
            return Err(damaged(format!(
                "{} bytes of weights where {} labels of {columns} columns need {}",
                body.len(),
                header.labels.len(),
                header.labels.len() * columns * 2
            )));
        }
        let mut seen = Vec::new();
        for l in &header.labels {
            let label = Label::parse(&l.label)
                .ok_or_else(|| damaged(format!("unknown label {:?}", l.label)))?;
            if seen.contains(&label) {
                return Err(damaged(format!("label {:?} twice", l.label)));
            }
            seen.push(label);
            if !(l.bias.is_finite()
                && l.with_roles.threshold.is_finite()
                && l.without_roles.threshold.is_finite())
            {
                return Err(damaged(format!("label {:?}: not a number", l.label)));
            }
        }
        // The file keeps each label's weights together.
        let labels = header.labels.len();
        let weight = |label: usize, column: usize| {
            let at = (label * columns + column) * 2;
            half::f16::from_le_bytes([body[at], body[at + 1]]).to_f32()
        };
        let weights: Vec<f32> = (0..columns)
            .flat_map(|c| (0..labels).map(move |l| weight(l, c)))
            .collect();
        if weights.iter().any(|w| !w.is_finite()) {
            return Err(damaged("a weight is not a number".into()));
        }
        let mut model = Self {
            identity: identity(&header.name, bytes),
            header,
            weights,
            index: [None; Label::ALL.len()],
        };
        model.index = model.index_labels();
        Ok(model)
    }

    /// The file's bytes.
    ///
    /// # Panics
    ///
    /// Never: the header is plain data, which always serializes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec_pretty(&self.header).expect("the header is plain data");
        let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + header.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&header);
        let labels = self.header.labels.len();
        for label in 0..labels {
            for &w in self.weights.iter().skip(label).step_by(labels) {
                bytes.extend_from_slice(&half::f16::from_f32(w).to_le_bytes());
            }
        }
        bytes
    }

    /// `name@` and the start of the file's sha256.
    pub fn identity(&self) -> String {
        self.identity.clone()
    }

    /// The fit of a label, as a starting point or prior for training.
    pub fn fit(&self, label: Label) -> Option<Fit> {
        let i = self.index[label as usize]?;
        Some(Fit {
            weights: self.label_weights(i).collect(),
            bias: self.header.labels[i].bias,
        })
    }

    fn label_weights(&self, i: usize) -> impl Iterator<Item = f32> + '_ {
        self.weights
            .iter()
            .copied()
            .skip(i)
            .step_by(self.header.labels.len())
    }

    pub fn has(&self, label: Label) -> bool {
        self.index[label as usize].is_some()
    }

    /// The feature terms this model reads from an observation, for
    /// [`Model::probability`] (a column may come more than once).
    pub fn features(&self, observation: &Observation) -> Sparse {
        features::terms(observation, &self.header.features)
    }

    /// The probability of one label for features.
    pub fn probability(&self, label: Label, features: &[(u32, f32)]) -> Option<f64> {
        let i = self.index[label as usize]?;
        let labels = self.header.labels.len();
        let mut z = f64::from(self.header.labels[i].bias);
        for &(c, v) in features {
            z += f64::from(self.weights[c as usize * labels + i]) * f64::from(v);
        }
        Some(sigmoid(z))
    }

    /// The model's decision on every label it has.
    pub fn decide(&self, observation: &Observation) -> Decisions {
        let features = self.features(observation);
        let labels = self.header.labels.len();
        // Every label's sum in one pass over the features.
        let mut sums: Vec<f64> = self
            .header
            .labels
            .iter()
            .map(|l| f64::from(l.bias))
            .collect();
        for &(c, v) in &features {
            let at = c as usize * labels;
            for (sum, &w) in sums.iter_mut().zip(&self.weights[at..at + labels]) {
                *sum += f64::from(w) * f64::from(v);
            }
        }
        let mut decisions = [None; Label::ALL.len()];
        for label in Label::ALL {
            let Some(i) = self.index[label as usize] else {
                continue;
            };
            let l = &self.header.labels[i];
            if !l.roles.contains(&observation.role) {
                continue;
            }
            let threshold = if observation.role == Role::Other {
                l.without_roles.threshold
            } else {
                l.with_roles.threshold
            };
            let probability = sigmoid(sums[i]);
            decisions[label as usize] = Some(Decision {
                probability,
                holds: probability >= threshold,
            });
        }
        decisions
    }
}

fn identity(name: &str, bytes: &[u8]) -> String {
    let digest = crate::cache::hex(&Sha256::digest(bytes));
    format!("{name}@{}", &digest[..12])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::features::Group;

    /// A small model of two labels over 2^10 columns.
    pub(crate) fn small() -> Model {
        let features = FeatureSettings {
            bits: 10,
            groups: vec![Group::Words, Group::Cues],
        };
        let label = |name: &str, threshold: f64| LabelModel {
            label: name.into(),
            bias: -1.0,
            with_roles: Threshold {
                threshold,
                cross_validated: None,
            },
            without_roles: Threshold {
                threshold: 0.9,
                cross_validated: None,
            },
            roles: vec![Role::Consultant, Role::Other],
            examples: 10,
            positives: 3,
            from_base: false,
        };
        let header = Header {
            name: "small".into(),
            features,
            labels: vec![label("question", 0.5), label("option", 0.7)],
            training: Training {
                l2: 1e-4,
                folds: 4,
                min_precision: 0.75,
                base: None,
            },
            trained_on: Vec::new(),
        };
        let fit = |w: f32| Fit {
            weights: (0..1024)
                .map(|c| if c % 7 == 0 { w } else { 0.0 })
                .collect(),
            bias: -1.0,
        };
        Model::new(header, &[fit(0.5), fit(-0.25)])
    }

    fn read(bytes: &[u8]) -> Result<Model, ModelError> {
        Model::read(bytes, Path::new("team.detectors"))
    }

    #[test]
    fn a_model_reads_back_as_written() {
        let model = small();
        let bytes = model.to_bytes();
        let back = read(&bytes).unwrap();
        assert_eq!(back, model);
        assert!(back.has(Label::Question) && back.has(Label::Option));
        assert!(!back.has(Label::Commitment));
        assert!(back.identity().starts_with("small@"));
        assert_eq!(back.to_bytes(), bytes, "the same model, the same bytes");
    }

    #[test]
    fn a_newer_or_damaged_file_is_a_named_error_not_a_panic() {
        let bytes = small().to_bytes();
        let mut newer = bytes.clone();
        newer[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let err = read(&newer).unwrap_err().to_string();
        assert!(
            err.contains("team.detectors") && err.contains("newer rapport"),
            "{err}"
        );

        let err = read(b"WEBVTT\n\nnot a model").unwrap_err().to_string();
        assert!(err.contains("not a detectors file"), "{err}");

        // Cut at every place: each gives an error, none a panic.
        for cut in 0..bytes.len() - 1 {
            assert!(read(&bytes[..cut]).is_err(), "cut at {cut} read as a model");
        }
        let mut header_broken = bytes.clone();
        header_broken[MAGIC.len() + 8] = b'!';
        let err = read(&header_broken).unwrap_err().to_string();
        assert!(err.contains("damaged") && err.contains("header"), "{err}");

        // A weight that is not a number.
        let mut nan = bytes.clone();
        let at = nan.len() - 2;
        nan[at..].copy_from_slice(&half::f16::NAN.to_le_bytes());
        assert!(read(&nan).unwrap_err().to_string().contains("not a number"));
    }

    #[test]
    fn decisions_follow_each_labels_threshold() {
        let model = small();
        let text = crate::text::tokenize("What do you think?");
        let observation = Observation {
            text: &text,
            previous: None,
            previous_cues: &[],
            own_previous: None,
            speaker_changed: true,
            turn_position: 0,
            role: crate::speakers::Role::Consultant,
            cues: &[],
        };
        let decisions = model.decide(&observation);
        let question = decisions[Label::Question as usize].unwrap();
        let features = model.features(&observation);
        let p = model.probability(Label::Question, &features).unwrap();
        assert!((question.probability - p).abs() < 1e-12);
        assert_eq!(question.holds, p >= 0.5);
        assert!(decisions[Label::Commitment as usize].is_none());
        // A role it never learned from: the rules decide.
        let client = Observation {
            role: crate::speakers::Role::Client,
            ..observation
        };
        assert!(model.decide(&client).iter().all(Option::is_none));
    }
}
