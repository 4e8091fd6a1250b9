"""PeerRead folders -> input/output JSONL: the paper text and its reviews in four parts.

Reads ``reviews/<id>.json`` with ``parsed_pdfs/<id>.pdf.json`` (science-parse) in every
folder below the given ones (``iclr_2017`` covers ``train``, ``dev`` and ``test``).

Which entries: PeerRead lists every ICLR review twice; repeats (same reviewer, title,
date and text) are counted as duplicates. Official reviews only: an entry with a
``RECOMMENDATION`` and text whose author (``OTHER_KEYS``, ICLR only) is an
``AnonReviewer``; the ACL 2017 and CoNLL 2016 forms have no author key and list
official reviews only (reviewer ``r<n>``, n-th review of the file). Skipped and
counted: the ``IS_META_REVIEW`` entry (a copy of one reviewer's text), the committee's
final decision, pre-review questions, public comments and author replies.

How free text becomes the four parts (see :mod:`data_conversion.reviews.review_parts`):
explicit cues first (``Pros``/``Cons``, ``Strengths``/``Weaknesses``, ``Significance:``,
``Comments:``, ``Minor comments:``, ``+`` items), then each unheaded sentence by its
cue phrases (praise -> acceptance, criticism -> rejection, questions and suggestions ->
improvement); a summary-like opening (*This paper proposes ...*) -> significance and
novelty. ACL's ``General Discussion`` is classified the same way. Nothing is invented: a
part the reviewer did not write stays empty; pasted reference entries and pointers
elsewhere are dropped and counted (:mod:`data_conversion.reviews.point_filters`).

Rows: ``id`` (``<paper id>:<reviewer>``), ``paper_id``, ``input``, ``output``, and the
metadata: ``folder``, ``accepted``, ``conference``, ``reviewer``, ``review_title``,
``date``, ``recommendation``, ``reviewer_confidence`` and any aspect scores, then ``rating``
and ``confidence`` (points of the venue's scales, null when absent) and ``venue`` (the
venue-table key of the PeerRead folder: ``iclr_2017``, ``acl_2017``, ``conll_2016``), and
``screening`` when the paper has screening findings (``--injection flag|strip|refuse``). With
``--per-paper`` one row per paper: the reviews' points merged part by part, metadata
under ``reviews``.

Usage::

    python -m data_conversion.from_peerread data/peerread/iclr_2017 data/peerread.jsonl
    python -m data_conversion.from_peerread iclr_2017/train iclr_2017/dev train.jsonl --per-paper
    python -m data_conversion.from_peerread iclr_2017 out.jsonl --skip-bad --rejects bad.jsonl
"""
from __future__ import annotations

import re
from pathlib import Path

from data_conversion.reviews.review_parts import SIG, map_review
from data_conversion.running.cli import run_converter
from data_conversion.running.rows import Account, JsonlWriter
from data_conversion.sources.paper_folders import (
    FolderConverter,
    NoPart,
    Source,
    folder_args,
    truthy,
)
from data_conversion.sources.science_parse import science_parse_parts
from review_ext.common.cli import doc_parser
from review_ext.formats.text import count_points


def skip_reason(entry: dict) -> str | None:
    """Why an entry is not an official review (None when it is one).

    ICLR names each entry's author in ``OTHER_KEYS`` (official: ``AnonReviewer``); the
    ACL 2017 and CoNLL 2016 forms hold official reviews only and have no such key.
    """
    if truthy(entry.get("IS_META_REVIEW")) or truthy(entry.get("is_meta_review")):
        return "meta-review entry (a copy of one review)"
    if "final decision" in str(entry.get("TITLE", "")).lower():
        return "committee final decision"
    if "OTHER_KEYS" in entry and "AnonReviewer" not in str(entry["OTHER_KEYS"]):
        return "public comment or author reply"
    if "RECOMMENDATION" not in entry:
        return "pre-review question (no RECOMMENDATION)"
    comments = entry.get("comments")
    if isinstance(comments, str) and not comments.strip():
        return "official entry without text"
    return None


def review_parts(entry: dict) -> dict:
    """The four parts of one free-text PeerRead review."""
    parts = map_review(entry["comments"], part=None, default=SIG)
    if not count_points(parts):
        raise NoPart("no text left after cleaning")
    return parts


def reviewer(entry: dict, rank: int) -> str:
    m = re.search(r"AnonReviewer\d*", str(entry.get("OTHER_KEYS", "")))
    return m.group(0) if m else f"r{rank}"


def paper_meta(doc: dict) -> dict:
    return {"accepted": doc.get("accepted"), "conference": doc.get("conference")}


# PeerRead's venue folders -> venue-table keys (the ACL and CoNLL files name no conference).
VENUE_FOLDERS = {"iclr_2017": "ICLR.cc/2017/conference", "acl_2017": "ACL/2017",
                 "conll_2016": "CoNLL/2016"}


def venue_id(doc: dict, path: Path) -> str | None:
    """The venue of a reviews file: the PeerRead venue folder it lies in."""
    return next((VENUE_FOLDERS[p] for p in reversed(path.resolve().parts) if p in VENUE_FOLDERS),
                None)


SOURCE = Source("from_peerread", skip_reason, review_parts, science_parse_parts, reviewer,
                paper_meta, body_field="metadata.sections", venue=venue_id)


def parse_args(argv=None):
    return folder_args(doc_parser(__doc__), argv)


def main(argv=None) -> Account:
    args = parse_args(argv)

    def body(run):
        writer = run.output(JsonlWriter(args.output))
        FolderConverter(run, SOURCE, writer, per_paper=args.per_paper,
                        injection=args.injection).convert(args.folders)

    return run_converter(SOURCE.name, args, args.output, body, input_folders=args.folders,
                         unit="review entries")

