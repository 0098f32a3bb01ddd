//! `rapport.toml`: what a consultant would otherwise type on every call.
//!
//! Looked for in the working directory, then in the user's config folder
//! (`$XDG_CONFIG_HOME/rapport/rapport.toml`, else
//! `~/.config/rapport/rapport.toml`); `RAPPORT_CONFIG` names one outright.
//!
//! ```toml
//! # The consultant's names as they appear in transcripts and file names.
//! consultant = ["Ann Smith", "Ann S."]
//! # What decides what an utterance is: "default", "rules", or a file
//! # `rapport train` wrote (relative to this file's folder).
//! detectors = "team.detectors"
//! # The Whisper model and the language spoken, when the command line does
//! # not say: a model's name ("tiny.en", "base") or a ggml file; "auto"
//! # detects the language per track (base), or a code: "en", "nl".
//! model = "base"
//! language = "auto"
//! # The language of reports: "auto" (a Dutch call's in Dutch, others in
//! # English), "en" or "nl".
//! report_language = "auto"
//! # Names in transcripts that say what someone is, not who: never taken
//! # for a client's name (beside the built-in list: Patient, Client, …).
//! generic_names = ["Mentee"]
//! # How long transcripts (a client's words) stay in the cache, and how
//! # much of them: the oldest go first.
//! [cache]
//! keep_days = 30
//! max_mb = 500
//! ```

use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const FILE_NAME: &str = "rapport.toml";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The consultant's names: with no `--consultant`, the speaker or the
    /// per-person file that one of these names matches is the consultant.
    #[serde(default, deserialize_with = "one_or_many")]
    pub consultant: Vec<String>,
    /// The detectors to use when `--detectors` is not given.
    #[serde(default)]
    pub detectors: Option<String>,
    /// The Whisper model when `--model` is not given: a name (`base`) or a
    /// ggml file (relative to this file's folder).
    #[serde(default)]
    pub model: Option<String>,
    /// The language spoken when `--language` is not given: `auto`, `en`,
    /// `nl`, ….
    #[serde(default)]
    pub language: Option<String>,
    /// The reports' language when `--report-language` is not given.
    #[serde(default)]
    pub report_language: Option<String>,
    /// Names that identify no client, beside `summary::ledger::GENERIC_NAMES`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub generic_names: Vec<String>,
    #[serde(default)]
    pub cache: CacheConfig,
}

/// `[cache]`: the transcript cache's retention period and size limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    /// Days a transcript is kept (default 30).
    pub keep_days: Option<u32>,
    /// Mebibytes the cache may hold (default 500).
    pub max_mb: Option<u64>,
}

impl CacheConfig {
    pub fn retention(self) -> crate::cache::Retention {
        crate::cache::Retention::from_config(self.keep_days, self.max_mb)
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Names {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Names::deserialize(d)? {
        Names::One(name) => vec![name],
        Names::Many(names) => names,
    })
}

impl Config {
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let mut config: Self = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            reason: e.message().to_string(),
        })?;
        // A detectors file is found beside the configuration that names it.
        if let Some(spec) = &mut config.detectors
            && !matches!(spec.as_str(), "rules" | "default")
            && Path::new(spec.as_str()).is_relative()
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            *spec = dir.join(spec.as_str()).display().to_string();
        }
        if let Some(spec) = &mut config.model
            && crate::model::Whisper::from_name(spec).is_none()
            && Path::new(spec.as_str()).is_relative()
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            *spec = dir.join(spec.as_str()).display().to_string();
        }
        Ok(config)
    }

    /// The configuration in force; the default when there is no file.
    pub fn load() -> Result<Self, ConfigError> {
        let Some(path) = Self::find() else {
            return Ok(Self::default());
        };
        let text = crate::read_regular_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Self::parse(&path, &text)
    }

    fn find() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os("RAPPORT_CONFIG").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(path));
        }
        let local = PathBuf::from(FILE_NAME);
        if local.is_file() {
            return Some(local);
        }
        let config_home = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        let user = config_home.join("rapport").join(FILE_NAME);
        user.is_file().then_some(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_or_several() {
        let path = Path::new("rapport.toml");
        let one = Config::parse(path, "consultant = \"Ann Smith\"").unwrap();
        assert_eq!(one.consultant, ["Ann Smith"]);
        let many = Config::parse(path, "consultant = [\"Ann Smith\", \"Ann\"]").unwrap();
        assert_eq!(many.consultant.len(), 2);
        assert_eq!(Config::parse(path, "").unwrap(), Config::default());
        let generic = Config::parse(path, "generic_names = \"Mentee\"").unwrap();
        assert_eq!(generic.generic_names, ["Mentee"]);
    }

    #[test]
    fn a_detectors_file_is_found_beside_the_configuration() {
        let config = Config::parse(
            Path::new("/home/ann/.config/rapport/rapport.toml"),
            "detectors = \"team.detectors\"",
        )
        .unwrap();
        assert_eq!(
            config.detectors.as_deref(),
            Some("/home/ann/.config/rapport/team.detectors")
        );
        let rules = Config::parse(Path::new("/x/rapport.toml"), "detectors = \"rules\"").unwrap();
        assert_eq!(rules.detectors.as_deref(), Some("rules"));
    }

    #[test]
    fn the_cache_keeps_what_the_configuration_says() {
        let path = Path::new("rapport.toml");
        let config = Config::parse(path, "[cache]\nkeep_days = 7\nmax_mb = 10").unwrap();
        let retention = config.cache.retention();
        assert_eq!(retention.keep.as_secs(), 7 * 24 * 3600);
        assert_eq!(retention.max_bytes, 10 << 20);
        assert_eq!(
            Config::default().cache.retention(),
            crate::cache::Retention::default()
        );
        let err = Config::parse(path, "[cache]\nkeep = 7")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `keep`"), "{err}");
        let err = Config::parse(path, "[cache]\nkeep_days = -1")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("rapport.toml:"), "{err}");
    }

    #[test]
    fn typos_are_errors_naming_the_file() {
        let err = Config::parse(Path::new("rapport.toml"), "consultants = [\"Ann\"]").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("rapport.toml: unknown field"), "{text}");
    }
}
