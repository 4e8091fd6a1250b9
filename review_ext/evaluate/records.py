"""JSONL records keyed by paper id: reviews (infer.py's output), papers, human reviews.

A file that cannot be used as given raises :class:`RecordsError`, one line naming the
file, the line and the field, and what to do.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from review_ext.common.files import atomic_write, check_input

REVIEW_FIELDS = ("reply", "output", "review", "text")
PAPER_FIELDS = ("input", "paper", "text")


class RecordsError(ValueError):
    """A records file that cannot be read as given; the message says where and why."""


def iter_jsonl(path: str | Path, what: str = "file") -> Iterator[tuple[int, dict]]:
    """``(line number, record)`` for each non-blank line (a UTF-8 BOM is accepted)."""
    try:
        path = check_input(path, what)
    except ValueError as e:
        raise RecordsError(str(e)) from None
    try:
        with path.open(encoding="utf-8-sig") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as e:
                    raise RecordsError(f"{path}:{number}: malformed JSON ({getattr(e, 'msg', 'nested too deep')}); "
                                       "fix or remove the line") from None
                if not isinstance(record, dict):
                    raise RecordsError(f"{path}:{number}: not a JSON object; fix or remove the line")
                yield number, record
    except UnicodeDecodeError as e:
        raise RecordsError(f"{path}: not UTF-8 ({e.reason}); convert it to UTF-8") from None
    except OSError as e:
        raise RecordsError(f"{what} {path}: cannot read ({e.strerror})") from None


def read_jsonl(path: str | Path) -> list[dict]:
    """The records of a JSONL file (blank lines skipped)."""
    return [record for _, record in iter_jsonl(path)]


def write_jsonl(path: str | Path, records) -> None:
    """Write records one per line (UTF-8, not ASCII-escaped)."""
    atomic_write(path, lambda f: f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def _record_id(path, number: int, record: dict) -> str:
    key = record.get("id")
    if not isinstance(key, (str, int)) or isinstance(key, bool) or str(key) == "":
        raise RecordsError(f"{path}:{number}: field 'id' is {key!r}; each line needs a string id")
    return str(key)


def load_texts(path: str | Path, fields: tuple[str, ...] = REVIEW_FIELDS,
               what: str = "reviews file") -> dict[str, str | None]:
    """``{id: text}`` from JSONL records with an ``id`` and one of ``fields``.

    A record whose ``error`` is set or whose text is null (a failed generation) maps to ``None``.
    A repeated id is an error: which of two texts to use is not ours to guess.
    """
    texts: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    for number, record in iter_jsonl(path, what):
        key = _record_id(path, number, record)
        if key in texts:
            raise RecordsError(f"{path}:{number}: id {key!r} also on line {lines[key]}; keep one record per paper")
        lines[key] = number
        field = next((name for name in fields if name in record), None)
        value = None if record.get("error") or field is None else record[field]
        if field is None and not record.get("error"):
            raise RecordsError(f"{path}:{number} (id {key}): none of the fields {', '.join(fields)}; "
                               "each line needs its text")
        if value is not None and not isinstance(value, str):
            raise RecordsError(f"{path}:{number} (id {key}): field {field!r} is a {type(value).__name__}, "
                               "expected text")
        texts[key] = value
    return texts


def load_reference_reviews(path: str | Path) -> dict[str, list[str]]:
    """``{id: [review, ...]}`` from records with ``reviews`` (a list) or one review field.

    Records are keyed by ``paper_id`` when they have one (a converter's one row per review),
    else by ``id``; several records may share a key: their reviews are gathered in file order.
    """
    refs: dict[str, list[str]] = {}
    for number, record in iter_jsonl(path, "human reviews file"):
        value = record["reviews"] if "reviews" in record else next(
            (record[name] for name in REVIEW_FIELDS if name in record), None)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RecordsError(f"{path}:{number}: field 'reviews' (a list of texts) or one of "
                               f"{', '.join(REVIEW_FIELDS)} (a text) expected")
        key = record.get("paper_id", record.get("id"))
        if key is None:
            raise RecordsError(f"{path}:{number}: no 'paper_id' or 'id'; each line needs one")
        refs.setdefault(str(key), []).extend(values)
    return refs
