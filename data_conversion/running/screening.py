"""Screening in the converters: every paper read is screened before its rows are written.

:class:`Screener` screens a paper's text (:func:`review_ext.screen.screen_text`) and, for a
paper read from a PDF, the PDF itself (:func:`review_ext.screen.screen_pdf_bytes`, which sees
tiny and hidden text before the PDF reader drops it), then applies the policy:

- ``flag`` (default): the paper is kept as read; its rows carry a ``screening`` block;
- ``strip``: the flagged spans are removed from the paper its rows carry (block kept);
- ``refuse``: the paper's rows are set aside in the rejects file with the reason, so they
  never reach training.

A paper with findings (flagged or only reported) gets the block
``{"policy", "flagged", "high", "medium", "low", "findings": [...]}`` (spans index the
paper as read, before ``strip``; a PDF's findings index the PDF's text and name the page);
the run's account counts the papers screened and flagged, and the refused rows as rejected.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from review_ext.screen import (
    DEFAULT_POLICY,
    POLICIES,
    Refused,
    check_policy,
    screen_paper,
)

REFUSED = "refused by the injection policy 'refuse' (instructions to the reviewer)"


@dataclass
class ScreenAccount:
    """What screening found in a run's papers."""

    policy: str = DEFAULT_POLICY
    papers: int = 0
    flagged: list = field(default_factory=list)  # paper ids with a flagged finding
    reported: int = 0  # papers with findings that are reported only (quoted, hidden words)

    def summary(self) -> str:
        line = (f"screened {self.papers} papers: {len(self.flagged)} flagged "
                f"(instructions to the reviewer), {self.reported} with reported findings only")
        if self.flagged:
            ids = ", ".join(self.flagged[:10]) + (" ..." if len(self.flagged) > 10 else "")
            done = {"flag": "kept and marked", "strip": "flagged spans removed",
                    "refuse": "set aside in the rejects file"}[self.policy]
            line += f"; policy {self.policy}: {done} (ids {ids})"
        return line


def add_injection_arg(parser) -> None:
    """``--injection {flag,strip,refuse}``, the same for every converter that reads papers."""
    parser.add_argument("--injection", choices=POLICIES, default=DEFAULT_POLICY,
                        help="papers with instructions to the reviewer: flag them in the row "
                             "(default), strip the flagged spans, or refuse the paper (its rows "
                             "go to the rejects file)")


class Screener:
    """Screens papers under one policy and keeps the account (set on the run's account)."""

    def __init__(self, account, policy: str = DEFAULT_POLICY):
        self.policy = check_policy(policy)
        self.account = ScreenAccount(policy)
        account.screening = self.account

    def paper(self, pid: str, text: str, pdf: bytes | None = None) -> tuple[str, dict | None]:
        """``(the paper the rows carry, its screening block or None)``; :class:`Refused` under
        ``refuse`` when a finding is flagged."""
        self.account.papers += 1
        paper, findings, found = screen_paper(text, self.policy, pdf)
        if found is None:
            return text, None
        if found["flagged"]:
            self.account.flagged.append(pid)
        else:
            self.account.reported += 1
        return paper, found


__all__ = ["REFUSED", "Refused", "ScreenAccount", "Screener", "add_injection_arg"]
