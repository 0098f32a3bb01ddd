//! `rapport transcribe`: who said what, when.

use super::{FormatArg, TranscriptionArgs, emit, transcript};
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
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    let call = transcript(&args.transcription)?;
    emit(args.output.as_deref(), |out| {
        report::write_call(&call, args.format.into(), out)
    })?;
    Ok(ExitCode::SUCCESS)
}
