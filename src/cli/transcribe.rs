//! `rapport transcribe`: who said what, when.

use super::{FormatArg, ReportArgs, TranscriptionArgs, emit, transcript};
use anyhow::Result;
use rapport::report;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    transcription: TranscriptionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The language of the text's headings and notes.
    #[command(flatten)]
    report: ReportArgs,
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    let config = rapport::config::Config::load()?;
    let words = args.report.resolve(&config)?;
    let call = transcript(&args.transcription, &config)?;
    let words = words.for_call(call.language.as_deref());
    emit(args.output.as_deref(), |out| {
        report::write_call(&call, args.format.into(), words, out)
    })?;
    Ok(ExitCode::SUCCESS)
}
