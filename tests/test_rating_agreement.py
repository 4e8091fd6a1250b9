"""Rating agreement: metrics on constructed cases computed by hand, the baselines, the whole run
on constructed files (every record accounted for), its errors, and the script on real papers."""
from __future__ import annotations

import json
import lzma
import subprocess
import sys

import numpy as np
import pytest

from review_ext.evaluate.agreement import AgreementOptions, format_table, run_agreement
from review_ext.evaluate.agreement_baselines import leave_one_out, most_frequent, text_ratings
from review_ext.evaluate.agreement_data import AgreementError
from review_ext.evaluate.agreement_metrics import (
    Trial,
    metrics,
    pairs,
    quadratic_kappa,
    resample_papers,
    score,
    spearman,
    to_points,
)
from tests.helpers import ROOT, read_jsonl, write_rows

NEURIPS = ((6, "Strong accept"), (5, "Accept"), (4, "Borderline accept"),
           (3, "Borderline reject"), (2, "Reject"), (1, "Strong reject"))
ONE_TO_THREE = ((1, ""), (2, ""), (3, ""))
CORPUS = ROOT.parent / "shared" / "data" / "neurips_2025_corpus" / "rows.jsonl.xz"


def a(*xs):
    return np.asarray(xs, float)


# --- metrics, by hand --------------------------------------------------------------------------
def test_quadratic_kappa_by_hand():
    # O = (1,1) (2,2) (3,2); sum w*O = 1; E = outer([1,1,1], [1,2,0]) / 3; sum w*E = 3
    assert quadratic_kappa(a(1, 2, 3), a(1, 2, 2), ONE_TO_THREE) == pytest.approx(2 / 3)
    assert quadratic_kappa(a(1, 2, 3), a(1, 2, 3), ONE_TO_THREE) == pytest.approx(1.0)
    # a constant rater agrees no better than chance; both constant and equal: undefined
    assert quadratic_kappa(a(2, 2, 2), a(1, 2, 3), ONE_TO_THREE) == pytest.approx(0.0)
    assert quadratic_kappa(a(2, 2), a(2, 2), ONE_TO_THREE) is None
    assert quadratic_kappa(a(), a(), ONE_TO_THREE) is None
    with pytest.raises(ValueError, match="on the scale"):
        quadratic_kappa(a(4), a(1), ONE_TO_THREE)


def test_quadratic_kappa_weighs_the_scales_values_not_their_positions():
    # ICLR-like points 1, 3, 5, 6: pairs (1,1) (6,5); sum w*O = (6-5)^2 = 1;
    # E = 1/2 at (1,1) (1,5) (6,1) (6,5): sum w*E = (16 + 25 + 1) / 2 = 21 -> 1 - 1/21
    # (by positions 0, 2, 3 it would be 1 - 1/7)
    scale = ((1, ""), (3, ""), (5, ""), (6, ""))
    assert quadratic_kappa(a(1, 6), a(1, 5), scale) == pytest.approx(20 / 21)


def test_spearman_by_hand():
    # d = 0, -1, 1, 0: rho = 1 - 6 * 2 / (4 * 15) = 0.8
    assert spearman(a(1, 2, 3, 4), a(1, 3, 2, 4)) == pytest.approx(0.8)
    # ties share their mean rank: ranks (1.5, 1.5, 3) and (1, 2, 3): Pearson of them = sqrt(3)/2
    assert spearman(a(1, 1, 2), a(1, 2, 3)) == pytest.approx(3 ** 0.5 / 2)
    assert spearman(a(4, 4, 4), a(1, 2, 3)) is None


TRIALS = [Trial(4, (3, 4, 5, 5)), Trial(5, (4, 5)), Trial(2, (4, 4))]


def test_per_review_view_by_hand():
    rating, truth = pairs(TRIALS, "review")
    assert list(rating) == [4, 4, 4, 4, 5, 5, 2, 2] and list(truth) == [3, 4, 5, 5, 4, 5, 4, 4]
    m = metrics(rating, truth, NEURIPS)
    # exact: (4,4) (5,5) -> 2/8; within 1: all but the two (2,4) -> 6/8; |d| sums to 8 -> MAE 1
    assert m["exact"] == pytest.approx(0.25) and m["within1"] == pytest.approx(0.75)
    assert m["mae"] == pytest.approx(1.0)


