"""Pairwise LLM-as-judge: our reviews (A) against a baseline's (B), each pair in both orders.

Reviews are JSONL with ``id`` and the review in ``reply``/``output``/``review``
(tools/infer.py's output works as is); papers are JSONL with ``id`` and
``input`` (the test file given to infer.py). Papers are matched by id; ids
found in only one file, or without a paper, are counted and listed.

Each pair is judged with A shown first and with B shown first; a pair whose two
verdicts disagree is a tie, and a pair with an invalid, refused or failed verdict
is left out of the win rate and counted. Every judge reply is appended to a cache
as it arrives, keyed by (paper, pair, order, judge, prompt hash), so a rerun -- or
a run after a kill -- asks only what is missing.

Writes to ``--out-dir``: ``judgements.jsonl`` (the cache), ``per_paper.jsonl``,
``summary.json`` and ``winrate.png``. One run at a time per ``--out-dir`` (a lock
names the other run's pid). The run exits 1, keeping what it wrote, when fewer than
``--min-answered`` of the judgements got a reply (a dead server) or when no pair got
a valid verdict in both orders: there is no win rate to report.

Usage:
    export OPENAI_API_KEY=...
    python tools/judge.py ours.jsonl gpt4.jsonl test.jsonl --out-dir judge_out \\
        --base-url https://api.openai.com/v1 --model gpt-4o
    # reference-guided, against a local OpenAI-compatible server:
    python tools/judge.py ours.jsonl gpt4.jsonl test.jsonl --human-reviews human.jsonl \\
        --base-url http://127.0.0.1:8000/v1 --model judge --concurrency 8 --rps 4
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from review_ext.common.cli import (
    doc_parser,
    error_line,
    fraction,
    non_negative_float,
    non_negative_int,
    one_line_errors,
    positive_float,
    positive_int,
)

NAME = "judge"


def build_parser():
    from review_ext.evaluate.judge_run import DEFAULT_PROMPT

    parser = doc_parser(__doc__)
    parser.add_argument("reviews_a", type=Path,
                        help="our reviews, JSONL (id + reply/output/review)")
    parser.add_argument("reviews_b", type=Path, help="the baseline's reviews, same format")
    parser.add_argument("papers", type=Path,
                        help="papers, JSONL (id + input), e.g. infer.py's test file")
    parser.add_argument("--out-dir", type=Path, default=Path("judge_out"),
                        help="where results go")
    parser.add_argument("--human-reviews", type=Path, help="JSONL (id + reviews list or review "
                        "text): reference-guided judging")
    parser.add_argument("--base-url", default="https://api.openai.com/v1",
                        help="OpenAI-compatible API root (the part before /chat/completions)")
    parser.add_argument("--model", required=True, help="judge model name")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY",
                        help="environment variable holding the API key (may be unset locally)")
    parser.add_argument("--prompt", type=Path, default=DEFAULT_PROMPT, help="judge prompt file")
    parser.add_argument("--cache", type=Path,
                        help="judgement cache (default: OUT_DIR/judgements.jsonl)")
    parser.add_argument("--concurrency", type=positive_int, default=4, help="requests in flight")
    parser.add_argument("--rps", type=positive_float, default=None,
                        help="max requests started/second")
    parser.add_argument("--timeout", type=positive_float, default=120.0,
                        help="seconds per request, the whole reply included (each retry gets "
                             "its own)")
    parser.add_argument("--max-retries", type=non_negative_int, default=6,
                        help="retries on timeouts, 429 and 5xx")
    parser.add_argument("--backoff", type=non_negative_float, default=1.0,
                        help="first retry delay in seconds, doubled each retry")
    parser.add_argument("--temperature", type=non_negative_float, default=0.0)
    parser.add_argument("--max-tokens", type=positive_int, default=1024,
                        help="judge reply budget")
    parser.add_argument("--max-paper-chars", type=positive_int, default=60000,
                        help="papers longer than this are cut (counted in the summary)")
    parser.add_argument("--bootstrap", type=positive_int, default=10000,
                        help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--name-a", default="ours", help="A's name in the chart")
    parser.add_argument("--name-b", default="baseline", help="B's name in the chart")
    parser.add_argument("--min-answered", type=fraction, default=0.5, metavar="FRACTION",
                        help="exit 1 when fewer than this share of the judgements got a reply "
                             "(requests failed after every retry do not count); 1.0: every one")
    return parser


def parse_args(argv=None):
    """(parser, JudgeOptions) of ``argv``."""
    from review_ext.evaluate.judge_run import JudgeOptions

    parser = build_parser()
    args = parser.parse_args(argv)
    return parser, JudgeOptions(
        reviews_a=args.reviews_a, reviews_b=args.reviews_b, papers=args.papers,
        model=args.model, out_dir=args.out_dir, human_reviews=args.human_reviews,
        base_url=args.base_url, api_key=os.environ.get(args.api_key_env), prompt=args.prompt,
        cache=args.cache, concurrency=args.concurrency, rps=args.rps, timeout=args.timeout,
        max_retries=args.max_retries, backoff=args.backoff, temperature=args.temperature,
        max_tokens=args.max_tokens, max_paper_chars=args.max_paper_chars,
        bootstrap=args.bootstrap, seed=args.seed, name_a=args.name_a, name_b=args.name_b,
        min_answered=args.min_answered)


def main(argv=None) -> int:
    from review_ext.evaluate.judge_run import judge, report

    parser, options = parse_args(argv)
    with one_line_errors(parser, NAME):
        result = judge(options)
    print(report(result.summary))
    if result.failure:
        print(error_line(parser, NAME, result.failure), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
