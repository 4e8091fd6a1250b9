"""A Docling ``DoclingDocument`` (parsed PDF) -> the parts of the paper text format.

Reading order is ``body.children``, followed through groups; pictures and tables give
their captions (their inner texts are figure labels and cells, not prose). Dropped:
page headers and footers (``furniture``), footnotes, the author and affiliation lines
between the title and ``Abstract`` (and any item that lies above the ``Abstract``
heading on its page but comes later in reading order: a second column of authors),
stray figure labels (short text without letters, or a few words in a font much smaller
than the body's that the parser left outside the figure), the ``References`` section and the
NeurIPS paper checklist (from ``... Paper Checklist`` to the next header that is not a
checklist question, or from the first question answered ``Answer: [Yes]`` when the
checklist heading was not recognised); appendices after them are kept. Display
equations keep Docling's linear form (``orig``) when their ``text`` is empty; line
numbers of a draft fused into the text are removed
(:mod:`data_conversion.sources.line_numbers`).
"""
from __future__ import annotations

import re

from data_conversion.sources.line_numbers import LineNumberStripper, numbered_lines
from data_conversion.sources.parsed_pdf import ParsedPdfError, an_object, objects
from review_ext.formats.text import one_line

_ABSTRACT = re.compile(r"^\W*abstract\W*$", re.I)
_ABSTRACT_INLINE = re.compile(r"^\W*abstract\s*[.:—–-]\s*", re.I)
_FIRST_SECTION = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+[A-Z]|^(?:introduction|background|related work|"
    r"preliminaries|overview|motivation)\b", re.I)
_REFERENCES = re.compile(r"^\W*(?:references|bibliography|literature cited)\W*$", re.I)
_CHECKLIST = re.compile(r"paper checklist\W*$", re.I)
_CHECKLIST_ITEM = re.compile(r"^(?:\d{1,2}\.\s|(?:answer|justification|guidelines|important)\b)",
                             re.I)
_CHECKLIST_ANSWER = re.compile(r"^Answer:\s*\[(?:Yes|No|NA|N/A)\]", re.I)
FIGURE_TEXT_HEIGHT = 6.5  # points: a line of body text is ~8.5-10, a figure's labels ~4-6
_SKIP_LABELS = {"page_header", "page_footer", "footnote"}
_CONTAINERS = {"picture", "table", "chart"}


def _resolve(doc: dict, ref) -> dict:
    """The item a ``{"$ref": "#/texts/3"}`` points at."""
    target = ref.get("$ref") if isinstance(ref, dict) else None
    try:
        _, kind, index = target.split("/")
        return an_object(doc[kind][int(index)], target)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        raise ParsedPdfError("$ref", f"{ref!r} points at no item") from None


