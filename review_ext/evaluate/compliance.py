"""Review-quality checks for generated reviews: structure, points, repetition, non-answers.

``check_review(review, paper, rating)`` gives one review's metrics, ``flags`` (failures)
and ``warnings`` (worth a look, not failures); ``aggregate`` sums many. The
failures the published models showed are what is flagged:

* ``empty`` / ``non_answer`` -- nothing, or a refusal or request instead of a review
  (v3 sometimes declined to answer);
* ``missing_parts`` / ``out_of_order`` / ``repeated_parts`` -- the four headed parts
  (``review_ext.formats.text.REVIEW_HEADINGS``) not each present once, in order (the
  ``[Rating]`` block, when expected, once and last);
* ``unknown_parts`` -- a heading the format does not have (an invented ``[Recommendation]``,
  a paper marker, ``[Rating]`` from a recipe that did not train it): a bracketed title
  opening a line;
* ``bad_rating`` -- only when the recipe trained the block (``rating``: the venue's
  scales): no ``[Rating]`` block, or a rating or confidence not on the venue's scale;
* ``no_points`` -- no ``<title of point>`` explanation lines at all;
* ``repetition`` -- the same 8-word run over and over, or a line looping;
* ``copies_paper`` -- the paper copied back (v1 repeated the paper until max length).

Point titles are left out of the n-gram measures: a title often restates its
explanation's first words.
"""
from __future__ import annotations

import re
from collections import Counter

from review_ext.formats import rating as rating_block
from review_ext.formats.rating import VenueScales
from review_ext.formats.text import (
    HEADING_OF,
    PARTS,
    REVIEW_HEADINGS,
    heading_order,
    looks_like_paper,
    parse_review,
    point_titles,
    strip_markup,
)

FLAGS = ("empty", "non_answer", "missing_parts", "out_of_order", "repeated_parts",
         "unknown_parts", "no_points", "repetition", "copies_paper", "bad_rating")
NGRAM = 8
REPEAT_LIMIT = 0.25  # share of 8-gram occurrences that repeat an earlier one
LOOP_LINES = 3  # the same line (5+ words) this many times
COPY_LIMIT = 0.35  # share of the review's 8-grams found in the paper

