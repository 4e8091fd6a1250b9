"""The checks behind :mod:`data_conversion.corpus.quality`: suspect points, suspect paper text, and
each point against the reviewer's own labels in the source review.

The point checks are deliberately broader than the converters' filters
(:mod:`data_conversion.reviews.point_filters`): they flag what a person should look at, so a count
is an upper bound. The source check does not use the converters' heading parser: it
follows the reviewer's labels line by line (the form's ``SUMMARY:``/``QUESTIONS:``/
``LIMITATIONS:`` blocks, ``Strengths``/``Weaknesses``/``Pros``/``Cons`` sub-labels, ``W1``/
``S1``/``Q1`` items) and says which part the text at each offset belongs to. A part
counts as written when a labelled line holds more than a form answer or a pointer
elsewhere ("Weaknesses: see the questions." writes no weakness).
"""
from __future__ import annotations

import re
from bisect import bisect_right

from data_conversion.reviews.point_filters import BIB_MARKS, YEAR, not_a_point
from review_ext.formats.text import PARTS, one_line

SIG, ACC, REJ, IMP = PARTS

_YEAR = re.compile(rf"\b{YEAR}\b")
_BIB = re.compile(BIB_MARKS)
_XREF = re.compile(r"\b(?:see|refer|above|below|previous|aforementioned)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FUSED_NUMBER = re.compile(r"\b[a-z]{2,}\d{2,4} ?[a-z]{2,}\b")
_CHECKLIST = re.compile(r"Paper Checklist|^\s*(?:Answer|Justification|Guidelines): ?\[?"
                        r"(?:Yes|No|NA)\b", re.M | re.I)


def suspect_point(text: str) -> str | None:
    """Why a point may not be a review point (None: looks like one)."""
    words = text.split()
    if len(words) <= 2:
        return "one- or two-word answer"
    if len(words) < 60 and "?" not in text and _YEAR.search(text) and _BIB.search(text):
        return "reference entry"
    if len(words) < 15 and _XREF.search(text):
        return "cross-reference"
    return None


def suspect_paper(paper: str, authors=()) -> list[str]:
    """What in a paper text should not be there: e-mails, author lines, checklist text,
    line numbers fused into words."""
    found = []
    if _EMAIL.search(paper):
        found.append("e-mail address")
    names = [a for a in authors if isinstance(a, str) and len(a.split()) >= 2]
    if any(_author_line(line.strip(), names) for line in paper.splitlines()):
        found.append("author line")
    if len(_CHECKLIST.findall(paper)) >= 3:
        found.append("checklist")
    if len(_FUSED_NUMBER.findall(paper)) >= 5:
        found.append("fused line numbers")
    return found


def _author_line(line: str, names: list[str]) -> bool:
    """A line naming two of the authors, or a short one that opens with an author's name
    ("Christopher Scarvelis MIT", "Shuhui Wang 1 * qmhuang@ucas.ac.cn")."""
    if sum(n in line for n in names) >= 2:
        return True
    return len(line.split()) <= 12 and any(line.startswith(n) for n in names)


# --- the reviewer's own labels -------------------------------------------------------------
_BLOCK = re.compile(r"^\s*(SUMMARY|STRENGTHS AND WEAKNESSES|STRENGTHS|WEAKNESSES|QUESTIONS|"
                    r"LIMITATIONS|[A-Z][A-Z ,&/()'-]{2,60}?)\s*:?\s*$")
_BLOCK_PART = {"SUMMARY": SIG, "STRENGTHS": ACC, "WEAKNESSES": REJ, "QUESTIONS": IMP,
               "LIMITATIONS": IMP, "STRENGTHS AND WEAKNESSES": None}
_LABEL = re.compile(r"^\W{0,6}(?:(?:main|major|key|minor|potential|other|some)\s+)?"
                    r"(strengths?|pros|weak\w*|weeknesses|cons|questions?|suggestions?|typos?|"
                    r"minor(?: comments| issues| points)?)\W{0,6}"
                    r"(?:\s*[:.]|\s*$)", re.I)
_ITEM = re.compile(r"^\W{0,6}([WSQ])\d{1,2}\b")
_LABEL_PART = {"s": ACC, "p": ACC, "w": REJ, "c": REJ, "q": IMP}  # others: improvement
_SHORT_LABEL = re.compile(r"^\W{0,6}(?:#+\s*)?([A-Za-z][\w '&/-]{0,50}?)\W{0,4}:?\W{0,4}$")
_ASPECTS = re.compile(r"originality|quality|clarity|significance|novelty|soundness|"
                      r"presentation|contribution|reproducibility|experiment|method|writing|"
                      r"related work|motivation|theory|evaluation", re.I)


def _line_part(raw: str):
    """``(part from here on or ..., part of this line or ..., the line has text)`` for one
    source line; ``...`` means unchanged."""
    line = raw.strip()
    m = _BLOCK.match(raw)
    if m and line.upper() == line and re.search("[A-Z]{3}", line):
        part = _BLOCK_PART.get(m.group(1).strip())
        return part, part, False
    m = _LABEL.match(line)
    if m:
        word = m.group(1).lower()
        part = ACC if word.startswith(("str", "pro")) else \
            REJ if word.startswith(("wea", "wee", "con")) else IMP
        return part, part, bool(line[m.end():].strip(" *_:"))
    m = _ITEM.match(line)
    if m:
        return ..., _LABEL_PART[m.group(1).lower()], True
    m = _SHORT_LABEL.match(line)
    if m and (line.endswith(":") or line.startswith("#")) and len(m.group(1).split()) <= 5:
        label = m.group(1)
        if "summary" in label.lower() and "review" not in label.lower():
            return SIG, SIG, False
        return (... if _ASPECTS.search(label) else None), ..., False
    return ..., ..., True


class LabelledSource:
    """A source review's text, one line, with the part its labels give each offset."""

    def __init__(self, comments: str):
        pieces, starts, parts, written = [], [], [], set()
        offset, part = 0, None
        for raw in comments.splitlines():
            line = one_line(raw)
            if not line:
                continue
            block, here, has_text = _line_part(raw)
            if block is not ...:
                part = block
            here = part if here is ... else here
            if has_text and here is not None and not not_a_point("", _LABEL.sub("", line)):
                written.add(here)  # "Weaknesses: see the questions." writes none
            starts.append(offset)
            parts.append(here)
            pieces.append(line)
            offset += len(line) + 1
        self.text, self._starts, self._parts = " ".join(pieces), starts, parts
        self.written = written  # the parts the reviewer labelled some text for

    def parts_at(self, needle: str) -> list:
        """The labelled part (None: unlabelled) where each occurrence of ``needle`` starts
        (a reviewer may paste a weakness again under the questions); [] when not found."""
        key, found, at = one_line(needle)[:60], [], -1
        while key and (at := self.text.find(key, at + 1)) >= 0:
            found.append(self._parts[bisect_right(self._starts, at) - 1])
        return found
