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
``summary.json`` and ``winrate.png``.

Usage:
    export OPENAI_API_KEY=...
    python tools/judge.py ours.jsonl gpt4.jsonl test.jsonl --out-dir judge_out \\
        --base-url https://api.openai.com/v1 --model gpt-4o
    # reference-guided, against a local OpenAI-compatible server:
    python tools/judge.py ours.jsonl gpt4.jsonl test.jsonl --human-reviews human.jsonl \\
        --base-url http://127.0.0.1:8000/v1 --model judge --concurrency 8 --rps 4
"""
from __future__ import annotations

import argparse
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from review_ext.evaluate import winrate
from review_ext.common.chat_client import ChatClient, ChatError
from review_ext.common.jsonl_cache import JsonlCache, digest
from review_ext.evaluate.records import PAPER_FIELDS, load_reference_reviews, load_texts, write_jsonl

DEFAULT_PROMPT = Path(__file__).with_name("judge_prompt.txt")
_SECTION = re.compile(r"^### (system|user|reference)\s*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{(paper|review_1|review_2|reference|human_reviews)\}")


# ---------------------------------------------------------------- prompt
def load_prompt(path: str | Path) -> dict[str, str]:
    """The prompt file's ``### system`` / ``### user`` / ``### reference`` sections."""
    text = Path(path).read_text(encoding="utf-8")
    pieces = _SECTION.split(text)
    sections = {name: body.strip("\n") for name, body in zip(pieces[1::2], pieces[2::2])}
    if "user" not in sections:
        raise ValueError(f"{path}: no '### user' section")
    return sections


def fill(template: str, values: dict[str, str]) -> str:
    """Substitute ``{name}`` placeholders in one pass (braces in papers stay as they are)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def render_messages(prompt: dict[str, str], paper: str, first: str, second: str,
                    human_reviews: list[str] | None = None) -> list[dict]:
    """Chat messages asking the judge to compare ``first`` (Review 1) and ``second``."""
    reference = ""
    if human_reviews:
        joined = "\n\n".join(f"[Human review {i}]\n{r}" for i, r in enumerate(human_reviews, 1))
        reference = fill(prompt.get("reference", "{human_reviews}"), {"human_reviews": joined})
    user = fill(prompt["user"], {"paper": paper, "review_1": first, "review_2": second,
                                 "reference": reference})
    system = prompt.get("system")
    return ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": user}]


# ---------------------------------------------------------------- pairs
def match_pairs(reviews_a: dict, reviews_b: dict, papers: dict) -> tuple[list[str], dict]:
    """Ids with both reviews and a paper (in A's order), and what did not match.

    A review that is ``None`` (its generation failed) is not judged but counted.
    """
    both = [i for i in reviews_a if i in reviews_b]
    unmatched = {
        "only_in_a": [i for i in reviews_a if i not in reviews_b],
        "only_in_b": [i for i in reviews_b if i not in reviews_a],
        "without_paper": [i for i in both if papers.get(i) is None],
        "generation_error": [i for i in both if reviews_a[i] is None or reviews_b[i] is None],
    }
    skip = set(unmatched["without_paper"]) | set(unmatched["generation_error"])
    return [i for i in both if i not in skip], unmatched


def judge_tasks(ids, reviews_a, reviews_b, papers, refs, prompt, prompt_hash, model,
                max_paper_chars):
    """One task per (paper, order): its cache key and messages. Also the ids cut short."""
    tasks, truncated = [], []
    for pid in ids:
        paper = papers[pid]
        if len(paper) > max_paper_chars:
            paper = paper[:max_paper_chars] + "\n[... paper truncated ...]"
            truncated.append(pid)
        a, b, human = reviews_a[pid], reviews_b[pid], refs.get(pid)
        pair = digest(a, b, paper, *(human or []))
        for order in winrate.ORDERS:
            first, second = (a, b) if order == "AB" else (b, a)
            key = json.dumps([pid, pair, order, model, prompt_hash])
            tasks.append({"id": pid, "order": order, "key": key,
                          "messages": render_messages(prompt, paper, first, second, human)})
    return tasks, truncated


def run_judge(tasks: list[dict], client: ChatClient, cache: JsonlCache,
              concurrency: int) -> dict[str, dict]:
    """Ask the judge every task not in the cache; ``{key: record}`` for all tasks.

    Replies (valid or not) go to the cache as they arrive; a request that fails
    after its retries gets verdict ``error`` and is not cached, so a rerun retries it.
    """
    results = {t["key"]: cache.get(t["key"]) for t in tasks if t["key"] in cache}
    todo = [t for t in tasks if t["key"] not in results]

    def ask(task):
        try:
            reply = client.complete(task["messages"])
        except ChatError as error:
            return {"id": task["id"], "order": task["order"], "verdict": winrate.ERROR,
                    "error": str(error)}
        return cache.put(task["key"], {"id": task["id"], "order": task["order"],
                                       "verdict": winrate.parse_verdict(reply), "reply": reply})

    bar = tqdm(total=len(tasks), initial=len(results), desc="judging", unit="verdict")
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = {pool.submit(ask, t): t["key"] for t in todo}
        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                bar.update()
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    bar.close()
    return results


def per_paper(ids: list[str], tasks: list[dict], results: dict[str, dict]) -> list[dict]:
    """One row per pair: both verdicts, A's outcome and the judge's replies."""
    by_id: dict[str, dict] = {pid: {} for pid in ids}
    for task in tasks:
        by_id[task["id"]][task["order"]] = results[task["key"]]
    rows = []
    for pid in ids:
        ab, ba = by_id[pid]["AB"], by_id[pid]["BA"]
        rows.append({
            "id": pid,
            "outcome": winrate.combine_orders(ab["verdict"], ba["verdict"]),
            "verdict_ab": ab["verdict"], "verdict_ba": ba["verdict"],
            "reply_ab": ab.get("reply", ab.get("error")),
            "reply_ba": ba.get("reply", ba.get("error")),
        })
    return rows


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


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Usage:" + __doc__.split("Usage:")[1])
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
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
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
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    reviews_a, reviews_b = load_texts(args.reviews_a), load_texts(args.reviews_b)
    papers = load_texts(args.papers, PAPER_FIELDS)
    refs = load_reference_reviews(args.human_reviews) if args.human_reviews else {}
    ids, unmatched = match_pairs(reviews_a, reviews_b, papers)
    prompt_text = Path(args.prompt).read_text(encoding="utf-8")
    prompt_hash = digest(prompt_text)
    tasks, truncated = judge_tasks(ids, reviews_a, reviews_b, papers, refs,
                                   load_prompt(args.prompt), prompt_hash, args.model,
                                   args.max_paper_chars)

    cache = JsonlCache(args.cache or out / "judgements.jsonl")
    cached = sum(t["key"] in cache for t in tasks)
    client = ChatClient(args.base_url, args.model, os.environ.get(args.api_key_env),
                        timeout=args.timeout, max_retries=args.max_retries,
                        backoff=args.backoff, requests_per_second=args.rps,
                        temperature=args.temperature, max_tokens=args.max_tokens)
    results = run_judge(tasks, client, cache, args.concurrency)

    rows = per_paper(ids, tasks, results)
    write_jsonl(out / "per_paper.jsonl", rows)
    summary = winrate.summarize([r["outcome"] for r in rows],
                                [results[t["key"]]["verdict"] for t in tasks],
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
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    plot(summary, out / "winrate.png", args.name_a, args.name_b)
    print(report(summary))
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
