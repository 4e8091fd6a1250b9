"""A science-parse JSON (PeerRead ``parsed_pdfs``) -> the parts of the paper text format.

Sections come from ``metadata.sections`` (their line breaks are paragraph breaks).
science-parse has no caption field: lines that start ``Figure N:`` / ``Table N:`` are
moved from the section text to the captions. A leading section without a heading that
repeats the abstract is dropped; other unheaded text stays, without a heading. A file of
another structure (a section that is not an object) raises
:class:`~data_conversion.sources.parsed_pdf.ParsedPdfError`.
"""
from __future__ import annotations

import re

from data_conversion.sources.parsed_pdf import an_object, objects

_CAPTION = re.compile(r"^(?:Figure|Fig\.|Table)\s*\d+\s*[:.]\s+\S")


def _same_start(a: str, b: str, n: int = 80) -> bool:
    a, b = " ".join(a.split())[:n], " ".join(b.split())[:n]
    return bool(a) and a == b


def science_parse_parts(doc: dict):
    """``(title, abstract, captions, sections)``; ``sections`` is ``[(heading, [para])]``."""
    meta = an_object(doc.get("metadata") or {}, "metadata")
    abstract = meta.get("abstractText") or ""
    captions, sections = [], []
    for i, sec in enumerate(objects(meta.get("sections") or [], "metadata.sections")):
        heading, text = (sec.get("heading") or "").strip(), sec.get("text") or ""
        if i == 0 and not heading and _same_start(text, abstract):
            continue
        paragraphs = []
        for line in text.split("\n"):
            line = line.strip()
            if _CAPTION.match(line):
                captions.append(line)
            elif line:
                paragraphs.append(line)
        sections.append((heading, paragraphs))
    return meta.get("title") or "", abstract, captions, sections
