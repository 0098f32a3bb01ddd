#!/usr/bin/env python3
"""Talk time against annotated turns, on the real stereo calls.

Each channel of `../shared/data/audio/stereo-calls/*.wav` is one person
(channel 1 the customer, channel 2 the agent, taken for the consultant), so
who spoke is exact and what is left to measure is what a side's talk time
counts. This runs `target/release/rapport analyze --consultant 2` on each
call and prints, per side, rapport's talk seconds beside the seconds the
RTTM's turns cover, and the agent's share of talk time both ways.

    cargo build --release && python3 benches/talk_time.py [DATA_DIR]
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"


def covered(spans):
    """Seconds covered by the union of (start, end) spans."""
    total, end = 0.0, float("-inf")
    for s, e in sorted(spans):
        if s > end:
            total += e - s
            end = e
        elif e > end:
            total += e - end
            end = e
    return total


def overlap(a, b):
    return sum(max(0.0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def main():
    calls = sorted((DATA / "audio" / "stereo-calls").glob("*.wav"))
    if not calls:
        sys.exit(f"no stereo calls under {DATA}")
    print(f"{'call':<10} {'side':<10} {'rapport s':>9} {'turns s':>8}   agent share: rapport vs turns")
    for wav in calls:
        turns = {}
        for line in wav.with_suffix(".rttm").read_text().splitlines():
            f = line.split()
            turns.setdefault(f[7], []).append((float(f[3]), float(f[3]) + float(f[4])))
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "call.json"
            subprocess.run(
                [ROOT / "target/release/rapport", "analyze", wav, "--consultant", "2",
                 "--format", "json", "-o", out],
                check=True,
            )
            call = json.loads(out.read_text())
        spoken = {}
        for u in call["utterances"]:
            spoken.setdefault(u["speaker"], []).append((u["start"], u["end"]))
        seconds = {}
        for p in call["participants"]:
            # The annotated speaker whose turns this channel's words overlap most.
            who = max(turns, key=lambda k: overlap(spoken.get(p["id"], []), turns[k]))
            seconds[p["role"]] = (p["talk_seconds"], covered(turns[who]))
        for role, (ours, theirs) in seconds.items():
            print(f"{wav.stem:<10} {role:<10} {ours:>9.1f} {theirs:>8.1f}")
        ours = seconds["consultant"][0] / sum(s[0] for s in seconds.values())
        theirs = seconds["consultant"][1] / sum(s[1] for s in seconds.values())
        print(f"{wav.stem:<10} {'':<10} {'':>9} {'':>8}   {ours:.1%} vs {theirs:.1%}: "
              f"{abs(ours - theirs) * 100:.1f} points")


if __name__ == "__main__":
    main()
