"""A PDF paper -> the paper text format (``[TITLE]``/``[ABSTRACT]``/``[CAPTIONS]``/``[CONTENT]``).

Pure Python (pypdf). Text lines come with their font size, boldness and position
(:mod:`data_conversion.sources.pdf_lines`); from those: the title is the largest text at
the top of page 1, the abstract follows an ``Abstract`` heading, section headings are
short lines set larger or bold (or numbered in capitals), captions start with
``Figure N:`` / ``Table N:``.
Page numbers, running headers and footers, the arXiv stamp, tiny figure text and
the reference list are left out; hyphenated line breaks are joined.

The CLI writes ``{"id": <file name stem>, "input": <paper text>}`` JSONL, the test
file tools/infer.py reads; a PDF that cannot be read stops the run (or, with
``--skip-bad``, goes to the rejects file with the reason). Each PDF is screened for
instructions to the reviewer, hidden ones included, before tiny print is dropped (see
:mod:`data_conversion.running.screening`): a paper with findings gets a ``screening``
block; ``--injection strip`` removes the flagged spans, ``--injection refuse`` sets the
paper aside in the rejects file.

Usage::

    python -m data_conversion.from_pdf paper.pdf                       # -> test.jsonl
    python -m data_conversion.from_pdf a.pdf b.pdf --out data/test.jsonl
    python -m data_conversion.from_pdf papers/*.pdf --out test.jsonl --skip-bad
    python -m data_conversion.from_pdf papers/*.pdf --out test.jsonl --injection refuse
"""
from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from data_conversion.running.bad_input import BadInput
from data_conversion.running.cli import add_run_args, run_converter
from data_conversion.running.rows import Account, JsonlWriter
from data_conversion.running.screening import REFUSED, Refused, Screener, add_injection_arg
from data_conversion.sources.pdf_lines import Line, PdfError, drop_furniture, open_pdf, page_lines
from review_ext.common.cli import doc_parser
from review_ext.common.jsonl import read_at_most
from review_ext.formats.text import render_paper

# ``Figure 3:``, ``Table A8.`` (appendix numbering)
CAPTION = re.compile(r"^(?:Figure|Fig\.|Table)\s*(?:[A-Z]\.?)?\d+[.:]\s*", re.IGNORECASE)
NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z](?:\.\d+)+\.?|[IVX]+\.)\s+(?=\S)")
ABSTRACT_INLINE = re.compile(r"^abstract\s*[.:\u2014\u2013-]\s*(?=\S)", re.IGNORECASE)
KNOWN_HEADINGS = {
    "abstract", "introduction", "related work", "related works", "background",
    "preliminaries", "method", "methods", "methodology", "approach", "experiments",
    "experimental setup", "results", "discussion", "conclusion", "conclusions",
    "limitations", "future work", "acknowledgments", "acknowledgements", "acknowledgment",
    "references", "bibliography", "appendix", "broader impact", "broader impacts",
    "ethics statement", "reproducibility statement",
}
REFERENCES = {"references", "bibliography"}
MAX_PDF_BYTES = 256 << 20  # a paper is a few MB; more is not a paper (or an endless input)
# ---------------------------------------------------------------- layout
def dominant_size(lines: list[Line]) -> float:
    """The body text size: the size that sets the most characters."""
    weight = Counter()
    for line in lines:
        weight[line.size] += len(line.text)
    return weight.most_common(1)[0][0]


def line_pitch(lines: list[Line], size: float) -> float:
    """The usual distance between consecutive body lines (for spotting paragraph gaps)."""
    gaps = Counter()
    for prev, line in zip(lines, lines[1:], strict=False):
        gap = prev.y - line.y
        if prev.page == line.page and prev.size == line.size == size and 0 < gap < 3 * size:
            gaps[round(gap, 0)] += 1
    return gaps.most_common(1)[0][0] if gaps else 1.2 * size


def heading_name(text: str) -> str:
    """A heading without its numbering (``2.1 Data`` -> ``Data``)."""
    return NUMBERING.sub("", text).strip()


def is_heading(line: Line, body: float) -> bool:
    """Short, capitalised, not a sentence, and set apart: larger, bold, a known name or
    numbered in capitals."""
    text = line.text
    words = text.split()
    if not (1 <= len(words) <= 12 and len(text) <= 100) or text[-1] in ".,;":
        return False
    if CAPTION.match(text) or not re.search(r"[A-Za-z]{2}", text):
        return False
    name = heading_name(text)
    if not name or not (name[0].isupper() or name[0].isdigit()):
        return False
    if name.lower().rstrip(":") in KNOWN_HEADINGS:
        return True
    numbered = name != text
    if line.size >= body * 1.08:
        return True
    return (line.bold and (numbered or name.istitle())) or (numbered and name.isupper())


