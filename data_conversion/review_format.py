"""The review text format: the four headings of ``review_ext.data.template``, one point a line.

::

    [Significance and novelty]
    <title of the point> detailed explanation ...
    <title of the point> ...

    [Potential reasons for acceptance]
    ...

All four headings are always written, in order; a part with no points is its heading
alone.
"""
from __future__ import annotations

import re

from review_ext.data.template import REVIEW_HEADINGS

from .paper_format import one_line

PARTS = ("significance", "acceptance", "rejection", "improvement")
HEADING_OF = dict(zip(PARTS, REVIEW_HEADINGS))
_HEADING_LINE = re.compile(
    r"^(" + "|".join(re.escape(h) for h in REVIEW_HEADINGS) + r")[ \t]*$", re.M)


def empty_parts() -> dict[str, list[tuple[str, str]]]:
    return {p: [] for p in PARTS}


def render_point(title: str, text: str) -> str:
    title = one_line(title).replace("<", "(").replace(">", ")").strip(" .:;,")
    return f"<{title}> {one_line(text)}".rstrip()


def render_review(parts: dict[str, list[tuple[str, str]]]) -> str:
    """Review text from ``{part: [(title, explanation), ...]}``."""
    blocks = []
    for part in PARTS:
        lines = [HEADING_OF[part]] + [render_point(t, x) for t, x in parts.get(part, ())]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def count_points(parts) -> int:
    return sum(len(v) for v in parts.values())


def parse_review(text: str) -> dict[str, str]:
    """``{part: text under its heading}`` for the headings present (in the order found)."""
    heads = list(_HEADING_LINE.finditer(text))
    out = {}
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out[PARTS[REVIEW_HEADINGS.index(m.group(1))]] = text[m.end():end].strip()
    return out


def heading_order(text: str) -> list[str]:
    """The review headings of ``text`` in the order they appear."""
    return [m.group(1) for m in _HEADING_LINE.finditer(text)]
