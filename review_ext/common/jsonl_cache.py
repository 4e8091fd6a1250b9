"""An append-only JSONL cache: each record is written, flushed and synced as it arrives.

A process killed mid-run loses nothing already written. The file is read by the
suite's one JSONL reader (:mod:`review_ext.common.jsonl`): a line it refuses (a torn
last line after a kill mid-write, NaN, bytes that are not UTF-8) or a record without a
string ``key`` is skipped with a warning and counted in ``skipped_lines``; the others load.
Records are written as strict JSON, so what ``put`` stores always loads back.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from review_ext.common.jsonl import BadJson, as_line, iter_jsonl

log = logging.getLogger(__name__)


def digest(*parts: str, length: int = 16) -> str:
    """A short sha256 of the parts (separated so ``("ab", "c") != ("a", "bc")``)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:length]


class JsonlCache:
    """``get(key)`` / ``put(key, record)``; the last record stored under a key wins."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.records: dict[str, dict] = {}
        self.skipped_lines = 0
        if self.path.exists():
            self._load()
            self._end_torn_line()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _load(self) -> None:
        for number, record in iter_jsonl(self.path):
            if isinstance(record, BadJson):
                problem = str(record)
            elif not isinstance(record.get("key"), str):
                problem = f"{self.path}:{number}: a record without a string \"key\""
            else:
                self.records[record["key"]] = record
                continue
            self.skipped_lines += 1
            log.warning("%s; line skipped (its record will be made again)", problem)

    def __contains__(self, key: str) -> bool:
        return key in self.records

    def __len__(self) -> int:
        return len(self.records)

    def get(self, key: str) -> dict | None:
        return self.records.get(key)

    def put(self, key: str, record: dict) -> dict:
        record = {"key": key, **record}
        line = as_line(record)
        with self._lock:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
                f.flush()
                os.fsync(f.fileno())
            self.records[key] = record
        return record

    def _end_torn_line(self) -> None:
        """After a kill mid-write, start the next record on a fresh line."""
        with self.path.open("rb+") as f:
            if f.seek(0, os.SEEK_END) == 0:
                return
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