def is_abstract_start(line: Line, body: float) -> bool:
    """An ``Abstract`` heading or a paragraph opening ``Abstract--``."""
    return bool(ABSTRACT_INLINE.match(line.text)) or (
        heading_name(line.text).lower().rstrip(":") == "abstract" and is_heading(line, body))


def split_title(lines: list[Line], body: float, metadata_title: str | None):
    """The title and the index where the text after the front matter (authors) starts.

    The title is the first run of the largest lines on page 1 above the abstract
    (else the metadata title, else the first line); the front matter ends at the
    abstract, else at the first heading after the title.
    """
    first_page = [i for i, ln in enumerate(lines) if ln.page == 0]
    abstract_at = next((i for i in first_page if is_abstract_start(lines[i], body)), None)
    pool = lines[:abstract_at] if abstract_at is not None else [lines[i] for i in first_page]
    biggest = max((ln.size for ln in pool), default=0)
    if biggest >= body * 1.2:
        start = next(i for i, ln in enumerate(pool) if abs(ln.size - biggest) < 0.5)
        end = start
        while end < len(pool) and abs(pool[end].size - biggest) < 0.5:
            end += 1
        title = " ".join(ln.text for ln in pool[start:end])
    elif metadata_title and len(metadata_title.split()) >= 3:
        title, end = metadata_title, 0
    else:
        title, end = lines[0].text, 1
    if abstract_at is None:
        abstract_at = next((i for i in range(end, len(lines)) if is_heading(lines[i], body)), end)
    return title, abstract_at


class Paragraphs:
    """Lines joined into paragraphs: a new one after a wide gap or at an indent."""

    def __init__(self, pitch: float):
        self.pitch = pitch
        self.items: list[str] = []
        self.last: Line | None = None

    def add(self, line: Line) -> None:
        prev, self.last = self.last, line
        if prev is None or self._breaks(prev, line):
            self.items.append(line.text)
        elif re.search(r"[A-Za-z]-$", self.items[-1]) and line.text[:1].islower():
            self.items[-1] = self.items[-1][:-1] + line.text
        else:
            self.items[-1] += " " + line.text

    def _breaks(self, prev: Line, line: Line) -> bool:
        if prev.page != line.page or line.y >= prev.y:
            return False  # next column or page: no gap to measure
        wide_gap = prev.y - line.y > self.pitch * 1.3
        indented = line.x > prev.x + 0.8 * line.size and prev.text[-1:] in ".!?:"
        return wide_gap or indented


def read_caption(lines: list[Line], i: int) -> tuple[str, int]:
    """The caption starting at ``lines[i]`` and the index after it."""
    first, parts, j = lines[i], [lines[i].text], i + 1
    while j < len(lines) and j - i < 20:
        line, prev = lines[j], lines[j - 1]
        same_block = (line.page == first.page and abs(line.size - first.size) < 0.3
                      and 0 < prev.y - line.y <= 1.6 * line.size)
        if not same_block or CAPTION.match(line.text):
            break
        parts.append(line.text)
        j += 1
    return re.sub(r"([A-Za-z])- ([a-z])", r"\1\2", " ".join(parts)), j


def structure(lines: list[Line], metadata_title: str | None = None) -> dict:
    """``{"title", "abstract", "captions", "sections"}`` from a paper's lines."""
    body = dominant_size(lines)
    lines = [ln for ln in lines if ln.size >= 0.75 * body]  # figure labels, tiny print
    pitch = line_pitch(lines, body)
    title, i = split_title(lines, body, metadata_title)
    abstract, captions, sections = Paragraphs(pitch), [], []
    target = abstract  # where text lines go; None inside the reference list
    abstract_seen, heading_at = False, None
    while i < len(lines):
        line, inline = lines[i], ABSTRACT_INLINE.match(lines[i].text)
        if CAPTION.match(line.text):
            caption, i = read_caption(lines, i)
            if caption not in captions:
                captions.append(caption)
            continue
        if inline and not sections and not abstract_seen:
            abstract_seen = True
            abstract.add(replace(line, text=line.text[inline.end():]))
        elif is_heading(line, body):
            name = heading_name(line.text)
            if name.lower().rstrip(":") == "abstract" and not sections:
                abstract_seen = True
            elif (heading_at == i - 1 and sections and target is sections[-1][1]
                  and not target.items and name == line.text
                  and name.lower() not in KNOWN_HEADINGS
                  and (line.size, line.bold) == (lines[i - 1].size, lines[i - 1].bold)):
                sections[-1] = (sections[-1][0] + " " + name, target)  # a wrapped heading
            elif name.lower() in REFERENCES:
                target = None
            else:
                sections.append((name, Paragraphs(pitch)))
                target = sections[-1][1]
            heading_at = i
        elif target is not None:
            target.add(line)
        i += 1
    if not sections and not abstract_seen:  # no structure at all: it is all content
        sections, abstract = [("Main text", abstract)], Paragraphs(pitch)
    return {"title": title, "abstract": " ".join(abstract.items), "captions": captions,
            "sections": [(name, paras.items) for name, paras in sections]}


