"""Every PeerRead venue of the shared data converts all its official reviews; empty runs fail."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from data_conversion import from_peerread
from review_ext.formats.text import REVIEW_HEADINGS, heading_order, parse_review
from tests.helpers import ROOT, read_jsonl


def official_in_source(folder: Path) -> set[str]:
    """``<paper id>:<text start>`` of each official review, read straight from the files."""
    found = set()
    for path in folder.rglob("reviews/*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for e in doc["reviews"]:
            author = e.get("OTHER_KEYS", "AnonReviewer")  # ACL/CoNLL: official reviews only
            if ("AnonReviewer" in author and "RECOMMENDATION" in e and e["comments"].strip()
                    and not e.get("IS_META_REVIEW")):
                found.add(f"{doc['id']}:{' '.join(e['comments'].split())[:80]}")
    return found


VENUES = [  # venue, rows written, skipped, duplicates
    ("iclr_2017", 9, 20, 29),
    ("acl_2017", 7, 0, 0),
    ("conll_2016", 5, 0, 0),
]


@pytest.mark.parametrize("venue,written,skipped,duplicates", VENUES, ids=[v[0] for v in VENUES])
def test_no_official_review_dropped(shared_data, tmp_path, venue, written, skipped, duplicates):
    folder = shared_data / "peerread" / venue
    out = tmp_path / "rows.jsonl"
    account = from_peerread.main([str(folder), str(out)])
    rows = read_jsonl(out)
    assert account.exit_code == 0 and account.balanced and not account.warnings
    assert (account.written, account.n_skipped, account.duplicates) == (written, skipped,
                                                                       duplicates)
    assert len(official_in_source(folder)) == written == len(rows)
    for r in rows:
        assert heading_order(r["output"]) == list(REVIEW_HEADINGS)
        assert r["recommendation"] and "is_meta_review" not in r


def rows_of(shared_data, tmp_path, venue):
    out = tmp_path / "rows.jsonl"
    from_peerread.main([str(shared_data / "peerread" / venue), str(out)])
    return {r["id"]: parse_review(r["output"]) for r in map(json.loads, out.open())}


PLACES = [  # venue, row, words of the review, part (ACL's form: Strengths/Weaknesses/General)
    ("acl_2017", "173:r2", "Introduces a new document clustering approach", "acceptance"),
    ("acl_2017", "173:r2", "does not provide any information on the availability", "rejection"),
    ("acl_2017", "173:r2", "regardless the size > regardless of the size", "improvement"),
    ("acl_2017", "355:r1", "As an solution -> As a solution", "improvement"),
    ("acl_2017", "355:r2", "The paper is well-structured and well-motivated", "acceptance"),
    ("acl_2017", "355:r2", "I am curious about the comparison between them", "rejection"),
    ("acl_2017", "352:r2", "This paper presents a method for learning well-partitioned",
     "significance"),
    ("conll_2016", "151:r3", "The the main idea -> The main idea", "improvement"),
    ("conll_2016", "12:r2", "Line 267, replace one of the two closing brackets", "improvement"),
    ("conll_2016", "12:r2", "does not explicitly mention what the vector representation",
     "rejection"),
    ("conll_2016", "12:r2", "It is surprising that the proposed training objective gives equal",
     "improvement"),  # "surprising" is no praise; the sentence after it asks for a change
    # "*finding* vs. *paying*" opening a line is emphasis inside a sentence, not a list item
    ("conll_2016", "12:r1", "relating to the costs of *finding* vs. *paying* the annotators",
     "improvement"),
    # a flaw "which is now corrected" is no weakness any more
    ("conll_2016", "12:r1", "it had a flaw in the experiment setup, which is now corrected",
     "acceptance"),
    ("conll_2016", "12:r1", "I now see no obstacles in doing so", "acceptance"),
    # "** l:84 ..." is a nested list item; "l:84" is a line reference, not a point title
    ("acl_2017", "352:r2", "<l:84 the “infantile cart” is slightly odd", "rejection"),
]


@pytest.mark.parametrize("venue,row,needle,part", PLACES)
def test_acl_and_conll_points_in_their_part(shared_data, tmp_path, venue, row, needle, part):
    review = rows_of(shared_data, tmp_path, venue)[row]
    assert [p for p, text in review.items() if needle in " ".join(text.split())] == [part]


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


EMPTY_RUNS = [  # converter, arguments after the empty input file
    ("to_xtuner", ["out.json"]),
    ("to_xtuner", ["out.jsonl", "--test"]),
    ("to_swift", ["out.jsonl"]),
    ("to_llamafactory", ["lf"]),
    ("split", ["sp"]),
]


@pytest.mark.parametrize("name,args", EMPTY_RUNS, ids=[f"{n}{a[1:]}" for n, a in EMPTY_RUNS])
def test_empty_input_fails_unless_allowed(tmp_path, name, args):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    res = cli(f"data_conversion.{name}", str(empty), *[str(tmp_path / args[0])] + args[1:])
    assert res.returncode == 1, res.stderr
    assert "FAILED: nothing written" in res.stderr and "--allow-empty" in res.stderr
    res = cli(f"data_conversion.{name}", str(empty), *[str(tmp_path / args[0])] + args[1:],
              "--allow-empty")
    assert res.returncode == 0 and "FAILED" not in res.stderr, res.stderr


def test_folders_without_official_reviews_fail_loudly(tmp_path):
    """A venue whose entries are all comments: nothing written, exit 1, the papers named."""
    (tmp_path / "v" / "reviews").mkdir(parents=True)
    (tmp_path / "v" / "reviews" / "7.json").write_text(json.dumps(
        {"id": "7", "reviews": [{"comments": "Nice", "OTHER_KEYS": "(anonymous)"}]}))
    res = cli("data_conversion.from_peerread", str(tmp_path / "v"), str(tmp_path / "o.jsonl"))
    assert res.returncode == 1
    assert "1 of 1 papers have no official review (ids 7)" in res.stderr
    assert "skipped 1: public comment or author reply" in res.stderr
