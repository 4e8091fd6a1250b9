"""Input/output rows (``{"input": paper, "output": review}`` JSONL): checks and reading.

Shared by to_xtuner, to_llamafactory, to_swift, split and stats. A row is bad when
``input`` or ``output`` is missing, not a string or empty, when the paper is empty once
its block markers are removed, or when the review has none of the four headings. Rows
are keyed by ``id`` (or, without one, by their content): a repeat with the same
content is a duplicate, a repeat of an id with other content is bad.
"""
from __future__ import annotations

from typing import Iterator

from tqdm import tqdm

from data_conversion.running.bad_input import BadInput
from data_conversion.running.rows import Run, Seen, content_key
from review_ext.formats.text import REVIEW_HEADINGS, heading_order, is_empty_paper

WHAT = {"input": "the paper text", "output": "the review"}


def check_text(record: dict, key: str, source, where: str) -> str:
    """``record[key]`` when it is a non-empty string, else :class:`BadInput`."""
    value = record.get(key)
    hint = f"give each row a non-empty string '{key}' ({WHAT.get(key, key)})"
    if key not in record:
        raise BadInput(source, where, key, "missing", hint, record)
    if not isinstance(value, str):
        raise BadInput(source, where, key, f"not a string ({type(value).__name__})", hint, record)
    if not value.strip():
        raise BadInput(source, where, key, "empty", hint, record)
    return value


def check_pair(record: dict, source, where: str, *, need_output: bool = True,
               check_review: bool = True) -> dict:
    """The record when it is a good input/output row, else :class:`BadInput`."""
    if "id" in record and (not isinstance(record["id"], (str, int)) or str(record["id"]) == ""):
        raise BadInput(source, where, "id", f"not a string or number ({record['id']!r})",
                       "give the row a string id, or none", record)
    where = f"{where} (id {record['id']})" if "id" in record else where
    paper = check_text(record, "input", source, where)
    if is_empty_paper(paper):
        raise BadInput(source, where, "input", "paper empty after parsing (only block markers)",
                       "put the paper text under [TITLE], [ABSTRACT] and [CONTENT]", record)
    if need_output:
        review = check_text(record, "output", source, where)
        if check_review and not heading_order(review):
            raise BadInput(source, where, "output",
                           "review with no recognisable part (none of the four headings)",
                           f"start each part with its heading line, e.g. {REVIEW_HEADINGS[0]}",
                           record)
    return record


def iter_pairs(run: Run, path, *, need_output: bool = True,
               check_review: bool = True) -> Iterator[tuple[str, dict]]:
    """``(where, record)`` for the good, first-seen rows of a JSONL file; the rest counted."""
    seen = Seen()
    for where, record in run.jsonl(path):
        try:
            check_pair(record, path, where, need_output=need_output, check_review=check_review)
        except BadInput as e:
            run.reject(e)
            continue
        digest = content_key(record.get("input"), record.get("output") if need_output else None)
        key = ("id", str(record["id"])) if "id" in record else ("content", digest)
        status, first = seen.check(key, digest, where)
        if status == "duplicate":
            run.account.duplicates += 1
        elif status == "conflict":
            run.reject(BadInput(path, where, "id", f"duplicate id {record['id']!r} with other "
                                f"content (first at {first})",
                                "give each row its own id, or remove one of them", record))
        else:
            yield where, record


def convert_pairs(run: Run, path, writer, to_record, *, need_output: bool = True,
                  check_review: bool = True) -> None:
    """Write ``to_record(row)`` for every good row of ``path`` (a tqdm bar on a terminal).

    A row for which ``to_record`` returns None was folded into an earlier one: counted as merged.
    """
    rows = iter_pairs(run, path, need_output=need_output, check_review=check_review)
    for _, record in tqdm(rows, desc=run.account.name, unit="row", disable=None):
        out = to_record(record)
        if out is None:
            run.account.merged += 1
            continue
        writer.add(out)
        run.account.written += 1