def pdf_parts(data: bytes) -> dict:
    """A PDF's bytes -> ``{"title", "abstract", "captions", "sections"}``. :class:`PdfError` if
    that cannot be done."""
    reader = open_pdf(data)
    lines = []
    for number, page in enumerate(reader.pages):
        try:
            lines += page_lines(page, number)
        except Exception as error:  # noqa: BLE001 - any pypdf failure is a bad PDF to the user
            raise PdfError(f"pypdf could not read page {number + 1} ({type(error).__name__}: "
                           f"{error})", "re-save the PDF (e.g. qpdf in.pdf out.pdf)") from error
    lines = drop_furniture(lines, len(reader.pages))
    if sum(len(ln.text) for ln in lines) < 50:
        raise PdfError("no extractable text (a scanned or image-only PDF?)",
                       "run OCR first (e.g. ocrmypdf in.pdf out.pdf)")
    meta = reader.metadata or {}
    return structure(lines, str(meta.get("/Title") or "").strip() or None)


def pdf_to_paper(data: bytes) -> str:
    """A PDF's bytes -> the paper text. :class:`PdfError` if that cannot be done."""
    parts = pdf_parts(data)
    return render_paper(parts["title"], parts["abstract"], parts["captions"], parts["sections"])


def read_pdf(path: Path) -> tuple[bytes, dict]:
    """A PDF file's bytes and :func:`pdf_parts`; :class:`PdfError` for a file that is too large
    or not a paper, OSError for one that cannot be read."""
    data = read_at_most(path, MAX_PDF_BYTES)
    if len(data) > MAX_PDF_BYTES:
        raise PdfError(f"larger than {MAX_PDF_BYTES >> 20} MiB (or endless)",
                       "give the paper's PDF file")
    return data, pdf_parts(data)


# ---------------------------------------------------------------- CLI
def parse_args(argv=None) -> argparse.Namespace:
    parser = doc_parser(__doc__)
    parser.add_argument("pdfs", nargs="+", type=Path, help="PDF files (id = file name stem)")
    parser.add_argument("--out", type=Path, default=Path("test.jsonl"),
                        help="output JSONL, {id, input} per paper (default: test.jsonl)")
    add_injection_arg(parser)
    add_run_args(parser)
    return parser.parse_args(argv)


def main(argv=None) -> Account:
    args = parse_args(argv)

    def body(run):
        writer = run.output(JsonlWriter(args.out))
        screener = Screener(run.account, args.injection)
        seen: dict[str, Path] = {}
        for path in args.pdfs:
            run.account.read += 1
            try:
                if path.stem in seen:
                    raise PdfError(f"same id {path.stem!r} as {seen[path.stem]}",
                                   "rename one of the files (the id is the file name stem)")
                data, parts = read_pdf(path)
            except (PdfError, OSError) as error:
                problem, hint = (error.problem, error.hint) if isinstance(error, PdfError) \
                    else (str(error), "check the path")
                run.reject(BadInput(path, "file", "(the PDF)", problem, hint))
                continue
            seen[path.stem] = path
            paper = render_paper(parts["title"], parts["abstract"], parts["captions"],
                                 parts["sections"])
            try:
                paper, screening = screener.paper(path.stem, paper, data)
            except Refused as e:
                run.set_aside(BadInput(path, "file", "input", str(e),
                                       "read the paper before reviewing it"), REFUSED)
                continue
            writer.add({"id": path.stem, "input": paper,
                        **({"screening": screening} if screening else {})})
            run.account.written += 1

    return run_converter("from_pdf", args, args.out, body, inputs=args.pdfs, unit="PDFs")

