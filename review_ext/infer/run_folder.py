"""The output folder of an inference run: rank parts, done markers, resume and the summary.

Each rank (``torchrun``) appends its records to its own part; the last rank to finish
merges the parts into the pipeline outputs (``review_ext.infer.infer_io``) and
writes ``summary.json``. A run that produced too few replies says where its partial
outputs are and ends with a non-zero exit code.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError, plain
from review_ext.common.files import FolderLock, atomic_write
from review_ext.infer.infer_io import PREDICTIONS, REPLIES_CSV, collect_records, write_outputs

log = logging.getLogger(__name__)


def dist_info() -> tuple[int, int, int]:
    """(rank, world size, local rank) from torchrun's environment."""
    env = os.environ
    return int(env.get("RANK", 0)), int(env.get("WORLD_SIZE", 1)), int(env.get("LOCAL_RANK", 0))


def part_name(rank: int, world: int) -> str:
    return PREDICTIONS if world == 1 else f"predictions.rank{rank}-of-{world}.jsonl"


def lock_name(rank: int) -> str:
    """One lock per rank: two runs on one folder collide on rank 0's."""
    return ".lock" if rank == 0 else f".lock.rank{rank}"


@contextmanager
def locked_output(out: Path, rank: int):
    """Create and lock the output folder; :class:`LockedError` when another run holds it,
    :class:`ReviewSuiteError` when it cannot be written."""
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
        lock = FolderLock(out, lock_name(rank))
        lock.__enter__()
    except OSError as error:
        raise ReviewSuiteError(f"{out}: cannot write the output folder "
                               f"({error.strerror or error}); choose a writable `output_dir`") \
            from error
    try:
        yield out
    finally:
        lock.__exit__(None, None, None)


@contextmanager
def logging_to(out: Path, rank: int, world: int):
    """Log to ``infer.log`` (``infer.rank<r>.log`` for a rank) in ``out`` and to stderr."""
    name = "infer.log" if world == 1 else f"infer.rank{rank}.log"
    tag = "" if world == 1 else f"[rank {rank}] "
    fmt = logging.Formatter(f"%(asctime)s {tag}%(levelname)s %(message)s")
    handlers = [logging.FileHandler(Path(out) / name, encoding="utf-8"),
                logging.StreamHandler(sys.stderr)]
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in handlers:
        handler.setFormatter(fmt)
        root.addHandler(handler)
    try:
        yield
    finally:
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()


def done_marker(out: Path, rank: int, world: int) -> Path:
    return Path(out) / f".rank{rank}-of-{world}.done"


def result_files(out: Path) -> list[Path]:
    """Every results file of the folder: the merged one first, then rank parts."""
    parts = sorted(p for p in out.glob("predictions.rank*-of-*.jsonl"))
    return ([out / PREDICTIONS] if (out / PREDICTIONS).is_file() else []) + parts


def prepare_output(out: Path, rank: int, world: int, resume: bool,
                   overwrite: bool) -> dict[str, dict]:
    """Check or clear earlier results; return the records to keep (``resume``)."""
    mine = out / part_name(rank, world)
    current = {part_name(r, world) for r in range(world)}
    stale = [p for p in result_files(out) if p == mine or p.name not in current]
    done_marker(out, rank, world).unlink(missing_ok=True)
    if overwrite:
        for path in stale if rank == 0 else [mine]:
            path.unlink(missing_ok=True)
        return {}
    if stale and not resume:
        raise ReviewSuiteError(f"{out} holds results ({stale[0].name}): use `resume` or "
                               "`overwrite`")
    if not resume:
        return {}
    records, torn = collect_records(result_files(out))
    log.info("resume: %d earlier records (%d torn lines skipped)", len(records), torn)
    return records


def is_final(record: dict) -> bool:
    """Done for good: a reply, or a row error (generation errors are retried)."""
    return record.get("error_kind") != "generation"


def error_record(row, message: str, kind: str) -> dict:
    return {"id": row.id, "index": row.index, "reply": None, "error": message, "error_kind": kind}


def shard(rows, rank: int, world: int):
    """This rank's rows: longest papers dealt round-robin, so ranks get equal work."""
    order = sorted(rows, key=lambda row: len(row.paper or ""), reverse=True)
    return sorted(order[rank::world], key=lambda row: row.index)


