"""Reading the converters' input, and the error a bad unit raises.

A bad unit raises (or yields) :class:`BadInput`, which names the file, the line or id,
the field, the problem and what to do. JSON is read by the suite's strict rules
(:mod:`review_ext.common.jsonl`: UTF-8, a byte order mark only before the first line, no
``NaN``/``Infinity``, nesting within Python's limit); a path that cannot be read at all is
that module's :class:`~review_ext.common.jsonl.RowsFileError`.
"""
from __future__ import annotations

from typing import Iterator

from review_ext.common import jsonl
from review_ext.common.jsonl import (
    BadJson,
    RowsFileError,
    expect,
    is_json_list,
    os_problem,
    read_json,
)

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


def iter_jsonl(path) -> Iterator[tuple[str, dict | BadInput]]:
    """``(where, record or BadInput)`` per non-blank line, read by :mod:`review_ext.common.jsonl`.

    A file that is one JSON list of records (its first character ``[``) is read whole, item
    by item; when it does not parse as a list it is read line by line like any other.
    """
    try:
        if is_json_list(path):
            try:
                yield from _array_items(path, read_json(path, want=list))
                return
            except BadJson as e:
                if e.kind == "size":
                    raise RowsFileError(str(e)) from None
        for n, item in jsonl.iter_jsonl(path):
            yield f"line {n}", (_bad(item, path, f"line {n}", "(the line)")
                                if isinstance(item, BadJson) else item)
    except OSError as e:
        raise os_problem(e, path) from None


def _bad(error: BadJson, source, where: str, field: str) -> BadInput:
    return BadInput(source, where, field, error.problem, error.hint, error.data)


def _array_items(path, items: list) -> Iterator[tuple[str, dict | BadInput]]:
    for i, item in enumerate(items, 1):
        try:
            yield f"item {i}", expect(item)
        except BadJson as e:
            yield f"item {i}", _bad(e, path, f"item {i}", "(the item)")


def read_json_file(path, where: str):
    """A JSON object from a file, None when it does not exist, or :class:`BadInput` for a
    file that cannot be read (a folder, a symlink loop), is not UTF-8 or is bad JSON."""
    try:
        return read_json(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        return BadInput(path, where, "(the file)", f"cannot be read ({e.strerror or e})",
                        "make it a readable JSON file", {"file": str(path)})
    except BadJson as e:
        return _bad(e, path, where, "(the file)")
