#!/usr/bin/env python3
"""A batch killed at random moments loses nothing.

Makes a week of a dozen calls (six 40 s recordings cut from the sample,
six transcripts), runs `rapport batch` on it once uninterrupted, then again
into a fresh folder and cache, SIGKILLing it N times, each at a random
moment of its first 1.5 s (seeded; each printed: early enough that the
work is not done before the kills are), resuming each time, and lets the
last run finish. Then checks: every
call has exactly one record, no temporary file is left, the lock is free
(a last run succeeds and redoes nothing), and summary.json, summary.csv
and summary.html are byte-identical to the uninterrupted run's.

    cargo build --release && python3 benches/kill_batch.py [--kills 20] [--seed 7]
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/rapport"
AS_OF = "2026-11-30"


def make_week(folder: Path):
    folder.mkdir()
    with wave.open(str(ROOT / "samples/call.wav")) as src:
        params = src.getparams()
        rate = src.getframerate()
        frames = src.readframes(src.getnframes())
    width = params.sampwidth * params.nchannels
    for i in range(6):
        start, length = int((5 + i * 15) * rate), int(40 * rate)
        with wave.open(str(folder / f"2026-11-{23 + i}-client{i}.wav"), "wb") as out:
            out.setparams(params)
            out.writeframes(frames[start * width:(start + length) * width])
    fixtures = ROOT / "tests/fixtures"
    for i in range(6):
        name = ["call.zoom.vtt", "call.teams.vtt", "call.srt"][i % 3]
        suffix = Path(name).suffix
        shutil.copy(fixtures / name, folder / f"2026-11-{23 + i}-notes{i}{suffix}")


def batch(week: Path, out: Path, cache: Path):
    env = dict(os.environ, RAPPORT_CACHE=str(cache), NO_COLOR="1")
    return subprocess.Popen(
        [BIN, "batch", week, "-o", out, "--as-of", AS_OF],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kill-batch-"))
    week = work / "week"
    make_week(week)
    started = time.monotonic()
    reference = batch(week, work / "reference", work / "cache-reference")
    reference.wait()
    whole = time.monotonic() - started
    print(f"uninterrupted: {whole:.1f} s, exit {reference.returncode}")
    out, cache = work / "killed", work / "cache-killed"
    kills = []
    for k in range(args.kills):
        run = batch(week, out, cache)
        moment = rng.uniform(0.05, min(whole, 1.5))
        try:
            run.wait(timeout=moment)
            kills.append(False)
            print(f"kill {k + 1}: the run finished before {moment:.2f} s")
        except subprocess.TimeoutExpired:
            run.send_signal(signal.SIGKILL)
            run.wait()
            kills.append(True)
            print(f"kill {k + 1}: SIGKILL at {moment:.2f} s")
    last = batch(week, out, cache)
    last.wait()
    final = batch(week, out, cache)
    _, err = final.communicate()
    problems = []
    if last.returncode != 0 or final.returncode != 0:
        problems.append(f"the resumed runs exited {last.returncode} and {final.returncode}")
    if b"12 calls" not in err or b"12 skipped" not in err:
        problems.append("the last run did not find all 12 calls done: " + err.decode(errors="replace").strip())
    records = sorted(p.name for p in (out / "calls").iterdir())
    ids = [r[: -len(".json")] for r in records if r.endswith(".json")]
    if len(ids) != 12 or len(set(ids)) != 12:
        problems.append(f"records: {records}")
    temporaries = [str(p) for p in out.rglob(".tmp*")]
    if temporaries:
        problems.append(f"temporary files left: {temporaries}")
    for name in ["summary.json", "summary.csv", "summary.html"]:
        if (out / name).read_bytes() != (work / "reference" / name).read_bytes():
            problems.append(f"{name} differs from the uninterrupted run's")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        print(f"(kept {work})")
        sys.exit(1)
    killed = sum(1 for k in kills if k)
    print(f"{killed} of {args.kills} runs killed (seed {args.seed}): every call recorded once, "
          "no temporary file, the lock free, the summaries byte-identical")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
