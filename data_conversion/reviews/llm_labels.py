"""Optional second opinion: an LLM labels each review point with its part, or "not a point".

For users with an OpenAI-compatible endpoint; the converters never call it. Reads
input/output rows (a converter's output), asks the model about every point of every
review, one request a point, and writes the rows back with each point under the part the
model named, or without it when the model says it is not a review point. The text stays
the reviewer's own: only the point's place changes. A point whose request failed (after
the retries) or whose reply names no label keeps the heuristic's part, and is counted.

Replies are cached (JSONL, keyed by model, prompt and point text), so a rerun asks
only what is new; requests are retried with backoff (timeouts, 429, 5xx) like the judge's.
A run in which every request failed exits 1.

Usage::

    python -m data_conversion.llm_labels rows.jsonl relabelled.jsonl --model gpt-4o
    python -m data_conversion.llm_labels rows.jsonl out.jsonl --base-url http://127.0.0.1:8000/v1 \\
        --model local --concurrency 8 --cache labels.jsonl
"""
from __future__ import annotations

import os
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from data_conversion.running.cli import add_run_args, run_converter
from data_conversion.running.pairs import iter_pairs
from data_conversion.running.rows import Account, JsonlWriter
from review_ext.common.chat_client import ChatClient, ChatError
from review_ext.common.cli import doc_parser
from review_ext.common.jsonl_cache import JsonlCache, digest
from review_ext.formats.text import PARTS, parse_point, parse_review, render_review

NOT_A_POINT = "not a point"
LABELS = PARTS + (NOT_A_POINT,)
PROMPT = """A peer reviewer wrote the point below in a review of a scientific paper.
Which part of a review does it belong to? Answer with one label only:
significance - what the paper does, its contribution, novelty or significance
acceptance - a strength, a reason to accept
rejection - a weakness, a reason to reject
improvement - a question, a suggestion, a request, a typo to fix
not a point - a reference entry, a pointer elsewhere ("see above"), a form answer

Point: {point}"""
_LABEL = re.compile("|".join(re.escape(label) for label in LABELS), re.I)


def parse_label(reply: str) -> str | None:
    """The first label named in ``reply`` (None: none)."""
    m = _LABEL.search(reply or "")
    return m.group(0).lower() if m else None


class Labeller:
    """Labels points through a chat client, with a cache, and counts what happened."""

    def __init__(self, client: ChatClient, cache: JsonlCache, model: str, concurrency: int = 4):
        self.client, self.cache, self.model, self.concurrency = client, cache, model, concurrency
        self.counts: Counter = Counter()

    def key(self, text: str) -> str:
        return digest(self.model, PROMPT, text)

    def ask(self, text: str) -> str | None:
        """The label of one point (cached); None when the request failed."""
        key = self.key(text)
        if key in self.cache:
            self.counts["from cache"] += 1
            return self.cache.get(key)["label"]
        try:
            reply = self.client.complete([{"role": "user", "content": PROMPT.format(point=text)}])
        except ChatError:
            self.counts["failed (heuristic's part kept)"] += 1
            return None
        self.counts["asked"] += 1
        label = parse_label(reply)
        if label is None:
            self.counts["no label in the reply (heuristic's part kept)"] += 1
        return self.cache.put(key, {"label": label, "reply": reply[:200]})["label"]

    def relabel(self, review: str) -> str:
        """The review with its points moved to the parts the model named."""
        points = [(part, *parse_point(line)) for part, text in parse_review(review).items()
                  for line in text.splitlines() if line.strip()]
        with ThreadPoolExecutor(self.concurrency) as pool:
            labels = list(pool.map(self.ask, [text for _, _, text in points]))
        parts = {p: [] for p in PARTS}
        for (part, title, text), label in zip(points, labels):
            if label == NOT_A_POINT:
                self.counts["dropped: not a point"] += 1
                continue
            new = label if label in PARTS else part
            if label in PARTS:
                self.counts["moved" if new != part else "confirmed"] += 1
            parts[new].append((title, text))
        return render_review(parts)


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("input", type=Path, help="input/output JSONL (a converter's output)")
    parser.add_argument("output", type=Path, help="the rows, points relabelled (JSONL)")
    parser.add_argument("--model", required=True, help="the labelling model's name")
    parser.add_argument("--base-url", default="https://api.openai.com/v1",
                        help="OpenAI-compatible API root (the part before /chat/completions)")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY",
                        help="environment variable holding the API key (may be unset locally)")
    parser.add_argument("--cache", type=Path,
                        help="label cache (default: <output>.labels.jsonl)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--max-retries", type=int, default=6,
                        help="retries on timeouts, 429 and 5xx")
    parser.add_argument("--backoff", type=float, default=1.0,
                        help="first retry delay in seconds, doubled each retry")
    add_run_args(parser)
    return parser.parse_args(argv)


def main(argv=None) -> Account:
    args = parse_args(argv)
    client = ChatClient(args.base_url, args.model, os.environ.get(args.api_key_env),
                        timeout=args.timeout, max_retries=args.max_retries, backoff=args.backoff,
                        temperature=0.0, max_tokens=16)
    cache_path = args.cache or args.output.with_name(args.output.stem + ".labels.jsonl")

    def body(run):
        labeller = Labeller(client, JsonlCache(run.claim(cache_path)), args.model,
                            args.concurrency)
        writer = run.output(JsonlWriter(args.output))
        for _, row in iter_pairs(run, args.input):
            writer.add({**row, "output": labeller.relabel(row["output"])})
            run.account.written += 1
        run.account.extra["labels"] = dict(labeller.counts)
        for what, n in sorted(labeller.counts.items()):
            print(f"  points {what}: {n}")
        failed = labeller.counts["failed (heuristic's part kept)"]
        if failed and not (labeller.counts["asked"] or labeller.counts["from cache"]):
            run.account.failure = (f"all {failed} requests failed, nothing was labelled (the "
                                   "rows are written unchanged)")

    return run_converter("llm_labels", args, args.output, body, inputs=[args.input])

