"""PDF -> findings: text a reader cannot see, and instructions anywhere in the PDF's text.

Every piece of text pypdf extracts is placed with its state from the content stream: fill
and stroke colour (``g``/``rg``/``k``/``sc``/``scn``, their stroke twins, ``cs``), render
mode (``Tr``), fill opacity (``gs`` with ``/ca``), the filled rectangles drawn before it
(its background; white where there is none), its size and position (pypdf's text matrix).
A piece is hidden when it is invisible (render mode 3 or 7, opacity 0), set in a colour
within :data:`NEAR` of its background's luminance, smaller than :data:`TINY_PT`, or
placed outside the page's crop box.

pypdf hands text to its visitor in chunks that may span several text operators; so that
a chunk never mixes states, each page's operators are rewritten first with a repeat of
the current ``Tf`` before every change of state (a ``Tf`` makes pypdf hand over what it
holds). The PDF's bytes are not changed.

Not seen: text hidden behind an image or a vector shape other than a filled rectangle,
text clipped away (``W n``), text in a colour space other than gray, RGB or CMYK, and
the state inside form XObjects is tracked but their operators are not rewritten.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from pypdf.generic import NameObject

from data_conversion.sources.pdf_lines import PdfError, open_pdf

from .findings import Finding
from .text import screen_text

TINY_PT = 3.0  # type smaller than this (in points) is not read by a human
NEAR = 0.08  # luminance difference from the background below which text is not seen
_STATE_OPS = frozenset((b"g", b"rg", b"k", b"sc", b"scn", b"cs", b"G", b"RG", b"K", b"SC",
                        b"SCN", b"CS", b"Tr", b"gs", b"Q"))
_SHOW_OPS = frozenset((b"Tj", b"TJ", b"'", b'"'))
_FILL_OPS = frozenset((b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"))
_WORD = re.compile(r"[^\W\d_]{2,}")
WHITE = (1.0, 1.0, 1.0)


@dataclass
class Run:
    """One piece of a page's text with where it stands and why a reader cannot see it."""

    text: str
    page: int  # 1-based
    size: float
    x: float
    y: float
    hidden: tuple[str, ...] = ()


def _mul(m: list, n: list) -> list:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u]


def _rgb(operands) -> tuple[float, float, float] | None:
    """Gray, RGB or CMYK operands as RGB; None for anything else (a pattern, a name)."""
    values = []
    for value in operands:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values.append(min(1.0, max(0.0, float(value))))
    if len(values) == 1:
        return (values[0],) * 3
    if len(values) == 3:
        return tuple(values)
    if len(values) == 4:
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def _luminance(rgb) -> float:
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _with_flushes(page) -> None:
    """Rewrite ``page``'s operators (in memory) with a repeat of the current font before
    every change of colour, render mode, opacity or restored state."""
    content = page.get_contents()
    if content is None:
        return
    ops, font, saved = [], None, []
    for operands, operator in content.operations:
        if operator in _STATE_OPS and font is not None:
            ops.append((list(font), b"Tf"))
        if operator == b"q":
            saved.append(font)
        elif operator == b"Q" and saved:
            font = saved.pop()
        elif operator == b"Tf" and len(operands) >= 2:
            font = (operands[0], operands[1])
        ops.append((operands, operator))
    content.operations = ops
    page[NameObject("/Contents")] = content


class _Tracker:
    """The graphics state that decides visibility, followed operator by operator."""

    def __init__(self, page, number: int):
        self.page, self.number = page, number
        box = page.cropbox
        self.box = (float(box.left), float(box.bottom), float(box.right), float(box.top))
        self.fill, self.stroke, self.mode, self.alpha = (0.0,) * 3, (0.0,) * 3, 0, 1.0
        self.saved: list[tuple] = []
        self.rects: list[tuple[float, float, float, float]] = []  # path being built
        self.backgrounds: list[tuple[tuple, tuple]] = []  # (box, fill) in page space
        self.shown: tuple | None = None  # state of the last text-showing operator
        self.runs: list[Run] = []

    def operator(self, operator, operands, cm, tm) -> None:
        if operator == b"q":
            self.saved.append((self.fill, self.stroke, self.mode, self.alpha))
        elif operator == b"Q" and self.saved:
            self.fill, self.stroke, self.mode, self.alpha = self.saved.pop()
        elif operator in (b"g", b"rg", b"k", b"sc", b"scn"):
            self.fill = _rgb(operands) or self.fill
        elif operator in (b"G", b"RG", b"K", b"SC", b"SCN"):
            self.stroke = _rgb(operands) or self.stroke
        elif operator == b"cs":
            self.fill = (0.0,) * 3
        elif operator == b"CS":
            self.stroke = (0.0,) * 3
        elif operator == b"Tr" and operands:
            self.mode = int(operands[0]) if isinstance(operands[0], (int, float)) else 0
        elif operator == b"gs" and operands:
            self._graphics_state(operands[0])
        elif operator == b"re" and len(operands) == 4:
            self._rect(operands, cm)
        elif operator in _FILL_OPS:
            self.backgrounds += [(r, self.fill) for r in self.rects]
            self.rects = []
        elif operator in (b"n", b"S", b"s"):
            self.rects = []
        elif operator in _SHOW_OPS:
            self.shown = (self.fill, self.stroke, self.mode, self.alpha, len(self.backgrounds))

    def _graphics_state(self, name) -> None:
        try:
            states = self.page["/Resources"]["/ExtGState"]
            alpha = states[name].get_object().get("/ca")
        except (KeyError, TypeError, AttributeError):
            return
        if isinstance(alpha, (int, float)):
            self.alpha = float(alpha)

    def _rect(self, operands, cm) -> None:
        try:
            x, y, w, h = (float(v) for v in operands)
        except (TypeError, ValueError):
            return
        corners = [_mul([1, 0, 0, 1, px, py], cm)[4:] for px, py in
                   ((x, y), (x + w, y + h))]
        (x0, y0), (x1, y1) = corners
        self.rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))

    def text(self, text, cm, tm, font, font_size) -> None:
        if not text:
            return
        m = _mul(tm, cm)
        size = round(abs(font_size) * math.hypot(m[2], m[3]), 2)
        x, y = m[4], m[5]
        fill, stroke, mode, alpha, drawn = self.shown or ((0.0,) * 3, (0.0,) * 3, 0, 1.0, 0)
        self.runs.append(Run(text, self.number, size, x, y,
                             self._hidden(text, size, x, y, fill, stroke, mode, alpha, drawn)))

    def _hidden(self, text, size, x, y, fill, stroke, mode, alpha, drawn) -> tuple[str, ...]:
        if not text.strip():
            return ()
        why = []
        if mode in (3, 7):
            why.append(f"invisible render mode (Tr {mode})")
        elif alpha == 0:
            why.append("fully transparent fill (/ca 0)")
        else:
            background = next((c for (x0, y0, x1, y1), c in reversed(self.backgrounds[:drawn])
                               if x0 <= x <= x1 and y0 <= y <= y1), WHITE)
            colours = {0: [fill], 1: [stroke], 2: [fill, stroke], 4: [fill], 5: [stroke],
                       6: [fill, stroke]}.get(mode, [fill])
            contrast = max(abs(_luminance(c) - _luminance(background)) for c in colours)
            if contrast < NEAR:
                why.append(f"colour {_luminance(colours[0]):.2f} on background "
                           f"{_luminance(background):.2f} (luminance)")
        if 0 < size < TINY_PT:
            why.append(f"{size:g} pt type")
        left, bottom, right, top = self.box
        if not (left - 1 <= x <= right + 1 and bottom - 1 <= y <= top + 1):
            why.append(f"outside the page box at ({x:.0f}, {y:.0f})")
        return tuple(why)


