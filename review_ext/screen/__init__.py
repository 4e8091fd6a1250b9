"""Screening a paper for text that talks to the reviewer: instructions hidden in a submission.

- :mod:`.findings`: what a finding holds, the three policies (``flag``, ``strip``,
  ``refuse``) and what each does to a paper.
- :mod:`.phrases`: the cue patterns (several languages), defined once.
- :mod:`.fold`: text folded for matching (invisible characters, fullwidth and look-alike
  letters), with the way back to the original's spans.
- :mod:`.text`: :func:`screen_text` finds instructions aimed at the reviewer or a language
  model in paper text, and tells them from text that quotes or discusses such prompts.
- :mod:`.pdf`: :func:`screen_pdf` finds text a reader of the PDF cannot see (white or
  near-background fill, tiny type, off-page, invisible render mode) and instructions in
  the PDF's whole text, tiny print included.
- :mod:`.paper`: :func:`screen_paper`, one paper (and its PDF) under a policy, with its
  ``screening`` block: what the converters, inference and the server call.
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
from .paper import block, merge_findings, screen_paper
from .pdf import screen_pdf, screen_pdf_bytes
from .text import screen_text

__all__ = ["DEFAULT_POLICY", "POLICIES", "Finding", "Refused", "apply_policy", "block",
           "check_policy", "merge_findings", "screen_paper",
           "flagged", "screen_pdf", "screen_pdf_bytes", "screen_text", "strip", "summary"]
