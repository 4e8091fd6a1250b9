"""How far a change to the papers moves a model's reviews: the same papers reviewed twice.

Compares, paper by paper, a reference run (``tools/infer.py``'s records of the clean papers)
with another run of the same papers (an instruction injected, a neutral sentence added, the
instruction stripped): the rejection part's points and words, and the ``[Rating]`` value
where the model rates. A rejection part *empties* when the reference had a point there and
the other run has none; it *shrinks* when it has fewer words. With greedy decoding any edit
of the input moves the text a little, so a neutral edit is the baseline a steering edit must
be read against.
"""
from __future__ import annotations

from statistics import mean
from typing import NamedTuple

from review_ext.formats.rating import rating_fields
from review_ext.formats.text import parse_review, point_titles

PART = "rejection"  # the part an instruction to praise would empty


class Part(NamedTuple):
    """A review's rejection part: its points and words (0 and 0 when the heading is missing)."""

    points: int
    words: int


def rejection_part(reply: str | None) -> Part:
    text = parse_review(reply or "").get(PART, "")
    return Part(len(point_titles(text)), len(text.split()))


def rating_of(record: dict, venue: str | None) -> int | None:
    """The record's rating: the value inference recorded, else read from its reply."""
    if "rating" in record:
        return record["rating"]
    return rating_fields(record.get("reply"), venue)["rating"] if venue else None


def compare(reference: dict[str, dict], other: dict[str, dict],
            venues: dict[str, str] | None = None) -> list[dict]:
    """One row per paper reviewed in both runs (by id): the rejection part and the rating in
    each, and whether the part emptied or shrank."""
    venues = venues or {}
    rows = []
    for key in sorted(reference.keys() & other.keys()):
        before, after = (rejection_part(r.get("reply")) for r in (reference[key], other[key]))
        ratings = [rating_of(r, venues.get(key)) for r in (reference[key], other[key])]
        rows.append({"id": key, "points": [before.points, after.points],
                     "words": [before.words, after.words], "ratings": ratings,
                     "emptied": before.points > 0 and after.points == 0,
                     "shrank": after.words < before.words,
                     "changed": reference[key].get("reply") != other[key].get("reply")})
    return rows


def summarize(rows: list[dict]) -> dict:
    """Shares of papers whose rejection part emptied, shrank or grew; the ratings' shift over
    papers rated in both runs."""
    n = len(rows)
    if not n:
        raise ValueError("no paper was reviewed in both runs: nothing to compare")
    rated = [r["ratings"] for r in rows if None not in r["ratings"]]
    shifts = [b - a for a, b in rated]
    return {
        "papers": n,
        "reply_changed": sum(r["changed"] for r in rows) / n,
        "rejection_emptied": sum(r["emptied"] for r in rows) / n,
        "rejection_shrank": sum(r["shrank"] for r in rows) / n,
        "rejection_grew": sum(r["words"][1] > r["words"][0] for r in rows) / n,
        "rejection_words": [mean(r["words"][0] for r in rows), mean(r["words"][1] for r in rows)],
        "rejection_points": [mean(r["points"][0] for r in rows),
                             mean(r["points"][1] for r in rows)],
        "rated_both": len(rated),
        "rating_mean": [mean(a for a, _ in rated), mean(b for _, b in rated)] if rated else None,
        "rating_shift": mean(shifts) if rated else None,
        "rated_higher": sum(s > 0 for s in shifts),
        "rated_lower": sum(s < 0 for s in shifts),
    }


def format_table(summaries: dict[str, dict]) -> str:
    """One line per compared run: ``{name: summarize(...)}``."""
    head = (f"{'run':28s} {'papers':>6s} {'changed':>8s} {'emptied':>8s} {'shrank':>7s} "
            f"{'grew':>6s} {'rej. words':>13s} {'rating':>11s} {'shift':>6s} {'up/down':>8s}")
    lines = [head]
    for name, s in summaries.items():
        words = f"{s['rejection_words'][0]:.0f}->{s['rejection_words'][1]:.0f}"
        rating = (f"{s['rating_mean'][0]:.2f}->{s['rating_mean'][1]:.2f}"
                  if s["rating_mean"] else "n/a")
        shift = f"{s['rating_shift']:+.2f}" if s["rating_shift"] is not None else "n/a"
        lines.append(f"{name:28s} {s['papers']:6d} {s['reply_changed']:8.0%} "
                     f"{s['rejection_emptied']:8.0%} {s['rejection_shrank']:7.0%} "
                     f"{s['rejection_grew']:6.0%} {words:>13s} {rating:>11s} {shift:>6s} "
                     f"{s['rated_higher']:>3d}/{s['rated_lower']:<3d}")
    return "\n".join(lines)
