//! The score: a rubric turns signal measurements into four dimensions and
//! one 0–100 "client in control" number, each with its reasons in words.
//!
//! The rubric is data (TOML), not code, so that a coach can write another
//! without touching the detectors: the default (`src/rubric.toml`) is built
//! in, `--rubric FILE` replaces it. Scoring is written by hand because it is
//! the product's judgement: each check is a straight line between a `good`
//! and a `poor` anchor, a dimension is the weighted mean of its checks, the
//! overall score the weighted mean of the dimensions. A check the call
//! cannot measure (no client heard, roles unknown) is left out of the means
//! and says why, so a broken recording is never scored as a bad consultant.

use crate::l10n::Lang;
use crate::signals::{self, SignalOutput};
use crate::t;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The rubric built into the binary.
pub const DEFAULT_RUBRIC: &str = include_str!("rubric.toml");

#[derive(Debug, Error)]
pub enum RubricError {
    #[error("{}: cannot read the rubric: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a valid rubric: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("{}: {problem}", path.display())]
    Invalid { path: PathBuf, problem: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub name: String,
    /// The name in Dutch reports; `name` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_nl: Option<String>,
    /// Settings of the signals themselves.
    #[serde(default)]
    pub signals: signals::Settings,
    pub dimensions: Vec<Dimension>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub name: String,
    /// The name in Dutch reports; the English `name` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_nl: Option<String>,
    /// The client's fear this dimension answers (seed 003), after "the
    /// client".
    #[serde(default)]
    pub fear: String,
    /// The fear in Dutch reports, after "de cliënt".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fear_nl: Option<String>,
    #[serde(default = "one")]
    pub weight: f64,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub signal: String,
    pub measure: String,
    #[serde(default)]
    pub unit: Unit,
    pub good: f64,
    pub poor: f64,
    #[serde(default = "one")]
    pub weight: f64,
    /// The sentence the report prints, with `{value}`, `{good}`, `{poor}`.
    pub reason: String,
    /// The sentence in Dutch reports; the English `reason` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_nl: Option<String>,
}

/// `dutch` in Dutch reports when the rubric has it, else `english`.
fn in_words<'a>(words: Lang, english: &'a str, dutch: Option<&'a str>) -> &'a str {
    match (words, dutch) {
        (Lang::Nl, Some(dutch)) => dutch,
        _ => english,
    }
}

fn one() -> f64 {
    1.0
}

/// How a measure is written in a reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    #[default]
    Count,
    Share,
    Seconds,
    PerHour,
    Ratio,
}

impl Unit {
    fn format(self, value: f64, words: Lang) -> String {
        match self {
            Self::Count => words.decimal(value, 0),
            Self::Share | Self::Ratio => format!("{} %", words.decimal(value * 100.0, 0)),
            Self::Seconds if value >= 60.0 => {
                format!(
                    "{}:{:02}",
                    (value / 60.0).floor(),
                    (value % 60.0).round() as u32
                )
            }
            Self::Seconds => format!("{} s", words.decimal(value, 0)),
            Self::PerHour => words.decimal(value, 1),
        }
    }
}

impl Rubric {
    /// The built-in rubric.
    ///
    /// # Panics
    ///
    /// Never: a test checks that the built-in rubric parses.
    pub fn default_rubric() -> Self {
        Self::parse(DEFAULT_RUBRIC, Path::new("built-in rubric"))
            .expect("the built-in rubric is valid (tested)")
    }

