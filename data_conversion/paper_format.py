"""The paper text format: ``[TITLE]``, ``[ABSTRACT]``, ``[CAPTIONS]``, ``[CONTENT]`` blocks.

::

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
"""
from __future__ import annotations

import re

MARKERS = ("[TITLE]", "[ABSTRACT]", "[CAPTIONS]", "[CONTENT]")
SECTION_PREFIX = "Section Title: "
_MARKER_LINE = re.compile(r"^\[(TITLE|ABSTRACT|CAPTIONS|CONTENT)\][ \t]*$", re.M)
_INVISIBLE = re.compile(r"[\u200b\ufeff]+")


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


def parse_paper(text: str) -> dict[str, str]:
    """``{"TITLE": ..., "ABSTRACT": ..., "CAPTIONS": ..., "CONTENT": ..., "OTHER": ...}``.

    ``OTHER`` is any text before the first marker (a paper without markers is all OTHER).
    """
    out = dict.fromkeys(("OTHER", "TITLE", "ABSTRACT", "CAPTIONS", "CONTENT"), "")
    heads = list(_MARKER_LINE.finditer(text))
    out["OTHER"] = text[: heads[0].start() if heads else len(text)].strip()
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out[m.group(1)] = (out[m.group(1)] + "\n" + text[m.end():end]).strip()
    return out


def marker_order(text: str) -> list[str]:
    """The block markers of ``text`` in the order they appear."""
    return [f"[{m.group(1)}]" for m in _MARKER_LINE.finditer(text)]


def is_empty_paper(text: str) -> bool:
    """True when the paper has no text besides its markers and section titles."""
    parts = parse_paper(text)
    body = re.sub(r"(?m)^Section Title:.*$", "", parts["CONTENT"])
    return not any(v.strip() for k, v in parts.items() if k != "CONTENT") and not body.strip()
