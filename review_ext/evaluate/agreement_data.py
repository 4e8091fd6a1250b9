"""What rating agreement reads: papers with their human ratings, and a model's replies.

The reference and the training rows are the converters' rows, one per review
(``data_conversion.from_openreview`` writes them): ``paper_id`` (else ``id``), the paper's
text in ``input``, the reviewer's ``rating`` (an integer on the venue's scale, or
null: a review without a rating, counted), ``accepted`` (true/false/null) and
``venue`` (a key of :mod:`review_ext.formats.venues`). A paper's rows share its text and
decision; the first row's count.

The records are ``tools/infer.py``'s ``predictions.jsonl`` (``id`` and ``reply``); an id is
a paper id or one of the reference's row ids (``<paper_id>:r<n>``). The rating is read
from the reply's ``[Rating]`` block (:mod:`review_ext.formats.rating`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from review_ext.common.jsonl import RowsFileError
from review_ext.evaluate.records import iter_records, load_texts
from review_ext.formats.rating import RATING_FIELD, VENUE_FIELD, parse_rating, span, values

# The converters' typed fields; rows converted before them carry only the venue's own
# ``recommendation`` and ``conference`` (the NeurIPS 2025 corpus slice), read as a fallback.
RATING_FIELDS = (RATING_FIELD, "recommendation")
TEXT_FIELD = "input"
ACCEPTED_FIELD = "accepted"
VENUE_FIELDS = (VENUE_FIELD, "conference")


class AgreementError(ValueError):
    """Input that cannot be scored as given; one line saying where and what to do."""


@dataclass(frozen=True)
class Paper:
    paper_id: str
    ratings: tuple[int, ...]  # the human ratings, file order
    text: str
    accepted: bool | None


@dataclass
class Corpus:
    """Papers with at least one rated review, and the account of every row read."""

    papers: dict[str, Paper]
    rows: int = 0
    unrated_reviews: int = 0  # rows without a rating
    unrated_papers: list[str] = field(default_factory=list)  # no rated review at all
    row_paper: dict[str, str] = field(default_factory=dict)  # row id -> paper id
    venues: set[str] = field(default_factory=set)


def _paper_id(path, number: int, row: dict) -> str:
    for key in ("paper_id", "id"):
        value = row.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return str(value)
    raise AgreementError(f"{path}:{number}: no 'paper_id' or 'id'; each row needs its paper")


def first_field(row: dict, fields: tuple[str, ...]) -> tuple[str, object]:
    """The first of ``fields`` that ``row`` holds (not null), and its value; else the first
    field and None."""
    for name in fields:
        if row.get(name) is not None:
            return name, row[name]
    return fields[0], None


def venues_of(path: str | Path, what: str = "reference file") -> set[str]:
    """The ``venue`` values of a rows file (to find its scale)."""
    try:
        found = (first_field(r, VENUE_FIELDS)[1] for _, r in iter_records(path, what))
        return {str(v) for v in found if v}
    except RowsFileError as e:
        raise AgreementError(str(e)) from None


def load_corpus(path: str | Path, scale, what: str = "reference file") -> Corpus:
    """The papers of a rows file, every row accounted for; a rating off ``scale``, a paper
    without text or a non-boolean ``accepted`` is an error naming the file, line and field."""
    ratings: dict[str, list[int]] = {}
    first: dict[str, dict] = {}
    corpus = Corpus({})
    try:
        for number, row in iter_records(path, what):
            corpus.rows += 1
            pid = _paper_id(path, number, row)
            if row.get("id") is not None:
                corpus.row_paper[str(row["id"])] = pid
            venue = first_field(row, VENUE_FIELDS)[1]
            if venue:
                corpus.venues.add(str(venue))
            if pid not in first:
                _check_paper(path, number, row)
                first[pid] = row
            ratings.setdefault(pid, [])
            name, value = first_field(row, RATING_FIELDS)
            if value is None:
                corpus.unrated_reviews += 1
            elif isinstance(value, bool) or value not in values(scale):
                raise AgreementError(
                    f"{path}:{number}: field {name!r} is {value!r}, not a point of the "
                    f"scale {span(scale)}; give the venue's scale or fix the row")
            else:
                ratings[pid].append(int(value))
    except RowsFileError as e:
        raise AgreementError(str(e)) from None
    for pid, got in ratings.items():
        if got:
            corpus.papers[pid] = Paper(pid, tuple(got), first[pid][TEXT_FIELD],
                                       first[pid].get(ACCEPTED_FIELD))
        else:
            corpus.unrated_papers.append(pid)
    if not corpus.papers:
        raise AgreementError(
            f"{what} {path}: no row has a {' or '.join(map(repr, RATING_FIELDS))}; "
            "give the converter's rows with the reviewers' ratings"
        )
    return corpus


def _check_paper(path, number: int, row: dict) -> None:
    if not isinstance(row.get(TEXT_FIELD), str) or not row[TEXT_FIELD].strip():
        raise AgreementError(f"{path}:{number}: field {TEXT_FIELD!r} (the paper's text) is "
                             "missing or empty; give the converter's rows")
    if row.get(ACCEPTED_FIELD) is not None and not isinstance(row[ACCEPTED_FIELD], bool):
        raise AgreementError(f"{path}:{number}: field {ACCEPTED_FIELD!r} is "
                             f"{row[ACCEPTED_FIELD]!r}; use true, false or null")


@dataclass
class ModelRatings:
    """The model's rating per paper and the account of every record."""

    ratings: dict[str, int]
    records: int = 0
    failed: int = 0  # generation failed (no reply)
    unrated: Counter = field(default_factory=Counter)  # reason -> papers
    unmatched: list[str] = field(default_factory=list)  # ids of no reference paper


def load_model_ratings(path: str | Path, corpus: Corpus, scale) -> ModelRatings:
    """The rating of each reference paper in a records file; two records for one paper are an
    error (one rating per paper), a record of no reference paper is counted."""
    try:
        replies = load_texts(path, what="records file")
    except RowsFileError as e:
        raise AgreementError(str(e)) from None
    out = ModelRatings({}, records=len(replies))
    seen: dict[str, str] = {}
    for key, reply in replies.items():
        pid = key if key in corpus.papers else corpus.row_paper.get(key)
        if pid is None or pid not in corpus.papers:
            out.unmatched.append(key)
            continue
        if pid in seen:
            raise AgreementError(f"{path}: records {seen[pid]!r} and {key!r} both rate paper "
                                 f"{pid!r}; keep one record per paper")
        seen[pid] = key
        if reply is None:
            out.failed += 1
            continue
        parsed = parse_rating(reply, scale)
        if parsed.value is None:
            out.unrated[parsed.reason] += 1
        else:
            out.ratings[pid] = parsed.value
    if not seen:
        raise AgreementError(f"records file {path}: none of its {len(replies)} ids is a paper "
                             "or row id of the reference file; give the records of these papers")
    return out
