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
from pathlib import Path

from review_ext.common.chat_client import ChatClient
from review_ext.common.cli import doc_parser
from review_ext.common.files import FolderLock, LockedError, check_input
from review_ext.common.jsonl_cache import JsonlCache, digest
from review_ext.evaluate import winrate
from review_ext.evaluate.judging import answered, judge_tasks, load_prompt, match_pairs, per_paper, run_judge
from review_ext.evaluate.records import (PAPER_FIELDS, load_reference_reviews, load_texts, write_json,
                                         write_jsonl)

DEFAULT_PROMPT = Path(__file__).with_name("judge_prompt.txt")
OUTPUTS = ("judgements.jsonl", "per_paper.jsonl", "summary.json", "winrate.png")


# ---------------------------------------------------------------- report
def plot(summary: dict, path: Path, name_a: str, name_b: str) -> None:
    """Bar chart of wins / ties / losses / invalid pairs, the win rate and CI in the title."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{name_a} wins", "tie", f"{name_b} wins", "invalid"]
    counts = [summary[k] for k in ("wins", "ties", "losses", "invalid_pairs")]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bars = ax.bar(labels, counts, color=["#2a9d8f", "#adb5bd", "#e76f51", "#6c757d"])
    ax.bar_label(bars)
    ax.margins(y=0.15)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("papers")
    rate, ci = summary["win_rate"], summary["ci95"]
    title = f"{name_a} vs {name_b}: "
    title += (f"win rate {rate:.1%} (95% CI {ci[0]:.1%}-{ci[1]:.1%})" if rate is not None
              else "no valid pair")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("reviews_a", help="our reviews, JSONL (id + reply/output/review)")
    parser.add_argument("reviews_b", help="the baseline's reviews, same format")
    parser.add_argument("papers", help="papers, JSONL (id + input), e.g. infer.py's test file")
    parser.add_argument("--out-dir", default="judge_out", help="where results go")
    parser.add_argument("--human-reviews", help="JSONL (id + reviews list or review text): "
                        "reference-guided judging")
    parser.add_argument("--base-url", default="https://api.openai.com/v1",
                        help="OpenAI-compatible API root (the part before /chat/completions)")
    parser.add_argument("--model", required=True, help="judge model name")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY",
                        help="environment variable holding the API key (may be unset locally)")
    parser.add_argument("--prompt", default=str(DEFAULT_PROMPT), help="judge prompt file")
    parser.add_argument("--cache", help="judgement cache (default: OUT_DIR/judgements.jsonl)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    parser.add_argument("--rps", type=float, default=None, help="max requests started/second")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds per request, the whole reply included (each retry gets its own)")
    parser.add_argument("--max-retries", type=int, default=6,
                        help="retries on timeouts, 429 and 5xx")
    parser.add_argument("--backoff", type=float, default=1.0,
                        help="first retry delay in seconds, doubled each retry")
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--max-tokens", type=int, default=1024, help="judge reply budget")
    parser.add_argument("--max-paper-chars", type=int, default=60000,
                        help="papers longer than this are cut (counted in the summary)")
    parser.add_argument("--bootstrap", type=int, default=10000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--name-a", default="ours", help="A's name in the chart")
    parser.add_argument("--name-b", default="baseline", help="B's name in the chart")
    parser.add_argument("--min-answered", type=float, default=0.5, metavar="FRACTION",
                        help="exit 1 when fewer than this share of the judgements got a reply "
                             "(requests failed after every retry do not count); 1.0: every one")
    args = parser.parse_args(argv)
    if not 0.0 <= args.min_answered <= 1.0:
        parser.error(f"--min-answered {args.min_answered:g}: give a fraction between 0 and 1")
    return args


def load_inputs(args) -> dict:
    """Reviews, papers, references and the prompt, each checked (RowsFileError/ValueError: one line)."""
    check_input(args.prompt, "prompt file")
    inputs = {"reviews_a": load_texts(args.reviews_a, what="reviews file (A)"),
              "reviews_b": load_texts(args.reviews_b, what="reviews file (B)"),
              "papers": load_texts(args.papers, PAPER_FIELDS, what="papers file"),
              "refs": load_reference_reviews(args.human_reviews) if args.human_reviews else {},
              "prompt_text": Path(args.prompt).read_text(encoding="utf-8-sig"),
              "prompt": load_prompt(args.prompt)}
    out = Path(args.out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out-dir {out} is a file; give a folder")
    return inputs


def judge_all(args, out: Path, inputs: dict) -> tuple[dict, list[dict], dict]:
    """Ask what the cache lacks; the summary, one row per pair, and every task's record."""
    reviews_a, reviews_b, refs = inputs["reviews_a"], inputs["reviews_b"], inputs["refs"]
    ids, unmatched = match_pairs(reviews_a, reviews_b, inputs["papers"])
    prompt_hash = digest(inputs["prompt_text"])
    tasks, truncated = judge_tasks(ids, reviews_a, reviews_b, inputs["papers"], refs, inputs["prompt"],
                                   prompt_hash, args.model, args.max_paper_chars)
    cache = JsonlCache(args.cache or out / "judgements.jsonl")
    client = ChatClient(args.base_url, args.model, os.environ.get(args.api_key_env),
                        timeout=args.timeout, max_retries=args.max_retries,
                        backoff=args.backoff, requests_per_second=args.rps,
                        temperature=args.temperature, max_tokens=args.max_tokens)
    cached = sum(answered(cache.get(t["key"])) for t in tasks)
    results = run_judge(tasks, client, cache, args.concurrency)
    rows = per_paper(ids, tasks, results)
    summary = winrate.summarize([r["outcome"] for r in rows], [results[t["key"]]["verdict"] for t in tasks],
                                args.bootstrap, args.seed)
    summary.update({
        "judge": {"model": args.model, "base_url": args.base_url, "prompt": args.prompt,
                  "prompt_hash": prompt_hash, "reference_guided": bool(refs)},
        "inputs": {"reviews_a": args.reviews_a, "reviews_b": args.reviews_b,
                   "papers": args.papers, "human_reviews": args.human_reviews},
        "matched": len(ids),
        "unmatched": {k: len(v) for k, v in unmatched.items()},
        "unmatched_ids": unmatched,
        "without_human_reviews": sum(pid not in refs for pid in ids) if refs else None,
        "truncated_papers": len(truncated),
        "cached_judgements": cached,
        "asked_judgements": len(tasks) - cached,
        "cache_skipped_lines": cache.skipped_lines,
    })
    return summary, rows, results


