//! `rapport eval`: the detectors against labelled utterances and coaches.

use super::{FormatArg, annotated, emit};
use anyhow::Result;
use rapport::annotations;
use rapport::config::Config;
use rapport::detectors::Detectors;
use rapport::eval::{self, Report};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(required = true, value_name = "DATASET|ANNOTATED|DIR")]
    inputs: Vec<PathBuf>,
    /// The detectors to measure: `default`, `rules` or a file `rapport
    /// train` wrote. Given twice or more, the sets are put side by side
    /// [default: `detectors` in rapport.toml, else `default`].
    #[arg(long, value_name = "rules|default|FILE")]
    detectors: Vec<String>,
    /// Also list the utterances where the detectors disagree with the
    /// labels on LABEL (repeatable): what was missed, what was a false alarm.
    #[arg(long, value_name = "LABEL", value_parser = clap::builder::PossibleValuesParser::new(rapport::eval::LABELS))]
    show_errors: Vec<String>,
    /// Output format. JSON is one report, or with several `--detectors`
    /// `{"detectors": [report, …]}` in their order.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct Comparison<'a> {
    detectors: &'a [Report],
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    let specs = if args.detectors.is_empty() {
        vec![
            Config::load()?
                .detectors
                .unwrap_or_else(|| "default".into()),
        ]
    } else {
        args.detectors.clone()
    };
    // Every set is read before any is measured: a bad file fails at once.
    let sets = specs
        .iter()
        .map(|spec| Detectors::from_spec(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let mut dataset = Vec::new();
    let mut annotated_files = Vec::new();
    for path in &args.inputs {
        if path.is_dir() || path.to_string_lossy().ends_with(annotations::SUFFIX) {
            annotated_files.extend(annotated(std::slice::from_ref(path))?);
        } else {
            dataset.extend(rapport::labelled::load(path)?);
        }
    }
    let reports: Vec<Report> = sets
        .iter()
        .map(|detectors| {
            eval::evaluate_with_coaches(&dataset, &annotated_files, detectors, &args.show_errors)
        })
        .collect();
    emit(args.output.as_deref(), |out| {
        match (args.format, reports.as_slice()) {
            (FormatArg::Text, [one]) => out.write_all(one.to_text().as_bytes()),
            (FormatArg::Text, many) => out.write_all(eval::comparison_text(many).as_bytes()),
            (FormatArg::Json, [one]) => {
                serde_json::to_writer_pretty(&mut *out, one)?;
                writeln!(out)
            }
            (FormatArg::Json, many) => {
                serde_json::to_writer_pretty(&mut *out, &Comparison { detectors: many })?;
                writeln!(out)
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
