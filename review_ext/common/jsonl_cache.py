"""An append-only JSONL cache: each record is written, flushed and synced as it arrives.

A process killed mid-run loses nothing already written; a torn last line (a
kill mid-write) is skipped on load and counted in ``skipped_lines``.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path


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
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    record = json.loads(line)
                    self.records[record["key"]] = record
                except (json.JSONDecodeError, KeyError, TypeError):
                    self.skipped_lines += line.strip() != ""

    def __contains__(self, key: str) -> bool:
        return key in self.records

    def __len__(self) -> int:
        return len(self.records)

    def get(self, key: str) -> dict | None:
        return self.records.get(key)

    def put(self, key: str, record: dict) -> dict:
        record = {"key": key, **record}
        line = json.dumps(record, ensure_ascii=False) + "\n"
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
