#!/usr/bin/env python3
"""Speak samples/call.script.txt into samples/call.wav, a stereo call recording
(or, with `nl`, samples/call-nl.script.txt into samples/call-nl.wav, in Dutch).

The consultant is on the left channel (track 1), the client on the right
(track 2), as a call recorder that keeps one person per channel writes it.
Each line is synthesised with espeak-ng in that speaker's voice and placed
after the pause the script gives (a negative pause starts it before the
previous line ends: an overlap). Each channel gets faint noise and a faint
copy of the other person (microphone bleed), as real recordings have, so the
speech detector meets realistic input. The output is deterministic for a
given espeak-ng; call.truth.tsv records when each line starts and ends.

Usage: samples/make-sample.py [en|nl]   (needs espeak-ng; python3 standard
library only)
"""

import io
import random
import struct
import subprocess
import sys
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Per language: the files' name, and each speaker's espeak-ng voice, words a
# minute and gap between words (in 10 ms units). The two voices are ones a
# listener tells apart. espeak-ng's Dutch is hard for Whisper base to follow
# (about 75 % of the words wrong at 150 words a minute); spoken slower with
# gaps between the words it gets about 60 % wrong, and of the Dutch variants
# these two came out best.
LANGUAGES = {
    "en": (
        "call",
        {"consultant": ("en-us", 150, 0), "client": ("en-us+f2", 150, 0)},
    ),
    "nl": (
        "call-nl",
        {"consultant": ("nl", 120, 8), "client": ("nl+f5", 120, 8)},
    ),
}
CHANNEL = {"consultant": 0, "client": 1}
NOISE_AMPLITUDE = 60  # of 32767: about -55 dBFS
BLEED = 0.015  # the other person, heard about 36 dB down


def read_script(path, voices):
    lines = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        speaker, pause, text = (part.strip() for part in raw.split("|", 2))
        if speaker not in voices:
            sys.exit(f"{path}:{number}: unknown speaker {speaker!r}")
        lines.append((speaker, float(pause), text))
    return lines


def speak(text, voice):
    name, words_per_minute, word_gap = voice
    wav = subprocess.run(
        [
            "espeak-ng",
            "-v",
            name,
            "-s",
            str(words_per_minute),
            "-g",
            str(word_gap),
            "--stdout",
            text,
        ],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate = w.getframerate()
        frames = w.readframes(w.getnframes())
    samples = list(struct.unpack(f"<{len(frames) // 2}h", frames))
    # espeak pads each utterance with silence; keep only the speech so the
    # truth file's times are when the words are.
    loud = [i for i, s in enumerate(samples) if abs(s) > 300]
    return rate, samples[loud[0] : loud[-1] + 1]


def main():
    language = sys.argv[1] if len(sys.argv) > 1 else "en"
    if language not in LANGUAGES:
        sys.exit(f"usage: make-sample.py [{'|'.join(LANGUAGES)}]")
    name, voices = LANGUAGES[language]
    script = read_script(HERE / f"{name}.script.txt", voices)
    placed = []
    cursor = 0.0
    rate = None
    for speaker, pause, text in script:
        rate, samples = speak(text, voices[speaker])
        start = max(0.0, cursor + pause)
        end = start + len(samples) / rate
        placed.append((speaker, start, end, text, samples))
        cursor = max(cursor, end)

    total = int((cursor + 1.0) * rate)
    channels = [[0.0] * total, [0.0] * total]
    for speaker, start, _end, _text, samples in placed:
        ch = CHANNEL[speaker]
        offset = int(start * rate)
        for i, s in enumerate(samples):
            channels[ch][offset + i] += s
            channels[1 - ch][offset + i] += s * BLEED

    noise = random.Random(2026)
    frames = bytearray()
    for left, right in zip(*channels):
        for value in (left, right):
            value += noise.uniform(-NOISE_AMPLITUDE, NOISE_AMPLITUDE)
            frames += struct.pack("<h", max(-32768, min(32767, round(value))))
    with wave.open(str(HERE / f"{name}.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))

    with open(HERE / f"{name}.truth.tsv", "w") as truth:
        truth.write("speaker\tstart\tend\ttext\n")
        for speaker, start, end, text, _samples in placed:
            truth.write(f"{speaker}\t{start:.2f}\t{end:.2f}\t{text}\n")
    print(f"wrote {HERE / (name + '.wav')} ({total / rate:.1f} s, {rate} Hz, stereo)")


if __name__ == "__main__":
    main()
