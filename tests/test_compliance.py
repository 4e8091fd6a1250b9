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
        "paper copied back": (paper[:8000], {"copies_paper", "missing_parts", "unknown_parts"}),
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


# --- the parts the format knows: unknown headings, and the [Rating] block when trained -------

from review_ext.formats.rating import render_rating, venue_scales  # noqa: E402

NEURIPS = venue_scales("NeurIPS.cc/2025/Conference")
ICLR = venue_scales("ICLR.cc/2025/Conference")


def rated(review: str, scales, value: int, confidence: int | None = None) -> str:
    return review + "\n\n" + render_rating(value, scales.rating, confidence, scales.confidence)


def test_an_invented_fifth_heading_fails(real):
    """What a small model wrote in the demo: a [Recommendation] part after the four."""
    _, paper, review = real[0]
    assert check_review(review, paper)["flags"] == []
    for extra in ("[Recommendation]\nAccept. The paper is sound.",
                  "[Recommendation] Weak accept", "## [Overall Assessment]\nGood.",
                  "- [Summary]: a method for alignment"):
        result = check_review(review + "\n\n" + extra, paper)
        assert result["flags"] == ["unknown_parts"], (extra, result)
        assert result["unknown_parts"] == [extra.split("]")[0].lstrip("#- ") + "]"]
    summary = aggregate([check_review(review + "\n\n[Recommendation]\nAccept.", paper),
                         check_review(review, paper)])
    assert summary["passed"] == 1 and summary["flagged"]["unknown_parts"] == 1
    assert "unknown_parts" in format_table(summary)


def test_citations_and_links_are_not_headings(real):
    _, paper, review = real[0]
    text = review + ("\n[12] shows the same effect.\n[Smith et al., 2020] did it first."
                     "\n[the code](https://example.org) is public.")
    assert check_review(text, paper)["flags"] == []


def test_a_repeated_or_rating_heading_without_the_block_trained(real):
    _, paper, review = real[0]
    result = check_review(rated(review, NEURIPS, 4, 3), paper)  # a four-part recipe
    assert result["flags"] == ["unknown_parts"] and result["unknown_parts"] == ["[Rating]"]
    assert "rating" not in result  # not read: not asked for


@pytest.mark.parametrize("scales, value", [(NEURIPS, 4), (NEURIPS, 1), (ICLR, 8), (ICLR, 1)])
def test_a_rated_review_passes_on_its_venue_scale(real, scales, value):
    _, paper, review = real[0]
    result = check_review(rated(review, scales, value, 3), paper, scales)
    assert result["flags"] == [] and (result["rating"], result["confidence"]) == (value, 3)
    no_confidence = check_review(rated(review, scales, value), paper, scales)
    assert no_confidence["flags"] == [] and no_confidence["confidence"] is None


def test_the_rating_block_when_trained(real):
    _, paper, review = real[0]
    parts = parts_of(review)
    block = render_rating(4, NEURIPS.rating, 3, NEURIPS.confidence)
    cases = {
        "no block": (review, {"bad_rating"}, "no [Rating] block"),
        "off the scale": (review + "\n\n[Rating]\nRating: 9: Great", {"bad_rating"},
                          "rating 9 is out of the scale 1-6"),
        "ICLR's 7 on NeurIPS": (review + "\n\n[Rating]\nRating: 7", {"bad_rating"},
                                "rating 7 is out of the scale 1-6"),
        "no number": (review + "\n\n[Rating]\nRating: good paper", {"bad_rating"},
                      "is not a number or a point of the scale"),
        "confidence off": (review + "\n\n[Rating]\nRating: 4\nConfidence: 6",
                           {"bad_rating"}, "confidence 6 is out of the scale 1-5"),
        "block twice": (review + "\n\n" + block + "\n\n" + block, {"repeated_parts"}, None),
        "block not last": ("\n\n".join(parts[:2] + [block] + parts[2:]), {"out_of_order"}, None),
        "and a fifth part": (review + "\n\n[Recommendation]\nAccept.\n\n" + block,
                             {"unknown_parts"}, None),
    }
    for name, (text, expected, reason) in cases.items():
        result = check_review(text, paper, NEURIPS)
        assert set(result["flags"]) == expected, (name, result)
        if reason:
            assert any(reason in p for p in result["bad_rating"]), (name, result["bad_rating"])
    iclr_seven = check_review(review + "\n\n[Rating]\nRating: 7", paper, ICLR)
    assert iclr_seven["bad_rating"] == ["rating 7 is out of the scale 1, 3, 5, 6, 8, 10"]


def test_cli_expects_the_block_from_review_suite_json_or_the_flag(real, tmp_path):
    (pid, paper, review), (pid2, paper2, review2) = real[0], real[1]
    write_jsonl(tmp_path / "pred.jsonl", [{"id": pid, "reply": rated(review, NEURIPS, 4, 3)},
                                          {"id": pid2, "reply": review2}])
    write_jsonl(tmp_path / "test.jsonl", [
        {"id": pid, "input": paper, "venue": "NeurIPS.cc/2025/Conference"},
        {"id": pid2, "input": paper2, "venue": "NeurIPS.cc/2025/Conference"}])
    model = tmp_path / "model"
    model.mkdir()

    def run(*extra):
        return subprocess.run([sys.executable, str(ROOT / "tools/compliance.py"),
                               str(tmp_path / "pred.jsonl"), "--papers",
                               str(tmp_path / "test.jsonl"), *extra],
                              capture_output=True, text=True, cwd=tmp_path)

    def flags():
        return [r["flags"] for r in map(json.loads, (tmp_path / "pred.compliance.jsonl").open())]

    for rates, extra in ((False, ()), (True, ("--rating",)), (False, ("--model", str(model))),
                         (True, ("--model", str(model)))):
        (model / "review_suite.json").write_text(json.dumps({"rating": rates}))
        done = run(*extra)
        assert done.returncode == 0, done.stderr
        # rated: the review without a block fails; four-part: the block is an unknown part
        assert flags() == ([[], ["bad_rating"]] if rates else [["unknown_parts"], []]), extra
    write_jsonl(tmp_path / "test.jsonl", [{"id": pid, "input": paper},
                                          {"id": pid2, "input": paper2}])
    done = run("--rating")
    assert done.returncode != 0 and done.stderr.strip().splitlines() == [
        f"compliance: error: paper {pid}: no venue to read its [Rating] block on; "
        "give --papers rows with 'venue' or --venue"
    ]
    assert run("--rating", "--venue", "NeurIPS 2025").returncode == 0
    assert flags() == [[], ["bad_rating"]]
