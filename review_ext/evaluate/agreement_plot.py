"""Confusion matrices of each rater's ratings against the human ratings (per review), one panel
per rater, rows normalised (each human rating's share of predictions) with the counts printed."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from review_ext.formats.rating import values


def confusion(trials, scale) -> np.ndarray:
    """Counts ``[human point, rated point]`` over every (rating, human rating) pair."""
    vals = list(values(scale))
    out = np.zeros((len(vals), len(vals)), int)
    for t in trials:
        for h in t.humans:
            out[vals.index(h), vals.index(t.rating)] += 1
    return out


def plot_confusions(trials_by_rater: dict[str, list], scale, path: Path, title: str) -> Path:
    """One panel per rater; writes a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    vals = values(scale)
    n = len(trials_by_rater)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n + 0.6, 3.6), squeeze=False)
    for ax, (name, trials) in zip(axes[0], trials_by_rater.items(), strict=True):
        counts = confusion(trials, scale)
        rows = counts.sum(1, keepdims=True)
        share = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
        ax.imshow(share, vmin=0, vmax=1, cmap="Blues")
        for (i, j), c in np.ndenumerate(counts):
            if c:
                ax.text(j, i, str(c), ha="center", va="center", fontsize=7,
                        color="white" if share[i, j] > 0.6 else "black")
        ax.set_xticks(range(len(vals)), vals)
        ax.set_yticks(range(len(vals)), vals)
        ax.set_xlabel("rating given")
        ax.set_title(name, fontsize=9)
    axes[0][0].set_ylabel("human rating")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, dpi=120, format="png", bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
    return path
