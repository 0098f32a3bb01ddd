//! `rapport analyze`: one call's score, its reasons and the evidence.

use super::{DetectorsArgs, ReportArgs, TranscriptionArgs, emit, rubric, transcript};
use anyhow::Result;
use clap::ValueEnum;
use rapport::report::{self, AnalysisFormat};
use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    transcription: TranscriptionArgs,
    /// Output format: a scorecard (coloured on a terminal unless `NO_COLOR`
    /// is set), JSON, or a self-contained HTML page.
    #[arg(long, value_enum, default_value_t = AnalyzeFormatArg::Text)]
    format: AnalyzeFormatArg,
    /// Write to FILE (owner-only, atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A rubric (TOML) to score with instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    #[command(flatten)]
    detectors: DetectorsArgs,
    #[command(flatten)]
    report: ReportArgs,
    /// Exit with status 1 when the overall score is below N (0–100), or
    /// cannot be measured.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    fail_under: Option<u8>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AnalyzeFormatArg {
    Text,
    Json,
    Html,
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    // Read the rubric first: a typo in it should not cost a transcription.
    let rubric = rubric(args.rubric.as_deref())?;
    let detectors = args.detectors.load()?;
    let config = rapport::config::Config::load()?;
    let report_language = args.report.resolve(&config)?;
    let call = transcript(&args.transcription, &config)?;
    let analysis = rapport::analyze(call, &rubric, &detectors, report_language);
    let format = match args.format {
        AnalyzeFormatArg::Text => AnalysisFormat::Text {
            color: args.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        },
        AnalyzeFormatArg::Json => AnalysisFormat::Json,
        AnalyzeFormatArg::Html => AnalysisFormat::Html,
    };
    emit(args.output.as_deref(), |out| {
        report::write_analysis(&analysis, format, out)
    })?;
    if let Some(threshold) = args.fail_under {
        match analysis.score.overall {
            Some(score) if score >= f64::from(threshold) => {}
            Some(score) => {
                eprintln!("score {score:.0} is under --fail-under {threshold}");
                return Ok(ExitCode::from(1));
            }
            None => {
                eprintln!(
                    "the call could not be scored (see the notes); --fail-under {threshold} fails"
                );
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
