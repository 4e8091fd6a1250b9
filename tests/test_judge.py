"""tools/judge.py against a real, flaky local OpenAI-compatible server.

Verdicts are scripted per (paper, order); the server counts every request, so
the tests check exact final counts, that nothing judged is lost to a kill, and
that a rerun asks nothing twice.
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from review_ext.common.chat_client import RateLimiter
from review_ext.evaluate import judging
from review_ext.evaluate.judge_run import DEFAULT_PROMPT
from review_ext.evaluate.records import write_jsonl
from tests.flaky_openai_server import FlakyOpenAIServer
from tests.helpers import ROOT, read_jsonl, run_judge
from tests.judge_cases import MAX_RETRIES, PAIRED, SCRIPT, V1, V2, judge_args, key_of


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
        summary = run_judge(judge_args(inputs, server.url, "--concurrency", "3"))
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
        again = run_judge(judge_args(inputs, server.url))
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
                                          cache.read_text(encoding="utf-8").count("\n") < 4):
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = [(r["id"], r["order"]) for r in read_jsonl(cache)]
        assert 4 <= len(done) < 18
        with cache.open("a") as f:
            f.write('{"key": "[\\"p')  # a record torn by the kill

        server.delay_s = 0
        summary = run_judge(judge_args(inputs, server.url, "--concurrency", "4",
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
        summary = run_judge(judge_args(inputs, url + "/v1", "--max-tokens", "8",
                                       "--concurrency", "2", "--timeout", "120"))
    assert summary["failure"].startswith("no pair has a valid verdict in both orders")
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
    prompt = judging.load_prompt(DEFAULT_PROMPT)
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
