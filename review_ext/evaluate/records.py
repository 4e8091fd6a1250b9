"""JSONL records keyed by paper id: reviews (infer.py's output), papers, human reviews."""
from __future__ import annotations

import json
from pathlib import Path

REVIEW_FIELDS = ("reply", "output", "review", "text")
PAPER_FIELDS = ("input", "paper", "text")


def read_jsonl(path: str | Path) -> list[dict]:
    """The records of a JSONL file (blank lines skipped)."""
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: str | Path, records) -> None:
    """Write records one per line (UTF-8, not ASCII-escaped)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with Path(path).open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def first_field(record: dict, fields: tuple[str, ...]):
    """The value of the first of ``fields`` present in ``record``."""
    for name in fields:
        if name in record:
            return record[name]
    raise KeyError(f"record {record.get('id')!r} has none of the fields {fields}")


def load_texts(path: str | Path, fields: tuple[str, ...] = REVIEW_FIELDS) -> dict[str, str | None]:
    """``{id: text}`` from JSONL records with an ``id`` and one of ``fields``.

    A record whose ``error`` is set (infer.py's failed generation) maps to ``None``.
    A repeated id is an error: which of two texts to use is not ours to guess.
    """
    texts: dict[str, str | None] = {}
    for record in read_jsonl(path):
        key = str(record["id"])
        if key in texts:
            raise ValueError(f"{path}: paper id {key!r} appears more than once")
        texts[key] = None if record.get("error") else (first_field(record, fields) or "")
    return texts


def load_reference_reviews(path: str | Path) -> dict[str, list[str]]:
    """``{id: [review, ...]}`` from records with ``reviews`` (a list) or one review field.

    Records are keyed by ``paper_id`` when they have one (a converter's one row per review),
    else by ``id``; several records may share a key: their reviews are gathered in file order.
    """
    refs: dict[str, list[str]] = {}
    for record in read_jsonl(path):
        value = record["reviews"] if "reviews" in record else first_field(record, REVIEW_FIELDS)
        key = str(record.get("paper_id", record["id"]))
        refs.setdefault(key, []).extend([value] if isinstance(value, str) else value)
    return refs
