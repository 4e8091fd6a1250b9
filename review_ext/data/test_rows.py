"""Test-set rows: the papers to review, as ``tools/infer.py`` and the training chat hook read them.

Rows come as XTuner's test format (``system`` + ``input``), input/output records or
XTuner conversations, in JSONL or a JSON list, read by the suite's strict JSON rules
(:mod:`review_ext.common.jsonl`). Each row gets a unique ``key`` (its ``id``, else its
row number) so a result can be matched to it across resumes and ranks. A row that cannot
be reviewed (a bad line, no input, a repeated id) is kept with ``error`` set; a file that
cannot be read at all raises :class:`~review_ext.common.jsonl.RowsFileError`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from review_ext.common.files import check_input
from review_ext.common.jsonl import (
    BadJson,
    RowsFileError,
    is_json_list,
    iter_jsonl,
    os_problem,
    read_json,
)
from review_ext.formats.rating import row_scores


@dataclass
class TestRow:
    index: int
    key: str
    id: object
    paper: str | None = None
    system: str | None = None  # the row's own system prompt, if it has one
    reference: str | None = None  # the row's reference review, if it has one
    venue: str | None = None  # the row's venue (a key of the venue table), if it has one
    error: str | None = None  # why the row cannot be reviewed




def parse_row(index: int, obj) -> TestRow:
    """One row of any accepted format; a malformed row gets ``error`` set, not an exception."""
    if not isinstance(obj, dict):
        return TestRow(index, str(index), index, error="row is not a JSON object")
    row_id = obj.get("id", index)
    row = TestRow(index, str(row_id), row_id)
    turns = obj.get("conversation")
    turn = turns[0] if isinstance(turns, list) and turns and isinstance(turns[0], dict) else obj
    paper, system = turn.get("input"), turn.get("system")
    if paper is None:
        row.error = "no input"
    elif not isinstance(paper, str):
        row.error = f"input is not a string ({type(paper).__name__})"
    elif not paper.strip():
        row.error = "empty input"
    elif system is not None and not isinstance(system, str):
        row.error = f"system is not a string ({type(system).__name__})"
    else:
        row.paper, row.system = paper, system or None
        venue = row_scores(obj)[2]
        row.venue = venue if isinstance(venue, str) and venue.strip() else None
        output = turn.get("output")
        row.reference = output if isinstance(output, str) else None
    return row


def _list_rows(path: Path) -> list[TestRow]:
    try:
        items = read_json(path, want=list)
    except BadJson as error:
        if error.kind == "encoding":
            raise RowsFileError(str(error)) from None
        raise RowsFileError(f"{path}: not a valid JSON list ({error.problem}); fix it or write one "
                         "JSON object per line") from None
    return [parse_row(i, obj) for i, obj in enumerate(items)]


def _line_rows(path: Path) -> list[TestRow]:
    """One row per non-blank line: a bad line is an error row; a line not in UTF-8 stops the read
    (the whole file is then most likely in another encoding)."""
    rows = []
    for _, obj in iter_jsonl(path, want=None):
        if isinstance(obj, BadJson) and obj.kind == "encoding":
            raise RowsFileError(str(obj))
        index = len(rows)
        rows.append(TestRow(index, str(index), index, error=f"not JSON: {obj}")
                    if isinstance(obj, BadJson) else parse_row(index, obj))
    return rows


def read_test_rows(path: str | Path) -> list[TestRow]:
    """All rows of a test file; unparsable lines and repeated ids become error rows.

    :class:`~review_ext.common.jsonl.RowsFileError` when the file cannot be read, is not UTF-8,
    is an invalid JSON list or has no rows.
    """
    try:
        path = check_input(path, "test file")
    except ValueError as error:
        raise RowsFileError(str(error)) from None
    try:
        rows = _list_rows(path) if is_json_list(path) else _line_rows(path)
    except OSError as error:
        raise os_problem(error, path) from None
    if not rows:
        raise RowsFileError(f"{path}: no rows; expected one JSON object per line")
    seen: set[str] = set()
    for row in rows:
        if row.key in seen:
            row.key = row.id = f"{row.key}#row{row.index}"
            row.error = row.error or "repeated id"
        seen.add(row.key)
    return rows
