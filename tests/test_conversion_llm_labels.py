"""The optional LLM labeller against a real local OpenAI-compatible server (flaky on purpose)."""
from __future__ import annotations

import json
import re

import pytest

from data_conversion import from_openreview, llm_labels
from review_ext.formats.text import PARTS, parse_point, parse_review
from tests.flaky_openai_server import FlakyOpenAIServer
from tests.helpers import dead_url

ROW = "LSS6JMvgha:r1"


def point_of(body) -> str:
    """The point a request asks about (the server's key)."""
    return re.search(r"Point: (.*)$", body["messages"][-1]["content"], re.S).group(1)


def points(review: str) -> dict[str, str]:
    """``{point text: part}``."""
    return {parse_point(line)[1]: part for part, text in parse_review(review).items()
            for line in text.splitlines() if line.strip()}


@pytest.fixture(scope="module")
def row_file(shared_data, tmp_path_factory):
    """One real converted review."""
    d = tmp_path_factory.mktemp("llm")
    from_openreview.main([str(shared_data / "neurips_2025"), str(d / "all.jsonl")])
    row = next(json.loads(line) for line in (d / "all.jsonl").open()
               if json.loads(line)["id"] == ROW)
    (d / "row.jsonl").write_text(json.dumps(row) + "\n")
    return d / "row.jsonl", row


def run(row_path, out, url, *extra):
    return llm_labels.main([str(row_path), str(out), "--model", "labeller", "--base-url", url,
                            "--backoff", "0", "--max-retries", "2", "--timeout", "5", *extra])


def test_points_move_drop_and_retry(row_file, tmp_path, capsys):
    path, row = row_file
    before = points(row["output"])
    texts = list(before)
    weakness = next(t for t in texts if before[t] == "rejection")
    strength = next(t for t in texts if before[t] == "acceptance")
    question = next(t for t in texts if before[t] == "improvement")
    script = {t: [f"Label: {part}"] for t, part in before.items()}  # most points: confirmed
    script[weakness] = ["improvement"]  # moved
    script[strength] = ["not a point"]  # dropped
    script[question] = ["500", "503", "Improvement."]  # retried twice, then confirmed
    with FlakyOpenAIServer(point_of, script) as server:
        account = run(path, tmp_path / "out.jsonl", server.url)
        assert account.exit_code == 0 and account.written == 1
        assert server.requests[question] == 3 and sum(server.requests.values()) == len(texts) + 2
        after = points(json.loads((tmp_path / "out.jsonl").read_text())["output"])
        assert after[weakness] == "improvement" and strength not in after
        assert all(after[t] == before[t] for t in after if t != weakness)
        counts = account.extra["labels"]
        assert counts == {"asked": len(texts), "moved": 1, "dropped: not a point": 1,
                          "confirmed": len(texts) - 2}
        # a rerun asks nothing: every label is in the cache
        asked = sum(server.requests.values())
        again = run(path, tmp_path / "out.jsonl", server.url)
        assert sum(server.requests.values()) == asked
        assert again.extra["labels"]["from cache"] == len(texts)
    assert "points moved: 1" in capsys.readouterr().out


def test_dead_endpoint_fails_and_keeps_the_rows(row_file, tmp_path, capsys):
    path, row = row_file
    account = run(path, tmp_path / "out.jsonl", dead_url())
    assert account.exit_code == 1 and account.failure
    out = json.loads((tmp_path / "out.jsonl").read_text())
    assert out["output"] == row["output"]  # the heuristic's parts, unchanged
    assert "FAILED: all" in capsys.readouterr().err


def test_unparseable_reply_keeps_the_part(row_file, tmp_path):
    path, row = row_file
    with FlakyOpenAIServer(point_of, {}, default="I am not sure.") as server:
        account = run(path, tmp_path / "out.jsonl", server.url)
    assert account.exit_code == 0
    assert json.loads((tmp_path / "out.jsonl").read_text())["output"] == row["output"]
    n = len(points(row["output"]))
    assert account.extra["labels"]["no label in the reply (heuristic's part kept)"] == n
    assert set(points(row["output"]).values()) <= set(PARTS)