def test_per_paper_view_by_hand():
    rating, truth = pairs(TRIALS, "paper")
    assert list(truth) == [4.25, 4.5, 4.0]
    m = metrics(rating, truth, NEURIPS)
    # means to points: 4.25 -> 4, 4.5 -> 5 (a tie goes up), 4 -> 4: exact 2/3;
    # |d| = 0.25, 0.5, 2: within 1 2/3, MAE 2.75/3; ranks (2, 3, 1) vs (2, 3, 1): rho 1
    assert m["exact"] == pytest.approx(2 / 3) and m["within1"] == pytest.approx(2 / 3)
    assert m["mae"] == pytest.approx(2.75 / 3) and m["spearman"] == pytest.approx(1.0)
    # kappa on points (4,4) (5,5) (2,4): w*O = (2-4)^2 = 4; rated 2, 4, 5 once each, truths
    # 4 twice and 5 once: w*E = ((4 + 4 + 9) + (0 + 0 + 1) + (1 + 1 + 0)) / 3 = 20/3 -> 0.4
    assert m["qwk"] == pytest.approx(0.4)
    assert list(to_points(a(0.2, 1.5, 3.49, 6.7), NEURIPS)) == [1, 2, 3, 6]


def test_leave_one_out_and_most_frequent():
    trials = leave_one_out((3, 4, 5))
    assert trials == [Trial(3, (4, 5)), Trial(4, (3, 5)), Trial(5, (3, 4))]
    m = metrics(*pairs(trials, "paper"), NEURIPS)
    # (3, 4.5) (4, 4) (5, 3.5): points 5, 4, 4 -> exact 1/3; |d| 1.5, 0, 1.5 -> MAE 1
    assert m["exact"] == pytest.approx(1 / 3) and m["mae"] == pytest.approx(1.0)
    assert leave_one_out((4,)) == []
    assert most_frequent([5, 4, 5, 4, 3]) == 4 and most_frequent([6]) == 6
    with pytest.raises(ValueError):
        most_frequent([])


def test_bootstrap_resamples_papers_and_is_seeded():
    draws = resample_papers(3, 200, seed=1)
    assert draws.shape == (200, 3) and np.array_equal(draws, resample_papers(3, 200, seed=1))
    same = score([[Trial(4, (4, 5))]] * 3, NEURIPS, draws)
    assert same["review"]["exact"] == {"value": 0.5, "ci95": [0.5, 0.5]}
    mixed = score([[t] for t in TRIALS], NEURIPS, draws)
    lo, hi = mixed["paper"]["mae"]["ci95"]
    assert lo < 2.75 / 3 < hi and lo >= 0.25 and hi <= 2.0
    assert mixed["paper"]["n"] == 3 and mixed["review"]["n"] == 8


def test_text_regressor_learns_the_words_of_a_rating():
    good = "novel strong convincing experiments clear writing"
    bad = "flawed weak unconvincing experiments unclear writing"
    texts = [f"{good} paper {i}" for i in range(6)] + [f"{bad} paper {i}" for i in range(6)]
    means = [5.5, 5.0, 5.5, 6.0, 5.0, 5.5] + [2.0, 2.5, 2.0, 1.5, 2.0, 2.5]
    for kind in ("ridge", "logistic"):
        hi, lo = text_ratings(texts, means, [good, bad], NEURIPS, kind)
        assert hi >= 5 and lo <= 3, (kind, hi, lo)
    with pytest.raises(ValueError, match="not one of"):
        text_ratings(texts, means, [good], NEURIPS, "forest")


# --- a whole run on constructed files ------------------------------------------------------------
def rows(paper_ids, ratings, accepted=True, words="a paper"):
    out = []
    for pid, rs in zip(paper_ids, ratings, strict=True):
        out += [{"id": f"{pid}:r{j + 1}", "paper_id": pid, "input": f"[TITLE]\n{words} {pid}",
                 "rating": r, "accepted": accepted, "venue": "NeurIPS.cc/2025/Conference"}
                for j, r in enumerate(rs)]
    return out


def reply(rating) -> str:
    return f"[Significance and novelty]\n<x> y\n\n[Rating]\nRating: {rating}\n"


@pytest.fixture
def files(tmp_path):
    ref = write_rows(tmp_path / "test.jsonl",
                     rows(["p1", "p2", "p3", "p4", "p5", "p6", "p7"],
                          [(3, 4, 5, 5), (4, 5), (4, 4), (5,), (4, 4), (2, None), (None, None)]))
    train = write_rows(tmp_path / "train.jsonl",
                       rows([f"t{i}" for i in range(6)], [(4, 5), (4,), (5, 4), (3,), (4,), (6,)]))
    records = write_rows(tmp_path / "predictions.jsonl", [
        {"id": "p1", "reply": reply("4: Borderline accept")},
        {"id": "p2:r1", "reply": reply(5)},  # a row id maps to its paper
        {"id": "p3", "reply": reply(2)},
        {"id": "p4", "reply": "[Rating]\nRating: 7"},  # off the scale
        {"id": "p5", "reply": None, "error": "CUDA out of memory"},
        {"id": "elsewhere", "reply": reply(4)},
    ])
    return tmp_path, ref, train, records