_WORD = re.compile(r"\w+(?:[-']\w+)*")
# A heading as a model writes one: a bracketed title opening a line (list or markdown marks
# before it allowed), not a citation ("[12]", "[Smith et al., 2020]") or a link ("[x](url)").
_ANY_HEADING = re.compile(r"^[ \t>*#-]*(\[[A-Za-z][A-Za-z &/,'-]{0,60}\])(?!\()", re.M)
_REFUSAL = re.compile(
    r"^\W*(?:I'?m sorry|I am sorry|sorry,|as an (?:AI|language model)"
    r"|I (?:cannot|can't|can not|am unable to|'m unable to|am not able to|won't|will not)"
    r" (?:help|assist|provide|review|comply|fulfil|fulfill|complete|do that|write|evaluate)"
    r"|unfortunately,? I (?:cannot|can't|am unable)"
    r"|(?:please|kindly) (?:provide|share|upload|paste)"
    r"|(?:the |no )?paper (?:is|was|has) not (?:been )?(?:provided|included|attached|given))",
    re.IGNORECASE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ngrams(tokens: list[str], n: int = NGRAM) -> list[tuple[str, ...]]:
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def repeat_ratio(tokens: list[str], n: int = NGRAM) -> float:
    """Share of n-gram occurrences that repeat an earlier one (0: none, near 1: a loop)."""
    grams = ngrams(tokens, n)
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def copy_ratio(tokens: list[str], paper_grams: set, n: int = NGRAM) -> float:
    """Share of the review's n-grams that also occur in the paper."""
    grams = ngrams(tokens, n)
    return sum(g in paper_grams for g in grams) / len(grams) if grams else 0.0


def looped_lines(text: str) -> int:
    """How often the most repeated line of 5+ words occurs."""
    counts = Counter(" ".join(words(line)) for line in text.splitlines()
                     if len(words(line)) >= 5)
    return max(counts.values(), default=0)


def rating_problems(review: str, scales: VenueScales) -> tuple[dict, list[str]]:
    """The block's rating and confidence as read on the venue's scales, and what is wrong
    with them (no block, no rating, a value off its scale); a missing confidence is no fault."""
    parsed = rating_block.parse_rating(review, scales.rating)
    problems = [] if parsed.value is not None else [parsed.reason]
    confidence = None
    block = rating_block.block_text(review)
    answer = rating_block.answer_of(block, rating_block.CONFIDENCE_LABEL) if block else None
    if answer is not None and scales.confidence is not None:
        confidence, why = rating_block.read_value(answer, scales.confidence,
                                                  rating_block.CONFIDENCE_LABEL)
        problems += [why] if why else []
    return {"rating": parsed.value, "confidence": confidence}, problems


def check_review(review: str | None, paper: str | None = None,
                 rating: VenueScales | None = None) -> dict:
    """Metrics, ``flags`` and ``warnings`` of one review (``None``: generation failed).

    ``rating``: the recipe trained the ``[Rating]`` block; the venue's scales to read it on
    (:func:`review_ext.formats.rating.venue_scales`). Without it the block is an unknown part.
    """
    review = review or ""
    order, texts = heading_order(review), parse_review(review)
    known = REVIEW_HEADINGS + ((rating_block.HEADING,) if rating is not None else ())
    sequence = re.findall("|".join(map(re.escape, known)), review)
    points = {part: len(point_titles(texts.get(part, ""))) for part in PARTS}
    tokens = words(strip_markup(review))
    metrics = {
        "words": len(words(review)),
        "parts_found": len(set(order)),
        "points": points,
        "repeat_ratio": round(repeat_ratio(tokens), 4),
        "looped_line": looped_lines(review),
    }
    if paper:
        metrics["copy_ratio"] = round(copy_ratio(tokens, set(ngrams(words(paper)))), 4)
    problems = []
    if rating is not None:
        scores, problems = rating_problems(review, rating)
        metrics.update(scores)
    firsts = list(dict.fromkeys(sequence))
    checks = {
        "empty": not review.strip(),
        "non_answer": bool(review.strip()) and (
            bool(_REFUSAL.search(review[:300])) or (not order and metrics["words"] < 40)),
        "missing_parts": [HEADING_OF[p] for p in PARTS if p not in texts],
        "out_of_order": firsts != sorted(firsts, key=known.index),
        "repeated_parts": [h for h, n in Counter(sequence).items() if n > 1],
        "unknown_parts": list(dict.fromkeys(h for h in _ANY_HEADING.findall(review)
                                            if h not in known)),
        "no_points": bool(order) and not sum(points.values()),
        "repetition": (metrics["repeat_ratio"] > REPEAT_LIMIT
                       or metrics["looped_line"] >= LOOP_LINES),
        "copies_paper": looks_like_paper(review)
                        or metrics.get("copy_ratio", 0.0) > COPY_LIMIT,
        "bad_rating": problems,
    }
    flags = [name for name in FLAGS if checks[name]]
    warnings = [f"no points in {HEADING_OF[p]}" for p in PARTS
                if p in texts and not points[p] and "no_points" not in flags]
    details = {k: checks[k] for k in ("missing_parts", "repeated_parts", "unknown_parts",
                                      "bad_rating") if checks[k]}
    return {**metrics, "flags": flags, "warnings": warnings, **details}


def aggregate(results: list[dict]) -> dict:
    """How many reviews each flag hit, how many passed, and mean metrics."""
    n = len(results)

    def mean(values):
        values = list(values)
        return round(sum(values) / len(values), 4) if values else None

    return {
        "reviews": n,
        "passed": sum(not r["flags"] for r in results),
        "flagged": {name: sum(name in r["flags"] for r in results) for name in FLAGS},
        "with_warnings": sum(bool(r["warnings"]) for r in results),
        "mean_points": {p: mean(r["points"][p] for r in results) for p in PARTS},
        "mean_words": mean(r["words"] for r in results),
        "mean_repeat_ratio": mean(r["repeat_ratio"] for r in results),
        "mean_copy_ratio": mean(r["copy_ratio"] for r in results if "copy_ratio" in r),
    }


def format_table(summary: dict) -> str:
    """The aggregate as a small text table."""
    n = summary["reviews"] or 1
    rows = [("check", "flagged", "%")]
    rows += [(name, str(count), f"{100 * count / n:.1f}")
             for name, count in summary["flagged"].items()]
    rows.append(("passed all checks", str(summary["passed"]), f"{100 * summary['passed'] / n:.1f}"))
    width = max(len(r[0]) for r in rows)
    lines = [f"{a:<{width}}  {b:>7}  {c:>6}" for a, b, c in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append(f"reviews: {summary['reviews']}  mean words: {summary['mean_words']}  "
                 "mean points: " + ", ".join(f"{k} {v}" for k, v in summary["mean_points"].items()))
    return "\n".join(lines)
