//! `rapport export`: coaches' labelled moments as a training set.

use super::{annotated, emit};
use anyhow::{Context, Result};
use clap::ValueEnum;
use rapport::annotations;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Annotations files (CALL.annotations.jsonl) or folders holding them.
    #[arg(required = true, value_name = "ANNOTATED")]
    inputs: Vec<PathBuf>,
    /// Output format: one JSON object per line, or CSV.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    format: ExportFormat,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also cut each moment's audio (half a second either side) into a WAV
    /// file in DIR, for an example library.
    #[arg(long, value_name = "DIR")]
    clips: Option<PathBuf>,
    /// Replace the participants' names, e-mail addresses and anything with
    /// a digit in it (phone numbers, amounts) in the exported text.
    #[arg(long)]
    redact: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Jsonl,
    Csv,
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    let files = annotated(&args.inputs)?;
    let mut moments = annotations::export::moments(&files);
    if let Some(dir) = &args.clips {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let written = annotations::export::write_clips(&files, &mut moments, dir)?;
        eprintln!("wrote {written} clip(s) to {}", dir.display());
    }
    if args.redact {
        let redactor = annotations::export::Redactor::for_files(&files);
        for moment in &mut moments {
            redactor.moment(moment);
        }
    }
    emit(args.output.as_deref(), |out| match args.format {
        ExportFormat::Jsonl => annotations::export::write_jsonl(&moments, out),
        ExportFormat::Csv => annotations::export::write_csv(&moments, out),
    })?;
    if moments.is_empty() {
        eprintln!("no labelled moments in {} file(s)", files.len());
    }
    Ok(ExitCode::SUCCESS)
}