def test_run_scores_the_model_beside_the_baselines(files):
    tmp, ref, train, records = files
    summary = run_agreement(AgreementOptions(ref, train, tmp / "out", records=records,
                                             scale=NEURIPS, resamples=100, text_models=()))
    assert summary["papers_scored"] == 3  # p1..p3: the papers the model rated
    model = summary["raters"]["model"]
    # the model's trials are TRIALS: the hand-computed values above
    assert model["review"]["exact"]["value"] == pytest.approx(0.25)
    assert model["review"]["mae"]["value"] == pytest.approx(1.0)
    assert model["paper"]["mae"]["value"] == pytest.approx(2.75 / 3)
    # the constant is the training reviews' most frequent rating (4: five times), same papers
    constant = summary["raters"]["constant 4"]
    assert constant["review"]["n"] == 8 and constant["review"]["exact"]["value"] == 0.5  # 4 of 8
    assert constant["review"]["qwk"]["value"] == pytest.approx(0.0)
    assert constant["review"]["spearman"] == {"value": None, "ci95": None}
    # humans: p1 gives 4 trials of 3 others, p2 2 of 1, p3 2 of 1 -> 16 review pairs
    assert summary["raters"]["humans"]["review"]["n"] == 16
    assert summary["model"] == {
        "records": 6, "rated": 3, "failed": 1, "unmatched": ["elsewhere"], "no_record": 1,  # p6
        "unrated": {"rating 7 is out of the scale 1-6": 1}}
    assert summary["reference"] == {"rows": 15, "papers": 6, "reviews": 12,
                                    "unrated_reviews": 3, "unrated_papers": 1}
    auroc = summary["accept_auroc"]
    assert (auroc["measurable"], auroc["accepted"], auroc["rejected"]) == (False, 3, 0)
    table = format_table(summary)
    assert "accept/reject AUROC: not measurable (accepted 3, rejected 0 papers" in table
    assert "1 rating 7 is out of the scale 1-6" in table and "1 failed generations" in table
    saved = json.loads((tmp / "out" / "agreement.json").read_text())
    assert saved["raters"]["model"]["paper"]["exact"]["value"] == pytest.approx(2 / 3)
    assert [r["model"] for r in read_jsonl(tmp / "out" / "papers.jsonl")] == [4, 5, 2]
    assert (tmp / "out" / "confusion.png").read_bytes()[:4] == b"\x89PNG"


def test_auroc_where_both_classes_have_enough_papers(tmp_path):
    ids = [f"p{i:02d}" for i in range(40)]
    ref = rows(ids[:20], [(5, 5)] * 20, True) + rows(ids[20:], [(3, 3)] * 20, False)
    ref = write_rows(tmp_path / "test.jsonl", ref)
    train = write_rows(tmp_path / "train.jsonl", rows(["t1", "t2"], [(4,), (5,)]))
    records = write_rows(tmp_path / "records.jsonl", [
        {"id": pid, "reply": reply(5 if i < 18 or i == 25 else 3)} for i, pid in enumerate(ids)])
    summary = run_agreement(AgreementOptions(ref, train, tmp_path / "out", records=records,
                                             scale=NEURIPS, resamples=50, text_models=()))
    auroc = summary["accept_auroc"]
    assert auroc["measurable"] and (auroc["accepted"], auroc["rejected"]) == (20, 20)
    # accepted rated 5 (18) or 3 (2); rejected 3 (19) or 5 (1):
    # P(acc > rej) + P(tie)/2 = (18*19 + (18*1 + 2*19)/2) / 400 = 370/400
    assert auroc["auroc"]["model"]["value"] == pytest.approx(370 / 400)
    assert auroc["auroc"]["constant 4"]["value"] == pytest.approx(0.5)
    table = format_table(summary)
    assert "accept/reject AUROC (accepted 20, rejected 20 papers): model 0.92" in table
    assert "constant 4 0.50 [0.50, 0.50]" in table


