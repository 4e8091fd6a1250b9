"""Paths and files a converter cannot use end in one clear line, never a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from review_ext.common.jsonl import iter_jsonl
from tests.helpers import ROOT, read_jsonl

CORPUS = Path(__file__).parent / "bad_inputs"
GOOD = CORPUS / "malformed_json.jsonl"  # lines 1 and 3 are good rows


def cli(*args):
    return subprocess.run([sys.executable, "-m", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def good_rows(tmp_path, n: int) -> Path:
    """``n`` good rows (copies of a corpus row under new ids)."""
    _, row = next(iter_jsonl(GOOD))  # its first line (later ones are bad on purpose)
    path = tmp_path / f"rows{n}.jsonl"
    path.write_text("".join(json.dumps({**row, "id": f"p{i}"}) + "\n" for i in range(n)))
    return path


def setup(tmp_path, kind):
    """``(argv, expected rc, text of the error line)`` for one kind of unusable path."""
    rows = good_rows(tmp_path, 2)
    if kind == "input is a folder":
        return ["data_conversion.to_xtuner", tmp_path, tmp_path / "o.json"], 1, "is a directory"
    if kind == "input missing":
        return ["data_conversion.to_swift", tmp_path / "no.jsonl", tmp_path / "o.jsonl"], 1, \
            "no such file or directory"
    if kind == "input is a symlink loop":
        (tmp_path / "loop.jsonl").symlink_to("loop.jsonl")
        return ["data_conversion.split", tmp_path / "loop.jsonl", tmp_path / "sp"], 1, \
            "too many levels of symbolic links"
    if kind == "output under a file":
        return ["data_conversion.to_xtuner", rows, rows / "o.json"], 1, "file exists"
    if kind == "output is a folder":
        (tmp_path / "o.json").mkdir()
        return ["data_conversion.to_xtuner", rows, tmp_path / "o.json"], 1, "is a directory"
    if kind == "folders are a symlink loop":
        (tmp_path / "loop").symlink_to("loop")
        return ["data_conversion.from_peerread", tmp_path / "loop", tmp_path / "o.jsonl"], 2, \
            "no such file or folder"
    if kind == "unreadable input":
        if os.geteuid() == 0:
            pytest.skip("root reads any file: permissions cannot make one unreadable")
        rows.chmod(0)
        return ["data_conversion.to_xtuner", rows, tmp_path / "o.json"], 1, "permission denied"
    raise AssertionError(kind)


KINDS = ["input is a folder", "input missing", "input is a symlink loop", "output under a file",
         "output is a folder", "folders are a symlink loop", "unreadable input"]


@pytest.mark.parametrize("kind", KINDS)
def test_unusable_path_is_one_line(tmp_path, kind):
    argv, rc, text = setup(tmp_path, kind)
    res = cli(*argv)
    assert res.returncode == rc, res.stderr
    assert "Traceback" not in res.stderr
    errors = [line for line in res.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and text in errors[0].lower(), res.stderr
    assert not list(tmp_path.rglob(".*.tmp")), "a temporary file was left behind"


def test_output_without_extension_with_skip_bad(tmp_path):
    """The rejects file goes beside the output (``out.rejects.jsonl``), not into a folder."""
    out = tmp_path / "out"
    res = cli("data_conversion.to_xtuner", GOOD, out, "--skip-bad")
    assert res.returncode == 0, res.stderr
    assert out.is_file() and len(json.loads(out.read_text())) == 2
    assert (tmp_path / "out.rejects.jsonl").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out.rejects.jsonl"]


@pytest.mark.parametrize("rows,rc", [(0, 1), (32, 0), (64, 0), (33, 0)])
def test_stats_on_multiples_of_its_batch(tmp_path, rows, rc):
    res = cli("data_conversion.stats", good_rows(tmp_path, rows), "--plot", tmp_path / "h.png")
    assert res.returncode == rc and "Traceback" not in res.stderr, res.stderr
    assert f"read {rows} rows = measured {rows}" in res.stderr


def test_json_array_file_is_read_item_by_item(tmp_path):
    """A whole file that is one JSON array of rows: every row read, bad items named."""
    rows = read_jsonl(good_rows(tmp_path, 2))
    path = tmp_path / "array.jsonl"
    path.write_text(json.dumps(rows + [["not", "a", "row"]], indent=1))
    res = cli("data_conversion.to_xtuner", path, tmp_path / "o.json", "--skip-bad")
    assert res.returncode == 0, res.stderr
    assert len(json.loads((tmp_path / "o.json").read_text())) == 2
    assert "read 3 rows = written 2 + rejected 1" in res.stderr
    reject = json.loads((tmp_path / "o.rejects.jsonl").read_text())
    assert reject["where"] == "item 3" and "not an object" in reject["reason"]


def test_malformed_reviews_file_names_line_and_column(tmp_path):
    """A pretty-printed reviews file: the error names the line and the column in it."""
    folder = tmp_path / "v" / "reviews"
    folder.mkdir(parents=True)
    (folder / "1.json").write_text('{\n  "id": "1",\n  "reviews": [}\n')
    res = cli("data_conversion.from_peerread", tmp_path / "v", tmp_path / "o.jsonl")
    assert res.returncode == 1
    assert "malformed JSON (Expecting value at line 3 column 15)" in res.stderr


def test_stopped_run_reports_nothing_written(tmp_path):
    res = cli("data_conversion.to_xtuner", GOOD, tmp_path / "o.json")
    assert res.returncode == 1
    assert "written 0 (1 converted, discarded at the stop) + rejected 1" in res.stderr
    assert "STOPPED: no output written" in res.stderr and not (tmp_path / "o.json").exists()
