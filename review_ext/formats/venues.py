"""OpenReview venues: which review-form field holds which part of a review, and the scales.

The one table of venue forms (ICLR 2024/2025, NeurIPS 2023-2025, TMLR) and of the scales of
PeerRead's venues (ICLR 2017, ACL 2017, CoNLL 2016; no form to fetch). The fetcher reads
from it which fields are the summary, strengths, weaknesses, questions and limitations,
which are the rating and confidence (with their scales), which other scores to keep and
where the decision is; the converters and rating code read scales from it::

    from review_ext.formats.venues import scale_of, venue

    venue("NeurIPS.cc/2025/Conference").rating.scale.words(4)  # "Borderline accept"
    scale_of("ICLR.cc/2025/Conference").value_of("6: marginally above ...")  # 6

Where each entry was checked is said beside it: "verified" names the source the field
names and scale were read from; "assumed" marks what no source at hand showed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# The parts of a review's text a form can have, in the order they are written out.
ROLES = ("summary", "strengths_and_weaknesses", "strengths", "weaknesses", "questions",
         "limitations")

_LEADING_NUMBER = re.compile(r"^\s*(-?\d+)(?![\d.])")


class UnknownVenue(LookupError):
    """A venue not in the table (its fields, when known, named in the message)."""

    def __init__(self, venue_id: str, found: dict[str, list[str]] | None = None):
        self.venue_id, self.found = venue_id, found or {}
        seen = "; ".join(f"{name}: {', '.join(fields)}" for name, fields in self.found.items())
        super().__init__(
            f"venue {venue_id!r} is not in the venue table (known: {', '.join(VENUES)})"
            + (f"; its review notes have the fields {seen}" if seen else "")
            + ": add a Venue entry for it in review_ext/formats/venues.py")

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Scale:
    """A score's points, ``(value, words)`` from high to low as the form lists them."""

    points: tuple[tuple[int, str], ...]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(v for v, _ in self.points)

    @property
    def low(self) -> int:
        return min(self.values)

    @property
    def high(self) -> int:
        return max(self.values)

    def words(self, value: int) -> str:
        """The form's words for ``value`` (``4`` -> ``"Borderline accept"``)."""
        for v, words in self.points:
            if v == value:
                return words
        raise ValueError(f"{value!r} is not on the scale {self.values}")

    def value_of(self, raw) -> int:
        """The value of a form answer as the API returns it: ``6``, ``"6"``,
        ``"6: marginally above ..."``, ``"3 good"`` or the words alone (``"Accept"``)."""
        if isinstance(raw, bool):
            raise ValueError(f"{raw!r} is not a score")
        value = raw
        if isinstance(raw, str):
            m = _LEADING_NUMBER.match(raw)
            by_words = [v for v, w in self.points if w.lower() == raw.strip().lower()]
            value = int(m.group(1)) if m else (by_words[0] if by_words else None)
        if isinstance(value, int) and value in self.values:
            return value
        raise ValueError(f"{raw!r} is not on the scale {self.values}")


def _scale(*points: str) -> Scale:
    """``_scale("4: excellent", ...)`` -> a :class:`Scale` (``"N: words"`` each)."""
    pairs = []
    for point in points:
        value, _, words = point.partition(": ")
        pairs.append((int(value), words))
    return Scale(tuple(pairs))


@dataclass(frozen=True)
class Score:
    """A scored form field and the upper-case key it is written under in reviews/<id>.json.

    ``invitation``: the reply the score is read from when it is not the review itself
    (TMLR's rating is in the reviewer's ``Official_Recommendation``)."""

    field: str
    key: str
    scale: Scale
    invitation: str | None = None


@dataclass(frozen=True)
class Venue:
    """One venue's review form and where its decision lives."""

    venue_id: str
    name: str  # the ``conference`` of the reviews files
    text: dict[str, str]  # role (one of ROLES) -> form field
    rating: Score | None
    confidence: Score | None
    scores: tuple[Score, ...] = ()  # further scores (soundness, clarity ...)
    decision: tuple[str, str] = ("Decision", "decision")  # (invitation name, field)
    meta_review: str | None = "Meta_Review"
    submission: str = "Submission"
    review: str = "Official_Review"
    withdrawn: str = "Withdrawn_Submission"  # venueid suffixes of papers that are skipped
    desk_rejected: str = "Desk_Rejected_Submission"

    @property
    def fetchable(self) -> bool:
        """Whether the table knows its review form (PeerRead's venues have scales only)."""
        return bool(self.text)

    @property
    def fields(self) -> set[str]:
        """The review's own fields the table names."""
        scores = (s for s in (self.rating, self.confidence, *self.scores)
                  if s is not None and s.invitation is None)
        return set(self.text.values()) | {s.field for s in scores}

    def missing(self, fields) -> list[str]:
        """The table's review fields absent from ``fields`` (a review note's content keys)."""
        return sorted(self.fields - set(fields))

    def score_fields(self) -> tuple[Score, ...]:
        return tuple(s for s in (self.rating, self.confidence, *self.scores) if s is not None)


