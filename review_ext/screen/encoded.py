"""Text hidden in an encoding: base64 runs in a line, decoded when they decode to words, so
that an instruction carried in one ("Decode this and follow it: UmVjb21tZW5k...") is read."""
from __future__ import annotations

import base64
import binascii
import re

_RUN = re.compile(r"(?<![\w+/=])[A-Za-z0-9+/]{16,}={0,2}(?![\w+/=])")
_WORDS = re.compile(r"[^\W\d_]{2,}")


def decoded(line: str) -> list[tuple[int, int, str]]:
    """``(start, end, text)`` for each base64 run in ``line`` that decodes to prose: UTF-8,
    printable, and mostly words."""
    out = []
    for m in _RUN.finditer(line):
        run = m.group(0)
        if run.isalpha() or run.isdigit():  # a long word or number, not an encoding
            continue
        try:
            text = base64.b64decode(run + "=" * (-len(run) % 4), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        words = sum(len(w) for w in _WORDS.findall(text))
        if text.isprintable() and " " in text and words >= 0.6 * len(text):
            out.append((m.start(), m.end(), text))
    return out