def reading_order(doc: dict):
    """Body items in reading order; pictures and tables are yielded, not entered."""
    body = an_object(doc.get("body"), "body")
    stack = [iter(objects(body.get("children", []), "body.children"))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        node = _resolve(doc, child)
        yield node
        if node.get("label") not in _CONTAINERS and node.get("children"):
            stack.append(iter(objects(node["children"], f"{node.get('self_ref')}.children")))


def _box(node: dict):
    """``(page, bottom, top)`` of a node, heights measured from the page's foot."""
    prov = (node.get("prov") or [{}])[0]
    box, page = prov.get("bbox"), prov.get("page_no")
    if not box or page is None:
        return None
    if box.get("coord_origin", "BOTTOMLEFT") == "TOPLEFT":
        return page, -box["b"], -box["t"]
    return page, box["b"], box["t"]


def _abstract_anchor(doc: dict):
    """``(page, top)`` of the ``Abstract`` heading, or None."""
    for node in doc.get("texts", []):
        text = (node.get("text") or "").strip()
        if _ABSTRACT.match(text) or _ABSTRACT_INLINE.match(text):
            box = _box(node)
            return (box[0], box[2]) if box else None
    return None


class _Reader:
    """The state machine that walks a document in reading order into the paper's parts."""

    def __init__(self, doc: dict, keep_references: bool, keep_checklist: bool):
        self.doc, self.keep_references, self.keep_checklist = doc, keep_references, keep_checklist
        self.title, self.abstract, self.captions, self.sections, self.front = "", [], [], [], []
        self.used_captions: set[str] = set()
        self.state = "title"
        self.anchor = _abstract_anchor(doc)
        numbered = numbered_lines([t.get("text") or "" for t in doc.get("texts", [])])
        self.clean = LineNumberStripper() if numbered else (lambda text: text)

    def figure_text(self, node: dict, text: str) -> bool:
        """A stray label of a figure: short text without letters ("14", "-"), or a few
        words in a small font ("Bond", "GeoAda (qm9)") that the parser left in the body."""
        if len(text) < 8 and not re.search(r"[^\W\d_]", text):
            return True
        box = _box(node)
        return bool(box and len(text.split()) <= 4 and box[2] - box[1] < FIGURE_TEXT_HEIGHT)

    def above_abstract(self, node: dict) -> bool:
        """True for an item wholly above the Abstract heading on its page: front matter
        (authors, affiliations, e-mails) that reading order placed later."""
        box = _box(node)
        return bool(box and self.anchor and box[0] == self.anchor[0] and box[1] >= self.anchor[1])

    def add(self, node: dict) -> None:
        label = node.get("label", "")
        if node.get("content_layer") == "furniture" or label in _SKIP_LABELS:
            return
        if label in _CONTAINERS:
            for ref in objects(node.get("captions", []), f"{node.get('self_ref')}.captions"):
                self.used_captions.add(ref.get("$ref"))
                self.caption(_resolve(self.doc, ref).get("text") or "")
            return
        text = (node.get("text") or "").strip()
        if label == "formula":
            text = text or one_line(node.get("orig") or "")  # display equations, linear form
        if label == "caption":
            if node.get("self_ref") not in self.used_captions:
                self.caption(text)
            return
        if not text or (label == "text" and self.figure_text(node, text)):
            return
        if self.state in ("abstract", "body") and self.above_abstract(node):
            return
        if self.state not in ("title", "front"):  # also in dropped parts: the count goes on
            text = self.clean(text)
        if label in ("title", "section_header") or (label == "text" and len(text) < 60
                                                    and _CHECKLIST.search(text)):
            self.heading(text)
        elif _CHECKLIST_ANSWER.match(text) and not self.keep_checklist:
            self.checklist_without_heading()
        else:
            self.paragraph(text)

    def caption(self, text: str) -> None:
        if text.strip():
            self.captions.append(text.strip())

    def heading(self, text: str) -> None:
        state = self.state
        if state == "title":
            self.title, self.state = text, "front"
        elif state == "front" and _ABSTRACT.match(text):
            self.state = "abstract"
        elif state == "front" and not _FIRST_SECTION.match(text):
            self.front.append(text)  # author names set as headers
        elif _CHECKLIST.search(text) and not self.keep_checklist:
            self.state = "checklist"
        elif state == "checklist" and _CHECKLIST_ITEM.match(text):
            pass
        elif _REFERENCES.match(text) and not self.keep_references:
            self.state = "references"
        else:
            self.state = "body"
            self.sections.append((text, []))

    def checklist_without_heading(self) -> None:
        """A checklist answer outside the checklist: its heading was missed. The question
        just before it and the question's header (``1. Claims``) go too."""
        if self.state == "body" and self.sections:
            heading, paragraphs = self.sections[-1]
            while paragraphs and paragraphs[-1].startswith("Question:"):
                paragraphs.pop()
            if not paragraphs and _CHECKLIST_ITEM.match(heading):
                self.sections.pop()
        self.state = "checklist"

    def paragraph(self, text: str) -> None:
        if self.state in ("title", "front"):
            if _ABSTRACT_INLINE.match(text):
                self.state = "abstract"
                self.abstract.append(_ABSTRACT_INLINE.sub("", text))
            else:
                self.front.append(text)
        elif self.state == "abstract":
            self.abstract.append(text)
        elif self.state == "body":
            self.sections[-1][1].append(text)


def docling_parts(doc: dict, *, keep_references: bool = False, keep_checklist: bool = False):
    """``(title, abstract, captions, sections)`` of a DoclingDocument.

    ``sections`` is ``[(heading, [paragraph, ...]), ...]``; ``title`` and ``abstract``
    are as parsed (callers may prefer cleaner ones from the reviews file).
    """
    objects(doc.get("texts", []), "texts")
    reader = _Reader(doc, keep_references, keep_checklist)
    for node in reading_order(doc):
        reader.add(node)
    sections = reader.sections
    if not sections and reader.front:  # no recognisable first section: keep the front matter
        sections = [("", reader.front)]
    return reader.title, " ".join(reader.abstract), reader.captions, sections
