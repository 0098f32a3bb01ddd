//! `rapport signals [ID]`: the signals and their documentation.

use anyhow::Result;
use rapport::signals;
use std::io::{self, Write};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A signal id, e.g. `questions`.
    #[arg(value_name = "ID")]
    id: Option<String>,
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    match args.id.as_deref() {
        None => {
            for signal in signals::SIGNALS {
                let meta = signal.meta();
                writeln!(stdout, "{:<20} {}", meta.id, meta.summary())?;
            }
            writeln!(
                stdout,
                "\nrapport signals ID prints one signal's documentation."
            )?;
        }
        Some(id) => {
            let Some(signal) = signals::find(id) else {
                let known: Vec<&str> = signals::SIGNALS.iter().map(|s| s.meta().id).collect();
                anyhow::bail!("no signal {id:?}; the signals are: {}", known.join(", "));
            };
            writeln!(stdout, "# {}\n", signal.meta().id)?;
            write!(stdout, "{}", signal.meta().doc())?;
        }
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
