"""A real paper's converted text typeset back into a PDF with fpdf2 (test helper).

The paper text format (``[TITLE]``, ``[ABSTRACT]``, ``[CAPTIONS]``, ``[CONTENT]``) of a real
paper becomes a PDF laid out as papers are: a large bold title, an ``Abstract`` heading,
numbered bold section headings as the paper names them, justified 10 pt paragraphs, and each
caption in 9 pt after a drawn figure box at the end of a section. The core fonts hold
Latin-1 only: :func:`latin1` maps the text first (the same mapping serves to compare).
"""
from __future__ import annotations

import unicodedata

from fpdf import FPDF

from review_ext.formats.text import SECTION_PREFIX, parse_paper


def latin1(text: str) -> str:
    """``text`` in the core fonts' characters: accents kept where Latin-1 has them, other
    characters decomposed, and what is left as ``?``."""
    out = []
    for ch in text:
        if ch.encode("latin-1", "ignore"):
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


def sections_of(paper: str) -> list[tuple[str, list[str]]]:
    """``[(heading, [paragraph, ...]), ...]`` of a paper's ``[CONTENT]`` block."""
    sections: list[tuple[str, list[str]]] = []
    for line in parse_paper(paper).get("CONTENT", "").splitlines():
        if line.startswith(SECTION_PREFIX):
            sections.append((line[len(SECTION_PREFIX):].strip(), []))
        elif line.strip() and sections:
            sections[-1][1].append(line.strip())
    return sections


def paper_text_pdf(paper: str) -> bytes:
    """The PDF of a paper given in the paper text format."""
    blocks = parse_paper(paper)
    captions = [c for c in blocks.get("CAPTIONS", "").splitlines() if c.strip()]
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    def text(size, body, style="", align="J", height=None):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, height or size * 0.5, latin1(body), align=align,
                       new_x="LMARGIN", new_y="NEXT")

    text(17, blocks.get("TITLE", "").strip(), "B", "C", 8)
    text(11, "Anonymous Authors", "", "C", 6)
    pdf.ln(4)
    text(12, "Abstract", "B", "C", 7)
    text(10, blocks.get("ABSTRACT", "").strip())
    sections = sections_of(paper)
    for i, (heading, paragraphs) in enumerate(sections):
        pdf.ln(3)
        text(12, heading, "B", "L", 7)
        for paragraph in paragraphs:
            text(10, paragraph)
            pdf.ln(2)
        for caption in captions[i::len(sections)] if sections else ():
            if pdf.get_y() > pdf.h - 80:
                pdf.add_page()
            pdf.rect(60, pdf.get_y(), 90, 30)
            pdf.set_y(pdf.get_y() + 33)
            text(9, caption, height=4.5)
            pdf.ln(2)
    return bytes(pdf.output())
