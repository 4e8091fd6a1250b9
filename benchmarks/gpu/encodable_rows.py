"""Write the XTuner rows that review_ext.data.encode encodes at every given length; name the rest.

A row on which ``encode_fn`` raises (rather than dropping it with a reason) stops the whole
dataset build inside ``xtuner train``. This sets such rows aside so that a benchmark can run on
the others: every row is accounted for (kept, or listed in the rejects file with the length and
the error), and the input is never changed.

Usage:
    python benchmarks/gpu/encodable_rows.py corpus_train.json kept.json \\
        --lengths 8192:v1 16384:v2 --rejects rejects.jsonl
"""
from __future__ import annotations

import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from review_ext.common.cli import doc_parser


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("rows", type=Path, help="XTuner conversation JSON (a list of records)")
    p.add_argument("out", type=Path, help="the rows that encode at every length")
    p.add_argument("--lengths", nargs="+", default=["8192:v1", "16384:v2"],
                   help="MAX_LENGTH:SYSTEM pairs, as the recipes encode them")
    p.add_argument("--rejects", type=Path, required=True, help="JSONL: one line per row set aside")
    p.add_argument("--workers", type=int, default=2)
    return p.parse_args(argv)


def _errors(job: tuple[list[dict], int, str, int]) -> list[dict]:
    from review_ext.data.encode import encode_fn
    from review_ext.data.tokenizer import load_mixtral_tokenizer

    rows, max_length, system, first = job
    tokenizer = load_mixtral_tokenizer()
    errors = []
    for i, row in enumerate(rows, first):
        try:
            encode_fn(row, tokenizer, max_length, system=system)
        except Exception as e:  # noqa: BLE001 -- any exception stops a dataset build
            errors.append({"row": i, "max_length": max_length, "system": system,
                           "error": f"{type(e).__name__}: {e}"})
    return errors


def main(argv=None) -> int:
    args = parse_args(argv)
    rows = json.loads(args.rows.read_text(encoding="utf-8"))
    step = -(-len(rows) // args.workers)
    jobs = [(rows[s:s + step], int(length), system, s) for spec in args.lengths
            for length, system in [spec.split(":", 1)] for s in range(0, len(rows), step)]
    with ProcessPoolExecutor(args.workers) as pool:
        errors = [e for found in pool.map(_errors, jobs) for e in found]
    bad = {e["row"] for e in errors}
    kept = [r for i, r in enumerate(rows) if i not in bad]
    args.out.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    with args.rejects.open("w", encoding="utf-8") as f:
        for e in sorted(errors, key=lambda e: (e["row"], e["max_length"])):
            f.write(json.dumps(e) + "\n")
    print(f"encodable_rows: read {len(rows)} rows = kept {len(kept)} + set aside {len(bad)} "
          f"({len(errors)} errors) -> {args.out}, {args.rejects}")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
