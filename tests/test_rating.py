"""The [Rating] block: render from a review's scores, parse back from a reply, on every scale."""
from __future__ import annotations

import pytest

from review_ext.formats.rating import (
    HEADING,
    ParsedRating,
    describe,
    from_span,
    nearest,
    parse_rating,
    point_text,
    render_rating,
    span,
)
from review_ext.formats.text import REVIEW_HEADINGS

# The scales as the venue forms give them (high to low, as the table lists them).
ICLR = ((10, "strong accept, should be highlighted at the conference"), (8, "accept, good paper"),
        (6, "marginally above the acceptance threshold"),
        (5, "marginally below the acceptance threshold"), (3, "reject, not good enough"),
        (1, "strong reject"))
NEURIPS = ((6, "Strong accept"), (5, "Accept"), (4, "Borderline accept"),
           (3, "Borderline reject"), (2, "Reject"), (1, "Strong reject"))
ACL = tuple((v, "") for v in range(5, 0, -1))  # PeerRead's ACL 2017: numbers, no words
CONFIDENCE = ((5, "absolutely certain"), (4, "confident, but not absolutely certain"),
              (3, "fairly confident"),
              (2, "willing to defend, but likely did not understand central parts"),
              (1, "educated guess"))
FOUR_PARTS = "\n\n".join(f"{h}\n<point> text" for h in REVIEW_HEADINGS)


def test_render_neurips_2025_in_the_venues_words():
    assert render_rating(4, NEURIPS, 3, CONFIDENCE) == (
        "[Rating]\nRating: 4: Borderline accept\nConfidence: 3: fairly confident")


def test_render_without_a_score():
    assert render_rating(None, NEURIPS, 3, CONFIDENCE) is None
    assert render_rating(5, ACL) == "[Rating]\nRating: 5"
    with pytest.raises(ValueError, match="7 is not on the scale 1-6"):
        render_rating(7, NEURIPS)
    with pytest.raises(ValueError, match="not on the scale 1, 3, 5, 6, 8, 10"):
        render_rating(7, ICLR)
    with pytest.raises(ValueError, match="needs its scale"):
        render_rating(4, NEURIPS, 3)


@pytest.mark.parametrize("scale", [ICLR, NEURIPS, ACL], ids=["iclr", "neurips", "acl"])
def test_render_parse_round_trip_on_every_point(scale):
    for value, _ in scale:
        for confidence, _ in CONFIDENCE:
            review = FOUR_PARTS + "\n\n" + render_rating(value, scale, confidence, CONFIDENCE)
            assert parse_rating(review, scale, CONFIDENCE) == ParsedRating(value, confidence)


@pytest.mark.parametrize("scale, answer, value", [
    (ICLR, "8: accept, good paper", 8),
    (ICLR, "10", 10),
    (ICLR, "1: strong reject", 1),
    (ICLR, "6/10", 6),
    (ICLR, "marginally below the acceptance threshold", 5),
    (NEURIPS, "4: Borderline accept", 4),
    (NEURIPS, "**5**: Accept", 5),
    (NEURIPS, "borderline reject", 3),
    (NEURIPS, "6. Strong accept", 6),
    (ACL, "3", 3),
    (ACL, "4 out of 5", 4),
    (ACL, "1", 1),
])
def test_parse_each_scale(scale, answer, value):
    parsed = parse_rating(f"{FOUR_PARTS}\n\n[Rating]\nRating: {answer}\n", scale)
    assert (parsed.value, parsed.reason) == (value, None)


@pytest.mark.parametrize("scale, answer, reason", [
    (ICLR, "7", "rating 7 is out of the scale 1, 3, 5, 6, 8, 10"),
    (ICLR, "2: reject", "rating 2 is out of the scale 1, 3, 5, 6, 8, 10"),
    (ICLR, "11", "rating 11 is out of the scale"),
    (NEURIPS, "7: Strong accept", "rating 7 is out of the scale 1-6"),
    (NEURIPS, "0", "rating 0 is out of the scale 1-6"),
    (NEURIPS, "-1", "rating -1 is out of the scale 1-6"),
    (NEURIPS, "4.5", "rating 4.5 is not a whole point of the scale 1-6"),
    (NEURIPS, "4: Strong accept", "rating 4 and its words 'strong accept' (point 6) disagree"),
    (NEURIPS, "excellent", "rating 'excellent' is not a number or a point of the scale"),
    (NEURIPS, "", "'Rating:' has no value"),
    (ACL, "6", "rating 6 is out of the scale 1-5"),
])
def test_parse_out_of_scale_or_unreadable(scale, answer, reason):
    parsed = parse_rating(f"{FOUR_PARTS}\n\n[Rating]\nRating: {answer}\n", scale)
    assert parsed.value is None
    assert parsed.reason.startswith(reason), parsed.reason


