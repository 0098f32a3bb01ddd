//! Detectors: what decides whether an utterance is a question, an option, a
//! promise, a hand-back, a check of understanding or another party's
//! confidence.
//!
//! Two deciders, one interface. The cue rules in `signals/` read how a
//! sentence is built; they are readable, and they stay selectable
//! (`--detectors rules`) so that they can be measured. A learned [`Model`]
//! — one logistic regression per label over the [`features`] of an
//! utterance and its context, the rules' verdicts among them — decides
//! by default: the rules know the shapes of a question or a promise, and
//! the model learns from labelled calls which of those shapes count, and
//! what the rules miss. The rules still pull out the details (a promise's
//! what and when, the kind of option) and point at the words.
//!
//! A detector sees an [`Observation`]: one utterance, the one before it,
//! the speaker's own previous one, where it stands in the speaker's turn,
//! the speaker's role, and what the rules said. The signals build it from a
//! call; training builds it the same way from labelled utterances, so what
//! is learned is what runs. This module knows nothing of signals: the rules'
//! verdicts arrive as words ([`Observation::cues`]).
//!
//! The learning ([`learn`]) is written here rather than taken from a crate:
//! the features are sparse (a few hundred of 2^18 hashed columns per
//! utterance) and the file must come out byte for byte the same from the
//! same data; the dense-matrix crates fit neither, and the whole optimiser
//! is one short L-BFGS.

pub mod features;
pub mod learn;
pub mod model;

pub use model::{Model, ModelError};

use crate::speakers::Role;
use crate::text::Tokenized;
use std::path::Path;
use std::sync::{Arc, LazyLock};

/// The labels a model can decide, in the order model files list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    Question,
    Open,
    Closed,
    Option,
    Commitment,
    Handback,
    CheckUnderstanding,
    OutOfSchool,
}

impl Label {
    pub const ALL: [Self; 8] = [
        Self::Question,
        Self::Open,
        Self::Closed,
        Self::Option,
        Self::Commitment,
        Self::Handback,
        Self::CheckUnderstanding,
        Self::OutOfSchool,
    ];

    /// The label's name in datasets and annotations.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::Open => "question.open",
            Self::Closed => "question.closed",
            Self::Option => "option",
            Self::Commitment => "commitment",
            Self::Handback => "decision-handback",
            Self::CheckUnderstanding => "check-understanding",
            Self::OutOfSchool => "out-of-school",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

/// One utterance as a detector sees it.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub text: &'a Tokenized,
    /// The utterance before it, whoever said it.
    pub previous: Option<&'a Tokenized>,
    /// What the rules said about that one.
    pub previous_cues: &'a [&'static str],
    /// The speaker's own last utterance before this one (among the few
    /// before it).
    pub own_previous: Option<&'a Tokenized>,
    /// Whether someone else spoke just before.
    pub speaker_changed: bool,
    /// How many utterances of the same speaker come right before it.
    pub turn_position: usize,
    pub role: Role,
    /// The rules' verdicts on the utterance, as `signal:kind` words.
    pub cues: &'a [&'static str],
}

/// What a model says about one label of one utterance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The model's probability that the label holds.
    pub probability: f64,
    /// Whether it is at or above the label's threshold.
    pub holds: bool,
}

/// What decides: the cue rules alone, or a learned model over them.
#[derive(Debug, Clone)]
pub enum Detectors {
    Rules,
    Learned(Arc<Model>),
}

/// The model this build ships (`models/detectors/default.detectors`).
static SHIPPED_BYTES: &[u8] = include_bytes!("../../models/detectors/default.detectors");

static SHIPPED: LazyLock<Arc<Model>> = LazyLock::new(|| {
    Arc::new(
        Model::read(SHIPPED_BYTES, Path::new("built-in detectors"))
            .expect("the shipped detectors read back (tested)"),
    )
});

impl Default for Detectors {
    fn default() -> Self {
        Self::Learned(Arc::clone(&SHIPPED))
    }
}

impl Detectors {
    /// `rules`, `default`, or a model file `rapport train` wrote.
    pub fn from_spec(spec: &str) -> Result<Self, ModelError> {
        match spec {
            "rules" => Ok(Self::Rules),
            "default" => Ok(Self::default()),
            path => Model::load(Path::new(path)).map(|m| Self::Learned(Arc::new(m))),
        }
    }

    /// The model's decision on `label`, when a model decides it.
    pub fn model(&self) -> Option<&Model> {
        match self {
            Self::Rules => None,
            Self::Learned(model) => Some(model),
        }
    }

    /// What identifies these detectors in reports and result keys: `rules`,
    /// or the model's name and the hash of its bytes.
    pub fn identity(&self) -> String {
        match self {
            Self::Rules => "rules".into(),
            Self::Learned(model) => model.identity(),
        }
    }
}