def rate(count: float, seconds: float, per: float = 1.0):
    return round(count * per / seconds, 1) if seconds > 0 else None


def mark_done(out: Path, rank: int, world: int, run_summary: dict) -> None:
    atomic_write(done_marker(out, rank, world), lambda f: f.write(json.dumps(run_summary)))


def screening_counts(final: list) -> dict:
    """Papers whose record holds instructions to the reviewer: flagged, stripped, refused."""
    found = [r["screening"] for r in final if r and r.get("screening")]
    return {"flagged": sum(bool(b["flagged"]) for b in found),
            "stripped": sum(bool(b["flagged"]) and b["policy"] == "strip" for b in found),
            "refused": sum(1 for r in final if r and r.get("error_kind") == "screening"),
            "reported_only": sum(not b["flagged"] for b in found)}


def rating_counts(final: list) -> dict | None:
    """A rated model's replies: with a rating on the venue's scale, and without one (none
    written, unreadable or off the scale: each record says why); None for a four-part model."""
    rated = [r for r in final if r and "rating" in r]
    if not rated:
        return None
    return {"rated": sum(r["rating"] is not None for r in rated),
            "without_rating": sum(r["rating"] is None for r in rated),
            "problems": dict(Counter(r["rating_problem"].split(":")[0] for r in rated
                                     if r.get("rating_problem")))}


def summarize(rows, records: dict, torn: int, ranks: list[dict]) -> dict:
    final = [records.get(row.key) for row in rows]
    errors = Counter(r["error"].split(":")[0] for r in final if r and r.get("error"))
    seconds = max(r["seconds"] for r in ranks)
    replies_run = sum(r["replies"] for r in ranks)
    tokens_run = sum(r["generated_tokens"] for r in ranks)
    return {
        "rows": len(rows),
        "replies": sum(1 for r in final if r and not r.get("error")),
        "errors": sum(errors.values()),
        "missing": sum(1 for r in final if r is None),
        "errors_by_reason": dict(errors),
        "torn_lines_skipped": torn,
        "screening": screening_counts(final),
        "ratings": rating_counts(final),
        "this_run": {"replies": replies_run, "generated_tokens": tokens_run, "seconds": seconds,
                     "papers_per_hour": rate(replies_run, seconds, 3600),
                     "generated_tokens_per_s": rate(tokens_run, seconds)},
        "ranks": ranks,
    }


def finish(out: Path, rows, world: int, min_success: float = 0.0) -> str | None:
    """If every rank is done: merge results, write the outputs and the summary.

    Returns why the run failed (None when it did not, or when other ranks are still running):
    a row unaccounted for, no row with a reply, or a share of rows with a reply below
    ``min_success``. The failure is logged too; the partial outputs are kept.
    """
    markers = [done_marker(out, r, world) for r in range(world)]
    if not all(m.is_file() for m in markers):
        log.info("other ranks still running; the last one to finish merges")
        return None
    records, torn = collect_records(result_files(out))
    write_outputs(out, rows, records)
    summary = summarize(rows, records, torn, [json.loads(m.read_text()) for m in markers])
    atomic_write(out / "summary.json",
                 lambda f: f.write(json.dumps(summary, indent=1, allow_nan=False) + "\n"))
    log.info("summary: %d rows = %d replies + %d errors + %d missing; this run %s papers/hour, "
             "%s generated tokens/s; outputs in %s", summary["rows"], summary["replies"],
             summary["errors"], summary["missing"], summary["this_run"]["papers_per_hour"],
             summary["this_run"]["generated_tokens_per_s"], out)
    share = summary["replies"] / max(1, summary["rows"])
    failure = None
    if summary["replies"] == 0 or share < min_success:
        failure = (f"run failed: {summary['replies']} of {summary['rows']} rows got a reply "
                   f"({100 * share:.0f}%, `min_success` {100 * min_success:.0f}%); partial "
                   f"outputs kept: {out / PREDICTIONS} (every row, errors included), "
                   f"{out / REPLIES_CSV}, summary.json; `resume` retries the failed papers")
    elif summary["missing"]:
        failure = (f"run failed: {summary['missing']} of {summary['rows']} rows have no record "
                   f"in {out}; `resume` reviews them")
    if failure:
        log.error("%s", plain(failure))
    return failure
