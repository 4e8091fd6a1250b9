"""Agreement of ratings with the humans: the five metrics, two views, paper bootstrap intervals.

A rater gives a paper one rating; a :class:`Trial` holds it with the human ratings it is
judged against. The two views of a list of trials:

* per review: the rating against each human rating (one pair per human);
* per paper: the rating against the mean of those humans.

Exact match and quadratic-weighted kappa need a point of the scale on both sides: a mean is
taken to its nearest point (a tie goes up). Within +-1, MAE and Spearman use the mean as is.
Kappa's weights are squared differences of the scale's values. All functions are pure.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from review_ext.formats.rating import values

METRICS = ("exact", "within1", "mae", "spearman", "qwk")
VIEWS = ("review", "paper")


@dataclass(frozen=True)
class Trial:
    """One rating given to a paper and the human ratings it is compared with."""

    rating: int
    humans: tuple[int, ...]


def pairs(trials, view: str) -> tuple[np.ndarray, np.ndarray]:
    """``(ratings, truths)`` of ``trials`` in one view (``"review"`` or ``"paper"``)."""
    if view == "review":
        got = [(t.rating, h) for t in trials for h in t.humans]
    elif view == "paper":
        got = [(t.rating, sum(t.humans) / len(t.humans)) for t in trials]
    else:
        raise ValueError(f"view {view!r} is not one of {VIEWS}")
    if not got:
        return np.zeros(0), np.zeros(0)
    rating, truth = zip(*got, strict=True)
    return np.asarray(rating, float), np.asarray(truth, float)


def to_points(x: np.ndarray, scale) -> np.ndarray:
    """Each value taken to the scale's nearest point (a tie goes to the higher point)."""
    vals = np.asarray(values(scale), float)[::-1]  # high first: argmin keeps the higher of a tie
    return vals[np.argmin(np.abs(np.asarray(x, float)[:, None] - vals[None, :]), axis=1)]


def quadratic_kappa(a: np.ndarray, b: np.ndarray, scale) -> float | None:
    """Cohen's kappa of two ratings on ``scale`` with weights ``(value_i - value_j)**2``;
    None when it is undefined (no pairs, or both sides one and the same point)."""
    if len(a) == 0:
        return None
    vals = np.asarray(values(scale), float)
    ia, ib = np.searchsorted(vals, a), np.searchsorted(vals, b)
    for side, index in ((a, ia), (b, ib)):
        if np.any(vals[np.minimum(index, len(vals) - 1)] != side):
            raise ValueError(f"kappa needs ratings on the scale {values(scale)}")
    observed = np.zeros((len(vals), len(vals)))
    np.add.at(observed, (ia, ib), 1)
    expected = np.outer(observed.sum(1), observed.sum(0)) / len(a)
    weights = (vals[:, None] - vals[None, :]) ** 2
    chance = float((weights * expected).sum())
    return None if chance == 0 else 1.0 - float((weights * observed).sum()) / chance


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rho (ties share their mean rank); None when either side is constant."""
    if len(a) < 2 or np.all(a == a[0]) or np.all(b == b[0]):
        return None
    return float(spearmanr(a, b).statistic)


def metrics(rating: np.ndarray, truth: np.ndarray, scale) -> dict[str, float | None]:
    """The five metrics of ratings against truths (None where undefined)."""
    if len(rating) == 0:
        return dict.fromkeys(METRICS)
    truth_points = to_points(truth, scale)
    diff = np.abs(rating - truth)
    return {"exact": float(np.mean(rating == truth_points)),
            "within1": float(np.mean(diff <= 1 + 1e-9)),
            "mae": float(np.mean(diff)),
            "spearman": spearman(rating, truth),
            "qwk": quadratic_kappa(rating, truth_points, scale)}


def resample_papers(n_papers: int, resamples: int, seed: int) -> np.ndarray:
    """``(resamples, n_papers)`` paper indices drawn with replacement (seeded); every rater is
    scored on the same draws, so their intervals are paired."""
    return np.random.default_rng(seed).integers(0, n_papers, size=(resamples, n_papers))


def interval(samples: list[float | None], level: float = 0.95) -> list[float] | None:
    """The percentile interval of the defined samples; None when fewer than half are defined."""
    got = np.asarray([s for s in samples if s is not None], float)
    if len(got) < max(1, len(samples) / 2):
        return None
    tail = 100 * (1 - level) / 2
    return [float(v) for v in np.percentile(got, [tail, 100 - tail])]


def score(trials_by_paper: list[list[Trial]], scale, draws: np.ndarray) -> dict:
    """Each view's metrics, pair count and 95% intervals over ``draws`` of papers.

    ``trials_by_paper[i]`` are the trials of paper ``i`` (none: the rater skipped it).
    """
    out = {}
    for view in VIEWS:
        per_paper = [pairs(trials, view) for trials in trials_by_paper]
        rating, truth = _join(per_paper, range(len(per_paper)))
        point = metrics(rating, truth, scale)
        samples = [metrics(*_join(per_paper, draw), scale) for draw in draws]
        out[view] = {"n": len(rating), **{m: {"value": point[m],
                                              "ci95": interval([s[m] for s in samples])}
                                          for m in METRICS}}
    return out


def _join(per_paper, indices) -> tuple[np.ndarray, np.ndarray]:
    chosen = [per_paper[i] for i in indices]
    if not chosen:
        return np.zeros(0), np.zeros(0)
    return np.concatenate([r for r, _ in chosen]), np.concatenate([t for _, t in chosen])
