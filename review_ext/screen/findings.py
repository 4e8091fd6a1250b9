"""A screening finding, the three policies and what each does to the paper the model reads.

Policies: ``flag`` (the default) keeps the paper and reports the findings, ``strip``
removes the flagged spans before the model reads the paper, ``refuse`` skips a paper
with a flagged finding (:class:`Refused`). Severities: ``high`` and ``medium`` are
flagged; ``low`` is reported only (hidden text without an instruction, or an instruction
that the paper quotes or discusses).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

POLICIES = ("flag", "strip", "refuse")
DEFAULT_POLICY = "flag"
SEVERITIES = ("high", "medium", "low")
FLAGGED = frozenset(("high", "medium"))


@dataclass(frozen=True)
class Finding:
    """One span of a screened text: what it is, why, how serious, and where."""

    what: str  # e.g. "instruction to the reviewer", "hidden text"
    why: str  # the cues that fired, "; "-separated
    severity: str  # one of SEVERITIES
    text: str  # the span's text as it stands in the screened text
    start: int  # character span in the screened text
    end: int
    block: str = ""  # TITLE, ABSTRACT, CAPTIONS, CONTENT or OTHER (paper text); "" for a PDF
    section: str = ""  # the section heading above the span, if any
    page: int | None = None  # 1-based page (PDF findings)

    @property
    def flagged(self) -> bool:
        return self.severity in FLAGGED

    def as_dict(self) -> dict:
        return asdict(self)


class Refused(ValueError):
    """A paper skipped under the ``refuse`` policy (the message names the first finding)."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        self.screening = None  # the paper's screening block, set by screen_paper
        first = findings[0]
        where = f"page {first.page}" if first.page else first.section or first.block or "text"
        super().__init__(f"paper refused: {len(findings)} instruction(s) to the reviewer, "
                         f"first in {where}: {first.text[:80]!r} ({first.why})")


def check_policy(name: str) -> str:
    """``name`` if it is a policy; ValueError naming the policies otherwise."""
    if name not in POLICIES:
        raise ValueError(f"unknown injection policy {name!r}: use one of {', '.join(POLICIES)}")
    return name


def flagged(findings) -> list[Finding]:
    """The findings that count (severity high or medium)."""
    return [f for f in findings if f.flagged]


def summary(findings) -> dict:
    """Counts for a record or a run summary:
    ``{"flagged": n, "high": .., "medium": .., "low": ..}``."""
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    return {"flagged": counts["high"] + counts["medium"], **counts}


def _spans(text: str, finding: Finding) -> list[tuple[int, int]]:
    """Where ``finding`` lies in ``text``: its own span when that still holds its text, else
    every whitespace-insensitive occurrence of its text (a PDF finding in the converted paper)."""
    if text[finding.start:finding.end] == finding.text:
        return [(finding.start, finding.end)]
    words = finding.text.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [m.span() for m in pattern.finditer(text)]


def strip(text: str, findings) -> str:
    """``text`` without the flagged findings' spans; a paragraph line left empty goes too."""
    spans = sorted(s for f in flagged(findings) for s in _spans(text, f))
    out, at = [], 0
    for start, end in spans:
        if end <= at:
            continue
        start = max(start, at)
        if text[end:end + 1] == " ":
            end += 1
        elif start > at and text[start - 1] == " " and text[:start - 1].rsplit("\n", 1)[-1].strip():
            start -= 1  # at a line's end: the space before goes, the indentation stays
        out.append(text[at:start])
        at = end
    out.append(text[at:])
    stripped = "".join(out)
    return "\n".join(line for line in stripped.split("\n") if line == "" or line.strip())


def apply_policy(text: str, findings, policy: str = DEFAULT_POLICY) -> str:
    """The paper the model reads under ``policy``; :class:`Refused` under ``refuse`` when a
    finding is flagged."""
    check_policy(policy)
    hits = flagged(findings)
    if policy == "strip" and hits:
        return strip(text, hits)
    if policy == "refuse" and hits:
        raise Refused(hits)
    return text
