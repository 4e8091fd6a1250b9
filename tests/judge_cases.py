"""The scripted judge scenario the tools/judge.py tests share: verdict texts, what the local
OpenAI-compatible server answers per (paper, order), the input files and the command line.

The ``inputs`` fixture (``conftest.py``) writes the files with :func:`write_inputs`.
"""
from __future__ import annotations

import re
from pathlib import Path

from review_ext.evaluate.records import write_jsonl

V1, V2, VT = "Review 1 is more specific.\nVerdict: 1", "**Verdict:** Review 2", "Verdict: tie"
GARBAGE = "the the the , , of and Review Review"
REFUSAL = "I'm sorry, but I can't help with comparing these reviews."

# (paper, order) -> what the server does on each successive request.
SCRIPT = {
    ("p0", "AB"): [V1], ("p0", "BA"): [V2],                           # A wins
    ("p1", "AB"): ["timeout", V1], ("p1", "BA"): ["429", "500", V2],  # A wins after retries
    ("p2", "AB"): [V2], ("p2", "BA"): ["drop", "badjson", V1],        # B wins
    ("p3", "AB"): [V1], ("p3", "BA"): [V1],                           # position bias: tie
    ("p4", "AB"): [VT], ("p4", "BA"): ["503", VT],                    # tie
    ("p5", "AB"): [V1], ("p5", "BA"): [GARBAGE],                      # invalid verdict
    ("p6", "AB"): [REFUSAL], ("p6", "BA"): [V2],                      # refused verdict
    ("p7", "AB"): ["500"], ("p7", "BA"): [V2],                        # fails every retry
    ("p8", "AB"): [V1], ("p8", "BA"): [V2],                           # A wins
}
PAIRED = sorted({pid for pid, _ in SCRIPT})
MAX_RETRIES = 3


def key_of(body):
    """(paper, order) from the judge's prompt: which review marker comes first."""
    user = body["messages"][-1]["content"]
    pid = re.search(r"RVW-A-(\w+)", user).group(1)
    return pid, "AB" if user.index("RVW-A-") < user.index("RVW-B-") else "BA"


def review(side, pid):
    return f"[Significance and novelty]\n<Point RVW-{side}-{pid}>\nAn explanation {{x}}."


def write_inputs(d: Path) -> Path:
    """Reviews A and B, papers and human reviews in ``d``: the PAIRED papers plus one paper
    only in A, one only in B, one without a paper and one whose generation failed."""
    write_jsonl(d / "a.jsonl", [{"id": p, "reply": review("A", p)}
                                for p in PAIRED + ["only_a", "no_paper"]]
                + [{"id": "failed", "error": "CUDA out of memory"}])
    write_jsonl(d / "b.jsonl", [{"id": p, "output": review("B", p)}
                                for p in ["only_b", "no_paper", "failed"] + PAIRED])
    write_jsonl(d / "papers.jsonl", [{"id": p, "input": f"[TITLE]\nPaper {p}"}
                                     for p in PAIRED + ["only_a", "only_b", "failed"]])
    write_jsonl(d / "human.jsonl", [{"id": p, "reviews": [f"HUMAN-REF-{p}"]} for p in PAIRED])
    return d


def judge_args(d, url, *extra):
    return [str(d / "a.jsonl"), str(d / "b.jsonl"), str(d / "papers.jsonl"),
            "--out-dir", str(d / "out"), "--base-url", url, "--model", "judge-x",
            "--api-key-env", "FLAKY_KEY", "--timeout", "0.5", "--backoff", "0.01",
            "--max-retries", str(MAX_RETRIES), "--bootstrap", "2000", *extra]
