#!/usr/bin/env python3
"""Does the score rank sessions the way experts judged them?

Runs `rapport analyze --format json` over every `*.vtt` of a folder of judged
sessions (`quality.json` beside them: {"session": "high" | "low"}) and
prints, for the overall score, each dimension, each rubric check and each
signal's value, the AUC of high over low — the chance that a high-quality
session scores above a low-quality one, ties counting half — with a 95 %
bootstrap interval (sessions resampled within each class). Then the
sessions the overall score ranks most wrongly, with their evidence, to read.

    benches/score_validity.py                       # ../shared/data/score/annomi
    benches/score_validity.py DIR --detectors rules --rubric my.toml
    benches/score_validity.py --json before.json    # keep the figures

An AUC under 0.5 means the measure points the wrong way: the low-quality
sessions score higher. With 12 low sessions, intervals are wide; read them.

Needs the release build (`cargo build --release`). Standard library only.
"""

import argparse
import json
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAPPORT = ROOT / "target" / "release" / "rapport"
RESAMPLES = 1000


def analyse(path, args):
    command = [RAPPORT, "analyze", path, "--format", "json", "--consultant", args.consultant]
    if args.detectors:
        command += ["--detectors", args.detectors]
    if args.rubric:
        command += ["--rubric", args.rubric]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"rapport analyze {path} failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def measures(analysis):
    """Every number the score is made of, by a readable name."""
    out = {"overall": analysis["score"]["overall"]}
    for key, dimension in analysis["score"]["dimensions"].items():
        if dimension["score"] is not None:
            out[f"dimension {key}"] = dimension["score"]
        for check in dimension["checks"]:
            # A check without a score (not applicable to this call) ranks nothing.
            if check["score"] is not None:
                out[f"check {key}: {check['signal']}.{check['measure']}"] = check["score"]
    for signal in analysis["signals"]:
        if signal.get("value") is not None:
            out[f"signal {signal['id']}"] = signal["value"]
    return out


def auc(high, low):
    if not high or not low:
        return float("nan")
    wins = 0.0
    for h in high:
        for l in low:
            wins += 1.0 if h > l else 0.5 if h == l else 0.0
    return wins / (len(high) * len(low))


def interval(high, low, rng):
    values = sorted(
        auc([rng.choice(high) for _ in high], [rng.choice(low) for _ in low]) for _ in range(RESAMPLES)
    )
    return values[int(0.025 * RESAMPLES)], values[int(0.975 * RESAMPLES) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "data" / "score" / "annomi"))
    parser.add_argument("--consultant", default="Therapist", help="the consultant's speaker name")
    parser.add_argument("--detectors", help="rules, default or a FILE")
    parser.add_argument("--rubric", help="a rubric file")
    parser.add_argument("--worst", type=int, default=3, help="wrongly ranked sessions to show per class")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()

    folder = Path(args.folder)
    quality = json.loads((folder / "quality.json").read_text())
    sessions = sorted(p for p in folder.glob("*.vtt") if p.stem in quality)
    if not sessions:
        sys.exit(f"{folder}: no judged *.vtt sessions")
    with ThreadPoolExecutor(max_workers=4) as pool:
        analyses = dict(zip((p.stem for p in sessions), pool.map(lambda p: analyse(p, args), sessions)))
    values = {name: measures(a) for name, a in analyses.items()}
    names = sorted({m for v in values.values() for m in v}, key=lambda m: (m != "overall", m))
    high = [n for n in values if quality[n] == "high"]
    low = [n for n in values if quality[n] == "low"]
    print(f"{len(values)} sessions: {len(high)} high, {len(low)} low (detectors: {next(iter(analyses.values()))['detectors']})\n")
    print(f"  {'measure':<58} {'AUC':>5}  {'95 %':<11} {'mean high':>9} {'mean low':>9}")
    rng = random.Random(20261130)
    figures = {}
    for name in names:
        h = [values[n][name] for n in high if name in values[n]]
        l = [values[n][name] for n in low if name in values[n]]
        a = auc(h, l)
        lo, hi = interval(h, l, rng) if h and l else (float("nan"), float("nan"))
        figures[name] = {"auc": a, "interval": [lo, hi]}
        mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")
        print(f"  {name:<58} {a:5.2f}  {lo:.2f}–{hi:.2f}  {mean(h):9.2f} {mean(l):9.2f}")

    overall = {n: values[n]["overall"] for n in values}
    print("\nranked most wrongly by the overall score:")
    for title, group, reverse in (("low sessions scored highest", low, True), ("high sessions scored lowest", high, False)):
        print(f"  {title}:")
        for n in sorted(group, key=lambda n: overall[n], reverse=reverse)[: args.worst]:
            print(f"    {n}: {overall[n]:.0f}")
            for signal in analyses[n]["signals"]:
                for e in signal["evidence"][:4]:
                    if e.get("speaker") and signal["id"] not in ("monologue", "client-story", "patience"):
                        print(f"      {signal['id']}/{e['kind']}: {e['quote'][:90]!r}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