def pdf_runs(data: bytes) -> list[Run]:
    """Every piece of text of the PDF, page by page, with why it is hidden (if it is).
    :class:`~data_conversion.sources.pdf_lines.PdfError` for a PDF that cannot be read."""
    reader = open_pdf(data)
    runs = []
    for number, page in enumerate(reader.pages, 1):
        tracker = _Tracker(page, number)
        try:
            _with_flushes(page)
            page.extract_text(visitor_operand_before=tracker.operator,
                              visitor_text=tracker.text)
        except Exception as error:  # any pypdf failure is a bad PDF to the user
            raise PdfError(f"pypdf could not read page {number} ({type(error).__name__}: "
                           f"{error})", "re-save the PDF (e.g. qpdf in.pdf out.pdf)") from error
        runs += tracker.runs
    return runs


def _hidden_spans(runs: list[Run], starts: list[int]) -> list[tuple[int, int, int, tuple]]:
    """``(start, end, page, reasons)`` of each stretch of hidden runs hidden for the same
    reasons (whitespace between two such runs of a page joins them)."""
    spans: list[list] = []
    for run, at in zip(runs, starts):
        last = spans[-1] if spans else None
        if last and last[1] == at and last[2] == run.page and (
                run.hidden == last[3] or not run.text.strip()):
            last[1] = at + len(run.text)
        elif run.hidden:
            spans.append([at, at + len(run.text), run.page, run.hidden])
    return [tuple(span) for span in spans]


def screen_pdf_bytes(data: bytes) -> list[Finding]:
    """Findings in a PDF: hidden text (flagged when it carries an instruction or addresses
    the reviewer or a model; reported otherwise) and instructions in its whole text, tiny
    print included. Spans index the PDF's text: the pieces joined, pages apart by a blank
    line. :class:`~data_conversion.sources.pdf_lines.PdfError` for a PDF that cannot be read."""
    runs = pdf_runs(data)
    starts, parts, at, page = [], [], 0, 1
    for run in runs:
        if run.page != page:
            parts.append("\n\n")
            at, page = at + 2, run.page
        starts.append(at)
        parts.append(run.text)
        at += len(run.text)
    text = "".join(parts)
    flat = text.replace("\n", " ")  # one line per page: a sentence may wrap; spans hold
    pages = [(a, run.page) for a, run in zip(starts, runs)]

    def page_at(offset: int) -> int:
        return next((p for a, p in reversed(pages) if a <= offset), 1)

    findings = []
    for a, b, page, why in _hidden_spans(runs, starts):
        found = screen_text(flat[a:b], hidden=True)
        hidden = "; ".join(why)
        snippet = text[a:b].strip()
        lead = len(text[a:b]) - len(text[a:b].lstrip())
        if any(f.flagged for f in found):
            cues = "; ".join(f.why for f in found if f.flagged)
            findings.append(Finding("hidden instruction", f"{hidden}; {cues}", "high", snippet,
                                    a + lead, a + lead + len(snippet), page=page))
        elif len(_WORD.findall(snippet)) >= 2:
            findings.append(Finding("hidden text", hidden, "low", snippet, a + lead,
                                    a + lead + len(snippet), page=page))
    covered = [(f.start, f.end) for f in findings if f.flagged]
    for f in screen_text(flat):
        if not any(a < f.end and f.start < b for a, b in covered):
            findings.append(replace(f, text=text[f.start:f.end], block="",
                                    page=page_at(f.start)))
    return sorted(findings, key=lambda f: f.start)


def screen_pdf(path: str | Path) -> list[Finding]:
    """:func:`screen_pdf_bytes` of the PDF file at ``path``."""
    return screen_pdf_bytes(Path(path).read_bytes())
