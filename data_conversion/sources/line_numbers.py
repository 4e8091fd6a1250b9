"""Line numbers of a draft PDF that the parser fused into the text: found and removed.

A review draft numbers its lines in the margin; a parser that reads them as text puts
them between words (``the 12 model``) or inside a word broken at the line end
(``capabil23 ities``). They are recognised as a run of consecutive numbers (at least
``MIN_RUN``, in order, each a line's worth of words after the last); numbers that do
not continue such a run (``Table 2``, ``in 2023``, ``3 models on 4 datasets``) stay,
and a document is only cleaned when most of its long paragraphs hold such a run
(:func:`numbered_lines`).
"""
from __future__ import annotations

import re

MIN_RUN = 3
SAMPLE = 60  # long paragraphs looked at: a draft numbers every page
MIN_GAP_WORDS, MAX_GAP_WORDS = 5, 40  # words between two numbers of a run (a line: ~10-20)
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,4}) (?=\S)")


def _runs(text: str) -> list[list[re.Match]]:
    """Runs of consecutive numbers (n, n+1, n+2, ...) in order, a line's worth of words apart."""
    runs: list[list[re.Match]] = []
    waiting: dict[int, list[re.Match]] = {}  # the next number each open run expects
    for m in _NUMBER.finditer(text):
        value, run = int(m.group(1)), None
        if value in waiting:
            gap = len(text[waiting[value][-1].end():m.start()].split())
            if MIN_GAP_WORDS <= gap <= MAX_GAP_WORDS:
                run = waiting.pop(value)
        if run is None:
            run = []
            runs.append(run)
        run.append(m)
        waiting[value + 1] = run
    return [r for r in runs if len(r) >= MIN_RUN]


class LineNumberStripper:
    """Removes a draft's line numbers paragraph by paragraph, in reading order: a number is
    one when it continues the document's count (a little above the last one removed) a
    line's worth of words after the previous one, so ``Table 2`` on line 240 stays."""

    def __init__(self, window: int = 50):
        self.last, self.window = 0, window

    def __call__(self, text: str) -> str:
        out, pos, words_since = [], 0, MIN_GAP_WORDS
        for m in _NUMBER.finditer(text):
            value = int(m.group(1))
            words_since += len(text[pos:m.start()].split())
            if not (self.last < value <= self.last + self.window and words_since >= MIN_GAP_WORDS):
                continue
            before = text[pos:m.start()]
            fused = before[-1:].isalpha() and text[m.end():m.end() + 1].islower()
            out.append(before if fused else before.rstrip(" ") + " ")
            pos, self.last, words_since = m.end(), value, 0
        return ("".join(out) + text[pos:]).strip() if out else text


def numbered_lines(paragraphs, share: float = 0.5, min_words: int = 40) -> bool:
    """True when the document is a line-numbered draft: at least ``share`` of its long
    paragraphs hold a run of line numbers (a camera-ready paper's "Section 2 ... Section
    3 ... Section 4" is one paragraph in many, not half of them)."""
    long = [p for p in paragraphs if len(p.split()) >= min_words][:SAMPLE]
    return bool(long) and sum(bool(_runs(p)) for p in long) >= share * len(long)
