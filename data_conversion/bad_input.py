"""Reading the converters' input, and the error a bad unit raises.

A bad unit raises (or yields) :class:`BadInput`, which names the file, the line or id,
the field, the problem and what to do. JSON is read strictly: UTF-8 (a byte order mark
before the first line is skipped), no ``NaN``/``Infinity``, nesting within Python's
limit; a path that cannot be read at all is an :class:`InputFileError`.
"""
from __future__ import annotations

import json
from itertools import chain
from pathlib import Path
from typing import Iterator

SKIP_BAD_HINT = "or rerun with --skip-bad to set it aside in the rejects file"


class BadInput(Exception):
    """One unit that cannot be converted, with where it is and what to do about it."""

    def __init__(self, source, where: str, field: str, problem: str, hint: str, record=None,
                 units: int = 1):
        self.source, self.where, self.field = str(source), where, field
        self.problem, self.hint, self.record, self.units = problem, hint, record, units
        super().__init__(str(self))

    def __str__(self) -> str:
        hint = self.hint[:1].upper() + self.hint[1:]
        return (f"{self.source}: {self.where}: field '{self.field}': {self.problem}. "
                f"{hint}, {SKIP_BAD_HINT}.")

    def as_reject(self) -> dict:
        return {"source": self.source, "where": self.where, "field": self.field,
                "reason": self.problem, "hint": self.hint, "record": self.record}


BOM = b"\xef\xbb\xbf"


class InputFileError(Exception):
    """An input or output path that cannot be used at all (missing, a folder, unreadable)."""


def file_problem(error: OSError, path) -> InputFileError:
    """A one-line error for a path the OS refused."""
    reason = error.strerror or type(error).__name__
    return InputFileError(f"{error.filename or path}: {reason.lower()}: check the path and "
                          "its permissions")


def iter_jsonl(path) -> Iterator[tuple[str, dict | BadInput]]:
    """``(where, record or BadInput)`` per non-blank line, read as bytes and decoded per line.

    A UTF-8 byte order mark before the first line is skipped. A file that is one JSON
    array of records (its first character ``[``) is read whole, item by item.
    """
    try:
        f = open(path, "rb")
    except OSError as e:
        raise file_problem(e, path) from None
    with f:
        first = f.readline()
        first = first[len(BOM):] if first.startswith(BOM) else first
        lines = chain([first], f)
        if first.lstrip().startswith(b"["):
            whole = first + f.read()
            items = parse_json_bytes(whole, path, "the file", "(the file)", want=list)
            if isinstance(items, list):
                yield from _array_items(path, items)
                return
            lines = whole.splitlines(keepends=True)  # not one array: read it line by line
        for n, raw in enumerate(lines, 1):
            if raw.strip():
                yield f"line {n}", parse_json_bytes(raw, path, f"line {n}", "(the line)")


def _array_items(path, items: list) -> Iterator[tuple[str, dict | BadInput]]:
    for i, item in enumerate(items, 1):
        where = f"item {i}"
        yield where, item if isinstance(item, dict) else BadInput(
            path, where, "(the item)", f"a JSON {type(item).__name__}, not an object",
            "each record must be a JSON object", item)


class _NonFinite(ValueError):
    pass


def _no_constant(name: str):
    raise _NonFinite(name)


def parse_json_bytes(raw: bytes, source, where: str, field: str, want=dict):
    """Decode strict UTF-8 JSON; a problem comes back as :class:`BadInput` (not raised).

    ``NaN`` and ``Infinity`` are refused (not JSON: strict readers fail on them).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return BadInput(source, where, field, f"not UTF-8 (byte 0x{raw[e.start]:02x} at offset "
                        f"{e.start})", "re-save it as UTF-8",
                        raw.decode("utf-8", "backslashreplace"))
    bad = lambda problem, hint: BadInput(source, where, field, problem, hint, text.rstrip("\n"))
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        at = f"line {e.lineno} column {e.colno}" if e.lineno > 1 else f"column {e.colno}"
        return bad(f"malformed JSON ({e.msg} at {at})", "fix the JSON syntax")
    except _NonFinite as e:
        return bad(f"{e} is not JSON", "write null or a number instead")
    except RecursionError:
        return bad("malformed JSON (nested too deep to read)", "flatten the record")
    if not isinstance(value, want):
        return BadInput(source, where, field, f"a JSON {type(value).__name__}, not an object",
                        "each record must be a JSON object", value)
    return value


def read_json_file(path, where: str):
    """A JSON object from a file, None when it does not exist, or :class:`BadInput` for a
    file that cannot be read (a folder, a symlink loop), is not UTF-8 or is bad JSON."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        return BadInput(path, where, "(the file)", f"cannot be read ({e.strerror or e})",
                        "make it a readable JSON file", {"file": str(path)})
    return parse_json_bytes(raw[len(BOM):] if raw.startswith(BOM) else raw, path, where,
                            "(the file)")
