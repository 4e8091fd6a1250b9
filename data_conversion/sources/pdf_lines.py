"""PDF bytes -> text lines with their font size, boldness, page and position (pypdf).

:func:`open_pdf` refuses what cannot be read (with what to do), :func:`page_lines` gives one
page's lines with their dominant font, and :func:`drop_furniture` removes page numbers, the
arXiv stamp and running headers and footers. :mod:`data_conversion.sources.pdf` builds the paper
from these lines.
"""
from __future__ import annotations

import io
import math
import re
from collections import Counter
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import DependencyError, PdfReadError


class PdfError(ValueError):
    """A PDF this reader cannot turn into a paper: the problem and what to do about it."""

    def __init__(self, problem: str, hint: str):
        self.problem, self.hint = problem, hint
        super().__init__(f"{problem}; {hint}")


@dataclass
class Line:
    text: str
    size: float
    bold: bool
    page: int
    x: float
    y: float
    edge: bool = False  # in the top or bottom margin band, where headers and footers sit


FURNITURE = re.compile(r"^(?:\d{1,4}|[ivxlc]{1,6}|arXiv:\d{4}\.\d{4,5}\S*.*)$", re.IGNORECASE)
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|cmbx|\.b\b|-b$", re.IGNORECASE)
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                           "\ufb04": "ffl", "\u00ad": ""})



def open_pdf(data: bytes) -> PdfReader:
    """A reader for ``data``; :class:`PdfError` for a non-PDF or a password-protected one."""
    if b"%PDF-" not in data[:1024]:
        raise PdfError("not a PDF (no %PDF- header)", "give the paper's PDF file")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as error:
                raise PdfError(f"encrypted with a method pypdf cannot open here ({error})",
                               "save an unencrypted copy (e.g. qpdf --decrypt)") from error
            if not opened:
                raise PdfError("encrypted with a password", "save an unencrypted copy "
                               "(e.g. qpdf --decrypt --password=... in.pdf out.pdf)")
        len(reader.pages)
    except PdfReadError as error:
        raise PdfError(f"unreadable PDF ({error})", "check that the file is complete") from error
    return reader


def _matrix_product(m: list, n: list) -> list:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u]


def page_lines(page, number: int) -> list[Line]:
    """The text lines of one page (pypdf's line breaks), each with its dominant font."""
    lines: list[Line] = []
    pieces: list[tuple[str, float, bool, float, float]] = []
    bottom, height = float(page.mediabox.bottom), float(page.mediabox.height)

    def flush():
        text = " ".join("".join(p[0] for p in pieces).split()).translate(LIGATURES)
        if text:
            weight = Counter()
            for piece_text, size, bold, _, _ in pieces:
                weight[(size, bold)] += len(piece_text.strip())
            (size, bold), _ = weight.most_common(1)[0]
            first = next(p for p in pieces if p[0].strip())
            edge = not 0.08 * height < first[4] < 0.92 * height
            lines.append(Line(text, size, bold, number, first[3], first[4], edge))
        pieces.clear()

    def visit(text, cm, tm, font, font_size):
        m = _matrix_product(tm, cm)
        size = round(font_size * math.hypot(m[2], m[3]), 1)
        bold = bool(BOLD_FONT.search(str((font or {}).get("/BaseFont", ""))))
        for i, part in enumerate(text.split("\n")):
            if i:
                flush()
            if part:
                pieces.append((part, size, bold, m[4], m[5] - bottom))

    page.extract_text(visitor_text=visit)
    flush()
    return lines


def drop_furniture(lines: list[Line], n_pages: int) -> list[Line]:
    """Without page numbers, the arXiv stamp, and headers and footers: margin lines
    repeated on at least half the pages (digits aside)."""
    def shape(text):
        return re.sub(r"\d+", "#", text.lower())

    pages_of = {}
    for line in lines:
        if line.edge:
            pages_of.setdefault(shape(line.text), set()).add(line.page)
    repeated = {s for s, pages in pages_of.items() if len(pages) >= max(2, n_pages / 2)}
    return [ln for ln in lines if not FURNITURE.match(ln.text)
            and not (ln.edge and shape(ln.text) in repeated)]
