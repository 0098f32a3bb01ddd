//! `rapport review`: a local page to listen to a call and label its moments.

use super::{DetectorsArgs, TranscriptionArgs, rubric, transcript};
use anyhow::{Context, Result};
use rapport::annotations::{self, Sidecar};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    transcription: TranscriptionArgs,
    /// Port to listen on, on 127.0.0.1 only [default: any free port].
    #[arg(long, value_name = "P", default_value_t = 0, hide_default_value = true)]
    port: u16,
    /// Who is labelling [default: `$RAPPORT_COACH`, else the login name].
    #[arg(long, value_name = "NAME", env = "RAPPORT_COACH")]
    coach: Option<String>,
    /// The annotations file [default: CALL.annotations.jsonl beside the call].
    #[arg(long, value_name = "FILE")]
    annotations: Option<PathBuf>,
    /// A rubric (TOML) for the score shown.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    #[command(flatten)]
    detectors: DetectorsArgs,
}

pub fn exec(args: &Args) -> Result<ExitCode> {
    let rubric = rubric(args.rubric.as_deref())?;
    let detectors = args.detectors.load()?;
    let coach = args
        .coach
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "coach".into());
    // Take the port first: one in use should not cost a transcription.
    let server = rapport::review::Server::bind(args.port)?;
    let inputs = &args.transcription.inputs;
    let sidecar_path = args
        .annotations
        .clone()
        .unwrap_or_else(|| annotations::sidecar_path(&inputs[0]));
    let sidecar = Sidecar::new(sidecar_path.clone());
    // A sidecar this rapport must not add to is refused before the call is
    // transcribed.
    for skipped in sidecar.check()? {
        eprintln!(
            "warning: {}:{}: line skipped (kept in the file): {}",
            sidecar_path.display(),
            skipped.line,
            skipped.reason
        );
    }
    let call = transcript(&args.transcription, &rapport::config::Config::load()?)?;
    let recordings = rapport::transcript_input(inputs)?.is_none();
    let (audio_names, offsets) = if recordings {
        let offsets = rapport::audio::offsets(inputs, &args.transcription.offsets)?;
        (annotations::relative_to(&sidecar_path, inputs), offsets)
    } else {
        (Vec::new(), Vec::new())
    };
    let call_key = sidecar.record_call(&call, audio_names, offsets.clone())?;
    // The player gets every track mixed into one 16 kHz WAV, whatever the
    // recording's format: a browser plays it, and seeks in it.
    let audio = if recordings {
        let tracks = rapport::audio::load(inputs, &offsets)?;
        let end = tracks
            .iter()
            .map(rapport::audio::Track::end)
            .fold(0.0, f64::max);
        let removed = rapport::review::remove_stale_audio(&std::env::temp_dir());
        if removed > 0 {
            eprintln!("removed the audio {removed} killed review server(s) left behind");
        }
        let file = tempfile::Builder::new()
            .prefix(&rapport::review::audio_prefix())
            .suffix(".wav")
            .tempfile()
            .context("cannot make a temporary file for the call's audio")?;
        rapport::audio::write_mix(&tracks, 0.0, end, file.path())?;
        Some(file)
    } else {
        None
    };
    let session = rapport::review::Session {
        // The review page is the coaches' tool, in English.
        analysis: rapport::analyze(
            call,
            &rubric,
            &detectors,
            rapport::l10n::ReportLanguage::Fixed(rapport::l10n::Lang::En),
        ),
        sidecar,
        call_key,
        coach: coach.clone(),
        audio: audio.as_ref().map(|f| f.path().to_path_buf()),
    };
    let mut stdout = io::stdout().lock();
    writeln!(
        stdout,
        "reviewing as {coach}; labels are saved to {}",
        sidecar_path.display()
    )?;
    writeln!(stdout, "open {}", server.url())?;
    stdout.flush()?;
    drop(stdout);
    eprintln!("press Ctrl-C to stop");
    server.run(session, async {
        let _ = tokio::signal::ctrl_c().await;
    })?;
    Ok(ExitCode::SUCCESS)
}
