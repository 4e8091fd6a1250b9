"""The two text formats, defined once: the paper's blocks and the review's four parts.

The paper (what the model reads)::

    [TITLE]
    YaRN: Efficient Context Window Extension of Large Language Models

    [ABSTRACT]
    Rotary Position Embeddings (RoPE) have been shown to ...

    [CAPTIONS]
    Figure 1: Sliding window perplexity (S = 256) of ten 128k Proof-pile documents ...

    [CONTENT]
    Section Title: Introduction
      Transformer-based Large Language Models[40] (LLMs) have become ...

Every block is always present (an empty one is just its marker); each paragraph of a
section is one line indented by two spaces (text without a heading has no title line).

The review (what the model writes)::

    [Significance and novelty]
    <title of the point> detailed explanation ...

    [Potential reasons for acceptance]
    ...

All four headings are written, in order, one point a line; a part with no points is its
heading alone. Parsing finds a heading anywhere (a generated review may not put it on
a line of its own); a part's text runs to the next heading.
"""
from __future__ import annotations

import re

# --- the paper ---------------------------------------------------------------------------
BLOCKS = ("TITLE", "ABSTRACT", "CAPTIONS", "CONTENT")
MARKERS = tuple(f"[{b}]" for b in BLOCKS)
SECTION_PREFIX = "Section Title: "
_MARKER_LINE = re.compile(r"^\[(" + "|".join(BLOCKS) + r")\][ \t]*(?:\n|\Z)", re.M)
_PAPER_LINE = re.compile(r"^\[(?:" + "|".join(BLOCKS) + r")\][ \t]*$|^" + SECTION_PREFIX, re.M)
_INVISIBLE = re.compile(r"[\u200b\ufeff]+")

# --- the review --------------------------------------------------------------------------
REVIEW_HEADINGS = (
    "[Significance and novelty]",
    "[Potential reasons for acceptance]",
    "[Potential reasons for rejection]",
    "[Suggestions for improvement]",
)
PARTS = ("significance", "acceptance", "rejection", "improvement")
HEADING_OF = dict(zip(PARTS, REVIEW_HEADINGS))
PART_OF = dict(zip(REVIEW_HEADINGS, PARTS))
_HEADING = re.compile("|".join(re.escape(h) for h in REVIEW_HEADINGS))
_POINT_LINE = re.compile(r"^<([^<>\n]*)>[ \t]?(.*)$")
_POINT = re.compile(r"^[ \t]*(?:[-*\u2022][ \t]*|\d+[.)][ \t]*)?<([^<>\n]{2,})>", re.M)


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces, zero-width spaces removed."""
    if "\u200b" in text or "\ufeff" in text:
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def render_paper(title: str, abstract: str, captions, sections) -> str:
    """The paper text from its parts; ``sections`` is ``[(heading, [paragraph, ...]), ...]``."""
    body = []
    for heading, paragraphs in sections:
        lines = [SECTION_PREFIX + one_line(heading)] if heading and heading.strip() else []
        lines += ["  " + one_line(p) for p in paragraphs if p and p.strip()]
        if not lines:
            continue
        body.append("\n".join(lines))
    blocks = (one_line(title or ""), one_line(abstract or ""),
              "\n".join(one_line(c) for c in captions if c and c.strip()), "\n\n".join(body))
    return "\n\n".join(f"{m}\n{b}".rstrip("\n") for m, b in zip(MARKERS, blocks)) + "\n"


def split_blocks(paper: str) -> list[tuple[str, int, int, int]]:
    """``(name, start, body_start, end)`` character spans of the paper's blocks.

    Text before the first marker is an ``OTHER`` block (a paper without markers is all
    OTHER); ``body_start`` is just after the marker's line.
    """
    heads = list(_MARKER_LINE.finditer(paper))
    blocks = []
    if not heads or heads[0].start() > 0:
        first = heads[0].start() if heads else len(paper)
        blocks.append(("OTHER", 0, 0, first))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(paper)
        blocks.append((m.group(1), m.start(), m.end(), end))
    return blocks


def parse_paper(text: str) -> dict[str, str]:
    """``{"OTHER": ..., "TITLE": ..., "ABSTRACT": ..., "CAPTIONS": ..., "CONTENT": ...}``."""
    out = dict.fromkeys(("OTHER",) + BLOCKS, "")
    for name, _, body, end in split_blocks(text):
        out[name] = (out[name] + "\n" + text[body:end]).strip()
    return out


def marker_order(text: str) -> list[str]:
    """The block markers of ``text`` in the order they appear."""
    return [f"[{m.group(1)}]" for m in _MARKER_LINE.finditer(text)]


def is_empty_paper(text: str) -> bool:
    """True when the paper has no text besides its markers and section titles."""
    parts = parse_paper(text)
    body = re.sub(rf"(?m)^{SECTION_PREFIX}.*$", "", parts["CONTENT"])
    return not any(v.strip() for k, v in parts.items() if k != "CONTENT") and not body.strip()


def looks_like_paper(text: str) -> bool:
    """True when ``text`` holds a block marker line or a section title line."""
    return bool(_PAPER_LINE.search(text))


def render_point(title: str, text: str) -> str:
    """One point line: ``<title> explanation`` (angle brackets in the title become round)."""
    title = one_line(title).replace("<", "(").replace(">", ")").strip(" .:;,")
    return f"<{title}> {one_line(text)}".rstrip()


def render_review(parts: dict[str, list[tuple[str, str]]]) -> str:
    """Review text from ``{part: [(title, explanation), ...]}``."""
    blocks = []
    for part in PARTS:
        lines = [HEADING_OF[part]] + [render_point(t, x) for t, x in parts.get(part, ())]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def empty_parts() -> dict[str, list[tuple[str, str]]]:
    return {p: [] for p in PARTS}


def count_points(parts) -> int:
    """Points of ``{part: [(title, explanation), ...]}`` (other keys are not parts)."""
    return sum(len(parts.get(p, ())) for p in PARTS)


def heading_order(text: str) -> list[str]:
    """The review headings of ``text`` in the order they appear (repeats included)."""
    return [m.group(0) for m in _HEADING.finditer(text)]


def parse_review(text: str) -> dict[str, str]:
    """``{part: text under its heading}`` for the headings present (the first of a repeat)."""
    found = list(_HEADING.finditer(text))
    out: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out.setdefault(PART_OF[m.group(0)], text[m.end():end].strip())
    return out


def parse_point(line: str) -> tuple[str, str]:
    """``(title, explanation)`` of one point line (no title: ``("", line)``)."""
    m = _POINT_LINE.match(line.strip())
    return (m.group(1), m.group(2)) if m else ("", line.strip())


def point_titles(text: str) -> list[str]:
    """The ``<title>`` of each point line of ``text`` (list markers allowed before it)."""
    return _POINT.findall(text)


def strip_markup(review: str) -> str:
    """The review without its headings and point titles (the reviewer's prose)."""
    return _POINT.sub(" ", _HEADING.sub(" ", review))
