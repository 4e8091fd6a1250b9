"""Pairwise judging arithmetic: verdict parsing, order combination, win rate, bootstrap CI.

A judge sees two reviews labelled ``Review 1`` and ``Review 2`` and ends with a
line such as ``Verdict: 1``, ``Verdict: Review 2`` or ``Verdict: tie``. Each pair
(A = ours, B = baseline) is judged twice: order ``AB`` (A is Review 1) and order
``BA`` (B is Review 1). All functions here are pure.
"""
from __future__ import annotations

import re

import numpy as np

# One judgement's verdict, in the judge's labels.
ONE, TWO, TIE = "1", "2", "tie"
# What a judgement could not give (ERROR: the request failed after every retry).
INVALID, REFUSED, ERROR = "invalid", "refused", "error"
# A pair's outcome, from A's side.
WIN, LOSS = "win", "loss"
OUTCOME_SCORE = {WIN: 1.0, TIE: 0.5, LOSS: 0.0}
ORDERS = ("AB", "BA")

_VERDICT = re.compile(
    r"(?:final\s+)?(?:verdict|decision|answer)\s*\**\s*[:=\-]\s*\**\s*"
    r"(?:review\s*)?\[*\s*(1|2|tie|draw|equal|both|neither)\b",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\[\[\s*(?:review\s*)?(1|2|tie)\s*\]\]", re.IGNORECASE)
_TIE_WORDS = {"tie", "draw", "equal", "both", "neither"}
_REFUSAL = re.compile(
    r"\b(?:I(?:'m| am)\s+(?:sorry|unable|not able)|I\s+(?:can(?:no|')t|cannot|won't|will not)"
    r"|as an AI\b|unable to (?:comply|assist|help|evaluate|judge)|not able to (?:assist|help))",
    re.IGNORECASE,
)


def parse_verdict(text: str | None) -> str:
    """``"1"``, ``"2"`` or ``"tie"`` from a judge's reply; else ``"refused"`` or ``"invalid"``.

    Every explicit verdict in the reply must agree; conflicting verdicts are
    invalid rather than guessed. A reply without a verdict that reads as a
    refusal is ``"refused"``.
    """
    text = text or ""
    found = [m.group(1).lower() for m in _VERDICT.finditer(text)]
    found += [m.group(1).lower() for m in _BRACKETED.finditer(text)]
    labels = {TIE if v in _TIE_WORDS else v for v in found}
    if len(labels) == 1:
        return labels.pop()
    if not labels and _REFUSAL.search(text):
        return REFUSED
    return INVALID


def to_a_side(verdict: str, order: str) -> str:
    """A judge verdict in one order as ``win``/``loss``/``tie`` for A (others pass through)."""
    if verdict not in (ONE, TWO):
        return verdict
    a_label = ONE if order == "AB" else TWO
    return WIN if verdict == a_label else LOSS


def combine_orders(verdict_ab: str, verdict_ba: str) -> str:
    """A pair's outcome for A from its two verdicts: agreement stands, disagreement ties.

    If either order has no valid verdict the pair is ``"invalid"``: one order
    alone would bring back the position bias the second order cancels.
    """
    ab, ba = to_a_side(verdict_ab, "AB"), to_a_side(verdict_ba, "BA")
    if ab not in OUTCOME_SCORE or ba not in OUTCOME_SCORE:
        return INVALID
    return ab if ab == ba else TIE


def win_rate(outcomes: list[str]) -> float | None:
    """Share of valid pairs A wins, ties counting half; ``None`` with no valid pair."""
    scores = [OUTCOME_SCORE[o] for o in outcomes if o in OUTCOME_SCORE]
    return sum(scores) / len(scores) if scores else None


def bootstrap_ci(outcomes: list[str], n_resamples: int = 10000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float] | None:
    """Percentile bootstrap CI of :func:`win_rate`, resampling valid pairs (seeded).

    A resample of n pairs is a multinomial draw of (wins, ties, losses), which is
    exactly resampling the pairs with replacement.
    """
    counts = [outcomes.count(o) for o in (WIN, TIE, LOSS)]
    n = sum(counts)
    if not n:
        return None
    draws = np.random.default_rng(seed).multinomial(n, np.array(counts) / n, size=n_resamples)
    rates = (draws[:, 0] + 0.5 * draws[:, 1]) / n
    tail = 100 * (1.0 - level) / 2
    lo, hi = np.percentile(rates, [tail, 100 - tail])
    return float(lo), float(hi)


def summarize(outcomes: list[str], verdicts: list[str], n_resamples: int = 10000,
              seed: int = 0) -> dict:
    """Counts of pair outcomes and single verdicts, the win rate and its bootstrap CI."""
    ci = bootstrap_ci(outcomes, n_resamples, seed)
    return {
        "pairs": len(outcomes),
        "valid_pairs": sum(o in OUTCOME_SCORE for o in outcomes),
        "wins": outcomes.count(WIN),
        "ties": outcomes.count(TIE),
        "losses": outcomes.count(LOSS),
        "invalid_pairs": outcomes.count(INVALID),
        "judgements": len(verdicts),
        "invalid_verdicts": verdicts.count(INVALID),
        "refused_verdicts": verdicts.count(REFUSED),
        "failed_requests": verdicts.count(ERROR),
        "win_rate": win_rate(outcomes),
        "ci95": list(ci) if ci else None,
        "bootstrap": {"resamples": n_resamples, "seed": seed},
    }


def shortfall(summary: dict, min_answered: float, errors: list[str] = ()) -> str | None:
    """Why a judging run produced no usable result (None when it did), from its :func:`summarize`.

    Too few judgements answered (``min_answered`` is the share that must get a reply), or no
    pair with a valid verdict in both orders. ``errors``: a failed request's error, quoted.
    """
    n, failed = summary["judgements"], summary["failed_requests"]
    if n == 0:
        return ("no pair to judge: no id has a review in both files and a paper "
                "(see unmatched in summary.json)")
    if n - failed < min_answered * n:
        example = f" (e.g. {errors[0]})" if errors else ""
        return (f"only {n - failed} of {n} judgements got a reply, fewer than `min_answered` "
                f"{min_answered:g}: {failed} requests failed after every retry{example}")
    if summary["valid_pairs"] == 0:
        return (
            f"no pair has a valid verdict in both orders ({summary['invalid_verdicts']} invalid, "
            f"{summary['refused_verdicts']} refused, {failed} failed of {n}); "
            "see the replies in per_paper.jsonl"
        )
    return None