@pytest.mark.parametrize("case, message", [
    ("off_scale", "test.jsonl:2: field 'rating' is 9, not a point of the scale 1-6"),
    ("overlap", "1 papers are in both the reference and the training rows (e.g. 'p1')"),
    ("twice", "records 'p1' and 'p1:r2' both rate paper 'p1'; keep one record per paper"),
    ("unmatched", "none of its 1 ids is a paper or row id of the reference file"),
    ("none_rated", "the model rated none of the 1 reference papers (1 no [Rating] block)"),
    ("no_text", "test.jsonl:1: field 'input' (the paper's text) is missing or empty"),
])
def test_bad_input_is_one_clear_error(tmp_path, case, message):
    ref_rows = rows(["p1"], [(4, 9 if case == "off_scale" else 5)])
    if case == "no_text":
        ref_rows[0]["input"] = ""
    ref = write_rows(tmp_path / "test.jsonl", ref_rows)
    train = write_rows(tmp_path / "train.jsonl",
                       rows(["p1" if case == "overlap" else "t1", "t2"], [(4,), (5,)]))
    records = write_rows(tmp_path / "records.jsonl", {
        "twice": [{"id": "p1", "reply": reply(4)}, {"id": "p1:r2", "reply": reply(4)}],
        "unmatched": [{"id": "p9", "reply": reply(4)}],
        "none_rated": [{"id": "p1", "reply": "no block"}],
    }.get(case, [{"id": "p1", "reply": reply(4)}]))
    with pytest.raises(AgreementError) as error:
        run_agreement(AgreementOptions(ref, train, tmp_path / "out", records=records,
                                       scale=NEURIPS, resamples=10, text_models=()))
    assert message in str(error.value)
    assert not (tmp_path / "out").exists()


def test_outputs_never_replace_an_input(tmp_path):
    ref = write_rows(tmp_path / "test.jsonl", rows(["p1"], [(4, 5)]))
    train = write_rows(tmp_path / "train.jsonl", rows(["t1", "t2"], [(4,), (5,)]))
    records = write_rows(tmp_path / "papers.jsonl", [{"id": "p1", "reply": reply(4)}])
    with pytest.raises(AgreementError, match="papers.jsonl is one of the inputs; choose another"):
        run_agreement(AgreementOptions(ref, train, tmp_path, records=records, scale=NEURIPS))
    assert read_jsonl(records) == [{"id": "p1", "reply": reply(4)}]


# --- the script --------------------------------------------------------------------------------
def run_script(*args):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "rating_agreement.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_help():
    result = run_script("--help")
    assert result.returncode == 0
    assert "--records" in result.stdout and "predictions.jsonl" in result.stdout


def test_script_errors_are_one_line(tmp_path):
    result = run_script(str(tmp_path / "missing.jsonl"), str(tmp_path / "train.jsonl"),
                        "--out-dir", str(tmp_path / "out"))
    assert result.returncode != 0
    assert result.stderr.startswith("rating_agreement: ") and result.stderr.count("\n") == 1
    assert "missing.jsonl" in result.stderr and "Traceback" not in result.stderr


def corpus_slice(n_papers: int) -> list[dict]:
    """The first rows of the real NeurIPS 2025 corpus, up to ``n_papers`` papers."""
    out, seen = [], set()
    with lzma.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["paper_id"] not in seen and len(seen) == n_papers:
                break
            seen.add(row["paper_id"])
            out.append(row)
    return out


def test_script_on_real_papers_the_baselines_only(tmp_path):
    rows_ = corpus_slice(16)
    held = set(sorted({r["paper_id"] for r in rows_})[:5])
    ref = write_rows(tmp_path / "test.jsonl", [r for r in rows_ if r["paper_id"] in held])
    train = write_rows(tmp_path / "train.jsonl", [r for r in rows_ if r["paper_id"] not in held])
    out = tmp_path / "out"
    # no --scale: the rows' venue (NeurIPS 2025) gives it through the venue table
    result = run_script(str(ref), str(train), "--out-dir", str(out), "--resamples", "50")
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "agreement.json").read_text())
    assert summary["papers_scored"] == 5
    assert set(summary["raters"]) == {"constant 4", "tf-idf ridge", "tf-idf logistic", "humans"}
    # the corpus slice was converted before `rating`: its rows carry `recommendation`
    held_ratings = [r["recommendation"] for r in rows_ if r["paper_id"] in held]
    assert summary["raters"]["constant 4"]["review"]["n"] == len(held_ratings)
    assert summary["raters"]["constant 4"]["review"]["exact"]["value"] == pytest.approx(
        held_ratings.count(4) / len(held_ratings))
    assert "per review" in result.stdout and "accept/reject AUROC" in result.stdout
    assert sorted(r["paper_id"] for r in read_jsonl(out / "papers.jsonl")) == sorted(held)
