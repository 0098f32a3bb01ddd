#!/usr/bin/env python3
"""The detectors on whole consultations, the way a consultant meets them.

Each labelled consultation of `DATA/consultations/*.vtt` (the consultant's
turns labelled in `DATA/train/primock.jsonl`) is analysed whole with
`rapport analyze --format json`, and the evidence on each labelled turn is
read back as labels (an open question is `question` and `question.open`, a
promise `commitment`, …). Printed per label: turn-level precision, recall
and F1 with 95 % bootstrap intervals over consultations, the precision of
the evidence items shown (option, promise, hand-back), and the confidence
alarms raised in the consultant's turns that no label supports.

    benches/consultations.py --detectors rules
    benches/consultations.py --detectors default        # in-sample for the shipped model!
    benches/consultations.py --cv 6 [--train-args '...']  # honest: trained per fold

`--cv K` splits the consultations into K folds; for each fold it trains
detectors with `rapport train` on the labelled turns of the other folds (plus
`--train-args`, e.g. more data files and weights; `--base none` is always
passed, since the shipped model saw every consultation), analyses the held
out consultations whole with them, and scores all folds together.

Needs the release build (`cargo build --release`). Standard library only.
"""

import argparse
import json
import random
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAPPORT = ROOT / "target" / "release" / "rapport"
LABELS = [
    "question",
    "question.open",
    "question.closed",
    "option",
    "commitment",
    "decision-handback",
    "check-understanding",
    "out-of-school",
]
# Evidence kinds to labels, as `rapport eval` reads them (src/eval.rs).
SIGNAL_LABELS = {
    "options-offered": ["option"],
    "promises": ["commitment"],
    "decision-handback": ["decision-handback"],
    "check-understanding": ["check-understanding"],
    "out-of-school": ["out-of-school"],
}
SHOWN = {"option": "options-offered", "commitment": "promises", "decision-handback": "decision-handback"}


def labels_of(signal, kind):
    if signal == "questions":
        return ["question", "question.open" if kind == "open" else "question.closed"]
    if (signal, kind) == ("check-understanding", "reflection"):
        return []  # scored by the rubric, not a label (src/eval.rs says why)
    return SIGNAL_LABELS.get(signal, [])


def norm(text):
    # WebVTT markup (`<INAUDIBLE_SPEECH/>`) is not text: the importer drops it.
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())


def run(args):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{result.stderr}")
    return result.stdout


def analyse(vtt, detectors):
    out = run([RAPPORT, "analyze", vtt, "--consultant", "Doctor", "--format", "json", "--detectors", detectors])
    return json.loads(out)


def score_call(analysis, turns):
    """Per labelled turn: (truth labels, predicted labels); and evidence counts."""
    utterances = analysis["utterances"]
    doctor = {p["id"] for p in analysis["participants"] if p["role"] == "consultant"}
    predicted = [set() for _ in utterances]
    evidence = [[] for _ in utterances]
    for signal in analysis["signals"]:
        for e in signal["evidence"]:
            predicted[e["utterance"]].update(labels_of(signal["id"], e["kind"]))
            evidence[e["utterance"]].append(signal["id"])
    # Labelled turns to utterances: same text, in order.
    at = 0
    pairs = []
    unmatched = 0
    for turn in turns:
        want = norm(turn["text"])
        if not want:
            continue
        found = None
        for i in list(range(at, len(utterances))) + list(range(0, at)):
            if utterances[i]["speaker"] in doctor and norm(utterances[i]["text"]) == want:
                found = i
                break
        if found is None:
            unmatched += 1
            continue
        at = found + 1
        pairs.append((turn, found))
    rows = []
    shown = {label: [0, 0] for label in SHOWN}
    alarms = 0
    for turn, i in pairs:
        truth = set(turn["labels"])
        rows.append((truth, predicted[i], set(turn["scope"])))
        for label, signal in SHOWN.items():
            n = evidence[i].count(signal)
            shown[label][0] += n if label in truth else 0
            shown[label][1] += n
        if "out-of-school" not in truth:
            alarms += evidence[i].count("out-of-school")
    return rows, shown, alarms, unmatched


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def counts(rows, label):
    tp = fp = fn = 0
    for truth, pred, scope in rows:
        if label not in scope:
            continue
        t, g = label in truth, label in pred
        tp += t and g
        fp += g and not t
        fn += t and not g
    return tp, fp, fn


