"""Screening a paper for text that talks to the reviewer: instructions hidden in a submission.

- :mod:`.findings`: what a finding holds, the three policies (``flag``, ``strip``,
  ``refuse``) and what each does to a paper.
- :mod:`.phrases`: the cue patterns (several languages), defined once.
- :mod:`.text`: :func:`screen_text` finds instructions aimed at the reviewer or a language
  model in paper text, and tells them from text that quotes or discusses such prompts.
- :mod:`.pdf`: :func:`screen_pdf` finds text a reader of the PDF cannot see (white or
  near-background fill, tiny type, off-page, invisible render mode) and instructions in
  the PDF's whole text, tiny print included.
"""
from .findings import (
    DEFAULT_POLICY,
    POLICIES,
    Finding,
    Refused,
    apply_policy,
    check_policy,
    flagged,
    strip,
    summary,
)
from .pdf import screen_pdf, screen_pdf_bytes
from .text import screen_text

__all__ = ["DEFAULT_POLICY", "POLICIES", "Finding", "Refused", "apply_policy", "check_policy",
           "flagged", "screen_pdf", "screen_pdf_bytes", "screen_text", "strip", "summary"]
