"""A file of generated reviews checked for compliance (``review_ext.evaluate.compliance``):
one JSONL line per review and the aggregate.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError
from review_ext.common.jsonl import RowsFileError
from review_ext.evaluate.compliance import aggregate, check_review
from review_ext.evaluate.records import (
    PAPER_FIELDS,
    load_texts,
    write_json,
    write_jsonl,
)


@dataclass(frozen=True)
class ComplianceOptions:
    """The reviews to check, their papers (for the copy check) and where the report goes."""

    reviews: Path  # JSONL: id + reply/output/review
    papers: Path | None = None  # JSONL: id + input
    out: Path | None = None  # default: REVIEWS.compliance.jsonl beside the reviews
    summary: Path | None = None  # the aggregate as JSON too
    rating: bool = False  # the reviews end with the [Rating] block (a rated recipe)
    model: Path | None = None  # a model folder: its review_suite.json says whether it rates
    venue: str | None = None  # venue of papers whose row names none
    progress: bool = True


@dataclass
class ComplianceReport:
    rows: list[dict]  # one per review: id, generation_failed, metrics, flags, warnings
    summary: dict
    out: Path


def default_out(reviews: Path) -> Path:
    return reviews.with_name(reviews.stem + ".compliance.jsonl")


def rating_scales(options: ComplianceOptions, ids) -> dict:
    """``{id: the venue's scales}`` when the block is expected, else ``{}``."""
    from review_ext.checkpoint.artifacts import read_metadata
    from review_ext.evaluate.records import iter_records
    from review_ext.formats.rating import row_scores, venue_scales

    if not (options.rating or (options.model and read_metadata(options.model).get("rating"))):
        return {}
    venues = ({str(r.get("id")): row_scores(r)[2] for _, r in iter_records(options.papers,
                                                                            "papers")}
              if options.papers else {})
    scales = {}
    for pid in ids:
        venue = venues.get(pid) or options.venue
        if venue is None:
            raise ReviewSuiteError(f"paper {pid}: no venue to read its [Rating] block on; give "
                                   "`papers` rows with 'venue' or `venue`")
        scales[pid] = venue_scales(venue)
    return scales


def check_file(options: ComplianceOptions) -> ComplianceReport:
    """Check every review of ``options.reviews``; write the per-review report (and summary)."""
    from tqdm import tqdm

    out = Path(options.out or default_out(Path(options.reviews)))
    inputs = [p for p in (options.reviews, options.papers) if p]
    for target in (out, options.summary):
        if target and any(Path(target).resolve() == Path(p).resolve() for p in inputs):
            raise ReviewSuiteError(f"the report {target} would overwrite an input: choose "
                                   "another `out` or `summary`")
    try:
        reviews = load_texts(options.reviews)
        papers = load_texts(options.papers, PAPER_FIELDS) if options.papers else {}
        scales = rating_scales(options, reviews)
    except (RowsFileError, LookupError, ValueError, OSError) as e:
        raise ReviewSuiteError(str(e)) from e
    rows = []
    for pid, review in tqdm(reviews.items(), desc="checking", unit="review",
                            disable=not options.progress or len(reviews) < 100):
        rows.append({"id": pid, "generation_failed": review is None,
                     **check_review(review, papers.get(pid), scales.get(pid))})
    summary = aggregate(rows)
    summary["without_paper"] = sum(pid not in papers for pid in reviews) if papers else None
    try:
        write_jsonl(out, rows)
        if options.summary:
            write_json(options.summary, summary)
    except OSError as e:
        raise ReviewSuiteError(f"cannot write the report ({e})") from e
    return ComplianceReport(rows, summary, out)
