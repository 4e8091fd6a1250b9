"""Review-quality checks: real reviews in four parts pass; degenerate outputs are flagged."""
import json
import subprocess
import sys

import pytest

from review_ext.evaluate.compliance import aggregate, check_review, format_table
from review_ext.evaluate.records import write_json, write_jsonl
from review_ext.formats.text import REVIEW_HEADINGS, parse_review
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def real(shared_data, tmp_path_factory):
    """``[(id, paper, review)]``: every official review in the shared data, converted to four
    parts by data_conversion's from_openreview (NeurIPS 2025) and from_peerread (ICLR 2017)."""
    from data_conversion import from_openreview, from_peerread

    out, rows = tmp_path_factory.mktemp("converted"), []
    for convert, folder in ((from_openreview, "neurips_2025"), (from_peerread, "peerread")):
        path = out / f"{folder}.jsonl"
        assert convert.main([str(shared_data / folder), str(path)]).exit_code == 0
        rows += [json.loads(line) for line in path.open()]
    assert len(rows) >= 50
    full = [r for r in rows if all(parse_review(r["output"]).values())]  # a point in each part
    rows = full[:1] + [r for r in rows if r is not full[0]]
    return [(r["id"], r["input"], r["output"]) for r in rows]


def parts_of(review: str) -> list[str]:
    """The four parts' blocks (heading included), in order."""
    starts = [review.index(h) for h in REVIEW_HEADINGS]
    return [review[a:b].strip() for a, b in zip(starts, starts[1:] + [len(review)])]


def test_real_converted_reviews_pass(real):
    results = [check_review(review, paper) for _, paper, review in real]
    assert [r["flags"] for r in results] == [[] for _ in results]
    summary = aggregate(results)
    assert summary["passed"] == len(real)
    assert all(v > 0.5 for v in summary["mean_points"].values())


def degenerate(paper: str, review: str) -> dict:
    """Constructed failures of a real review, with the flags each must get."""
    parts = parts_of(review)
    point = parts[2].splitlines()[1]
    content = paper[paper.index("[CONTENT]") + len("[CONTENT]"):]
    body = " ".join(line.strip() for line in content.splitlines()
                    if line.startswith("  "))[:6000]
    return {
        "paper copied back": (paper[:8000], {"copies_paper", "missing_parts"}),
        "paper prose as a point": ("\n\n".join([parts[0] + "\n<Summary> " + body] + parts[1:]),
                                   {"copies_paper"}),
        "point looping": ("\n\n".join(parts[:2] + [parts[2] + ("\n" + point) * 12] + parts[3:]),
                          {"repetition"}),
        "phrase looping": (review + "\n" + " ".join(["the proposed method is novel"] * 60),
                           {"repetition"}),
        "refusal": ("I'm sorry, but I can't review this paper as it may be confidential.",
                    {"non_answer", "missing_parts"}),
        "asks for the paper": ("Please provide the full text of the paper so that I can review it.",
                               {"non_answer", "missing_parts"}),
        "too short, no structure": ("Good paper. Accept.", {"non_answer", "missing_parts"}),
        "empty": ("   \n", {"empty", "missing_parts"}),
        "generation failed": (None, {"empty", "missing_parts"}),
        "missing a part": ("\n\n".join(parts[:2] + parts[3:]), {"missing_parts"}),
        "out of order": ("\n\n".join([parts[0], parts[2], parts[1], parts[3]]), {"out_of_order"}),
        "a part twice": ("\n\n".join(parts + [parts[1]]), {"repeated_parts"}),
        "headings only": ("\n\n".join(REVIEW_HEADINGS), {"no_points"}),
    }


def test_degenerate_outputs_are_flagged(real):
    _, paper, review = real[0]
    for name, (text, expected) in degenerate(paper, review).items():
        result = check_review(text, paper)
        assert set(result["flags"]) == expected, (name, result)


def test_details_name_the_parts():
    review = "\n".join([REVIEW_HEADINGS[0], "<Novel idea> x", REVIEW_HEADINGS[0], "<Bis> y",
                        REVIEW_HEADINGS[3], "- <More baselines> z"])
    result = check_review(review)
    assert result["missing_parts"] == list(REVIEW_HEADINGS[1:3])
    assert result["repeated_parts"] == [REVIEW_HEADINGS[0]]
    assert result["points"] == {"significance": 1, "acceptance": 0, "rejection": 0,
                                "improvement": 1}
    assert "copy_ratio" not in result  # no paper given


def test_aggregate_and_table(real):
    _, paper, review = real[0]
    results = [check_review(review, paper), check_review(""), check_review("I'm sorry, no.")]
    summary = aggregate(results)
    assert summary["reviews"] == 3 and summary["passed"] == 1
    assert summary["flagged"]["empty"] == 1 and summary["flagged"]["non_answer"] == 1
    assert summary["flagged"]["missing_parts"] == 2
    table = format_table(summary)
    assert "passed all checks" in table and "33.3" in table


def test_cli(real, tmp_path):
    (pid, paper, review), (pid2, paper2, _) = real[0], real[-1]
    write_jsonl(tmp_path / "pred.jsonl", [
        {"id": pid, "reply": review},
        {"id": pid2, "reply": paper2[:6000]},
        {"id": "failed", "error": "out of memory"},
    ])
    write_jsonl(tmp_path / "test.jsonl", [{"id": pid, "input": paper},
                                          {"id": pid2, "input": paper2}])
    done = subprocess.run([sys.executable, str(ROOT / "tools/compliance.py"),
                           str(tmp_path / "pred.jsonl"), "--papers", str(tmp_path / "test.jsonl"),
                           "--summary", str(tmp_path / "report" / "s.json")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "passed all checks" in done.stdout and f"{pid2}: " in done.stdout
    rows = [json.loads(line) for line in (tmp_path / "pred.compliance.jsonl").open()]
    assert [(r["id"], r["flags"]) for r in rows][0] == (pid, [])
    assert "copies_paper" in rows[1]["flags"]
    assert rows[2]["generation_failed"] and "empty" in rows[2]["flags"]
    assert [p.name for p in (tmp_path / "report").iterdir()] == ["s.json"]  # no temporary left
    summary = json.loads((tmp_path / "report" / "s.json").read_text())
    assert (summary["reviews"], summary["passed"], summary["without_paper"]) == (3, 1, 1)


def test_summary_is_written_atomically(tmp_path):
    path = tmp_path / "s.json"
    write_json(path, {"reviews": 3})
    with pytest.raises(ValueError):  # NaN is never written: the write fails half-way
        write_json(path, {"reviews": 4, "mean_words": float("nan")})
    assert json.loads(path.read_text()) == {"reviews": 3}  # the old summary is whole
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_help():
    done = subprocess.run([sys.executable, str(ROOT / "tools/compliance.py"), "--help"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and "--papers" in done.stdout and "python tools/compliance.py" \
        in done.stdout
