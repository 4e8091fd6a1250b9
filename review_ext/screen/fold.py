"""Text folded for matching: invisible characters dropped, compatibility forms (fullwidth
letters, ligatures, mathematical letters) replaced by their plain letters (NFKC), and
Cyrillic or Greek look-alikes inside a word that also holds Latin letters read as Latin
("ассеpt" with Cyrillic a, c, e reads "accept"; a Russian or Greek word stays itself),
letters spaced out read as words ("a c c e p t   i t" reads "accept it") and digits for
letters inside a word read as letters ("4cc3pt" reads "accept").

:func:`fold` returns the folded text and, for each of its characters, the index of the
character of the original it came from, so that a span found in the folded text is a span
of the original.
"""
from __future__ import annotations

import re
import unicodedata

# soft hyphen, combining grapheme joiner, Mongolian vowel separator, zero-width and bidi
# controls, word joiner and invisible operators, zero-width no-break space
_INVISIBLE = "\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
INVISIBLE = re.compile(f"[{_INVISIBLE}]")
_SUSPECT = re.compile(f"[{_INVISIBLE}\u0370-\u03ff\u0400-\u04ff\ufb00-\ufb06\uff01-\uff5e"
                      "\U0001d400-\U0001d7ff]")
LOOK_ALIKE = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb"  # Cyrillic
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0406\u0408\u0405"
    "\u03bf\u03bd\u03b9\u03ba\u03c1\u03b1"  # Greek
    "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7",
    "aeopcyxijsdh"
    "ABEKMHOPCTXIJS"
    "ovikpa"
    "ABEZHIKMNOPTYX")
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z]")


_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] {1,3}){5,}[^\W\d_](?!\S)")
_LEET_WORD = re.compile(r"\b(?=(?:[\d]*[A-Za-z]){2})[A-Za-z\d]*[013457][A-Za-z\d]*\b")
_LEET = str.maketrans("013457", "oieast")


def fold(text: str) -> tuple[str, list[int] | None]:
    """``(folded text, index)``: ``index[i]`` is where the folded text's character ``i``
    came from in ``text``; ``(text, None)`` when folding changes nothing."""
    folded, index = _letters(text)
    if _SPACED.search(folded):
        folded, index = _unspaced(folded, index or list(range(len(text))))
    leet = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), folded)  # one for one
    if leet == text:
        return text, None
    return leet, index or list(range(len(text)))


def _unspaced(text: str, index: list[int]) -> tuple[str, list[int]]:
    """``text`` with its spaced-out letters joined: one space between letters goes, a longer
    gap is one space between words."""
    chars, where, at = [], [], 0
    for m in _SPACED.finditer(text):
        chars.extend(text[at:m.start()])
        where.extend(index[at:m.start()])
        for run in re.finditer(r"\S| {2,}", m.group(0)):
            chars.append(run.group(0)[0])
            where.append(index[m.start() + run.start()])
        at = m.end()
    chars.extend(text[at:])
    where.extend(index[at:])
    return "".join(chars), where


def _letters(text: str) -> tuple[str, list[int] | None]:
    """Invisible characters dropped, compatibility forms and look-alikes read as letters."""
    if text.isascii() or not _SUSPECT.search(text):
        return text, None
    chars, index = [], []
    for i, c in enumerate(text):
        if INVISIBLE.match(c):
            continue
        plain = unicodedata.normalize("NFKC", c) if _SUSPECT.match(c) else c
        chars.extend(plain)
        index.extend([i] * len(plain))
    folded = "".join(chars)

    def latin(m: re.Match) -> str:
        word = m.group(0)
        return word.translate(LOOK_ALIKE) if _LATIN.search(word) else word

    folded = _WORD.sub(latin, folded)  # one character for one: the index holds
    if folded == text:
        return text, None
    return folded, index
