"""Where every record of an XTuner training file goes at each recipe length, on the CPU.

The account ``xtuner train`` logs when it builds the dataset (``review_ext.data.dataset``'s
``encode_dataset``: kept, papers and reviews trimmed, drops by reason), one JSON line per
MAX_LENGTH:SYSTEM pair, so the records a GPU run trains on are known before it runs.

Usage:
    python benchmarks/gpu/corpus_account.py corpus.json --lengths 8192:v1 16384:v2 > account.jsonl
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from review_ext.common.cli import doc_parser


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("rows", type=Path, help="XTuner conversation JSON (a list of records)")
    p.add_argument("--lengths", nargs="+", default=["8192:v1", "16384:v2"],
                   help="MAX_LENGTH:SYSTEM pairs, as the recipes encode them")
    return p.parse_args(argv)


def main(argv=None) -> int:
    from datasets import load_dataset

    from review_ext.data.dataset import encode_dataset
    from review_ext.data.tokenizer import load_mixtral_tokenizer

    args = parse_args(argv)
    tokenizer = load_mixtral_tokenizer()
    records = load_dataset("json", data_files=str(args.rows), split="train")
    for spec in args.lengths:
        length, system = spec.split(":", 1)
        _, account = encode_dataset(records, tokenizer, int(length), system)
        print(json.dumps({"rows": str(args.rows.name), "max_length": int(length),
                          "system": system, "records": account.records, "kept": account.kept,
                          "dropped": account.dropped, "account": str(account)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
