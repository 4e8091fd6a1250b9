"""JSONL records keyed by paper id: reviews (infer.py's output), papers, human reviews.

A file that cannot be used as given raises :class:`~review_ext.common.jsonl.RowsFileError`,
one line naming the file, the line and the field, and what to do.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from review_ext.common.files import atomic_write, check_input
from review_ext.common.jsonl import BadJson, RowsFileError, as_line, iter_jsonl, os_problem

REVIEW_FIELDS = ("reply", "output", "review", "text")
PAPER_FIELDS = ("input", "paper", "text")


def iter_records(path: str | Path, what: str = "file") -> Iterator[tuple[int, dict]]:
    """``(line number, record)`` for each non-blank line; the first bad line stops the read.

    Lines are read by :mod:`review_ext.common.jsonl` (a BOM on line 1 accepted, NaN refused).
    """
    try:
        path = check_input(path, what)
    except ValueError as e:
        raise RowsFileError(str(e)) from None
    try:
        for number, record in iter_jsonl(path):
            if isinstance(record, BadJson):
                raise RowsFileError(str(record))
            yield number, record
    except OSError as e:
        raise os_problem(e, path) from None


def write_jsonl(path: str | Path, records) -> None:
    """Write records one per line (:func:`review_ext.common.jsonl.as_line`), atomically."""
    atomic_write(path, lambda f: f.writelines(map(as_line, records)))


def write_json(path: str | Path, value) -> None:
    """Write ``value`` as indented JSON, atomically: a reader never sees half a summary."""
    atomic_write(path, lambda f: f.write(json.dumps(value, indent=2, allow_nan=False) + "\n"))


def _record_id(path, number: int, record: dict) -> str:
    key = record.get("id")
    if not isinstance(key, (str, int)) or isinstance(key, bool) or str(key) == "":
        raise RowsFileError(f"{path}:{number}: field 'id' is {key!r}; each line needs a string id")
    return str(key)


def load_texts(path: str | Path, fields: tuple[str, ...] = REVIEW_FIELDS,
               what: str = "reviews file") -> dict[str, str | None]:
    """``{id: text}`` from JSONL records with an ``id`` and one of ``fields``.

    A record whose ``error`` is set or whose text is null (a failed generation) maps to ``None``.
    A repeated id is an error: which of two texts to use is not ours to guess.
    """
    texts: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    for number, record in iter_records(path, what):
        key = _record_id(path, number, record)
        if key in texts:
            raise RowsFileError(f"{path}:{number}: id {key!r} also on line {lines[key]}; keep one "
                                "record per paper")
        lines[key] = number
        field = next((name for name in fields if name in record), None)
        value = None if record.get("error") or field is None else record[field]
        if field is None and not record.get("error"):
            raise RowsFileError(f"{path}:{number} (id {key}): none of the fields "
                                f"{', '.join(fields)}; each line needs its text")
        if value is not None and not isinstance(value, str):
            raise RowsFileError(f"{path}:{number} (id {key}): field {field!r} is a "
                                f"{type(value).__name__}, expected text")
        texts[key] = value
    return texts


def load_reference_reviews(path: str | Path) -> dict[str, list[str]]:
    """``{id: [review, ...]}`` from records with ``reviews`` (a list) or one review field.

    Records are keyed by ``paper_id`` when they have one (a converter's one row per review),
    else by ``id``; several records may share a key: their reviews are gathered in file order.
    """
    refs: dict[str, list[str]] = {}
    for number, record in iter_records(path, "human reviews file"):
        value = record["reviews"] if "reviews" in record else next(
            (record[name] for name in REVIEW_FIELDS if name in record), None)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RowsFileError(f"{path}:{number}: field 'reviews' (a list of texts) or one of "
                               f"{', '.join(REVIEW_FIELDS)} (a text) expected")
        key = record.get("paper_id", record.get("id"))
        if key is None:
            raise RowsFileError(f"{path}:{number}: no 'paper_id' or 'id'; each line needs one")
        refs.setdefault(str(key), []).extend(values)
    return refs
