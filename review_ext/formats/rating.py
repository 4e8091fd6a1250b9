"""The ``[Rating]`` block, defined once: rendered from a review's scores, parsed from a reply.

It follows the review's four parts::

    [Rating]
    Rating: 4: Borderline accept
    Confidence: 3: fairly confident

The number and words are the venue's own (its scale, from the venue table); a scale whose
points have no words writes the number alone. A review without a rating gets no block; a
review without a confidence gets no ``Confidence`` line.

A scale is the venue table's ``Scale`` or its points as given, ``((value, words), ...)``.
Parsing never raises: a missing, unreadable or out-of-scale value comes back as ``None``
with the reason.

A rated recipe trains the block from a row's fields ``rating``, ``confidence`` and ``venue``
(a key of the venue table, which gives the scales): :func:`row_scores` reads them,
:func:`venue_scales` finds the scales, :func:`instruction` asks for the block in the prompt
and :func:`append_block` puts it after the four parts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

HEADING = "[Rating]"
RATING_LABEL = "Rating"
CONFIDENCE_LABEL = "Confidence"
# A row's fields (the converters write them; a conversation may hold them in its turn)
RATING_FIELD, CONFIDENCE_FIELD, VENUE_FIELD = "rating", "confidence", "venue"

_HEADING = re.compile(r"\[\s*rating\s*\]", re.I)
_NEXT_HEADING = re.compile(r"^[ \t]*\[[^\]\n]+\]", re.M)
_NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)(?:\s*(?:/|out of)\s*\d+)?\s*[:.\-)]?\s*(.*)$", re.I)


def points(scale) -> tuple[tuple[int, str], ...]:
    """``((value, words), ...)`` of a venue table ``Scale`` or of points given as such."""
    return tuple((int(v), str(w)) for v, w in getattr(scale, "points", scale))


def values(scale) -> tuple[int, ...]:
    """The scale's values, low to high."""
    return tuple(sorted(v for v, _ in points(scale)))


def nearest(scale, x: float) -> int:
    """The scale's point nearest ``x`` (a tie goes to the higher point)."""
    return min(values(scale), key=lambda v: (abs(v - x), -v))


def span(scale) -> str:
    """``"1-6"``, or the values themselves when the scale skips some (``"1, 3, 5, 6, 8, 10"``)."""
    vs = values(scale)
    if vs == tuple(range(vs[0], vs[-1] + 1)):
        return f"{vs[0]}-{vs[-1]}"
    return ", ".join(map(str, vs))


def from_span(text: str) -> tuple[tuple[int, str], ...]:
    """A scale of numbers without words from :func:`span`'s form (``"1-5"``, ``"1,3,5"``)."""
    low, dash, high = text.strip().partition("-")
    try:
        vs = (range(int(low), int(high) + 1) if dash and low.strip()
              else sorted({int(v) for v in text.split(",")}))
    except ValueError:
        raise ValueError(f"scale {text!r} is not LOW-HIGH or values separated by commas") from None
    if len(vs) < 2:
        raise ValueError(f"scale {text!r} has fewer than two points")
    return tuple((v, "") for v in vs)


def point_text(scale, value: int) -> str:
    """``"4: Borderline accept"`` (``"4"`` when the point has no words); ValueError off it."""
    for v, words in points(scale):
        if v == value and not isinstance(value, bool):
            return f"{v}: {words}" if words else str(v)
    raise ValueError(f"{value!r} is not on the scale {span(scale)}")


def describe(scale) -> str:
    """Every point of the scale, low to high, for a prompt: ``"1: Strong reject; ...; 6: ..."``."""
    return "; ".join(point_text(scale, v) for v in values(scale))


def render_rating(rating: int | None, scale, confidence: int | None = None,
                  confidence_scale=None) -> str | None:
    """The block for a review's scores; None when it has no rating (the caller counts it).

    A score off its scale raises ValueError (a converter's bad row, not a block to write).
    """
    if rating is None:
        return None
    lines = [HEADING, f"{RATING_LABEL}: {point_text(scale, rating)}"]
    if confidence is not None:
        if confidence_scale is None:
            raise ValueError("a confidence needs its scale")
        lines.append(f"{CONFIDENCE_LABEL}: {point_text(confidence_scale, confidence)}")
    return "\n".join(lines)


@dataclass(frozen=True)
class ParsedRating:
    """What a reply's block says: each value, or None and the reason."""

    value: int | None
    confidence: int | None
    reason: str | None = None  # why ``value`` is None
    confidence_reason: str | None = None  # why ``confidence`` is None


def block_text(text: str | None) -> str | None:
    """The text under the first ``[Rating]`` heading, up to the next heading; None without one."""
    m = _HEADING.search(text or "")
    if m is None:
        return None
    rest = text[m.end():]
    nxt = _NEXT_HEADING.search(rest)
    return rest[:nxt.start()] if nxt else rest


