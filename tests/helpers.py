"""Small helpers the test modules share: the checkout, free ports, JSONL rows, tools/infer.py
and tools/judge.py runs, HTTP calls.

Fixtures live in ``conftest.py``; these are plain functions to import
(``from tests.helpers import ROOT, read_jsonl``).
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INFER = ROOT / "tools" / "infer.py"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dead_url() -> str:
    """An OpenAI-style base URL where nothing listens (a port just freed)."""
    return f"http://127.0.0.1:{free_port()}/v1"


def read_jsonl(path) -> list[dict]:
    """Every non-blank line of a JSONL file, parsed (split on newlines only: replies may hold
    U+2028)."""
    return [
        json.loads(line)
        for line in Path(path).read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]


def write_rows(path: Path, rows) -> Path:
    """``rows`` as JSONL lines; a str row is written as is (for malformed lines)."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def short_rows(papers, n: int) -> list[dict]:
    """``n`` test rows (XTuner test format) of unequal length: title + part of the abstract."""
    from review_ext.data.template import resolve_system

    rows = []
    for i in range(n):
        pid, paper, _ = papers[i % len(papers)]
        head = paper.split("[CAPTIONS]")[0][: 80 + 37 * i]
        rows.append({"id": f"{pid}-{i}", "system": resolve_system("v2"), "input": head})
    return rows


def run_infer(model, test: Path, out: Path, *extra: str) -> dict:
    """tools/infer.py in-process on ``test`` (3 new tokens, no bar): asserts it exits 0 and
    returns its summary.json."""
    from tests.tool_scripts import load_tool
    infer = load_tool("infer")

    argv = ["--test", str(test), "--model", str(model), "--output-dir", str(out),
            "--max-new-tokens", "3", "--no-progress", *extra]
    assert infer.main(argv) == 0
    return json.loads((out / "summary.json").read_text())


def run_judge(argv) -> dict:
    """tools/judge.py in-process: its summary.json, after checking the exit code says what the
    summary does (1 when the run failed: ``summary["failure"]``)."""
    from tests.tool_scripts import load_tool

    code = load_tool("judge").main(argv)
    summary = json.loads((Path(argv[argv.index("--out-dir") + 1]) / "summary.json").read_text())
    assert code == (1 if summary["failure"] else 0), summary["failure"]
    return summary


def post(url: str, body, timeout: float = 120) -> tuple[int, dict | str]:
    """POST JSON (or raw bytes); the status and the parsed JSON reply (text if not JSON)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status, headers = response.read().decode(), response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, headers = error.read().decode(), error.code, error.headers
    kind = headers["Content-Type"]
    return status, json.loads(raw) if kind == "application/json" else raw


def chat(paper: str, **extra) -> dict:
    """A chat-completions request body for the test model with one user turn."""
    return {"model": "tiny", "messages": [{"role": "user", "content": paper}], **extra}
