//! `rapport completions` and `rapport man`: shell completions and manual
//! pages, generated from the same clap definitions as the command line
//! itself, so they never fall behind it.

use super::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn completions(args: &CompletionsArgs) -> Result<ExitCode> {
    let mut command = Cli::command();
    super::emit(None, |out| {
        clap_complete::generate(args.shell, &mut command, "rapport", out);
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `rapport.1` and a page per subcommand (`rapport-batch.1`…)
    /// into this folder, made if needed, instead of printing `rapport.1`.
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
}

pub fn man(args: &ManArgs) -> Result<ExitCode> {
    let command = Cli::command();
    match &args.output {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot make the folder", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("{}: cannot write the manual pages", dir.display()))?;
            eprintln!(
                "wrote the manual pages to {}; `man rapport` finds them when the folder is in MANPATH (~/.local/share/man/man1 is by default)",
                dir.display()
            );
        }
        None => super::emit(None, |out| clap_mangen::Man::new(command).render(out))?,
    }
    Ok(ExitCode::SUCCESS)
}
