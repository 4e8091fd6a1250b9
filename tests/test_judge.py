"""tools/judge.py against a real, flaky local OpenAI-compatible server.

Verdicts are scripted per (paper, order); the server counts every request, so
the tests check exact final counts, that nothing judged is lost to a kill, and
that a rerun asks nothing twice.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from review_ext.common.chat_client import RateLimiter
from review_ext.evaluate import judging
from review_ext.evaluate.records import write_jsonl
from tests.flaky_openai_server import FlakyOpenAIServer
from tests.helpers import ROOT
from tests.tool_scripts import load_tool

judge = load_tool("judge")

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


@pytest.fixture
def inputs(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [{"id": p, "reply": review("A", p)}
                                       for p in PAIRED + ["only_a", "no_paper"]]
                + [{"id": "failed", "error": "CUDA out of memory"}])
    write_jsonl(tmp_path / "b.jsonl", [{"id": p, "output": review("B", p)}
                                       for p in ["only_b", "no_paper", "failed"] + PAIRED])
    write_jsonl(tmp_path / "papers.jsonl", [{"id": p, "input": f"[TITLE]\nPaper {p}"}
                                            for p in PAIRED + ["only_a", "only_b", "failed"]])
    write_jsonl(tmp_path / "human.jsonl", [{"id": p, "reviews": [f"HUMAN-REF-{p}"]}
                                           for p in PAIRED])
    return tmp_path


def judge_args(d, url, *extra):
    return [str(d / "a.jsonl"), str(d / "b.jsonl"), str(d / "papers.jsonl"),
            "--out-dir", str(d / "out"), "--base-url", url, "--model", "judge-x",
            "--api-key-env", "FLAKY_KEY", "--timeout", "0.5", "--backoff", "0.01",
            "--max-retries", str(MAX_RETRIES), "--bootstrap", "2000", *extra]


def expected_requests():
    """Requests each key needs: its script up to the first answer, or every retry."""
    counts = {}
    for key, actions in SCRIPT.items():
        failing = [a for a in actions if a in ("timeout", "drop", "429", "500", "503", "badjson")]
        counts[key] = MAX_RETRIES + 1 if len(failing) == len(actions) else len(failing) + 1
    return counts


def test_flaky_server_exact_counts_and_rerun_asks_nothing_twice(inputs, monkeypatch):
    monkeypatch.setenv("FLAKY_KEY", "sk-test")
    with FlakyOpenAIServer(key_of, SCRIPT, stall_s=1.0, api_key="sk-test") as server:
        summary = judge.main(judge_args(inputs, server.url, "--concurrency", "3"))
        assert dict(server.requests) == expected_requests()
        assert server.bad_requests == 0 and server.max_in_flight <= 3

        assert (summary["wins"], summary["ties"], summary["losses"],
                summary["invalid_pairs"]) == (3, 2, 1, 3)
        assert (summary["invalid_verdicts"], summary["refused_verdicts"],
                summary["failed_requests"]) == (1, 1, 1)
        assert summary["win_rate"] == pytest.approx(4 / 6)
        lo, hi = summary["ci95"]
        assert 0 <= lo <= 4 / 6 <= hi <= 1
        assert summary["matched"] == 9 and summary["judgements"] == 18
        assert summary["unmatched"] == {"only_in_a": 1, "only_in_b": 1, "without_paper": 1,
                                        "generation_error": 1}
        assert summary["unmatched_ids"]["only_in_a"] == ["only_a"]

        rows = {r["id"]: r for r in map(json.loads, open(inputs / "out/per_paper.jsonl"))}
        assert {p: r["outcome"] for p, r in rows.items()} == {
            "p0": "win", "p1": "win", "p2": "loss", "p3": "tie", "p4": "tie",
            "p5": "invalid", "p6": "invalid", "p7": "invalid", "p8": "win"}
        assert (rows["p6"]["verdict_ab"], rows["p7"]["verdict_ab"]) == ("refused", "error")
        assert (inputs / "out/winrate.png").read_bytes()[:4] == b"\x89PNG"
        saved = json.loads((inputs / "out/summary.json").read_text())
        assert saved["wins"] == 3 and saved["judge"]["model"] == "judge-x"

        # Rerun: everything answered is cached; only the failed request is asked again.
        first = dict(server.requests)
        again = judge.main(judge_args(inputs, server.url))
        asked = {k: server.requests[k] - first[k] for k in first if server.requests[k] > first[k]}
        assert asked == {("p7", "AB"): MAX_RETRIES + 1}
        assert (again["cached_judgements"], again["asked_judgements"]) == (17, 1)
        assert {k: again[k] for k in ("wins", "ties", "losses", "invalid_pairs")} == \
               {k: summary[k] for k in ("wins", "ties", "losses", "invalid_pairs")}


def test_kill_loses_nothing_judged(inputs):
    """SIGKILL mid-run; the rerun asks only what the cache lacks."""
    script = {(p, o): [V1 if o == "AB" else V2] for p in PAIRED for o in ("AB", "BA")}
    cache = inputs / "out/judgements.jsonl"
    with FlakyOpenAIServer(key_of, script, delay_s=0.15) as server:
        cmd = [sys.executable, str(ROOT / "tools/judge.py"),
               *judge_args(inputs, server.url, "--concurrency", "1",
                           "--human-reviews", str(inputs / "human.jsonl"))]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.time() + 60
        while time.time() < deadline and (not cache.exists() or
                                          len(cache.read_text().splitlines()) < 4):
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = [(r["id"], r["order"]) for r in map(json.loads, cache.read_text().splitlines())]
        assert 4 <= len(done) < 18
        with cache.open("a") as f:
            f.write('{"key": "[\\"p')  # a record torn by the kill

        server.delay_s = 0
        summary = judge.main(judge_args(inputs, server.url, "--concurrency", "4",
                                        "--human-reviews", str(inputs / "human.jsonl")))
    assert all(server.requests[k] == 1 for k in done)
    assert sum(server.requests.values()) <= 18 + 1  # at most the one in flight at the kill
    assert summary["wins"] == 9 and summary["judgements"] == 18
    assert summary["cache_skipped_lines"] == 1 and summary["judge"]["reference_guided"]
    user = server.bodies[("p0", "AB")]["messages"][-1]["content"]
    assert "HUMAN-REF-p0" in user and "{x}" in user


def test_against_serve_py_with_the_tiny_model(inputs, tiny_model):
    """A real OpenAI-compatible model server: random weights give no verdict, so every
    judgement is counted invalid; the run writes its report and exits 1 (no win rate)."""
    from tests.serve_process import serve

    for name in ("a.jsonl", "b.jsonl", "papers.jsonl"):  # two papers are enough
        rows = [r for r in map(json.loads, (inputs / name).open()) if r["id"] in ("p0", "p1")]
        write_jsonl(inputs / name, rows)
    with serve(tiny_model, "--served-model-name", "tiny", "judge-x") as url:
        with pytest.raises(SystemExit, match="no pair has a valid verdict in both orders"):
            judge.main(judge_args(inputs, url + "/v1", "--max-tokens", "8",
                                  "--concurrency", "2", "--timeout", "120"))
    summary = json.loads((inputs / "out/summary.json").read_text())
    assert summary["judgements"] == 2 * summary["matched"] > 0
    assert summary["invalid_verdicts"] + summary["refused_verdicts"] == summary["judgements"]
    assert summary["failed_requests"] == 0 and summary["invalid_pairs"] == summary["matched"]
    assert summary["win_rate"] is None and summary["ci95"] is None
    assert (inputs / "out/winrate.png").exists()


def test_rate_limiter_spaces_requests():
    limiter = RateLimiter(per_second=40)
    start = time.monotonic()
    for _ in range(5):
        limiter.wait()
    assert time.monotonic() - start >= 4 / 40 - 0.01


def test_prompt_file_sections_and_placeholders():
    prompt = judging.load_prompt(judge.DEFAULT_PROMPT)
    assert set(prompt) == {"system", "user", "reference"}
    for name in ("{paper}", "{review_1}", "{review_2}", "{reference}"):
        assert name in prompt["user"]
    messages = judging.render_messages(prompt, "PAPER {review_1}", "FIRST", "SECOND")
    user = messages[-1]["content"]
    assert user.index("FIRST") < user.index("SECOND") and "PAPER {review_1}" in user
    assert "{reference}" not in user and "HUMAN" not in user
    for heading in ("[Significance and novelty]", "[Suggestions for improvement]"):
        assert heading in user


def test_help():
    out = subprocess.run([sys.executable, str(ROOT / "tools/judge.py"), "--help"],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert "--base-url" in out and "--api-key-env" in out and "python tools/judge.py" in out
