"""Review-quality report: the four parts, points per part, repetition, copied paper, non-answers.

Reads generated reviews (JSONL with ``id`` and ``reply``/``output``/``review``;
tools/infer.py's predictions.jsonl works as is), checks each with
``review_ext.evaluate.compliance`` and prints the aggregate table and the flagged ids.
Writes one JSONL line per review (metrics, flags, warnings) and, with
``--summary``, the aggregate as JSON. With ``--papers`` (the test file given to
infer.py) a review copying its paper back is caught by n-gram overlap too.
A model that trained the [Rating] block (``--rating``, or ``--model`` whose
review_suite.json says ``rating``) must end each review with it, on the scale of the
paper's venue (the ``venue`` of its --papers row, else ``--venue``); otherwise the block
is an unknown part like any invented heading.

Usage:
    python tools/compliance.py infer_out/predictions.jsonl --papers data/test.jsonl
    python tools/compliance.py reviews.jsonl --out report.jsonl --summary report.json
    python tools/compliance.py infer_out/predictions.jsonl --papers data/test.jsonl \\
        --model work_dirs/v2_rated/hf
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from review_ext.checkpoint.artifacts import read_metadata
from review_ext.common.cli import doc_parser
from review_ext.evaluate.compliance import aggregate, check_review, format_table
from review_ext.evaluate.records import (
    PAPER_FIELDS,
    iter_records,
    load_texts,
    write_json,
    write_jsonl,
)
from review_ext.formats.rating import row_scores, venue_scales


def parse_args(argv=None) -> argparse.Namespace:
    parser = doc_parser(__doc__)
    parser.add_argument("reviews", type=Path, help="JSONL: id + reply/output/review")
    parser.add_argument("--papers", type=Path, help="JSONL: id + input (for the copy check)")
    parser.add_argument("--out", type=Path,
                        help="per-review JSONL (default: REVIEWS.compliance.jsonl beside it)")
    parser.add_argument("--summary", type=Path, help="also write the aggregate as JSON here")
    parser.add_argument("--show", type=int, default=20, help="flagged ids to print")
    parser.add_argument("--rating", action="store_true",
                        help="the reviews end with the [Rating] block (a rated recipe)")
    parser.add_argument("--model", type=Path,
                        help="the model folder: its review_suite.json says whether it rates")
    parser.add_argument("--venue", help="venue of papers whose --papers row names none")
    return parser.parse_args(argv)


def rating_scales(args, ids) -> dict:
    """``{id: the venue's scales}`` when the block is expected, else ``{}``."""
    if not (args.rating or (args.model and read_metadata(args.model).get("rating"))):
        return {}
    venues = ({str(r.get("id")): row_scores(r)[2] for _, r in iter_records(args.papers, "papers")}
              if args.papers else {})
    scales = {}
    for pid in ids:
        venue = venues.get(pid) or args.venue
        if venue is None:
            raise LookupError(f"paper {pid}: no venue to read its [Rating] block on; give "
                              "--papers rows with 'venue' or --venue")
        scales[pid] = venue_scales(venue)
    return scales


def main(argv=None) -> dict:
    args = parse_args(argv)
    reviews = load_texts(args.reviews)
    papers = load_texts(args.papers, PAPER_FIELDS) if args.papers else {}
    try:
        scales = rating_scales(args, reviews)
    except (LookupError, ValueError, OSError) as e:
        sys.exit(f"compliance: {e}")
    rows = []
    for pid, review in tqdm(reviews.items(), desc="checking", unit="review",
                            disable=len(reviews) < 100):
        result = check_review(review, papers.get(pid), scales.get(pid))
        rows.append({"id": pid, "generation_failed": review is None, **result})
    out = args.out or args.reviews.with_name(args.reviews.stem + ".compliance.jsonl")
    write_jsonl(out, rows)
    summary = aggregate(rows)
    summary["without_paper"] = sum(pid not in papers for pid in reviews) if papers else None
    if args.summary:
        write_json(args.summary, summary)
    print(format_table(summary))
    flagged = [r for r in rows if r["flags"]]
    for row in flagged[:args.show]:
        print(f"  {row['id']}: {', '.join(row['flags'])}")
    if len(flagged) > args.show:
        print(f"  ... and {len(flagged) - args.show} more")
    print(f"per-review report: {out}")
    return summary


if __name__ == "__main__":
    main()
