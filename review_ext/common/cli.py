"""Command-line conventions shared by every script: ``--help`` from the module docstring,
validated numbers, dtype names, and library errors printed as one line.
"""
from __future__ import annotations

import argparse
import logging
import math
import re
import sys
from contextlib import contextmanager

from review_ext.common.dtypes import DTYPES, dtype_name
from review_ext.common.errors import ReviewSuiteError, one_line


def doc_parser(doc: str, **kwargs) -> argparse.ArgumentParser:
    """A parser whose description is the docstring's first line and whose epilog is the rest of it.

    The rest (usage examples, notes) is shown verbatim, whatever its headings.
    """
    head, _, rest = doc.strip().partition("\n")
    return argparse.ArgumentParser(description=head.strip(), epilog=rest.strip("\n") or None,
                                   formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)


# ------------------------------------------------------------------ numbers checked at the edge
def _number(kind, text: str):
    try:
        value = kind(text)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def int_at_least(low: int):
    """An argparse ``type``: an integer >= ``low``."""
    def parse(text: str) -> int:
        value = _number(int, text)
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below {low}: give an integer >= {low}")
        return value

    parse.__name__ = f"integer >= {low}"
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def positive_float(text: str) -> float:
    """An argparse ``type``: a finite number > 0."""
    value = _number(float, text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value:g} is not above 0: give a number > 0")
    return value


def non_negative_float(text: str) -> float:
    """An argparse ``type``: a finite number >= 0."""
    value = _number(float, text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value:g} is negative: give a number >= 0")
    return value


def fraction(text: str) -> float:
    """An argparse ``type``: a finite number in [0, 1]."""
    value = _number(float, text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not a fraction: give a number in [0, 1]")
    return value


def add_dtype_arg(parser, default: str, choices=DTYPES, help: str = "") -> None:
    """``--dtype``, one of ``choices`` spelled as torch spells dtypes (``bf16``, ``fp32`` read
    as ``bfloat16``, ``float32``)."""
    def parse(text: str) -> str:
        if text in choices:
            return text
        try:
            return dtype_name(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parser.add_argument("--dtype", type=parse, choices=choices, default=default,
                        help=help or f"tensor dtype (default {default})")


# ------------------------------------------------------------------ library errors at the edge
_FIELD = re.compile(r"`([a-z][a-z0-9_]*)`")


def flag_text(parser: argparse.ArgumentParser, text: str) -> str:
    """``text`` with each backquoted option field (`max_new_tokens`) shown as the parser's flag
    (``--max-new-tokens``); a field the parser has no flag for loses its backquotes."""
    flags = set(parser._option_string_actions)

    def flag(match) -> str:
        name = "--" + match.group(1).replace("_", "-")
        return name if name in flags else match.group(1)

    return _FIELD.sub(flag, text)


def error_line(parser: argparse.ArgumentParser, name: str, error: BaseException | str) -> str:
    """``"<name>: error: <message>"``, on one line, options shown as flags."""
    text = error if isinstance(error, str) else one_line(error)
    return f"{name}: error: {flag_text(parser, ' '.join(text.split()))}"


@contextmanager
def one_line_errors(parser: argparse.ArgumentParser, name: str, *also: type[BaseException]):
    """Turn a :class:`ReviewSuiteError` (and the exception types in ``also``) raised inside the
    block into ``SystemExit`` with :func:`error_line`: one line on stderr, exit status 1."""
    try:
        yield
    except (ReviewSuiteError, *also) as error:
        raise SystemExit(error_line(parser, name, error)) from None


class _Formatter(logging.Formatter):
    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def format(self, record) -> str:
        level = "" if record.levelno <= logging.INFO else f"{record.levelname.lower()}: "
        return f"{self.name}: {level}{record.getMessage()}"


def log_to_stderr(name: str, level: int = logging.INFO) -> None:
    """The suite's log records on stderr as ``<name>: [warning: ]<message>`` lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(name))
    suite = logging.getLogger("review_ext")
    suite.handlers = [h for h in suite.handlers if not isinstance(h.formatter, _Formatter)]
    suite.addHandler(handler)
    suite.setLevel(level)
