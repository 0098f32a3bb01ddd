#!/usr/bin/env python3
"""`rapport batch` throughput: a folder of two-track recordings at several
`--jobs` choices, and a thousand imported transcripts.

Audio: copies of samples/call.wav (2.5 minutes, one person per channel) up to
`--minutes` of audio (default 30), each run into a fresh output folder with
`--no-cache`, so every call goes through Whisper. Prints wall time, audio
seconds per wall second and the batch process's peak RSS for each `--jobs`
(runs alternate between the choices, `--runs` rounds), and the ratios to the
first choice. Transcripts: `--transcripts` copies (default 1000) of
tests/fixtures/call.teams.vtt, analysed end to end, then again with nothing
to do (resume), then merged.

    benches/batch.py [--minutes 30] [--jobs 1,2] [--runs 1] [--transcripts 1000]

Needs the release build and the model (`scripts/demo` makes both) and GNU
time (`/usr/bin/time`). Standard library only.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAPPORT = ROOT / "target" / "release" / "rapport"
SAMPLE = ROOT / "samples" / "call.wav"
TRANSCRIPT = ROOT / "tests" / "fixtures" / "call.teams.vtt"


def timed(args, env):
    """Wall seconds and peak RSS (MiB) of one command, which must succeed."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    last = result.stderr.strip().splitlines()[-1]
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{result.stderr}")
    wall, rss_kib = last.split()
    return float(wall), int(rss_kib) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--transcripts", type=int, default=1000)
    args = parser.parse_args()
    for needed in (RAPPORT, ROOT / "models" / "ggml-tiny.en-q8_0.bin"):
        if not needed.exists():
            sys.exit(f"{needed} is missing: run scripts/demo first")

    with wave.open(str(SAMPLE)) as w:
        sample_seconds = w.getnframes() / w.getframerate()
    copies = max(1, round(args.minutes * 60 / sample_seconds))
    audio_seconds = copies * sample_seconds

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {"PATH": "/usr/bin:/bin", "RAPPORT_CACHE": str(tmp / "cache"),
               "XDG_CONFIG_HOME": str(tmp), "HOME": str(tmp)}
        audio = tmp / "audio"
        audio.mkdir()
        for i in range(copies):
            shutil.copy(SAMPLE, audio / f"call-{i:03} 2026-11-{16 + i % 5}.wav")
        print(f"audio: {copies} two-track calls, {audio_seconds / 60:.1f} minutes, "
              f"{len(list(audio.iterdir()))} files")
        results = {jobs: [] for jobs in args.jobs.split(",")}
        for run in range(args.runs):
            for jobs in results:
                out = tmp / f"out-{jobs}-{run}"
                results[jobs].append(timed(
                    [RAPPORT, "batch", audio, "-o", out, "--jobs", jobs, "--no-cache",
                     "--as-of", "2026-11-23"], env))
        first = None
        for jobs, runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            speed = audio_seconds / wall
            first = first or speed
            print(f"  --jobs {jobs}: {wall:7.1f} s wall, {speed:6.1f} audio s per wall s "
                  f"({speed / first:.2f}x of --jobs {args.jobs.split(',')[0]}), peak RSS {rss:.0f} MiB")

        texts = tmp / "texts"
        texts.mkdir()
        for i in range(args.transcripts):
            shutil.copy(TRANSCRIPT, texts / f"client{i % 40:02} 2026-11-{16 + i % 5} {i:04}.vtt")
        out = tmp / "out-texts"
        command = [RAPPORT, "batch", texts, "-o", out, "--as-of", "2026-11-23"]
        wall, rss = timed(command, env)
        print(f"transcripts: {args.transcripts} imported calls end to end (pages and summary "
              f"included) in {wall:.2f} s, peak RSS {rss:.0f} MiB")
        wall, rss = timed(command, env)
        print(f"  again, all done before: {wall:.2f} s, peak RSS {rss:.0f} MiB")
        wall, rss = timed([RAPPORT, "merge", out, "-o", tmp / "merged", "--as-of", "2026-11-23"],
                          env)
        print(f"  merge of that output: {wall:.2f} s, peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
