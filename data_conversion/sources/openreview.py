"""NeurIPS/OpenReview folders -> input/output JSONL: the paper text and its reviews in four parts.

Reads ``reviews/<id>.json`` (PeerRead-style, OpenReview content) with
``parsed_pdfs/<id>.pdf.json`` (Docling) in every folder below the given ones; where a paper
has no parsed PDF, ``pdfs/<id>.pdf`` is read with the suite's PDF reader
(:mod:`data_conversion.sources.pdf`), so a folder written by ``fetch_openreview``
(``reviews/`` + ``pdfs/``) converts as it is.

Paper: the title and abstract of the reviews file (the parsed ones when absent), the
figure and table captions, and the sections in reading order, without page headers,
footers, footnotes, the author and affiliation lines, the references and the NeurIPS
checklist (see :mod:`data_conversion.sources.docling`).

Reviews: official reviews only (the area chair's ``Decision`` entry is skipped; its
decision is kept as ``decision``). A review is a series of blocks, each headed by an
upper-case line (``SUMMARY:``, ``STRENGTHS AND WEAKNESSES:``, ``QUESTIONS:``,
``LIMITATIONS:`` ...), mapped as follows:

- summary, contribution(s) -> significance and novelty
- strengths -> acceptance; weaknesses -> rejection
- strengths and weaknesses -> split on the reviewer's own sub-headings, typos
  allowed (``Strengths``, ``**Weaknesses**``, ``### Strength``, ``Weeknesses:``,
  ``Major Weaknesses:``, ``_Strengths_.``); unheaded paragraphs by their cue
  phrases, acceptance or rejection (see :mod:`data_conversion.reviews.review_parts`)
- questions, limitations, suggestions -> suggestions for improvement

Items that are not review points are dropped and counted in the account (see
:mod:`data_conversion.reviews.point_filters`): form answers (a block or point that is only
``yes``/``no``/``N/A``), the NeurIPS form's own instructions pasted into a review,
pasted reference entries, pointers such as "See weaknesses.", list lead-ins. Other
blocks (ratings, ethics flags, code of conduct) are not review text. A review with none
of these blocks is rejected as having no recognisable part.

Rows: ``id`` (``<paper id>:r<n>``, n-th official review in the file), ``paper_id``,
``input``, ``output``, and the metadata ``folder``, ``accepted``, ``decision``,
``keywords``, ``conference``, ``reviewer``, ``review_title``, ``date``,
``recommendation``, ``reviewer_confidence``, ``clarity``, ``impact``, ``originality``, then
``rating`` and ``confidence`` (the scores as points of the venue's scales, null when absent)
and ``venue`` (the venue-table key of ``conference``), and ``screening`` when the paper has
screening findings (``--injection flag|strip|refuse``, see
:mod:`data_conversion.running.screening`). With ``--per-paper``, one row per paper (points
merged part by part).

Usage::

    python -m data_conversion.from_openreview data/neurips_2025 data/neurips.jsonl
    python -m data_conversion.from_openreview data/iclr_2025 data/all.jsonl  # fetched: pdfs/
    python -m data_conversion.from_openreview data/neurips_2025 neurips.jsonl --per-paper
    python -m data_conversion.from_openreview neurips_2025 out.jsonl --skip-bad --keep-references
"""
from __future__ import annotations

import re
from functools import partial

from data_conversion.reviews.point_filters import FORM_ANSWER
from data_conversion.reviews.review_labels import GENERAL, MIXED, label_part
from data_conversion.reviews.review_parts import ACC, DROPPED, REJ, map_review, merge_parts
from data_conversion.running.cli import run_converter
from data_conversion.running.rows import Account, JsonlWriter
from data_conversion.sources.docling import docling_parts
from data_conversion.sources.paper_folders import (
    FolderConverter,
    NoPart,
    Source,
    folder_args,
    truthy,
)
from review_ext.common.cli import doc_parser
from review_ext.formats.text import count_points
from review_ext.formats.venues import UnknownVenue, venue_named

_BLOCK = re.compile(r"^[ \t]*(?P<name>[A-Z][A-Z0-9 ,&/()'-]{2,80}?)[ \t]*:?[ \t]*$", re.M)
_FORM_FIELDS = re.compile(r"RATING|CONFIDENCE|SOUNDNESS|PRESENTATION|ETHIC|CONDUCT|FLAG|"
                          r"DECISION|AWARD|SCORE")
_DECISION_TEXT = re.compile(r"\s*DECISION:[ \t]*\n")
_FORM_TEXT = re.compile(r"Please provide a thorough assessment of the strengths and weaknesses"
                        r".{0,600}?openreview\.net/faq\.?", re.S)


