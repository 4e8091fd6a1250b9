"""A Docling ``DoclingDocument`` (parsed PDF) -> the parts of the paper text format.

Reading order is ``body.children``, followed through groups; pictures and tables give
their captions (their inner texts are figure labels and cells, not prose). Dropped:
page headers and footers (``furniture``), footnotes, the author and affiliation lines
between the title and ``Abstract``, empty formulas, stray figure labels (short text
without letters), the ``References`` section and the
NeurIPS paper checklist (from ``... Paper Checklist`` to the next header that is not a
checklist question); appendices after them are kept.
"""
from __future__ import annotations

import re

_ABSTRACT = re.compile(r"^\W*abstract\W*$", re.I)
_ABSTRACT_INLINE = re.compile(r"^\W*abstract\s*[.:—–-]\s*", re.I)
_FIRST_SECTION = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+[A-Z]|^(?:introduction|background|related work|"
    r"preliminaries|overview|motivation)\b", re.I)
_REFERENCES = re.compile(r"^\W*(?:references|bibliography|literature cited)\W*$", re.I)
_CHECKLIST = re.compile(r"paper checklist\W*$", re.I)
_CHECKLIST_ITEM = re.compile(r"^(?:\d{1,2}\.\s|(?:answer|justification|guidelines|important)\b)",
                             re.I)
_SKIP_LABELS = {"page_header", "page_footer", "footnote"}
_CONTAINERS = {"picture", "table", "chart"}


def _resolve(doc: dict, ref: str) -> dict:
    _, kind, index = ref.split("/")
    return doc[kind][int(index)]


def reading_order(doc: dict):
    """Body items in reading order; pictures and tables are yielded, not entered."""
    stack = [iter(doc["body"].get("children", []))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        node = _resolve(doc, child["$ref"])
        yield node
        if node.get("label") not in _CONTAINERS and node.get("children"):
            stack.append(iter(node["children"]))


def docling_parts(doc: dict, *, keep_references: bool = False, keep_checklist: bool = False):
    """``(title, abstract, captions, sections)`` of a DoclingDocument.

    ``sections`` is ``[(heading, [paragraph, ...]), ...]``; ``title`` and ``abstract``
    are as parsed (callers may prefer cleaner ones from the reviews file).
    """
    title, abstract, captions, sections, front = "", [], [], [], []
    used_captions: set[str] = set()
    state = "title"
    for node in reading_order(doc):
        label = node.get("label", "")
        if node.get("content_layer") == "furniture" or label in _SKIP_LABELS:
            continue
        if label in _CONTAINERS:
            for ref in node.get("captions", []):
                text = _resolve(doc, ref["$ref"]).get("text", "").strip()
                used_captions.add(ref["$ref"])
                if text:
                    captions.append(text)
            continue
        text = (node.get("text") or "").strip()
        if label == "caption":
            if node.get("self_ref") not in used_captions and text:
                captions.append(text)
            continue
        if not text or (label == "text" and len(text) < 8 and not re.search(r"[^\W\d_]", text)):
            continue  # empty, or a stray label of a figure ("14", "-", ".")
        if label in ("title", "section_header"):
            if state == "title":
                title, state = text, "front"
            elif state == "front" and _ABSTRACT.match(text):
                state = "abstract"
            elif state == "front" and not _FIRST_SECTION.match(text):
                front.append(text)  # author names set as headers
            elif _CHECKLIST.search(text) and not keep_checklist:
                state = "checklist"
            elif state == "checklist" and _CHECKLIST_ITEM.match(text):
                pass
            elif _REFERENCES.match(text) and not keep_references:
                state = "references"
            else:
                state = "body"
                sections.append((text, []))
            continue
        if state in ("title", "front"):
            if _ABSTRACT_INLINE.match(text):
                state = "abstract"
                abstract.append(_ABSTRACT_INLINE.sub("", text))
            else:
                front.append(text)
        elif state == "abstract":
            abstract.append(text)
        elif state == "body":
            sections[-1][1].append(text)
    if not sections and front:  # no recognisable first section: keep the front matter
        sections = [("", front)]
    return title, " ".join(abstract), captions, sections
