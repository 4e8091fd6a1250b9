"""Verdict parsing, order combination, win rate and bootstrap CI on sets with known answers."""
import math

import pytest

from review_ext.evaluate.winrate import (
    ERROR,
    INVALID,
    LOSS,
    REFUSED,
    TIE,
    WIN,
    bootstrap_ci,
    combine_orders,
    parse_verdict,
    summarize,
    win_rate,
)


@pytest.mark.parametrize("text, expected", [
    ("Review 1 is more specific.\nVerdict: 1", "1"),
    ("Both are fine.\n\nVerdict: 2\n", "2"),
    ("**Verdict:** Review 2", "2"),
    ("**Verdict: Review 1**", "1"),
    ("Final verdict: tie", TIE),
    ("verdict - Tie.", TIE),
    ("Verdict: [[1]]", "1"),
    ("My decision: [[2]]", "2"),
    ("Verdict: draw", TIE),
    ("Verdict: 1 ... on reflection, Verdict: 1", "1"),
    ("Verdict: 1\nActually, Verdict: 2", INVALID),       # conflicting: not guessed
    ("Review 1 is better.", INVALID),                    # no verdict line
    ("Verdict: 3", INVALID),
    ("Verdict: 12", INVALID),
    ("", INVALID),
    (None, INVALID),
    ("\u2581the\u2581the the of , . Verdict", INVALID),
    ("I'm sorry, but I can't help with comparing these reviews.", REFUSED),
    ("I cannot evaluate this content.", REFUSED),
    ("As an AI, I am unable to judge.", REFUSED),
])
def test_parse_verdict(text, expected):
    assert parse_verdict(text) == expected


@pytest.mark.parametrize("ab, ba, expected", [
    ("1", "2", WIN),        # A preferred in both orders
    ("2", "1", LOSS),       # B preferred in both orders
    ("1", "1", TIE),        # always the first shown: position bias cancels to a tie
    ("2", "2", TIE),
    ("tie", "tie", TIE),
    ("1", "tie", TIE),      # disagreement counts as a tie
    ("tie", "1", TIE),
    ("1", INVALID, INVALID),
    (REFUSED, "2", INVALID),
    (ERROR, ERROR, INVALID),
])
def test_combine_orders(ab, ba, expected):
    assert combine_orders(ab, ba) == expected


def test_win_rate_ties_count_half_and_invalid_is_left_out():
    assert win_rate([WIN, TIE, LOSS, TIE]) == 0.5
    assert win_rate([WIN, WIN, WIN, LOSS]) == 0.75
    assert win_rate([WIN, TIE, INVALID, INVALID]) == 0.75
    assert win_rate([INVALID]) is None
    assert win_rate([]) is None


def test_bootstrap_degenerate_sets_have_point_intervals():
    assert bootstrap_ci([WIN] * 20) == (1.0, 1.0)
    assert bootstrap_ci([LOSS] * 7 + [INVALID]) == (0.0, 0.0)
    assert bootstrap_ci([TIE] * 5) == (0.5, 0.5)
    assert bootstrap_ci([INVALID, INVALID]) is None


def test_bootstrap_two_pairs_spans_the_whole_range():
    # Resampling {win, loss}: rates 0, .5, 1 with probabilities 1/4, 1/2, 1/4.
    assert bootstrap_ci([WIN, LOSS], n_resamples=4000, seed=1) == (0.0, 1.0)


def test_bootstrap_matches_the_normal_approximation():
    # 240 wins, 80 ties, 80 losses: rate 0.7; per-pair sd of {1, .5, 0} scores.
    outcomes = [WIN] * 240 + [TIE] * 80 + [LOSS] * 80
    scores = [1.0] * 240 + [0.5] * 80 + [0.0] * 80
    mean = sum(scores) / len(scores)
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
    half = 1.96 * sd / math.sqrt(len(scores))
    lo, hi = bootstrap_ci(outcomes, n_resamples=20000, seed=0)
    assert win_rate(outcomes) == pytest.approx(0.7)
    assert lo == pytest.approx(0.7 - half, abs=0.006)
    assert hi == pytest.approx(0.7 + half, abs=0.006)


def test_bootstrap_is_seeded_and_narrows_with_more_pairs():
    small = [WIN] * 6 + [LOSS] * 4
    assert bootstrap_ci(small, seed=3) == bootstrap_ci(small, seed=3)
    lo_s, hi_s = bootstrap_ci(small, seed=3)
    lo_l, hi_l = bootstrap_ci(small * 20, seed=3)
    assert hi_l - lo_l < hi_s - lo_s
    assert lo_s <= 0.6 <= hi_s and lo_l <= 0.6 <= hi_l


def test_summarize_counts():
    s = summarize([WIN, WIN, TIE, LOSS, INVALID],
                  ["1", "2", "1", "2", "1", "1", "2", "1", INVALID, REFUSED], seed=0)
    assert (s["pairs"], s["valid_pairs"], s["wins"], s["ties"], s["losses"],
            s["invalid_pairs"]) == (5, 4, 2, 1, 1, 1)
    assert (s["judgements"], s["invalid_verdicts"], s["refused_verdicts"],
            s["failed_requests"]) == (10, 1, 1, 0)
    assert s["win_rate"] == 0.625
    assert s["ci95"][0] <= 0.625 <= s["ci95"][1]
