"""One paper screened under a policy: what every path that reads a paper calls (the
converters, inference, the server)."""
from __future__ import annotations

from .findings import DEFAULT_POLICY, Finding, Refused, apply_policy, summary
from .pdf import screen_pdf_bytes
from .text import screen_text


def merge_findings(pdf: list[Finding], text: list[Finding]) -> list[Finding]:
    """The PDF's findings, then the text's that the PDF's do not already hold (same words)."""
    seen = {" ".join(f.text.split()) for f in pdf}
    return pdf + [f for f in text if " ".join(f.text.split()) not in seen]


def block(findings: list[Finding], policy: str) -> dict:
    """The ``screening`` block of a row, a record or a response."""
    return {"policy": policy, **summary(findings), "findings": [f.as_dict() for f in findings]}


def screen_paper(text: str, policy: str = DEFAULT_POLICY,
                 pdf: bytes | None = None) -> tuple[str, list[Finding], dict | None]:
    """``(the paper the model reads, the findings, their screening block or None)``.

    ``pdf``: the paper's PDF, screened too (tiny and hidden text, before the PDF reader drops
    it). :class:`~review_ext.screen.findings.Refused` under ``refuse`` when a finding is
    flagged, its ``screening`` the block; ValueError for an unknown policy."""
    findings = merge_findings(screen_pdf_bytes(pdf) if pdf is not None else [],
                              screen_text(text))
    found = block(findings, policy) if findings else None
    try:
        return apply_policy(text, findings, policy), findings, found
    except Refused as error:
        error.screening = found
        raise
