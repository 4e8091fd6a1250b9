"""Pairwise judging: the judge prompt, the (paper, order) tasks, asking the judge, one row per pair.

Each pair (A = ours, B = baseline) is asked with A shown first and with B shown
first. Every reply is appended to a cache as it arrives, keyed by (paper, pair,
order, judge, prompt hash), so a rerun -- or a run after a kill -- asks only what
is missing; a request that failed, or a reply without content, is never cached.
"""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from review_ext.common.chat_client import ChatClient, ChatError
from review_ext.common.jsonl_cache import JsonlCache, digest
from review_ext.evaluate import winrate

_SECTION = re.compile(r"^### (system|user|reference)\s*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{(paper|review_1|review_2|reference|human_reviews)\}")


# ---------------------------------------------------------------- prompt
def load_prompt(path: str | Path) -> dict[str, str]:
    """The prompt file's ``### system`` / ``### user`` / ``### reference`` sections."""
    text = Path(path).read_text(encoding="utf-8-sig")
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
    A cached record without a reply (older versions cached ``null`` replies) is asked again.
    """
    results = {t["key"]: cache.get(t["key"]) for t in tasks if answered(cache.get(t["key"]))}
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


def answered(record: dict | None) -> bool:
    """Whether a cached record holds a judge's reply (a verdict may still be invalid)."""
    return bool(record) and isinstance(record.get("reply"), str) and bool(record["reply"].strip())


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