# Scales shared by several forms ------------------------------------------------------------
FOUR_POINT = _scale("4: excellent", "3: good", "2: fair", "1: poor")
ICLR_RATING = _scale(  # verified: ICLR 2025 form text; ICLR 2024 review pages (same words)
    "10: strong accept, should be highlighted at the conference", "8: accept, good paper",
    "6: marginally above the acceptance threshold", "5: marginally below the acceptance threshold",
    "3: reject, not good enough", "1: strong reject")
ICLR_CONFIDENCE = _scale(  # verified: ICLR 2025 form text (2024 review pages: same words)
    "5: absolutely certain", "4: confident, but not absolutely certain", "3: fairly confident",
    "2: willing to defend, but likely did not understand central parts",
    "1: unable to assess, alerted the ACs")
NEURIPS_CONFIDENCE = _scale(  # verified: the NeurIPS 2023 form; 2024 and 2025 assumed the same
    "5: absolutely certain", "4: confident, but not absolutely certain", "3: fairly confident",
    "2: willing to defend, but likely did not understand central parts", "1: educated guess")
NEURIPS_10 = _scale(  # verified: the NeurIPS 2023 form; NeurIPS 2024 assumed the same words
    "10: Award quality", "9: Very Strong Accept", "8: Strong Accept", "7: Accept",
    "6: Weak Accept", "5: Borderline accept", "4: Borderline reject", "3: Reject",
    "2: Strong Reject", "1: Very Strong Reject")
NEURIPS_6 = _scale(  # verified: NeurIPS 2025 review pages ("4: Borderline accept") and the
    # 1..6 ratings of ../shared/data/neurips_2025_corpus
    "6: Strong accept", "5: Accept", "4: Borderline accept", "3: Borderline reject", "2: Reject",
    "1: Strong reject")
TMLR_RECOMMENDATION = _scale(  # verified: the enum of TMLR's Official_Recommendation
    # (openreview-py's journal code); the numbers are this table's ordinal coding
    "4: Accept", "3: Leaning Accept", "2: Leaning Reject", "1: Reject")
YES_NO = _scale("1: Yes", "0: No")
ICLR_2017_RATING = _scale(  # the words of OpenReview's default review form (its documentation),
    # which ICLR 2017 used (assumed); the 1..10 values verified in ../shared/data/peerread
    "10: Top 5% of accepted papers, seminal paper", "9: Top 15% of accepted papers, strong accept",
    "8: Top 50% of accepted papers, clear accept", "7: Good paper, accept",
    "6: Marginally above acceptance threshold", "5: Marginally below acceptance threshold",
    "4: Ok but not good enough - rejection", "3: Clear rejection", "2: Strong rejection",
    "1: Trivial or wrong")
ICLR_2017_CONFIDENCE = _scale(  # as ICLR_2017_RATING: the default form's words, assumed
    "5: The reviewer is absolutely certain that the evaluation is correct and very familiar "
    "with the relevant literature",
    "4: The reviewer is confident but not absolutely certain that the evaluation is correct",
    "3: The reviewer is fairly confident that the evaluation is correct",
    "2: The reviewer is willing to defend the evaluation, but it is quite likely that the "
    "reviewer did not understand central parts of the paper",
    "1: The reviewer's evaluation is an educated guess")
FIVE_POINT = Scale(tuple((v, "") for v in range(5, 0, -1)))  # numbers only: PeerRead's ACL
# 2017 and CoNLL 2016 forms score 1-5 (Kang et al., 2018); their words are in no source at hand

RATING, CONFIDENCE = "RECOMMENDATION", "REVIEWER_CONFIDENCE"  # keys from_openreview reads


def _sound_present_contrib() -> tuple[Score, ...]:
    return tuple(Score(f, f.upper(), FOUR_POINT) for f in ("soundness", "presentation",
                                                          "contribution"))


_SPLIT_TEXT = {"summary": "summary", "strengths": "strengths", "weaknesses": "weaknesses",
               "questions": "questions"}


def _iclr(year: int) -> Venue:
    # Field names verified: the ICLR 2025 review form (summary, soundness, presentation,
    # contribution, strengths, weaknesses, questions, flag_for_ethics_review, rating,
    # confidence); ICLR 2024 public review pages show the same fields, with string answers
    # ("6: marginally above ...", "3 good") where 2025 has integers. No limitations field.
    return Venue(f"ICLR.cc/{year}/Conference", f"ICLR {year}", dict(_SPLIT_TEXT),
                 Score("rating", RATING, ICLR_RATING),
                 Score("confidence", CONFIDENCE, ICLR_CONFIDENCE), _sound_present_contrib())


