//! `rapport eval`: the detectors against labelled utterances and coaches.

use super::{FormatArg, annotated, emit};
use anyhow::Result;
use rapport::annotations::{self, agreement};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(required = true, value_name = "DATASET|ANNOTATED|DIR")]
    inputs: Vec<PathBuf>,
    /// Also list the utterances where the detectors disagree with the
    /// labels on LABEL (repeatable): what was missed, what was a false alarm.
    #[arg(long, value_name = "LABEL", value_parser = clap::builder::PossibleValuesParser::new(rapport::eval::LABELS))]
    show_errors: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    let mut dataset = Vec::new();
    let mut annotated_files = Vec::new();
    for path in &args.inputs {
        if path.is_dir() || path.to_string_lossy().ends_with(annotations::SUFFIX) {
            annotated_files.extend(annotated(std::slice::from_ref(path))?);
        } else {
            dataset.extend(rapport::eval::load(path)?);
        }
    }
    let report = agreement::evaluate(&dataset, &annotated_files, &args.show_errors);
    emit(args.output.as_deref(), |out| match args.format {
        FormatArg::Text => out.write_all(report.to_text().as_bytes()),
        FormatArg::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
