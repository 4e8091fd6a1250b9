"""tools/judge.py when things go wrong: a dead or trickling server, null replies, two runs, bad
inputs.

Every server is a real one on 127.0.0.1 (tests/flaky_openai_server.py); runs go through the
command line (a subprocess) wherever the exit status or a second process matters.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from review_ext.evaluate.records import write_jsonl
from tests.flaky_openai_server import FlakyOpenAIServer
from tests.helpers import ROOT, dead_url, read_jsonl, run_judge
from tests.judge_cases import PAIRED, V1, V2, judge_args, key_of
from tests.tool_scripts import load_tool

judge = load_tool("judge")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def judge_cli(args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools/judge.py"), *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
        **kwargs,
    )


def error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("judge: error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_dead_server_exits_1_and_says_where_the_partial_results_are(inputs):
    proc = judge_cli(judge_args(inputs, dead_url(), "--max-retries", "1"))
    error = error_line(proc)
    out = inputs / "out"
    assert "only 0 of 18 judgements got a reply" in error and "18 requests failed" in error
    assert "Connection refused" in error and f"partial results kept in {out}/" in error
    # nothing cached (a rerun asks everything), no lock left behind
    assert sorted(p.name for p in out.iterdir()) == [
        "per_paper.jsonl",
        "summary.json",
        "winrate.png",
    ]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["failed_requests"] == 18
    assert summary["failure"].startswith("only 0 of 18 judgements got a reply, fewer than "
                                         "min_answered 0.5")


def test_threshold_is_the_users(inputs):
    script = {(p, o): [V1 if o == "AB" else V2] for p in PAIRED for o in ("AB", "BA")}
    script.update({(p, "AB"): ["500"] for p in PAIRED[:4]})  # 4 of 18 judgements always fail
    with FlakyOpenAIServer(key_of, script) as server:
        summary = run_judge(judge_args(inputs, server.url, "--max-retries", "0"))  # 14/18 >= 0.5
        assert summary["failed_requests"] == 4 and summary["failure"] is None
        proc = judge_cli(
            judge_args(inputs, server.url, "--max-retries", "0", "--min-answered", "0.9")
        )
        assert "only 14 of 18 judgements got a reply, fewer than --min-answered 0.9" in error_line(
            proc
        )
        proc = judge_cli(
            judge_args(inputs, server.url, "--max-retries", "0", "--min-answered", "0.7")
        )
        assert proc.returncode == 0, proc.stderr
    assert judge_cli(judge_args(inputs, server.url, "--min-answered", "2")).returncode == 2


def test_timeout_bounds_the_whole_reply(inputs):
    """A reply trickled over 6 s, well within each socket read, fails a 1 s --timeout."""
    script = {(p, o): [V1 if o == "AB" else V2] for p in PAIRED for o in ("AB", "BA")}
    script[("p0", "AB")] = ["trickle:" + V1]
    with FlakyOpenAIServer(key_of, script, trickle_s=6.0) as server:
        start = time.monotonic()
        summary = run_judge(judge_args(inputs, server.url, "--timeout", "1", "--max-retries", "1",
                                       "--concurrency", "4"))
        elapsed = time.monotonic() - start
    assert server.requests[("p0", "AB")] == 2 and summary["failed_requests"] == 1
    assert elapsed < 6  # two 1 s attempts, not two 6 s trickles
    row = next(r for r in map(json.loads, open(inputs / "out/per_paper.jsonl")) if r["id"] == "p0")
    assert "no complete reply within 1 s" in row["reply_ab"]


def test_null_replies_are_retried_and_never_cached(inputs):
    script = {(p, o): [V1 if o == "AB" else V2] for p in PAIRED for o in ("AB", "BA")}
    script[("p0", "AB")] = ["null", V1]   # answered on the retry
    script[("p1", "AB")] = ["null"]       # never answered
    cache = inputs / "out/judgements.jsonl"
    with FlakyOpenAIServer(key_of, script) as server:
        summary = run_judge(judge_args(inputs, server.url, "--max-retries", "2"))
        assert server.requests[("p0", "AB")] == 2 and server.requests[("p1", "AB")] == 3
        assert summary["failed_requests"] == 1 and summary["wins"] == len(PAIRED) - 1
        records = read_jsonl(cache)
        assert len(records) == 17 and all(r["reply"] for r in records)
        # a cache written by an older version, holding an empty reply as "invalid": asked again
        with cache.open("a") as f:
            key = next(r["key"] for r in records if r["id"] == "p2" and r["order"] == "BA")
            f.write(
                json.dumps(
                    {"key": key, "id": "p2", "order": "BA", "verdict": "invalid", "reply": ""}
                )
                + "\n"
            )
        server.script[("p1", "AB")] = [V1]
        again = run_judge(judge_args(inputs, server.url))
    assert server.requests[("p1", "AB")] == 4 and server.requests[("p2", "BA")] == 2
    assert (
        again["asked_judgements"] == 2
        and again["failed_requests"] == 0
        and again["wins"] == len(PAIRED)
    )


def test_second_run_on_one_out_dir_is_refused(inputs):
    script = {(p, o): [V1 if o == "AB" else V2] for p in PAIRED for o in ("AB", "BA")}
    with FlakyOpenAIServer(key_of, script, delay_s=0.3) as server:
        first = subprocess.Popen([sys.executable, str(ROOT / "tools/judge.py"),
                                  *judge_args(inputs, server.url, "--concurrency", "1")],
                                 env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while time.time() < deadline and sum(server.requests.values()) == 0:
                time.sleep(0.05)
            assert first.poll() is None, "the first run ended before the second started"
            error = error_line(judge_cli(judge_args(inputs, server.url)))
            assert f"in use by another run (pid {first.pid}" in error
        finally:
            assert first.wait(timeout=120) == 0
    assert json.loads((inputs / "out/summary.json").read_text())["wins"] == len(PAIRED)
    assert not (inputs / "out/.lock").exists()


# ------------------------------------------------------------------ bad inputs: one line each
def duplicate_id(d):
    rows = read_jsonl(d / "a.jsonl")
    write_jsonl(d / "a.jsonl", rows + [rows[2]])


BAD_INPUTS = {  # case -> (break the inputs, words the error must hold)
    "duplicate id in the reviews": (duplicate_id, "a.jsonl:13: id 'p2' also on line 3"),
    "reviews file is a folder": (
        lambda d: ((d / "a.jsonl").unlink(), (d / "a.jsonl").mkdir()),
        "reviews file (A) {d}/a.jsonl is a folder, not a file",
    ),
    "reviews file missing": (
        lambda d: (d / "b.jsonl").unlink(),
        "reviews file (B) {d}/b.jsonl does not exist",
    ),
    "reviews file a symlink loop": (
        lambda d: ((d / "a.jsonl").unlink(), (d / "a.jsonl").symlink_to(d / "a.jsonl")),
        "reviews file (A) {d}/a.jsonl does not exist (a broken symlink)",
    ),
    "papers file missing": (
        lambda d: (d / "papers.jsonl").unlink(),
        "papers file {d}/papers.jsonl does not exist",
    ),
    "malformed line": (
        lambda d: (d / "b.jsonl").open("a").write('{"id": "x", "output": \n'),
        "b.jsonl:13: malformed JSON",
    ),
    "review not text": (
        lambda d: (d / "b.jsonl").open("a").write('{"id": "x", "output": 3}\n'),
        "b.jsonl:13 (id x): field 'output' is a int, expected text",
    ),
    "no id": (
        lambda d: (d / "papers.jsonl").open("a").write('{"input": "a paper"}\n'),
        "papers.jsonl:13: field 'id' is None",
    ),
    "JSON nested 100000 deep": (
        lambda d: (d / "papers.jsonl").open("a").write("[" * 100000 + "\n"),
        "papers.jsonl:13: malformed JSON (nested too deep)",
    ),
    "out-dir is a file": (lambda d: (d / "out").write_text("x"), "--out-dir {d}/out is a file"),
    "prompt file missing": (lambda d: None, "prompt file {d}/none.txt does not exist"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_inputs_get_a_one_line_error(case, inputs):
    breaker, words = BAD_INPUTS[case]
    breaker(inputs)
    extra = ["--prompt", str(inputs / "none.txt")] if "prompt" in case else []
    with pytest.raises(SystemExit) as e:
        judge.main(judge_args(inputs, dead_url(), *extra))
    message = str(e.value)
    assert message.startswith("judge: error: ") and "\n" not in message, message
    assert words.format(d=inputs) in message, message
    assert not (inputs / "out").is_dir()  # nothing asked, nothing written


def test_utf8_bom_is_accepted(inputs):
    for name in ("a.jsonl", "b.jsonl", "papers.jsonl"):
        path = inputs / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    script = {(p, o): [V1 if o == "AB" else V2] for p in PAIRED for o in ("AB", "BA")}
    with FlakyOpenAIServer(key_of, script) as server:
        summary = run_judge(judge_args(inputs, server.url))
    assert summary["wins"] == len(PAIRED) and summary["unmatched"]["only_in_a"] == 1