def test_parse_none():
    assert parse_rating(FOUR_PARTS, NEURIPS, CONFIDENCE) == ParsedRating(
        None, None, "no [Rating] block", "no [Rating] block")
    assert parse_rating(None, NEURIPS) == ParsedRating(None, None, "no [Rating] block")
    empty = parse_rating(FOUR_PARTS + "\n\n[Rating]\n", NEURIPS, CONFIDENCE)
    assert empty == ParsedRating(None, None, "no 'Rating:' line in the [Rating] block",
                                 "no 'Confidence:' line in the [Rating] block")


def test_parse_reads_only_the_block():
    # a "Rating:" in the review's prose and one under a later heading are not the block's
    text = ("[Significance and novelty]\nRating: 2\n\n[Rating]\nConfidence: 4\n\n"
            "[Invented heading]\nRating: 6")
    parsed = parse_rating(text, NEURIPS, CONFIDENCE)
    assert parsed == ParsedRating(None, 4, "no 'Rating:' line in the [Rating] block")
    # the heading need not be on its own line; the first block counts
    text = "... last point. [Rating] Rating: 5: Accept\n[Rating]\nRating: 2"
    assert parse_rating(text, NEURIPS).value == 5
    assert parse_rating("last point.\n[Rating]\nRating: 5\n[Rating]\nRating: 2", NEURIPS).value == 5


def test_confidence_alone_can_be_off_its_scale():
    text = "[Rating]\nRating: 4: Borderline accept\nConfidence: 9"
    assert parse_rating(text, NEURIPS, CONFIDENCE) == ParsedRating(
        4, None, None, "confidence 9 is out of the scale 1-5")


def test_scale_helpers():
    assert span(NEURIPS) == "1-6" and span(ICLR) == "1, 3, 5, 6, 8, 10"
    assert point_text(ACL, 2) == "2" and point_text(NEURIPS, 2) == "2: Reject"
    assert describe(NEURIPS).startswith("1: Strong reject; 2: Reject;")
    assert [nearest(ICLR, x) for x in (0, 2, 4.4, 5.5, 7, 9.1, 12)] == [1, 3, 5, 6, 8, 10, 10]
    assert [nearest(NEURIPS, x) for x in (3.49, 3.5, 4.75)] == [3, 4, 5]
    assert HEADING not in REVIEW_HEADINGS


def test_scale_from_span():
    assert from_span("1-5") == tuple(sorted(ACL)) == from_span(span(ACL))
    assert from_span("1, 3, 5, 6, 8, 10") == tuple((v, "") for v in (1, 3, 5, 6, 8, 10))
    for bad in ("one-five", "4", "6-1", "", "1-"):
        with pytest.raises(ValueError, match="scale"):
            from_span(bad)


def test_a_rows_scores_and_its_venue_scales():
    from review_ext.formats.rating import instruction, row_scores, venue_scales

    turn = {"input": "p", "output": "r", "rating": 5}
    row = {"conversation": [turn], "rating": 3, "confidence": 2, "venue": "ICLR 2025"}
    assert row_scores(row) == (5, 2, "ICLR 2025")  # the turn's own field first
    assert row_scores({"conversation": [{"input": "p"}]}) == (None, None, None)
    assert venue_scales("ICLR 2025") == venue_scales("ICLR.cc/2025/Conference")
    tmlr = venue_scales("TMLR")
    assert tmlr.confidence is None and "Confidence" not in instruction(tmlr)
    assert "TMLR scale (1: Reject; 2: Leaning Reject; 3: Leaning Accept; 4: Accept)." in (
        instruction(tmlr))
    with pytest.raises(LookupError, match="'ACL 2099' is not in the venue table"):
        venue_scales("ACL 2099")
