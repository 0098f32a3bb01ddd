//! `rapport merge`: the summary of batch shards run on several machines.

use super::batch::write_summary;
use anyhow::Result;
use rapport::batch::Outdir;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folders of `rapport batch` runs (shards).
    #[arg(required = true, value_name = "SHARD_OUTDIR")]
    inputs: Vec<PathBuf>,
    /// Where the merged results and the summary go.
    #[arg(short, long, value_name = "OUTDIR", default_value = "rapport-results")]
    output: PathBuf,
    /// The day promises are judged overdue against [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<jiff::civil::Date>,
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    let outdir = Outdir::open(&args.output)?;
    let ids = outdir.merge_from(&args.inputs)?;
    let config = rapport::config::Config::load()?;
    let week = write_summary(&outdir, &ids, args.as_of, &config.generic_names)?;
    Ok(if week.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
