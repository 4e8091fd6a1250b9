"""The suite's one exception type: a command that cannot (or must not) go on.

Library code raises :class:`ReviewSuiteError` (or a subclass) with a one-line message that
names the file, line or field at fault and what to do; scripts print it as one line and
exit non-zero. An option is named as its field of the command's typed options, in
backquotes (`overwrite`): a script shows it as its flag (``--overwrite``), see
:func:`review_ext.common.cli.flag_text`.
"""
from __future__ import annotations


class ReviewSuiteError(Exception):
    """What a command cannot do, and what to do about it, in one line."""


def one_line(error: BaseException) -> str:
    """The error's message on one line (its lines joined; its type's name when empty)."""
    lines = str(error).strip().splitlines()
    return " ".join(line.strip() for line in lines) if lines else type(error).__name__


def first_line(error: BaseException) -> str:
    """The first line of a third-party error's message (its type's name when empty)."""
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


def plain(text: str) -> str:
    """``text`` with its options' backquotes dropped (`min_success` -> min_success), for logs
    and records that no script rewrites."""
    return text.replace("`", "")
