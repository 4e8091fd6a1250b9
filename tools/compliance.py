"""Review-quality report: the four parts, points per part, repetition, copied paper, non-answers.

Reads generated reviews (JSONL with ``id`` and ``reply``/``output``/``review``;
tools/infer.py's predictions.jsonl works as is), checks each with
``review_ext.evaluate.compliance`` and prints the aggregate table and the flagged ids.
Writes one JSONL line per review (metrics, flags, warnings) and, with
``--summary``, the aggregate as JSON. With ``--papers`` (the test file given to
infer.py) a review copying its paper back is caught by n-gram overlap too.

Usage:
    python tools/compliance.py infer_out/predictions.jsonl --papers data/test.jsonl
    python tools/compliance.py reviews.jsonl --out report.jsonl --summary report.json
"""
from __future__ import annotations

import argparse
from pathlib import Path

from tqdm import tqdm

from review_ext.common.cli import doc_parser
from review_ext.evaluate.compliance import aggregate, check_review, format_table
from review_ext.evaluate.records import PAPER_FIELDS, load_texts, write_json, write_jsonl


def parse_args(argv=None) -> argparse.Namespace:
    parser = doc_parser(__doc__)
    parser.add_argument("reviews", type=Path, help="JSONL: id + reply/output/review")
    parser.add_argument("--papers", type=Path, help="JSONL: id + input (for the copy check)")
    parser.add_argument("--out", type=Path,
                        help="per-review JSONL (default: REVIEWS.compliance.jsonl beside it)")
    parser.add_argument("--summary", type=Path, help="also write the aggregate as JSON here")
    parser.add_argument("--show", type=int, default=20, help="flagged ids to print")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    reviews = load_texts(args.reviews)
    papers = load_texts(args.papers, PAPER_FIELDS) if args.papers else {}
    rows = []
    for pid, review in tqdm(reviews.items(), desc="checking", unit="review",
                            disable=len(reviews) < 100):
        result = check_review(review, papers.get(pid))
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
