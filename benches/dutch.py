#!/usr/bin/env python3
"""Dutch transcription and language detection, measured on real recordings.

Word error rate of Whisper base (q8_0 and f16) on the Dutch clips of
`../shared/data/audio/dutch` (refs.tsv holds their exact text), with the
language given (`--language nl`) and detected (`auto`); then the language
rapport detects on every English and Dutch recording it is given, and the
time and peak memory of base against tiny.en on English recordings, run
alternately. Greedy decoding, as rapport always decodes.

    benches/dutch.py [--data ../shared/data] [--runs 2]

Installs base (`rapport model install --model base`, both weights) if it is
missing. Standard library only.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from compare_whisper_cpp import word_edits

ROOT = Path(__file__).resolve().parent.parent
RAPPORT = ROOT / "target" / "release" / "rapport"
MODELS = ROOT / "models"


def words(text):
    """Lower case, accents kept, punctuation gone, hyphens split."""
    text = unicodedata.normalize("NFC", text.lower())
    return [w for w in (re.sub(r"[^\w']", "", x).strip("'") for x in re.split(r"[\s\-–]+", text)) if w]


def edits(ref, hyp):
    r = words(ref)
    return word_edits(r, words(hyp)), len(r)


def run(cmd):
    """Runs cmd under GNU time: wall seconds, peak RSS in MiB, stdout."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *map(str, cmd)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"failed: {' '.join(map(str, cmd))}\n{proc.stderr.decode()}")
        peak = int(report.read().split()[-1]) / 1024
    return wall, peak, proc.stdout.decode()


def transcribe(audio, model, language=None):
    cmd = [RAPPORT, "transcribe", audio, "--model", model, "--format", "json", "--no-cache"]
    if language:
        cmd += ["--language", language]
    wall, peak, out = run(cmd)
    return wall, peak, json.loads(out)


def text_of(call):
    return " ".join(u["text"] for u in call["utterances"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    audio = args.data / "audio"

    subprocess.run([ROOT / "scripts" / "setup", "--profile", "release", "--with-bench-tools"], check=True)
    for weights in ["q8_0", "f16"]:
        subprocess.run([RAPPORT, "model", "install", "--model", "base", "--weights", weights], check=True)
    base = {"q8_0": MODELS / "ggml-base-q8_0.bin", "f16": MODELS / "ggml-base.bin"}

    rows = [line.split("\t") for line in (audio / "dutch" / "refs.tsv").read_text().splitlines()[1:] if line]
    print(f"## Dutch WER, {len(rows)} clips (pooled over words; per-clip range)\n")
    print("| model | --language | WER | clips detected nl | worst clip |")
    print("|---|---|---:|---:|---|")
    for weights, model in base.items():
        for language in ["nl", None]:
            errors = total = detected = 0
            worst = (0.0, "")
            for file, ref, _ in rows:
                _, _, call = transcribe(audio / "dutch" / file, model, language)
                e, n = edits(ref, text_of(call))
                errors, total = errors + e, total + n
                detected += call.get("language") == "nl"
                if e / n > worst[0]:
                    worst = (e / n, f"{file}: {text_of(call)!r}")
            print(f"| base {weights} | {language or 'auto'} | {errors / total:.3f} ({errors}/{total}) "
                  f"| {detected}/{len(rows)} | {worst[0]:.2f} {worst[1]} |")

    english = [audio / "jfk.wav", ROOT / "samples" / "call.wav",
               *sorted((audio / "stereo-calls").glob("*.wav")), *sorted((audio / "two-party-phone").glob("*.wav"))]
    print("\n## Language detected (base q8_0, auto) on every English recording\n")
    print("| recording | language per participant | call |")
    print("|---|---|---|")
    for recording in english:
        _, _, call = transcribe(recording, base["q8_0"])
        each = ", ".join(f"{p['name']}: {p.get('language')}" for p in call["participants"])
        print(f"| {recording.name} | {each} | {call['language']} |")

    stereo = sorted((audio / "stereo-calls").glob("*.wav")) + [ROOT / "samples" / "call.wav"]
    print(f"\n## base against tiny.en on {len(stereo)} English stereo recordings, {args.runs} alternating runs (medians)\n")
    timings = {"tiny.en": [], "base": []}
    seconds = None
    for _ in range(args.runs):
        for name, model, language in [("tiny.en", MODELS / "ggml-tiny.en-q8_0.bin", None),
                                      ("base", base["q8_0"], "en")]:
            wall = peak = 0.0
            audio_seconds = 0.0
            for recording in stereo:
                w, p, call = transcribe(recording, model, language)
                wall, peak = wall + w, max(peak, p)
                audio_seconds += call["recording"]["audio_seconds"]
            seconds = audio_seconds
            timings[name].append((wall, peak))
    print("| model | wall | audio s per s | peak RSS |")
    print("|---|---:|---:|---:|")
    for name, runs in timings.items():
        wall = statistics.median(w for w, _ in runs)
        peak = max(p for _, p in runs)
        print(f"| {name} q8_0 | {wall:.2f} s | {seconds / wall:.1f} | {peak:.0f} MiB |")


if __name__ == "__main__":
    main()
