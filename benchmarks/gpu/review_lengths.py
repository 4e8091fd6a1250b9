"""The token lengths of the reviews in an XTuner training file (the targets training learns).

Each record's ``conversation`` outputs, tokenised with the real Mixtral tokenizer (no special
tokens), one length per record, written as a JSON list in the records' order; the inference
benchmark forces each generated review to a length drawn from it.

Usage:
    python benchmarks/gpu/review_lengths.py train.json lengths.json
"""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from review_ext.common.cli import doc_parser


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("rows", type=Path, help="XTuner conversation JSON (a list of records)")
    p.add_argument("out", type=Path, help="JSON list of token lengths")
    return p.parse_args(argv)


def review_lengths(records: list[dict], tokenizer) -> list[int]:
    """Tokens of each record's review (its turns' outputs joined, as the template joins them)."""
    texts = ["".join(turn["output"] for turn in r["conversation"]) for r in records]
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]


def main(argv=None) -> int:
    from review_ext.data.tokenizer import load_mixtral_tokenizer

    args = parse_args(argv)
    records = json.loads(args.rows.read_text(encoding="utf-8"))
    lengths = review_lengths(records, load_mixtral_tokenizer())
    if not lengths:
        print(f"review_lengths: {args.rows}: no records", file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(lengths), encoding="utf-8")
    print(f"review_lengths: {len(lengths)} reviews, median {statistics.median(lengths):.0f}, "
          f"mean {statistics.mean(lengths):.0f}, max {max(lengths)} tokens -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