    pub fn load(path: &Path) -> Result<Self, RubricError> {
        let text = crate::read_regular_to_string(path).map_err(|source| RubricError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks a rubric; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, RubricError> {
        let rubric: Self = toml::from_str(text).map_err(|source| RubricError::Parse {
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
        let invalid = |problem: String| RubricError::Invalid {
            path: path.to_path_buf(),
            problem,
        };
        if rubric.dimensions.is_empty() {
            return Err(invalid("it has no [[dimensions]]".into()));
        }
        for d in &rubric.dimensions {
            if !(d.weight.is_finite() && d.weight > 0.0) {
                return Err(invalid(format!(
                    "dimension {}: weight must be above 0",
                    d.id
                )));
            }
            for c in &d.checks {
                if signals::find(&c.signal).is_none() {
                    let known: Vec<&str> = signals::SIGNALS.iter().map(|s| s.meta().id).collect();
                    return Err(invalid(format!(
                        "dimension {}: no signal {:?} (signals: {})",
                        d.id,
                        c.signal,
                        known.join(", ")
                    )));
                }
                if !(c.good.is_finite() && c.poor.is_finite())
                    || (c.good - c.poor).abs() < f64::EPSILON
                {
                    return Err(invalid(format!(
                        "dimension {}, check {}.{}: good and poor must be different numbers",
                        d.id, c.signal, c.measure
                    )));
                }
                if !(c.weight.is_finite() && c.weight > 0.0) {
                    return Err(invalid(format!(
                        "dimension {}, check {}.{}: weight must be above 0",
                        d.id, c.signal, c.measure
                    )));
                }
            }
        }
        Ok(rubric)
    }
}

/// The score of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// 0–100, or `null` when no dimension could be measured.
    pub overall: Option<f64>,
    pub rubric: String,
    /// By dimension id.
    pub dimensions: BTreeMap<String, DimensionScore>,
    /// Dimension ids in the rubric's order, for reading.
    pub order: Vec<String>,
    /// Why the call was not scored although its signals were measured
    /// (the recording holds one side only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
}

impl Scorecard {
    /// The card with no score anywhere, each check saying `reason` (in
    /// `words`); the measured values stay for the reader.
    #[must_use]
    pub fn withhold(mut self, reason: &str, words: Lang) -> Self {
        self.overall = None;
        for dimension in self.dimensions.values_mut() {
            dimension.score = None;
            for check in &mut dimension.checks {
                check.score = None;
                check.reason = t!(words, "reason-not-scored", reason = reason);
            }
        }
        self.withheld = Some(reason.to_string());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub name: String,
    pub fear: String,
    /// 0–100, or `null` when none of its checks could be measured.
    pub score: Option<f64>,
    pub checks: Vec<CheckScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckScore {
    pub signal: String,
    pub measure: String,
    pub value: Option<f64>,
    pub score: Option<f64>,
    /// The reason in words.
    pub reason: String,
}

/// 100 at `good` or better, 0 at `poor` or worse, linear between.
fn check_score(check: &Check, value: f64) -> f64 {
    let t = (value - check.poor) / (check.good - check.poor);
    (t.clamp(0.0, 1.0) * 100.0).round()
}

fn weighted_mean(parts: impl Iterator<Item = (Option<f64>, f64)>) -> Option<f64> {
    let (sum, weights) = parts
        .filter_map(|(score, weight)| score.map(|s| (s * weight, weight)))
        .fold((0.0, 0.0), |(s, w), (ds, dw)| (s + ds, w + dw));
    (weights > 0.0).then(|| (sum / weights).round())
}

/// Scores the signals' outputs against the rubric, with the reasons in
/// `words`.
pub fn score(outputs: &[SignalOutput], rubric: &Rubric, words: Lang) -> Scorecard {
    let mut dimensions = BTreeMap::new();
    for d in &rubric.dimensions {
        let checks: Vec<CheckScore> = d
            .checks
            .iter()
            .map(|c| {
                let output = outputs.iter().find(|o| o.id == c.signal);
                let value = output.and_then(|o| o.measures.get(&c.measure).copied());
                let reason = match (value, output) {
                    (Some(v), _) => in_words(words, &c.reason, c.reason_nl.as_deref())
                        .replace("{value}", &c.unit.format(v, words))
                        .replace("{good}", &c.unit.format(c.good, words))
                        .replace("{poor}", &c.unit.format(c.poor, words)),
                    (None, Some(output)) => {
                        t!(words, "reason-not-measured", why = output.summary.as_str())
                    }
                    (None, None) => t!(words, "reason-signal-did-not-run"),
                };
                CheckScore {
                    signal: c.signal.clone(),
                    measure: c.measure.clone(),
                    value,
                    score: value.map(|v| check_score(c, v)),
                    reason,
                }
            })
            .collect();
        let score = weighted_mean(
            checks
                .iter()
                .zip(&d.checks)
                .map(|(s, c)| (s.score, c.weight)),
        );
        dimensions.insert(
            d.id.clone(),
            DimensionScore {
                name: in_words(words, &d.name, d.name_nl.as_deref()).to_string(),
                fear: in_words(words, &d.fear, d.fear_nl.as_deref()).to_string(),
                score,
                checks,
            },
        );
    }
    let overall = weighted_mean(
        rubric
            .dimensions
            .iter()
            .map(|d| (dimensions[&d.id].score, d.weight)),
    );
    Scorecard {
        overall,
        rubric: in_words(words, &rubric.name, rubric.name_nl.as_deref()).to_string(),
        dimensions,
        order: rubric.dimensions.iter().map(|d| d.id.clone()).collect(),
        withheld: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Detectors;
    use crate::signals::{Settings, run, testing};

    #[test]
    fn the_built_in_rubric_is_valid_and_reads_real_measures() {
        let rubric = Rubric::default_rubric();
        let outputs = run(
            &testing::sample_call(),
            &Settings::default(),
            &Detectors::Rules,
            Lang::En,
        );
        for d in &rubric.dimensions {
            for c in &d.checks {
                let output = outputs.iter().find(|o| o.id == c.signal).unwrap();
                assert!(
                    output.measures.contains_key(&c.measure),
                    "{}.{} is not a measure of the sample call ({:?})",
                    c.signal,
                    c.measure,
                    output.measures.keys().collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn a_call_without_roles_is_not_scored_as_the_consultants() {
        use crate::speakers::Role;
        // One mixed track: everybody's questions, promises and confidences
        // are in it, and none of them can be put down to the consultant.
        let call = testing::call(&[
            (
                Role::Other,
                0.0,
                "What worries you most? Does that make sense?",
            ),
            (
                Role::Other,
                4.0,
                "Between us, Northwind is in trouble. I'll send it by Friday.",
            ),
        ]);
        let card = score(
            &run(&call, &Settings::default(), &Detectors::Rules, Lang::En),
            &Rubric::default_rubric(),
            Lang::En,
        );
        assert_eq!(card.overall, None, "{card:#?}");
        for d in card.dimensions.values() {
            assert_eq!(d.score, None, "{}", d.name);
        }
    }

    #[test]
    fn checks_are_straight_lines_between_anchors() {
        let check = |good, poor| Check {
            signal: "talk-share".into(),
            measure: "consultant_share".into(),
            unit: Unit::Share,
            good,
            poor,
            weight: 1.0,
            reason: String::new(),
            reason_nl: None,
        };
        let lower_is_better = check(0.45, 0.65);
        assert!((check_score(&lower_is_better, 0.40) - 100.0).abs() < 1e-9);
        assert!((check_score(&lower_is_better, 0.55) - 50.0).abs() < 1e-9);
        assert!(check_score(&lower_is_better, 0.90).abs() < 1e-9);
        let higher_is_better = check(11.0, 3.0);
        assert!((check_score(&higher_is_better, 7.0) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn reasons_are_in_words_and_unmeasured_checks_say_why() {
        let rubric = Rubric::default_rubric();
        let call = testing::call(&[(
            crate::speakers::Role::Consultant,
            0.0,
            "Hello, anyone there?",
        )]);
        let card = score(
            &run(&call, &Settings::default(), &Detectors::Rules, Lang::En),
            &rubric,
            Lang::En,
        );
        let talk = &card.dimensions["control"].checks[0];
        assert_eq!(talk.value, None);
        assert!(
            talk.reason.contains("client was never heard"),
            "{}",
            talk.reason
        );

        let card = score(
            &run(
                &testing::sample_call(),
                &Settings::default(),
                &Detectors::Rules,
                Lang::En,
            ),
            &rubric,
            Lang::En,
        );
        let talk = &card.dimensions["control"].checks[0];
        assert!(
            talk.reason.starts_with("the consultant spoke "),
            "{}",
            talk.reason
        );
        assert!(
            talk.reason.contains("target at most 45 %"),
            "{}",
            talk.reason
        );
        let overall = card.overall.unwrap();
        assert!((0.0..=100.0).contains(&overall));
    }

    #[test]
    fn bad_rubrics_are_refused_with_the_problem() {
        let path = Path::new("mine.toml");
        let err = Rubric::parse("name = \"x\"\ndimensions = []\n", path).unwrap_err();
        assert_eq!(err.to_string(), "mine.toml: it has no [[dimensions]]");
        let text = DEFAULT_RUBRIC.replacen("signal = \"talk-share\"", "signal = \"talk-time\"", 1);
        let err = Rubric::parse(&text, path).unwrap_err().to_string();
        assert!(err.contains("no signal \"talk-time\""), "{err}");
        let err = Rubric::parse("name = 3", path).unwrap_err().to_string();
        assert!(err.starts_with("mine.toml: not a valid rubric"), "{err}");
        let text = format!("{DEFAULT_RUBRIC}\n[signals.monologue]\nmerge-gap = 2\n");
        let err = Rubric::parse(&text, path).unwrap_err().to_string();
        assert!(err.contains("unknown field"), "{err}");
    }
}
