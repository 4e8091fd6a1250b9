"""The quality report on the shared data: the targets hold, and each check can fail."""
from __future__ import annotations

import json

import pytest

from data_conversion import from_openreview, from_peerread, quality
from review_ext.formats.text import parse_review, render_point
from tests.helpers import read_jsonl

VENUES = {"neurips": ("neurips_2025", from_openreview), "peerread": ("peerread", from_peerread)}


@pytest.fixture(scope="module")
def converted(shared_data, tmp_path_factory):
    """``{venue: (rows file, source folder)}``, converted by the project's converters."""
    out = {}
    for name, (folder, module) in VENUES.items():
        path = tmp_path_factory.mktemp(name) / "rows.jsonl"
        assert module.main([str(shared_data / folder), str(path)]).exit_code == 0
        out[name] = (path, shared_data / folder)
    return out


def report(rows, source, tmp_path):
    account = quality.main([str(rows), "--sources", str(source), "--json",
                            str(tmp_path / "q.json"), "--details", str(tmp_path / "d.jsonl")])
    assert account.exit_code == 0
    return json.loads((tmp_path / "q.json").read_text())


@pytest.mark.parametrize("venue", VENUES)
def test_targets_on_the_shared_data(converted, venue, tmp_path):
    q = report(*converted[venue], tmp_path)
    assert q["misplaced_pct"] <= 1.0 and q["labelled_points"] >= 40
    assert q["empty_but_written"] == 0 and q["points_not_in_source"] == 0
    assert q["papers_with"].get("checklist", 0) == 0
    if venue == "neurips":  # the PeerRead suspects are read by hand (benchmarks/RESULTS.md)
        assert q["suspect_points_pct"] <= 1.0


def tamper(rows_path, tmp_path, change):
    """A copy of the rows with ``change(row)`` applied to the first row it returns True for."""
    rows = read_jsonl(rows_path)
    assert any(change(r) for r in rows)
    path = tmp_path / "tampered.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def move_weakness(row) -> bool:
    """Put the first rejection point under acceptance, as a misplacing converter would."""
    parts = parse_review(row["output"])
    if row["id"] != "LSS6JMvgha:r1" or not parts["rejection"]:
        return False
    point = parts["rejection"].splitlines()[0]
    row["output"] = row["output"].replace(point + "\n", "", 1).replace(
        "[Potential reasons for acceptance]\n", "[Potential reasons for acceptance]\n" + point
        + "\n", 1)
    return True


def add_reference(row) -> bool:
    row["output"] += "\n" + render_point("[3]", "[3] Chefer H, Gur S, Wolf L. Generic attention-"
                                         "model explainability. ICCV 2021: 397-406.")
    return True


def add_email(row) -> bool:
    if "@" in row["input"]:
        return False
    row["input"] = row["input"].replace("[CONTENT]\n", "[CONTENT]\n  jane.doe@uni.edu\n", 1)
    return True


def add_author_line(row) -> bool:
    """The second author column that reading order once put after the introduction."""
    if row["paper_id"] != "Z2lWGBx2v2":
        return False
    row["input"] = row["input"].replace("[CONTENT]\n", "[CONTENT]\n  Ali Jadbabaie MIT\n", 1)
    return True


@pytest.mark.parametrize("change, key, expected", [
    (move_weakness, "misplaced_points", 1),
    (add_reference, "suspect_points", {"reference entry": 1}),
    (add_email, "papers_with", {"e-mail address": 1}),
    (add_author_line, "papers_with", {"author line": 1}),
])
def test_each_check_can_fail(converted, tmp_path, change, key, expected):
    rows, source = converted["neurips"]
    clean = report(rows, source, tmp_path)
    q = report(tamper(rows, tmp_path, change), source, tmp_path)
    if isinstance(expected, int):
        assert q[key] == clean[key] + expected
    else:
        for k, n in expected.items():
            assert q[key].get(k, 0) == clean[key].get(k, 0) + n
