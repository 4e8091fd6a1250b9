"""The raters a model's ratings stand beside: a constant, a text regressor, the humans themselves.

* constant: the training reviews' most frequent rating (a tie goes to the lower rating);
* text: TF-IDF of the paper text with ridge regression on each training paper's mean
  rating (its prediction taken to the nearest point) or logistic regression on that mean's
  nearest point (scikit-learn);
* humans: each reviewer in turn rates the paper, judged against the other reviewers of it
  (leave-one-out); a paper with one review has no such trial.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from review_ext.evaluate.agreement_metrics import Trial, to_points

TEXT_MODELS = ("ridge", "logistic")


@dataclass(frozen=True)
class TfidfOptions:
    """The text regressor's features and fit (defaults suit a few hundred papers)."""

    max_features: int = 50_000
    ngram_max: int = 2
    min_df: int = 2
    ridge_alphas: tuple[float, ...] = (0.1, 1.0, 10.0, 100.0)
    logistic_c: float = 1.0


def most_frequent(ratings) -> int:
    """The most frequent rating; of a tie, the lowest."""
    counts = Counter(ratings)
    if not counts:
        raise ValueError("no rating to take the most frequent of")
    return min(counts, key=lambda r: (-counts[r], r))


def leave_one_out(humans: tuple[int, ...]) -> list[Trial]:
    """Each human's rating against the others' (nothing for a paper with one review)."""
    if len(humans) < 2:
        return []
    return [Trial(h, humans[:i] + humans[i + 1:]) for i, h in enumerate(humans)]


def text_ratings(train_texts: list[str], train_means: list[float], texts: list[str], scale,
                 kind: str = "ridge", options: TfidfOptions = TfidfOptions()) -> list[int]:
    """Ratings of ``texts`` by a TF-IDF model fitted to papers' texts and mean ratings."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, RidgeCV

    if kind not in TEXT_MODELS:
        raise ValueError(f"text model {kind!r} is not one of {', '.join(TEXT_MODELS)}")
    if len(train_texts) < 2:
        raise ValueError(f"the text regressor needs at least 2 training papers, "
                         f"got {len(train_texts)}")
    vectorizer = TfidfVectorizer(sublinear_tf=True, max_features=options.max_features,
                                 ngram_range=(1, options.ngram_max),
                                 min_df=min(options.min_df, len(train_texts)))
    x_train = vectorizer.fit_transform(train_texts)
    x = vectorizer.transform(texts)
    means = np.asarray(train_means, float)
    if kind == "ridge":
        model = RidgeCV(alphas=options.ridge_alphas).fit(x_train, means)
        return [int(v) for v in to_points(model.predict(x), scale)]
    classes = to_points(means, scale).astype(int)
    if len(set(classes)) < 2:  # one class: logistic regression cannot fit; it is the constant
        return [int(classes[0])] * len(texts)
    model = LogisticRegression(C=options.logistic_c, max_iter=2000).fit(x_train, classes)
    return [int(v) for v in model.predict(x)]
