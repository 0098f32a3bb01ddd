//! `rapport train`: detectors taught by a team's own labels.

use super::{FormatArg, emit};
use anyhow::{Context, Result};
use clap::ValueEnum;
use rapport::detectors::features::{FeatureSettings, Group};
use rapport::detectors::{Detectors, Model};
use rapport::train::{self, Settings};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Labelled utterances (JSON Lines, the `eval` format), annotations
    /// files `rapport review` wrote, or folders of them.
    #[arg(required = true, value_name = "DATA")]
    inputs: Vec<PathBuf>,
    /// Where to write the detectors (use them with `--detectors FILE`).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Start from the detectors rapport ships (their weights are the prior,
    /// and their labels stand where DATA has no positives), or from nothing.
    #[arg(long, value_enum, default_value_t = BaseArg::Default)]
    base: BaseArg,
    /// Leave out the examples rapport's authors wrote (which otherwise join
    /// DATA; `--weight written=W` weighs them).
    #[arg(long)]
    no_written: bool,
    /// How much a file's examples count, by its path or name, for every
    /// label or one (`--weight primock.jsonl=3`, `--weight
    /// mrda.jsonl:option=0`; repeatable; 0 leaves them out) [default: 1].
    #[arg(long = "weight", value_name = "FILE[:LABEL]=WEIGHT")]
    weights: Vec<String>,
    /// The model's name, shown wherever it is used [default: the file's stem].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The precision each label's threshold aims for, cross-validated.
    #[arg(long, value_name = "P", default_value_t = train::MIN_PRECISION)]
    min_precision: f64,
    /// The L2 penalty's strength (against the mean loss).
    #[arg(long, value_name = "X", default_value_t = Settings::default().l2)]
    l2: f64,
    /// Cross-validation folds, by conversation.
    #[arg(long, value_name = "K", default_value_t = 4, value_parser = clap::value_parser!(u16).range(2..=50))]
    folds: u16,
    /// The share of examples learned again without punctuation and capitals.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    augment: f64,
    /// Feature groups to use (comma-separated), to measure what each gives:
    /// words, starts, chars, previous, own-previous, shape, cues, roles
    /// [default: all].
    #[arg(long, value_parser = feature_group, value_delimiter = ',', value_name = "GROUPS")]
    features: Vec<Group>,
    /// Features are hashed into 2^BITS columns.
    #[arg(long, value_name = "BITS", default_value_t = 18, value_parser = clap::value_parser!(u8).range(10..=22))]
    bits: u8,
    /// How the report is printed.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BaseArg {
    Default,
    None,
}

/// A feature group by the name the model file gives it.
fn feature_group(name: &str) -> Result<Group, String> {
    let named = |g: &Group| serde_json::to_value(g).ok()?.as_str().map(str::to_owned);
    Group::ALL
        .iter()
        .find(|g| named(g).as_deref() == Some(name))
        .copied()
        .ok_or_else(|| {
            let known: Vec<String> = Group::ALL.iter().filter_map(named).collect();
            format!("no feature group {name:?} (one of: {})", known.join(", "))
        })
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.min_precision) || !(0.0..=1.0).contains(&args.augment) {
        anyhow::bail!("--min-precision and --augment are shares from 0 to 1");
    }
    if !(args.l2.is_finite() && args.l2 >= 0.0) {
        anyhow::bail!("--l2 must be a number of 0 or more");
    }
    let weights = args
        .weights
        .iter()
        .map(|spec| spec.parse::<train::Weighting>())
        .collect::<Result<Vec<_>, _>>()?;
    let base = match args.base {
        BaseArg::Default => match Detectors::default() {
            Detectors::Learned(model) => Some(model),
            Detectors::Rules => None,
        },
        BaseArg::None => None,
    };
    let name = args.name.clone().unwrap_or_else(|| {
        args.output
            .file_stem()
            .map_or_else(|| "detectors".into(), |s| s.to_string_lossy().into_owned())
    });
    let settings = Settings {
        name,
        features: FeatureSettings {
            bits: args.bits,
            groups: if args.features.is_empty() {
                Group::ALL.to_vec()
            } else {
                args.features.clone()
            },
        },
        l2: args.l2,
        folds: usize::from(args.folds),
        min_precision: args.min_precision,
        augment: args.augment,
        weights,
        base,
        written: !args.no_written,
    };
    let sources = train::read(&args.inputs)?;
    let (model, report) = train::train(&sources, &settings)?;
    write_model(&model, &args.output)?;
    emit(None, |out| match args.format {
        FormatArg::Text => {
            out.write_all(report.to_text().as_bytes())?;
            writeln!(
                out,
                "wrote {} ({})",
                args.output.display(),
                model.identity()
            )
        }
        FormatArg::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

fn write_model(model: &Model, path: &std::path::Path) -> Result<()> {
    let bytes = model.to_bytes();
    rapport::write_atomically(path, |out| out.write_all(&bytes))
        .with_context(|| format!("cannot write {}", path.display()))
}
