//! `rapport cache`: what the transcript cache keeps of clients' words, and
//! removing it.

use anyhow::{Context, Result};
use clap::Subcommand;
use rapport::cache::{Cache, Pruned};
use rapport::config::Config;
use rapport::report::terminal_safe;
use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the kept transcripts: when each was written, its size and the
    /// recordings it is of, oldest first, with the retention in force
    /// (applied first: what is past it is removed).
    List,
    /// Remove kept transcripts: all of them, or those older than a
    /// duration (`--older-than 7d`, `12h`, `2weeks`).
    Clear {
        #[arg(long, value_name = "DURATION")]
        older_than: Option<humantime::Duration>,
    },
}

fn cache() -> Result<Cache> {
    let config = Config::load()?;
    let dir = Cache::default_dir()
        .context("no cache folder: set RAPPORT_CACHE, XDG_CACHE_HOME or HOME to say where it is")?;
    Ok(Cache::new(dir).with_retention(config.cache.retention()))
}

pub fn exec(command: &Command) -> Result<ExitCode> {
    let cache = cache()?;
    let now = SystemTime::now();
    match command {
        Command::List => list(&cache, now)?,
        Command::Clear { older_than } => {
            let Pruned {
                entries,
                bytes,
                temporaries,
            } = cache.clear(older_than.map(Into::into), now)?;
            eprintln!(
                "removed {entries} transcript{} ({}) from {}{}",
                if entries == 1 { "" } else { "s" },
                size(bytes),
                cache.dir().display(),
                if temporaries > 0 {
                    format!(", and {temporaries} temporary file(s) of killed runs")
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

fn list(cache: &Cache, now: SystemTime) -> Result<()> {
    let pruned = cache.prune(now)?;
    if pruned.entries + pruned.temporaries > 0 {
        eprintln!(
            "removed {} transcript(s) past the retention period or the size limit and {} temporary file(s) of killed runs",
            pruned.entries, pruned.temporaries
        );
    }
    let entries = cache.entries()?;
    let retention = cache.retention();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} transcript{}, {} (kept {} days, at most {}; set [cache] keep_days and max_mb in rapport.toml)",
        cache.dir().display(),
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        size(entries.iter().map(|e| e.bytes).sum()),
        retention.keep.as_secs() / 86_400,
        size(retention.max_bytes),
    )?;
    for entry in &entries {
        let age = now.duration_since(entry.written).unwrap_or_default();
        let inputs = std::fs::read(&entry.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|call| {
                let inputs = call.pointer("/recording/inputs")?.as_array()?.clone();
                Some(
                    inputs
                        .iter()
                        .filter_map(|i| i.as_str().map(terminal_safe))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
            .unwrap_or_else(|| "(unreadable: it will not be served)".into());
        writeln!(
            out,
            "  {:>4} days  {:>9}  {inputs}",
            age.as_secs() / 86_400,
            size(entry.bytes),
        )?;
    }
    Ok(())
}
