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

import sys
from pathlib import Path

from review_ext.common.cli import doc_parser, non_negative_int, one_line_errors

NAME = "compliance"


def build_parser():
    parser = doc_parser(__doc__)
    parser.add_argument("reviews", type=Path, help="JSONL: id + reply/output/review")
    parser.add_argument("--papers", type=Path, help="JSONL: id + input (for the copy check)")
    parser.add_argument("--out", type=Path,
                        help="per-review JSONL (default: REVIEWS.compliance.jsonl beside it)")
    parser.add_argument("--summary", type=Path, help="also write the aggregate as JSON here")
    parser.add_argument("--show", type=non_negative_int, default=20, help="flagged ids to print")
    parser.add_argument("--rating", action="store_true",
                        help="the reviews end with the [Rating] block (a rated recipe)")
    parser.add_argument("--model", type=Path,
                        help="the model folder: its review_suite.json says whether it rates")
    parser.add_argument("--venue", help="venue of papers whose --papers row names none")
    return parser


def main(argv=None) -> int:
    from review_ext.evaluate.compliance import format_table
    from review_ext.evaluate.compliance_report import ComplianceOptions, check_file

    parser = build_parser()
    args = parser.parse_args(argv)
    options = ComplianceOptions(reviews=args.reviews, papers=args.papers, out=args.out,
                                summary=args.summary, rating=args.rating, model=args.model,
                                venue=args.venue)
    with one_line_errors(parser, NAME):
        report = check_file(options)
    print(format_table(report.summary))
    flagged = [r for r in report.rows if r["flags"]]
    for row in flagged[:args.show]:
        print(f"  {row['id']}: {', '.join(row['flags'])}")
    if len(flagged) > args.show:
        print(f"  ... and {len(flagged) - args.show} more")
    print(f"per-review report: {report.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
