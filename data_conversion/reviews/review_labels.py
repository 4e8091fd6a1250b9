"""Headings and labels in free review text: which part a reviewer's label names.

A short label alone on its line (ending in ``:``, set off by Markdown ``**``/``#``/``_``,
or a bare cue word) or opening a line (``Strengths: ...``, ``_Weaknesses_. ...``) is
matched word by word against cue words, typos allowed (difflib ratio >= 0.8 with the
same first letter, so ``Weeknesses`` is ``weaknesses`` but ``citations`` is not
``limitations``):

- summary (and, alone on a line, contribution, significance, novelty, originality)
  -> significance
- strength, pros, advantages, merits, positives -> acceptance
- weakness, cons, concerns, drawbacks, shortcomings, negatives -> rejection
- question, suggestion, comment, minor, typo, limitation, remark -> improvement
- ``W1``/``S1``/``Q1`` item labels -> rejection / acceptance / improvement

A label naming two parts (``Pros and Cons``) is *mixed*; one over free discussion
(``General Discussion``, ``Review summary``, ``Final remarks``) is *general*: what
follows is classified sentence by sentence. A label is a part heading only when every
word of it (qualifiers such as *major*, *minor*, *some* aside) names a part: an
inline label such as ``Scalability concerns: ...`` or ``Writing needs improvement: ...``
and an aspect heading such as ``Quality and Significance`` are point titles, and keep
the current part.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from review_ext.formats.text import PARTS

SIG, ACC, REJ, IMP = PARTS

MIXED = "mixed"
GENERAL = "general"  # a heading over free discussion: what follows is classified
GENERAL_WORDS = {"discussion", "overall", "assessment", "verdict", "review", "general", "final",
                 "conclusion", "conclusions"}

SECTION_WORDS = {
    ACC: ("strength", "strengths", "pros", "pro", "advantages", "merits", "positives",
          "acceptance", "accept"),
    REJ: ("weakness", "weaknesses", "cons", "con", "disadvantages", "concerns", "drawbacks",
          "shortcomings", "negatives", "rejection", "reject", "criticisms"),
    IMP: ("question", "questions", "suggestion", "suggestions", "comment", "comments",
          "minor", "typo", "typos", "limitation", "limitations", "remarks", "clarifications",
          "recommendations", "improvement", "improvements", "feedback", "requests"),
    SIG: ("summary",),
}
ASPECT_WORDS = {SIG: ("contribution", "contributions", "significance", "novelty",
                      "originality", "summary")}
QUALIFIERS = {"major", "minor", "main", "key", "other", "some", "additional", "general", "specific",
              "detailed", "overall", "potential", "several", "more", "few", "a", "the", "of",
              "and", "for", "to", "i", "have", "were", "was", "raised", "my", "paper", "s",
              "smaller", "small", "further", "points", "point", "authors", "list", "on",
              "reasons", "aspects", "aspect", "positive", "negative", "in", "with", "this"}

LIST_ITEM = re.compile(r"^\s*(?:(?P<sign>[-•·‣–]|[*+]{1,2}(?=\s))|\(?\d{1,2}[.)]|"
                       r"\(?[a-hA-H][.)](?=\s)|"
                       r"\(?(?:i|ii|iii|iv|v|vi|vii|viii|ix|x)[.)](?=\s))\s*(?=\S)")
_MD = r"(?:\*{1,3}|_{1,2})"
_WHOLE = re.compile(rf"^(?:#{{1,6}}\s*)?(?P<o>{_MD})?\s*(?P<label>[^*_:：?]{{1,60}}?)\s*"
                    rf"(?P<c>{_MD})?\s*(?P<colon>[:：])?(?P<dot>\.)?\s*(?:{_MD})?\s*$")
_INLINE = re.compile(rf"^(?:#{{1,6}}\s*)?(?P<o>{_MD})?(?P<label>[A-Za-z][\w /&'-]{{1,50}}?)"
                     rf"(?P<c>{_MD})?\s*(?P<sep>[:：]|(?<=[*_])\.)\s*(?!//)(?P<rest>\S.*)$")

def clean_text(text: str) -> str:
    """Line ends, zero-width characters and full-width colons normalised."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    return text.replace("\u00a0", " ").replace("：", ":").replace("\t", "    ")


def _words(label: str) -> list[str]:
    return re.findall(r"[a-z]+", label.lower())


@lru_cache(maxsize=65536)
def _word_parts(word: str, whole_line: bool) -> frozenset:
    """The parts a heading word names (exactly, or with a typo)."""
    vocabs = list(SECTION_WORDS.items()) + ([(SIG, ASPECT_WORDS[SIG])] if whole_line else [])
    found = set()
    for part, vocab in vocabs:
        if word in vocab or (len(word) > 4 and any(
                abs(len(word) - len(v)) <= 2 and word[0] == v[0]
                and SequenceMatcher(None, word, v).ratio() >= 0.8 for v in vocab)):
            found.add(part)
    return frozenset(found)


_ITEM_LABEL = re.compile(r"^([wsq])\d{1,2}$")
_ITEM_PART = {"w": REJ, "s": ACC, "q": IMP}


@lru_cache(maxsize=65536)
def label_part(label: str, *, whole_line: bool) -> str | None:
    """The part a heading label names, :data:`MIXED`, :data:`GENERAL`, or None (a plain
    label: a point title)."""
    item = _ITEM_LABEL.match(label.strip(" *_#.").lower())
    if item:
        return _ITEM_PART[item.group(1)]
    words = _words(label)
    if not words or len(words) > 7:
        return None
    kept = [w for w in words if w not in QUALIFIERS] or words
    hits = [_word_parts(w, whole_line) for w in kept]
    found = set().union(*hits)
    other = [w for w, h in zip(kept, hits) if not h and w not in GENERAL_WORDS]
    if GENERAL_WORDS & set(words) and found <= {SIG, IMP} and not other:
        return GENERAL  # "General Discussion", "Review summary", "Final remarks"
    if other and (not whole_line or found <= {SIG}):
        return None  # "Scalability concerns: ...", "Quality and Significance"
    if len(found) > 1:
        return MIXED
    return found.pop() if found else None


def heading(line: str):
    """``(label, part, rest)`` when ``line`` is a heading or opens with a label, else None."""
    m = _WHOLE.match(line)
    if m and len(m.group("label").split()) <= 8 and not m.group("label").endswith("."):
        label = m.group("label").strip()
        styled = bool(m.group("o") or m.group("c") or line.lstrip().startswith("#"))
        part = label_part(label, whole_line=True)
        plain_dot = m.group("dot") and not styled
        if not plain_dot and (m.group("colon") or styled or (part and len(_words(label)) <= 3)):
            return label, part, ""
    m = _INLINE.match(line)
    if m:
        label = m.group("label").strip()
        part = label_part(label, whole_line=False)
        if len(label.split()) <= (8 if part else 5):
            return label, part, m.group("rest").strip()
    return None
