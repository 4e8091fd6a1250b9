"""A training run's per-iteration records: ``vis_data/scalars.json``, mmengine's console lines,
and their time/token series.

``vis_data/scalars.json`` (one JSON object per line) is read here and nowhere else.

Each ``Iter(train) [N/M]  key: value ...`` line becomes a record of its numeric fields (``lr``,
``time``, ``loss``, ``tokens_per_sec``...) plus ``step`` (N); the console prints every value
with 4 decimals (``vis_data/scalars.json`` holds the same records at full precision).
Tokens per iteration come from XTuner's ThroughputHook, which logs ``tokens_per_sec`` as the
batch's sequence length over the iteration's ``time``: tokens = ``tokens_per_sec`` x ``time``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from review_ext.common.jsonl import BadJson, iter_jsonl

SCALARS = Path("vis_data") / "scalars.json"  # inside a run's <timestamp> folder

LOG_LINE = re.compile(r"Iter\(train\)\s*\[\s*(\d+)/\s*\d+\]\s+(.*)")
LOG_FIELD = re.compile(r"(\w+): (-?[\d.]+(?:e[-+]?\d+)?)(?=\s|$)")  # not ``eta: 0:00:57``


def train_lines(text: str) -> Iterator[tuple[int, dict]]:
    """``(line number, record)`` for every ``Iter(train)`` line of ``text``, in order."""
    for number, line in enumerate(text.splitlines(), 1):
        if m := LOG_LINE.search(line):
            record = {k: float(v) for k, v in LOG_FIELD.findall(m.group(2))}
            yield number, {**record, "step": int(m.group(1))}


def parse_text_log(path: Path) -> list[dict]:
    """The ``Iter(train)`` records of an mmengine log file."""
    return [record for _, record in train_lines(Path(path).read_text(errors="replace"))]


def read_scalars(run: Path) -> list[dict]:
    """The records of a run folder's ``vis_data/scalars.json``; a bad line raises ``BadJson``."""
    records = []
    for _, record in iter_jsonl(Path(run) / SCALARS):
        if isinstance(record, BadJson):
            raise record
        records.append(record)
    return records


def latest_scalars(work_dir: Path) -> list[dict]:
    """The records of the last run (``<timestamp>`` folder) of a work dir."""
    runs = sorted(path.parents[1] for path in Path(work_dir).glob(f"*/{SCALARS}"))
    if not runs:
        raise FileNotFoundError(f"{work_dir}: no */{SCALARS} (no run logged an iteration)")
    return read_scalars(runs[-1])


def train_records(records: list[dict]) -> list[dict]:
    """The training iterations of a run's records (those with a ``loss``)."""
    return [record for record in records if "loss" in record]


def iteration_tokens(record: dict) -> float:
    """The iteration's tokens (0 where ThroughputHook logged no ``tokens_per_sec``)."""
    return record.get("tokens_per_sec", 0) * record["time"]


def iteration_series(records: list[dict]) -> dict:
    """Every iteration's seconds (4 decimals, as the console prints them) and whole tokens."""
    return {"s_per_iter": [round(r["time"], 4) for r in records],
            "tokens_per_iter": [round(iteration_tokens(r)) for r in records]}