def write_outputs(args, out: Path, summary: dict, rows: list[dict]) -> None:
    write_jsonl(out / "per_paper.jsonl", rows)
    write_json(out / "summary.json", summary)
    plot(summary, out / "winrate.png", args.name_a, args.name_b)


def main(argv=None) -> dict:
    args = parse_args(argv)
    out = Path(args.out_dir)
    try:
        inputs = load_inputs(args)
        out.mkdir(parents=True, exist_ok=True)
        with FolderLock(out):
            summary, rows, results = judge_all(args, out, inputs)
            errors = [r["error"] for r in results.values() if r["verdict"] == winrate.ERROR]
            summary["failure"] = winrate.shortfall(summary, args.min_answered, errors[:1])
            write_outputs(args, out, summary, rows)
    except (ValueError, OSError, LockedError) as e:
        raise SystemExit(f"judge: error: {e}")
    print(report(summary))
    if summary["failure"]:
        kept = ", ".join(name for name in OUTPUTS if (out / name).exists())
        raise SystemExit(f"judge: error: {summary['failure']}; partial results kept in {out}/ ({kept}): "
                         "a rerun asks only what is missing")
    return summary


def report(summary: dict) -> str:
    """A few lines for the terminal."""
    rate, ci = summary["win_rate"], summary["ci95"]
    lines = [
        f"pairs judged: {summary['matched']} (unmatched: {summary['unmatched']})",
        f"wins {summary['wins']}  ties {summary['ties']}  losses {summary['losses']}  "
        f"invalid pairs {summary['invalid_pairs']}",
        f"verdicts: {summary['judgements']}  invalid {summary['invalid_verdicts']}  "
        f"refused {summary['refused_verdicts']}  failed {summary['failed_requests']}  "
        f"(cached {summary['cached_judgements']}, asked {summary['asked_judgements']})",
        "win rate: " + (f"{rate:.3f}  95% CI [{ci[0]:.3f}, {ci[1]:.3f}]" if rate is not None
                        else "n/a (no valid pair)"),
    ]
    if summary["truncated_papers"]:
        lines.append(f"papers cut to fit: {summary['truncated_papers']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
