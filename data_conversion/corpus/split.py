"""Input/output JSONL -> ``train.jsonl`` and ``test.jsonl`` split by paper id, with a seed.

A paper's rows all go to one side (key: ``paper_id``, else ``id``), so no paper is on
both. The test papers are the first ``round(n * --test-ratio)`` (at least one, when
there are two or more papers) of the sorted paper ids shuffled with ``--seed``, or
exactly ``--test-papers``. ``split.json`` lists the papers on each side. Two passes
over the file (paper ids, then rows), nothing held but the ids.

Usage::

    python -m data_conversion.split data/all.jsonl data/ --test-ratio 0.1 --seed 0
    python -m data_conversion.split data/neurips.jsonl data/neurips_split --test-papers 2
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from data_conversion.running.bad_input import BadInput, iter_jsonl
from data_conversion.running.cli import add_run_args, run_converter
from data_conversion.running.pairs import check_pair, iter_pairs
from data_conversion.running.rows import Account, AtomicWriter, JsonlWriter
from review_ext.common.cli import doc_parser


def paper_key(record: dict) -> str | None:
    """The paper a row belongs to (``paper_id``, else ``id``)."""
    for key in ("paper_id", "id"):
        if isinstance(record.get(key), (str, int)) and str(record[key]):
            return str(record[key])
    return None


def choose_test(paper_ids, *, seed: int, test_ratio: float = 0.1,
                test_papers: int | None = None) -> set[str]:
    """The test papers: a seeded shuffle of the sorted ids, first n."""
    ids = sorted(set(paper_ids))
    random.Random(seed).shuffle(ids)
    if test_papers is None:
        test_papers = max(1, round(len(ids) * test_ratio)) if len(ids) > 1 else 0
    return set(ids[:min(test_papers, len(ids))])


def paper_ids(path) -> set[str]:
    """Paper ids of the good rows (first pass; bad rows are counted in the second)."""
    ids = set()
    for where, record in iter_jsonl(path):
        try:
            if not isinstance(record, BadInput) and check_pair(record, path, where):
                ids.add(paper_key(record))
        except BadInput:
            pass
    ids.discard(None)
    return ids


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("input", type=Path, help="input/output JSONL")
    parser.add_argument("out_dir", type=Path, help="folder for train.jsonl, test.jsonl, split.json")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--test-ratio", type=float, default=0.1,
                      help="share of papers in the test split (default: 0.1)")
    size.add_argument("--test-papers", type=int, help="number of test papers instead")
    parser.add_argument("--seed", type=int, default=0, help="shuffle seed (default: 0)")
    add_run_args(parser)
    args = parser.parse_args(argv)
    if not 0 <= args.test_ratio <= 1:
        parser.error("--test-ratio must be between 0 and 1")
    return args


def main(argv=None) -> Account:
    args = parse_args(argv)

    def body(run):
        ids = paper_ids(args.input)
        test = choose_test(ids, seed=args.seed, test_ratio=args.test_ratio,
                           test_papers=args.test_papers)
        sides = {False: run.output(JsonlWriter(args.out_dir / "train.jsonl")),
                 True: run.output(JsonlWriter(args.out_dir / "test.jsonl"))}
        for where, record in iter_pairs(run, args.input):
            key = paper_key(record)
            if key is None:
                run.reject(BadInput(args.input, where, "paper_id", "missing (and no id)",
                                    "give each row a paper_id or id", record))
                continue
            sides[key in test].add(record)
            run.account.written += 1
        manifest = {"input": Path(args.input).name, "seed": args.seed,
                    "test_ratio": args.test_ratio, "test_papers": sorted(test),
                    "train_papers": sorted(ids - test)}
        run.output(AtomicWriter(args.out_dir / "split.json")).write(
            json.dumps(manifest, indent=1) + "\n")

    return run_converter("split", args, args.out_dir, body, inputs=[args.input], folder=True)