def split_form_blocks(text: str) -> list[tuple[str | None, str]]:
    """The review form's blocks: ``[(block name or None for text before the first, text)]``.

    Only names that map to a part or are form fields start a block; any other upper-case
    line (an acronym alone on a line) stays in the text.
    """
    blocks, name, start = [], None, 0
    for m in _BLOCK.finditer(text):
        label = m.group("name").strip()
        if not (_FORM_FIELDS.search(label) or label_part(label, whole_line=True)):
            continue
        blocks.append((name, text[start:m.start()]))
        name, start = label, m.end()
    blocks.append((name, text[start:]))
    return [(n, t) for n, t in blocks if n is not None or t.strip()]


def block_parts(name: str | None, text: str) -> dict | None:
    """The parts of one block (None for a form field); ``DROPPED`` says what was not a
    point (a form answer, the form's instructions pasted in)."""
    if name is not None and _FORM_FIELDS.search(name):
        return None
    text, pasted = _FORM_TEXT.subn("", text)
    dropped = ["the form's instructions pasted into the review"] * pasted
    if FORM_ANSWER.match(text) or not text.strip():
        return {DROPPED: dropped + ["form answer (yes/no/N/A)"] * bool(text.strip())}
    part = label_part(name, whole_line=True) if name is not None else GENERAL
    if part == MIXED:
        parts = map_review(text, part=None, allowed=(ACC, REJ), default=ACC)
    else:
        parts = map_review(text, part=None if part == GENERAL else part)
    parts[DROPPED] = dropped + parts[DROPPED]
    return parts


def review_parts(entry: dict) -> dict:
    """The four parts of one OpenReview review."""
    blocks = split_form_blocks(entry["comments"])
    if all(name is None for name, _ in blocks):
        raise NoPart("no SUMMARY:, STRENGTHS AND WEAKNESSES:, QUESTIONS: or LIMITATIONS: "
                     "block")
    parts = merge_parts(*filter(None, (block_parts(n, t) for n, t in blocks)))
    if not count_points(parts):
        raise NoPart("its blocks hold no review text")
    return parts


def skip_reason(entry: dict) -> str | None:
    """Why an entry is not an official review (None when it is one).

    The area chair's decision is known by any of its marks: ``IS_META_REVIEW``, the title
    ``Decision`` or a text that opens with the ``DECISION:`` block (a file whose flags and
    title are null still has its text).
    """
    if (truthy(entry.get("IS_META_REVIEW")) or entry.get("TITLE") == "Decision"
            or _DECISION_TEXT.match(str(entry.get("comments") or ""))):
        return "decision / meta-review"
    if "official review" in str(entry.get("TITLE", "")).lower() or "RECOMMENDATION" in entry:
        return None
    return "not an official review (comment or reply)"


def decision(doc: dict) -> str | None:
    """The decision of the ``Decision`` entry (``Accept (poster)``), if any."""
    for entry in doc.get("reviews", []):
        if isinstance(entry, dict) and skip_reason(entry) == "decision / meta-review":
            rec = entry.get("RECOMMENDATION")
            if isinstance(rec, str) and rec.strip():
                return rec.strip()
            m = re.search(r"DECISION:\s*\n\s*(.+)", str(entry.get("comments", "")))
            if m:
                return m.group(1).strip()
    return None


def paper_meta(doc: dict) -> dict:
    return {"accepted": doc.get("accepted"), "decision": decision(doc),
            "keywords": doc.get("keywords"), "conference": doc.get("conference")}


def venue_id(doc: dict, path) -> str | None:
    """The venue-table key of the paper's ``conference`` (``NeurIPS 2025``), if any."""
    try:
        return venue_named(doc.get("conference") or "").venue_id
    except UnknownVenue:
        return None


def make_source(keep_references: bool = False, keep_checklist: bool = False) -> Source:
    paper = partial(docling_parts, keep_references=keep_references, keep_checklist=keep_checklist)
    return Source("from_openreview", skip_reason, review_parts, paper,
                  lambda entry, rank: f"r{rank}", paper_meta, body_field="texts", venue=venue_id)


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("--keep-references", action="store_true",
                        help="keep the References section in the paper text")
    parser.add_argument("--keep-checklist", action="store_true",
                        help="keep the NeurIPS paper checklist in the paper text")
    return folder_args(parser, argv)


def main(argv=None) -> Account:
    args = parse_args(argv)
    source = make_source(args.keep_references, args.keep_checklist)

    def body(run):
        writer = run.output(JsonlWriter(args.output))
        FolderConverter(run, source, writer, per_paper=args.per_paper,
                        injection=args.injection).convert(args.folders)

    return run_converter(source.name, args, args.output, body, input_folders=args.folders,
                         unit="review entries")

