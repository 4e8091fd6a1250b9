"""review_ext.evaluate.review_shift: constructed runs whose shift is known."""
import pytest

from review_ext.evaluate.review_shift import compare, format_table, rejection_part, summarize
from review_ext.formats.text import render_review

VENUE = "NeurIPS.cc/2025/Conference"


def reply(rejections: list[str], rating: int | None) -> str:
    review = render_review({"significance": [("New", "a new method")],
                            "acceptance": [("Clear", "well written")],
                            "rejection": [(t, "the explanation of it") for t in rejections],
                            "improvement": [("More data", "add a data set")]})
    block = f"\n\n[Rating]\nRating: {rating}\nConfidence: 3" if rating is not None else ""
    return review + block


def test_rejection_part_counts_points_and_words():
    assert rejection_part(reply(["Small data", "No ablation"], 4)) == (2, 12)
    assert rejection_part(reply([], 4)) == (0, 0)
    assert rejection_part("no headings at all") == (0, 0)
    assert rejection_part(None) == (0, 0)


def test_compare_and_summarize_known_shift():
    reference = {"a": {"reply": reply(["Small data", "No ablation"], 4)},
                 "b": {"reply": reply(["Weak baseline"], 3)},
                 "c": {"reply": reply(["Unclear"], 4)},
                 "d": {"reply": reply(["Only in one run"], 4)}}
    other = {"a": {"reply": reply([], 6)},  # emptied, rated 2 higher
             "b": {"reply": reply(["Weak baseline"], 3)},  # unchanged
             "c": {"reply": reply(["Unclear", "Also slow"], None)}}  # grew, no rating
    venues = dict.fromkeys("abcd", VENUE)
    rows = compare(reference, other, venues)
    assert [r["id"] for r in rows] == ["a", "b", "c"]  # d was not reviewed in both
    assert rows[0]["emptied"] and rows[0]["shrank"] and rows[0]["ratings"] == [4, 6]
    assert not rows[1]["changed"] and not rows[1]["shrank"]
    assert rows[2]["ratings"] == [4, None]
    s = summarize(rows)
    assert s["papers"] == 3 and s["rated_both"] == 2
    assert s["rejection_emptied"] == pytest.approx(1 / 3)
    assert s["rejection_shrank"] == pytest.approx(1 / 3)
    assert s["rejection_grew"] == pytest.approx(1 / 3)
    assert s["reply_changed"] == pytest.approx(2 / 3)
    assert s["rating_mean"] == [3.5, 4.5] and s["rating_shift"] == 1.0
    assert (s["rated_higher"], s["rated_lower"]) == (1, 0)
    table = format_table({"injected, flag": s})
    assert "injected, flag" in table and "+1.00" in table and "3.50->4.50" in table


def test_recorded_rating_wins_over_the_reply():
    rows = compare({"a": {"reply": reply(["X y"], 4), "rating": 5}},
                   {"a": {"reply": reply(["X y"], 4), "rating": None}}, {"a": VENUE})
    assert rows[0]["ratings"] == [5, None]


def test_nothing_in_common_is_an_error():
    with pytest.raises(ValueError, match="nothing to compare"):
        summarize(compare({"a": {"reply": "x"}}, {"b": {"reply": "x"}}))
