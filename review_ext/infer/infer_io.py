"""Review records out: the result files ``tools/infer.py`` writes and merges.

The rows come from :mod:`review_ext.data.test_rows`. Results are one JSON record per
line, ``{"key", "id", "reply", ..., "error"}``, matched to their row by ``key``; at the
end they are merged into ``predictions.jsonl`` plus the published pipeline's
``replies.csv`` (system, input, reply) and ``updated_conversations.json``.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from review_ext.common.files import atomic_write
from review_ext.common.jsonl import BadJson, iter_jsonl
from review_ext.data.test_rows import TestRow

PREDICTIONS = "predictions.jsonl"
REPLIES_CSV = "replies.csv"
CONVERSATIONS = "updated_conversations.json"


def read_records(path: str | Path) -> tuple[list[dict], int]:
    """Records of a results file and the number of torn lines skipped (a kill mid-write:
    bad JSON, or an object without ``key``)."""
    records, torn = [], 0
    for _, record in iter_jsonl(path):
        if isinstance(record, BadJson) or "key" not in record:
            torn += 1
        else:
            records.append(record)
    return records, torn


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