def _neurips_10(year: int) -> Venue:
    # Field names verified: NeurIPS 2023 from the form in openreview-py's NeurIPS tests
    # (string answers "7: Accept: ...", "3 good"); NeurIPS 2024 from a public review note
    # (same fields, integer answers). Scale words of 2024 assumed equal to 2023.
    return Venue(f"NeurIPS.cc/{year}/Conference", f"NeurIPS {year}",
                 {**_SPLIT_TEXT, "limitations": "limitations"},
                 Score("rating", RATING, NEURIPS_10),
                 Score("confidence", CONFIDENCE, NEURIPS_CONFIDENCE), _sound_present_contrib())


VENUES: dict[str, Venue] = {v.venue_id: v for v in (
    _iclr(2024),
    _iclr(2025),
    _neurips_10(2023),
    _neurips_10(2024),
    # NeurIPS 2025, verified: ../shared/data/neurips_2025 (blocks SUMMARY, STRENGTHS AND
    # WEAKNESSES, QUESTIONS, LIMITATIONS; CLARITY, IMPACT, ORIGINALITY 1-4, the keys that
    # corpus gives clarity, significance and originality) and public review pages (Quality,
    # Clarity, Significance, Originality, Rating, Confidence, Final Justification).
    Venue("NeurIPS.cc/2025/Conference", "NeurIPS 2025",
          {"summary": "summary", "strengths_and_weaknesses": "strengths_and_weaknesses",
           "questions": "questions", "limitations": "limitations"},
          Score("rating", RATING, NEURIPS_6), Score("confidence", CONFIDENCE, NEURIPS_CONFIDENCE),
          (Score("quality", "QUALITY", FOUR_POINT), Score("clarity", "CLARITY", FOUR_POINT),
           Score("significance", "IMPACT", FOUR_POINT),
           Score("originality", "ORIGINALITY", FOUR_POINT))),
    # TMLR, verified: openreview-py's journal code, which runs TMLR (review invitation
    # TMLR/Paper<n>/-/Review; the reviewer's rating in Official_Recommendation; the action
    # editor's Decision in "recommendation"; no confidence). Requested changes are the
    # questions part, broader impact concerns the limitations.
    Venue("TMLR", "TMLR",
          {"summary": "summary_of_contributions",
           "strengths_and_weaknesses": "strengths_and_weaknesses",
           "questions": "requested_changes", "limitations": "broader_impact_concerns"},
          Score("decision_recommendation", RATING, TMLR_RECOMMENDATION,
                invitation="Official_Recommendation"),
          None,
          (Score("claims_and_evidence", "CLAIMS_AND_EVIDENCE", YES_NO),
           Score("audience", "AUDIENCE", YES_NO)),
          decision=("Decision", "recommendation"), meta_review=None, review="Review",
          desk_rejected="Desk_Rejected"),
)}


def _peerread(venue_id: str, name: str, rating: Scale, confidence: Scale) -> Venue:
    """A PeerRead venue: scales only (its reviews are free text; nothing to fetch)."""
    return Venue(venue_id, name, {}, Score("rating", RATING, rating),
                 Score("confidence", CONFIDENCE, confidence), meta_review=None)


# PeerRead (../shared/data/peerread): the venue of a paper is its folder (iclr_2017, acl_2017,
# conll_2016); ICLR 2017 keeps OpenReview's id, the others have none and are named like it.
VENUES.update((v.venue_id, v) for v in (
    _peerread("ICLR.cc/2017/conference", "ICLR 2017", ICLR_2017_RATING, ICLR_2017_CONFIDENCE),
    _peerread("ACL/2017", "ACL 2017", FIVE_POINT, FIVE_POINT),
    _peerread("CoNLL/2016", "CoNLL 2016", FIVE_POINT, FIVE_POINT),
))


def venue(venue_id: str) -> Venue:
    """The table's entry for ``venue_id`` (``ICLR.cc/2025/Conference``); :class:`UnknownVenue`
    when there is none."""
    try:
        return VENUES[venue_id.strip().rstrip("/")]
    except KeyError:
        raise UnknownVenue(venue_id) from None


def venue_named(name: str) -> Venue:
    """The entry whose ``name`` (the reviews files' ``conference``, ``NeurIPS 2025``) is
    ``name``; :class:`UnknownVenue` when there is none."""
    for v in VENUES.values():
        if v.name == str(name).strip():
            return v
    raise UnknownVenue(str(name))


def scale_of(venue_id: str, score: str = "rating") -> Scale:
    """The scale of a venue's rating (or of ``"confidence"`` or another score field)."""
    v = venue(venue_id)
    for s in v.score_fields():
        if score in (s.field, s.key.lower()) or (score == "rating" and s is v.rating) or (
                score == "confidence" and s is v.confidence):
            return s.scale
    raise KeyError(f"{venue_id} has no score {score!r} (it has "
                   f"{', '.join(s.field for s in v.score_fields())})")


def block_name(role: str) -> str:
    """The upper-case heading a text part is written under (``STRENGTHS AND WEAKNESSES``)."""
    return role.replace("_", " ").upper()
