"""What the parsed-PDF readers share: the error of a file whose structure is not its parser's.

A parsed PDF (science-parse or Docling JSON) with a field of the wrong type (``"texts":
null``, a section that is ``null``, a ``$ref`` that points at nothing) raises
:class:`ParsedPdfError`, which names the field; the folder converters reject the paper's
reviews with it (or stop, without ``--skip-bad``).
"""
from __future__ import annotations


class ParsedPdfError(ValueError):
    """A parsed PDF field that does not have the parser's structure."""

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"field '{field}': {problem}")


def json_type(value) -> str:
    """The JSON name of ``value``'s type (``null``, ``a string``, ``a list`` ...)."""
    names = {type(None): "null", bool: "a boolean", int: "a number", float: "a number",
             str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def an_object(value, field: str) -> dict:
    """``value`` when it is a JSON object, else :class:`ParsedPdfError`."""
    if not isinstance(value, dict):
        raise ParsedPdfError(field, f"{json_type(value)}, not an object")
    return value


def objects(value, field: str) -> list[dict]:
    """``value`` when it is a list of JSON objects, else :class:`ParsedPdfError`."""
    if not isinstance(value, list):
        raise ParsedPdfError(field, f"{json_type(value)}, not a list")
    for i, item in enumerate(value):
        an_object(item, f"{field}[{i}]")
    return value
