"""The converters' rows carry each review's rating, confidence and venue, typed on the venue's
scales (real NeurIPS 2025 and PeerRead papers); a review without a score, with a score off
its scale or of an unknown venue is written with nulls and counted; to_xtuner carries them."""
from __future__ import annotations

import json

import pytest

from data_conversion import from_openreview, from_peerread, to_xtuner
from data_conversion.sources.paper_folders import as_number
from review_ext.formats.rating import render_rating
from review_ext.formats.venues import scale_of, venue
from tests.helpers import read_jsonl, write_rows
from tests.test_conversion_guards import NEURIPS_PAPER, copy_paper, edit_json

PEERREAD_VENUES = {"iclr_2017": "ICLR.cc/2017/conference", "acl_2017": "ACL/2017",
                   "conll_2016": "CoNLL/2016"}


@pytest.fixture(scope="module")
def neurips_rows(shared_data, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("rated") / "neurips.jsonl"
    assert from_openreview.main([str(shared_data / "neurips_2025"), str(out)]).exit_code == 0
    return read_jsonl(out)


def test_openreview_rows_carry_the_scores_on_the_venues_scales(neurips_rows):
    assert len(neurips_rows) == 48
    for row in neurips_rows:
        assert row["venue"] == "NeurIPS.cc/2025/Conference" == venue(row["venue"]).venue_id
        assert (row["rating"], row["confidence"]) == (row["recommendation"],
                                                      row["reviewer_confidence"])
        keys = [k for k in row if k != "screening"]  # screening's findings come last, if any
        assert keys[-3:] == ["rating", "confidence", "venue"]  # appended, nothing moved
        block = render_rating(row["rating"], scale_of(row["venue"]), row["confidence"],
                              scale_of(row["venue"], "confidence"))
        assert block.splitlines()[1] == \
            f"Rating: {row['rating']}: {scale_of(row['venue']).words(row['rating'])}"
    assert {r["rating"] for r in neurips_rows} <= set(range(1, 7))
    assert "Rating: 4: Borderline accept" in {
        render_rating(r["rating"], scale_of(r["venue"])).splitlines()[1] for r in neurips_rows}


def test_peerread_rows_take_their_venue_from_the_folder(shared_data, tmp_path):
    out = tmp_path / "peerread.jsonl"
    account = from_peerread.main([str(shared_data / "peerread"), str(out)])
    rows = read_jsonl(out)
    assert account.exit_code == 0 and len(rows) == 21 and not account.noted
    for row in rows:
        folder = next(p for p in PEERREAD_VENUES if row["folder"].startswith(p))
        assert row["venue"] == PEERREAD_VENUES[folder]
        assert row["rating"] == as_number(row["recommendation"])
        assert row["confidence"] == as_number(row["reviewer_confidence"])
        assert row["rating"] in scale_of(row["venue"]).values
    assert {r["venue"] for r in rows} == set(PEERREAD_VENUES.values())
    iclr = next(r for r in rows if r["venue"].startswith("ICLR"))
    assert render_rating(iclr["rating"], scale_of(iclr["venue"])).startswith(
        f"[Rating]\nRating: {iclr['rating']}: ")
    acl = next(r for r in rows if r["venue"] == "ACL/2017")  # numbers only: no words known
    assert render_rating(acl["rating"], scale_of("ACL/2017")) == \
        f"[Rating]\nRating: {acl['rating']}"
    # one review a paper with its own folder: the venue follows the folder the file lies in
    one = tmp_path / "one.jsonl"
    assert from_peerread.main([str(next((shared_data / "peerread").rglob("reviews/12.json"))),
                               str(one)]).exit_code == 0
    assert {r["venue"] for r in read_jsonl(one)} == {"CoNLL/2016"}


def test_missing_off_scale_and_unknown_venue_scores_are_nulls_and_counted(shared_data,
                                                                          tmp_path, capsys):
    folder = copy_paper(shared_data, tmp_path, "neurips_2025", NEURIPS_PAPER)
    reviews = folder / "reviews" / f"{NEURIPS_PAPER}.json"

    def change(doc):
        official = [e for e in doc["reviews"] if e["TITLE"] == "Official Review"]
        del official[0]["RECOMMENDATION"]
        official[1]["RECOMMENDATION"] = 9  # NeurIPS 2025 rates 1-6
        official[2]["REVIEWER_CONFIDENCE"] = None

    edit_json(reviews, change)
    out = tmp_path / "rows.jsonl"
    account = from_openreview.main([str(folder), str(out)])
    rows = read_jsonl(out)
    assert account.exit_code == 0 and account.written == len(rows) == 4  # all still written
    assert [(r["rating"], r["confidence"]) for r in rows] == [(None, 4), (None, 4), (4, None),
                                                              (3, 3)]
    assert "recommendation" not in rows[0] and rows[1]["recommendation"] == 9  # as the file has it
    assert dict(account.noted) == {
        "reviews without a score": 1, "reviews without a confidence": 1,
        "reviews with a rating off the NeurIPS 2025 scale (left null)": 1}
    assert "noted 1: reviews without a score" in capsys.readouterr().err

    edit_json(reviews, lambda doc: doc.update(conference="COLM 2025"))
    account = from_openreview.main([str(folder), str(out)])
    rows = read_jsonl(out)
    assert account.exit_code == 0 and len(rows) == 4
    assert all(r["rating"] is None and r["confidence"] is None and "venue" not in r for r in rows)
    assert dict(account.noted) == {"reviews of a venue not in the venue table (no rating)": 4}


def test_per_paper_rows_keep_each_reviews_scores(shared_data, tmp_path):
    out = tmp_path / "pp.jsonl"
    assert from_openreview.main([str(shared_data / "neurips_2025"), str(out),
                                 "--per-paper"]).exit_code == 0
    rows = read_jsonl(out)
    assert len(rows) == 12 and all(r["venue"] == "NeurIPS.cc/2025/Conference" for r in rows)
    assert all(rev["rating"] == rev["recommendation"] for r in rows for rev in r["reviews"])


def test_to_xtuner_carries_the_fields_into_training_and_test_rows(neurips_rows, tmp_path):
    rows = write_rows(tmp_path / "rows.jsonl", neurips_rows)
    assert to_xtuner.main([str(rows), str(tmp_path / "train.json")]).exit_code == 0
    train = json.loads((tmp_path / "train.json").read_text())
    assert [(t["rating"], t["confidence"], t["venue"]) for t in train] == \
        [(r["rating"], r["confidence"], r["venue"]) for r in neurips_rows]
    assert to_xtuner.main([str(rows), str(tmp_path / "test.jsonl"), "--test"]).exit_code == 0
    test = read_jsonl(tmp_path / "test.jsonl")
    assert len(test) == 12 and all(t["venue"] == "NeurIPS.cc/2025/Conference" for t in test)
    assert not any("rating" in t for t in test)  # a test row is the paper, not one review


def test_rows_without_the_fields_convert_as_before(tmp_path):
    from tests.helpers import ROOT

    sample = ROOT / "sample_data" / "papers.jsonl"
    assert to_xtuner.main([str(sample), str(tmp_path / "train.json")]).exit_code == 0
    train = json.loads((tmp_path / "train.json").read_text())
    assert len(train) == 40 and all(list(t) == ["conversation"] for t in train)
