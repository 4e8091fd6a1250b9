"""Items of a review that are not review points: dropped by the converters, and counted.

- form answers: a point that is only ``yes``/``no``/``N/A``/``none``;
- cross-references: a short point that only sends the reader elsewhere
  (``See weaknesses.``, ``Please see comment above.``, ``(See the question section)``);
- lead-ins: a short sentence that only announces the list below it (``Despite the
  strengths above, the paper also has the following weaknesses:``);
- reference entries: a bibliography line the reviewer pasted (``[1] Zhao C, Wang K, et
  al. ... 2024``, ``@article{...}``, ``"Title" (Frantar et al., ICLR 2023)``, ``Huang,
  Weizhong, et al. "Title." arXiv preprint (2023)``), or a point titled ``References``.

The point that cites ``[1]`` keeps its words; only the entry itself goes.
"""
from __future__ import annotations

import re

FORM_ANSWER = re.compile(r"^\W*(?:yes|no|n/?a|none|nothing|not applicable)\W*$", re.I)
_CROSS_REF = re.compile(r"^\W*(?:please\s+)?(?:see|refer to)\b", re.I)
_LEAD_IN = re.compile(r"\b(?:the following|as follows)\b[^.?!]*:\s*$", re.I)
YEAR = r"(?:19[5-9]\d|20[0-4]\d)[a-z]?"
# marks of a bibliography entry besides its year (the quality report's check reuses them)
BIB_MARKS = (r"\bet al\b|\barXiv\b|\bpreprint\b|\bProceedings\b|\[C\]//|@\w+\{|\bJournal\b|"
             r"\bConference\b|\bTransactions\b|\bAdvances in\b|\bpp\.|\bvol\.|"
             r"\b(?:NeurIPS|NIPS|ICLR|ICML|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|AAAI|IJCAI|KDD)\b|"
             r"\b[A-Z][\w'’-]+, (?:[A-Z]\. ?)+")
_ENTRY_STARTS = (
    re.compile(r"^@\w+\{"),  # BibTeX
    re.compile(r"^\[[^\]]{1,60}\]:?\s"),  # [1] ..., [Kamb, Ganguli 2024]: ...
    re.compile(r"^[A-Z][\w'’-]+,? (?:[A-Z]\.? ?){1,3}[,.]"),  # Zhao C, ... / Karras, T., ...
    re.compile(r"^[A-Z][\w'’-]+, [A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?,? (?:et al|and)\b"),
    re.compile(r"^[\"“][^\"”]{10,}[\"”]\s*\("),  # "Title" (Authors, Venue Year)
)
_ENTRY_END = re.compile(rf"\((?:[^()]*(?:et al|,)[^()]*){YEAR}\)\.?$"  # (Ma et al., ICLR 2024)
                        rf"|[-–—]{{1,2}}\s*[A-Z][\w'’-]+"
                        rf"(?: and [A-Z][\w'’-]+| et al\.?)?,? "
                        rf"{YEAR}\.?$")  # -- Lauer and Bloch, 2019.
_BIB = re.compile(rf"\b{YEAR}\b|{BIB_MARKS}|[\"“][^\"”]{{10,}}[\"”]")


def reference_entry(title: str, text: str) -> bool:
    """True for a pasted bibliography entry (or a point titled ``References``)."""
    if title.strip(" :*").lower() in ("references", "reference", "refs"):
        return True
    words = len(text.split())
    if words > 70 or "?" in text or not re.search(YEAR, text):
        return False
    starts = any(rx.match(text) for rx in _ENTRY_STARTS)
    return ((starts and len(_BIB.findall(text)) >= 2)
            or (words < 25 and bool(_ENTRY_END.search(text))))


def not_a_point(title: str, text: str) -> str | None:
    """Why ``(title, text)`` is not a review point, or None when it is one."""
    if FORM_ANSWER.match(text):
        return "form answer (yes/no/N/A)"
    if len(text.split()) < 15 and _CROSS_REF.match(text.lstrip("(")):
        return "cross-reference (see elsewhere)"
    if reference_entry(title, text):
        return "reference entry"
    if len(text.split()) < 25 and _LEAD_IN.search(text):
        return "lead-in to a list (no point of its own)"
    return None
