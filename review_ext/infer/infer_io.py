"""Test-set rows in, review records out: the files ``tools/infer.py`` reads and writes.

Rows come as XTuner's test format (``system`` + ``input``), input/output records or
XTuner conversations, in JSONL or a JSON list. Each row gets a unique ``key`` (its
``id``, else its row number) so a record can be matched to it across resumes and ranks.
Results are one JSON record per line, ``{"id", "reply", ..., "error"}``; at the end
they are merged into ``predictions.jsonl`` plus the published pipeline's
``replies.csv`` (system, input, reply) and ``updated_conversations.json``.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from review_ext.common.files import atomic_write, check_input

PREDICTIONS = "predictions.jsonl"
REPLIES_CSV = "replies.csv"
CONVERSATIONS = "updated_conversations.json"


@dataclass
class TestRow:
    index: int
    key: str
    id: object
    paper: str | None = None
    system: str | None = None  # the row's own system prompt, if it has one
    reference: str | None = None  # the row's reference review, if it has one
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
        output = turn.get("output")
        row.reference = output if isinstance(output, str) else None
    return row


class InputError(ValueError):
    """The test file cannot be read at all (one line: the file and what to do)."""


def _no_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str):
    """Strict JSON: NaN and Infinity are refused (they would be written back as invalid JSON)."""
    return json.loads(text, parse_constant=_no_constant)


def _read_text(path: Path) -> str:
    try:
        path = check_input(path, "test file")
    except ValueError as error:
        raise InputError(str(error)) from None
    try:
        return path.read_text(encoding="utf-8-sig")  # a leading BOM is not part of the first row
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 (byte {error.start}): convert it to UTF-8") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read it ({error.strerror or error})") from None


def read_test_rows(path: str | Path) -> list[TestRow]:
    """All rows of a test file; unparsable lines and repeated ids become error rows.

    :class:`InputError` when the file cannot be read, is an invalid JSON list or has no rows.
    """
    path = Path(path)
    text = _read_text(path)
    if text.lstrip().startswith("["):
        try:
            rows = [parse_row(i, obj) for i, obj in enumerate(_loads(text))]
        except ValueError as error:
            raise InputError(f"{path}: not a valid JSON list ({error}); fix it or write one "
                             "JSON object per line") from None
    else:
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(parse_row(len(rows), _loads(line)))
            except ValueError as error:
                index = len(rows)
                rows.append(TestRow(index, str(index), index,
                                    error=f"not JSON: line {number}: {error}"))
    if not rows:
        raise InputError(f"{path}: no rows; expected one JSON object per line")
    seen: set[str] = set()
    for row in rows:
        if row.key in seen:
            row.key = row.id = f"{row.key}#row{row.index}"
            row.error = row.error or "repeated id"
        seen.add(row.key)
    return rows


def read_records(path: str | Path) -> tuple[list[dict], int]:
    """Records of a results file and the number of torn (unparsable) lines skipped."""
    records, torn = [], 0
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            try:
                record = json.loads(line)
                records.append(record)
                torn += not isinstance(record, dict) or "key" not in record
            except json.JSONDecodeError:
                torn += line.strip() != ""
    return [r for r in records if isinstance(r, dict) and "key" in r], torn


def collect_records(paths) -> tuple[dict[str, dict], int]:
    """``{key: record}`` over several results files: a reply beats an error, else the later wins."""
    merged, torn = {}, 0
    for path in paths:
        records, n = read_records(path)
        torn += n
        for record in records:
            old = merged.get(record["key"])
            if old is None or old.get("error") or not record.get("error"):
                merged[record["key"]] = record
    return merged, torn


def write_outputs(out_dir: Path, rows: list[TestRow], records: dict[str, dict]) -> None:
    """``predictions.jsonl`` (row order, one record per row), ``replies.csv``, conversations."""
    ordered = [records[row.key] for row in rows if row.key in records]
    ok = [(row, r) for row in rows if (r := records.get(row.key)) and not r.get("error")]

    def predictions(f):
        for record in ordered:
            f.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")

    def replies(f):
        writer = csv.writer(f)
        writer.writerow(["system", "input", "reply"])
        writer.writerows([record["system"], row.paper, record["reply"]] for row, record in ok)

    def conversations(f):
        items = []
        for row, record in ok:
            item = {"id": row.id, "conversation": [
                {"system": record["system"], "input": row.paper, "output": record["reply"]}]}
            if row.reference is not None:
                item["reference"] = row.reference
            items.append(item)
        json.dump(items, f, ensure_ascii=False, indent=1, allow_nan=False)

    atomic_write(out_dir / PREDICTIONS, predictions)
    atomic_write(out_dir / REPLIES_CSV, replies)
    atomic_write(out_dir / CONVERSATIONS, conversations)