def report(per_call):
    """per_call: {name: (rows, shown, alarms)}."""
    names = sorted(per_call)
    rng = random.Random(20261129)
    print(f"{len(names)} consultations, {sum(len(per_call[n][0]) for n in names)} labelled consultant turns\n")
    print(f"  {'label':<20} {'support':>7} {'precision':>9} {'recall':>7} {'F1':>6} {'F1 95 %':>11} {'P 95 %':>11}")
    for label in LABELS:
        per = {n: counts(per_call[n][0], label) for n in names}
        tp, fp, fn = (sum(per[n][k] for n in names) for k in range(3))
        p, r, f = prf(tp, fp, fn)
        fs, ps = [], []
        for _ in range(1000):
            draw = [per[rng.choice(names)] for _ in names]
            bp, _, bf = prf(*(sum(d[k] for d in draw) for k in range(3)))
            fs.append(bf)
            ps.append(bp)
        fs.sort()
        ps.sort()
        print(
            f"  {label:<20} {tp + fn:>7} {p:>9.3f} {r:>7.3f} {f:>6.3f} {fs[25]:>5.2f}–{fs[974]:<5.2f} {ps[25]:>5.2f}–{ps[974]:<5.2f}"
        )
    print("\n  evidence shown (items on labelled turns / all items on consultant turns):")
    for label in SHOWN:
        right = sum(per_call[n][1][label][0] for n in names)
        shown = sum(per_call[n][1][label][1] for n in names)
        print(f"    {label:<20} {right}/{shown} = {right / shown if shown else 0:.3f}")
    alarms = sum(per_call[n][2] for n in names)
    calls = sum(1 for n in names if per_call[n][2] > 0)
    print(f"\n  confidence alarms with no confidence told: {alarms} in {calls} of {len(names)} calls\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--detectors", default="default", help="rules, default or a FILE (no --cv)")
    parser.add_argument("--cv", type=int, default=0, help="train per fold of K, by consultation")
    parser.add_argument("--train-args", default="", help="more arguments for rapport train")
    args = parser.parse_args()
    if not RAPPORT.exists():
        sys.exit(f"{RAPPORT} is missing: run cargo build --release")
    data = Path(args.data)
    lines = [json.loads(line) for line in open(data / "train" / "primock.jsonl")]
    by_call = {}
    for line in lines:
        by_call.setdefault(line["conversation"], []).append(line)
    names = sorted(by_call)
    per_call = {}
    unmatched = 0
    with tempfile.TemporaryDirectory() as tmp:
        folds = [[n for i, n in enumerate(names) if i % args.cv == k] for k in range(args.cv)] if args.cv else [names]
        for k, held in enumerate(folds):
            detectors = args.detectors
            if args.cv:
                # Named as the shipped script names it, so that
                # `--weight primock.jsonl=W` weighs the consultations.
                (Path(tmp) / f"fold{k}").mkdir()
                train = Path(tmp) / f"fold{k}" / "primock.jsonl"
                with open(train, "w") as out:
                    for n in names:
                        if n not in held:
                            for line in by_call[n]:
                                out.write(json.dumps(line) + "\n")
                detectors = Path(tmp) / f"fold{k}.detectors"
                run([RAPPORT, "train", train, *shlex.split(args.train_args), "--base", "none", "-o", detectors])
                print(f"fold {k + 1}/{args.cv} trained", file=sys.stderr)
            for n in held:
                analysis = analyse(data / "consultations" / f"{n}.vtt", detectors)
                rows, shown, alarms, missing = score_call(analysis, by_call[n])
                per_call[n] = (rows, shown, alarms)
                unmatched += missing
    if unmatched:
        print(f"warning: {unmatched} labelled turns not found in the analysed calls", file=sys.stderr)
    report(per_call)


if __name__ == "__main__":
    main()