def answer_of(block: str, label: str) -> str | None:
    """The text after ``label:`` on its line of ``block``; None without such a line."""
    m = re.search(rf"^[ \t*_#-]*{label}[ \t*_]*:[ \t*_]*(.*)$", block, re.I | re.M)
    return m.group(1).strip(" \t*_") if m else None


def read_value(answer: str | None, scale,
               label: str = RATING_LABEL) -> tuple[int | None, str | None]:
    """``(value, None)`` from an answer such as ``"4: Borderline accept"``, ``"4/6"`` or the
    words alone; ``(None, reason)`` when it is missing, not a point or off the scale."""
    if answer is None:
        return None, f"no '{label}:' line in the {HEADING} block"
    if not answer:
        return None, f"'{label}:' has no value"
    by_words = {w.lower(): v for v, w in points(scale) if w}
    m = _NUMBER.match(answer)
    if m is None:
        value = by_words.get(answer.strip(" .").lower())
        if value is None:
            return None, f"{label.lower()} {answer[:40]!r} is not a number or a point of the scale"
        return value, None
    number, words = m.group(1), m.group(2).strip(" .").lower()
    if "." in number:
        return None, f"{label.lower()} {number} is not a whole point of the scale {span(scale)}"
    value = int(number)
    if value not in values(scale):
        return None, f"{label.lower()} {value} is out of the scale {span(scale)}"
    named = max(((len(w), v) for w, v in by_words.items() if words.startswith(w)),
                default=(0, None))[1]
    if named is not None and named != value:
        return None, (f"{label.lower()} {value} and its words {words[:40]!r} "
                      f"(point {named}) disagree")
    return value, None


def parse_rating(text: str | None, scale, confidence_scale=None) -> ParsedRating:
    """The rating (and confidence, when ``confidence_scale`` is given) of a generated review."""
    block = block_text(text)
    if block is None:
        reason = f"no {HEADING} block"
        return ParsedRating(None, None, reason, reason if confidence_scale is not None else None)
    value, reason = read_value(answer_of(block, RATING_LABEL), scale, RATING_LABEL)
    confidence = confidence_reason = None
    if confidence_scale is not None:
        confidence, confidence_reason = read_value(answer_of(block, CONFIDENCE_LABEL),
                                                   confidence_scale, CONFIDENCE_LABEL)
    return ParsedRating(value, confidence, reason, confidence_reason)


@dataclass(frozen=True)
class VenueScales:
    """A venue's name and its scales: the rating's, and the confidence's when it has one."""

    name: str
    rating: object
    confidence: object | None = None


def venue_scales(key: str) -> VenueScales:
    """The scales of a venue of the venue table, by its id (``NeurIPS.cc/2025/Conference``)
    or its name (``NeurIPS 2025``); LookupError for a venue absent or without a rating."""
    from review_ext.formats.venues import VENUES, venue

    found = [v for v in VENUES.values() if v.name == key] or [venue(str(key))]
    if found[0].rating is None:
        raise LookupError(f"venue {key!r} has no rating scale in the venue table")
    v = found[0]
    return VenueScales(v.name, v.rating.scale, v.confidence.scale if v.confidence else None)


def rating_fields(reply: str | None, venue: str | None) -> dict:
    """What a rated model's reply says: ``rating``, ``confidence``, the venue's name and, when a
    value is missing, unreadable or off the scale, ``rating_problem`` (why)."""
    if venue is None:
        return {"rating": None, "confidence": None,
                "rating_problem": "no venue to read the rating on: give the paper's `venue`"}
    scales = venue_scales(venue)
    parsed = parse_rating(reply, scales.rating, scales.confidence)
    found = {"rating": parsed.value, "confidence": parsed.confidence, "venue": scales.name}
    if parsed.reason:
        found["rating_problem"] = parsed.reason
    return found


def instruction(scales: VenueScales) -> str:
    """The prompt's request for the block, naming the venue's scale (and the confidence's)."""
    ask = (f"After the four criteria, write {HEADING} and, on its next line, '{RATING_LABEL}: ' "
           f"followed by your overall rating of the paper on the {scales.name} scale "
           f"({describe(scales.rating)})")
    if scales.confidence is not None:
        ask += (f", then on a line '{CONFIDENCE_LABEL}: ' followed by your confidence "
                f"({describe(scales.confidence)})")
    return ask + "."


def row_scores(row: dict) -> tuple[object, object, object]:
    """``(rating, confidence, venue)`` of a row: its conversation turn's fields, else its own."""
    turns = row.get("conversation")
    turn = turns[0] if isinstance(turns, list) and turns and isinstance(turns[0], dict) else {}
    return tuple(next((x for x in (turn.get(f), row.get(f)) if x is not None), None)
                 for f in (RATING_FIELD, CONFIDENCE_FIELD, VENUE_FIELD))


def append_block(review: str, block: str) -> str:
    """The review's four parts, then the block (a blank line between, as between parts)."""
    return f"{review.rstrip()}\n\n{block}"
