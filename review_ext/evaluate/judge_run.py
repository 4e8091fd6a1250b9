"""A pairwise judging run: our reviews (A) against a baseline's (B), each pair in both orders.

:func:`judge` takes :class:`JudgeOptions`: it reads the reviews, papers and references
(``review_ext.evaluate.records``), asks the judge what its cache lacks
(``review_ext.evaluate.judging``), scores the pairs (``review_ext.evaluate.winrate``) and
writes ``per_paper.jsonl``, ``summary.json`` and ``winrate.png`` to the output folder, one
run at a time (a lock names the other run's pid).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from review_ext.common.chat_client import ChatClient
from review_ext.common.errors import ReviewSuiteError, plain
from review_ext.common.files import FolderLock, check_input
from review_ext.common.jsonl import RowsFileError
from review_ext.common.jsonl_cache import JsonlCache, digest
from review_ext.evaluate import winrate
from review_ext.evaluate.judging import (
    answered,
    judge_tasks,
    load_prompt,
    match_pairs,
    per_paper,
    run_judge,
)
from review_ext.evaluate.records import (
    PAPER_FIELDS,
    load_reference_reviews,
    load_texts,
    write_json,
    write_jsonl,
)

DEFAULT_PROMPT = Path(__file__).with_name("judge_prompt.txt")
OUTPUTS = ("judgements.jsonl", "per_paper.jsonl", "summary.json", "winrate.png")


@dataclass(frozen=True, kw_only=True)
class JudgeOptions:
    """What to judge, by which judge, and where the results go."""

    reviews_a: Path  # our reviews: JSONL, id + reply/output/review
    reviews_b: Path  # the baseline's, same format
    papers: Path  # JSONL, id + input
    model: str  # the judge model's name
    out_dir: Path = Path("judge_out")
    human_reviews: Path | None = None  # reference-guided judging
    base_url: str = "https://api.openai.com/v1"
    api_key: str | None = None
    prompt: Path = DEFAULT_PROMPT
    cache: Path | None = None  # default: out_dir/judgements.jsonl
    concurrency: int = 4
    rps: float | None = None  # requests started per second
    timeout: float = 120.0  # seconds per request, the whole reply included
    max_retries: int = 6
    backoff: float = 1.0  # first retry delay, doubled each retry
    temperature: float = 0.0
    max_tokens: int = 1024
    max_paper_chars: int = 60000  # longer papers are cut (counted)
    bootstrap: int = 10000
    seed: int = 0
    name_a: str = "ours"
    name_b: str = "baseline"
    min_answered: float = 0.5  # the share of judgements that must get a reply


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


def load_inputs(options: JudgeOptions) -> dict:
    """Reviews, papers, references and the prompt, each checked (one-line errors)."""
    check_input(options.prompt, "prompt file")
    try:
        inputs = {
            "reviews_a": load_texts(options.reviews_a, what="reviews file (A)"),
            "reviews_b": load_texts(options.reviews_b, what="reviews file (B)"),
            "papers": load_texts(options.papers, PAPER_FIELDS, what="papers file"),
            "refs": load_reference_reviews(options.human_reviews) if options.human_reviews
            else {},
            "prompt_text": Path(options.prompt).read_text(encoding="utf-8-sig"),
            "prompt": load_prompt(options.prompt)}
    except (RowsFileError, ValueError) as e:
        raise ReviewSuiteError(str(e)) from e
    out = Path(options.out_dir)
    if out.exists() and not out.is_dir():
        raise ReviewSuiteError(f"`out_dir` {out} is a file; give a folder")
    return inputs


def judge_all(options: JudgeOptions, out: Path, inputs: dict) -> tuple[dict, list[dict], dict]:
    """Ask what the cache lacks; the summary, one row per pair, and every task's record."""
    reviews_a, reviews_b, refs = inputs["reviews_a"], inputs["reviews_b"], inputs["refs"]
    ids, unmatched = match_pairs(reviews_a, reviews_b, inputs["papers"])
    prompt_hash = digest(inputs["prompt_text"])
    tasks, truncated = judge_tasks(ids, reviews_a, reviews_b, inputs["papers"], refs,
                                   inputs["prompt"], prompt_hash, options.model,
                                   options.max_paper_chars)
    cache = JsonlCache(options.cache or out / "judgements.jsonl")
    client = ChatClient(options.base_url, options.model, options.api_key,
                        timeout=options.timeout, max_retries=options.max_retries,
                        backoff=options.backoff, requests_per_second=options.rps,
                        temperature=options.temperature, max_tokens=options.max_tokens)
    cached = sum(answered(cache.get(t["key"])) for t in tasks)
    results = run_judge(tasks, client, cache, options.concurrency)
    rows = per_paper(ids, tasks, results)
    summary = winrate.summarize([r["outcome"] for r in rows],
                                [results[t["key"]]["verdict"] for t in tasks],
                                options.bootstrap, options.seed)
    summary.update({
        "judge": {"model": options.model, "base_url": options.base_url,
                  "prompt": str(options.prompt), "prompt_hash": prompt_hash,
                  "reference_guided": bool(refs)},
        "inputs": {"reviews_a": str(options.reviews_a), "reviews_b": str(options.reviews_b),
                   "papers": str(options.papers),
                   "human_reviews": options.human_reviews and str(options.human_reviews)},
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


@dataclass
class JudgeResult:
    """The run's summary (as written to ``summary.json``) and why it gave no usable win rate,
    with where its partial results are (None: it did)."""

    summary: dict
    failure: str | None


def judge(options: JudgeOptions) -> JudgeResult:
    """Judge every matched pair, writing the results to ``options.out_dir``."""
    out = Path(options.out_dir)
    inputs = load_inputs(options)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with FolderLock(out):
            summary, rows, results = judge_all(options, out, inputs)
            errors = [r["error"] for r in results.values() if r["verdict"] == winrate.ERROR]
            failure = winrate.shortfall(summary, options.min_answered, errors[:1])
            summary["failure"] = failure and plain(failure)
            write_jsonl(out / "per_paper.jsonl", rows)
            write_json(out / "summary.json", summary)
            plot(summary, out / "winrate.png", options.name_a, options.name_b)
    except (OSError, RowsFileError) as e:
        raise ReviewSuiteError(f"{out}: {e}") from e
    if failure:
        kept = ", ".join(name for name in OUTPUTS if (out / name).exists())
        failure += f"; partial results kept in {out}/ ({kept}): a rerun asks only what is missing"
    return JudgeResult(summary, failure)


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
