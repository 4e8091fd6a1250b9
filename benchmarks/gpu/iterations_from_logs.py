"""Per-iteration seconds and tokens of every training run in a GPU call's packed console logs.

Reads the ``<run>.log`` files of ``logs.tar.gz`` (written by ``pack_logs.sh``), keeps those with
mmengine ``Iter(train)`` lines (the ``xtuner train`` runs) and prints one JSON line per run, in
name order: ``{"call": N, "run": NAME, "s_per_iter": [...], "tokens_per_iter": [...]}`` (plus
``"code"`` with --code). Seconds are the console's (4 decimals); tokens = tokens_per_sec x time
(XTuner's ThroughputHook), rounded to whole tokens: the console's rounding of ``time`` leaves
them within about tokens_per_sec x 0.00005 (3 tokens at 60,000 tokens/s) of the true count.
A log whose ``Iter(train)`` lines lack ``time`` or ``tokens_per_sec``, or do not count 1, 2, 3...
is an error naming file and line; a tarball without any training run exits non-zero.

Usage:
  python benchmarks/gpu/iterations_from_logs.py LOGS.tar.gz --call 4 \\
      >> benchmarks/gpu/results/iterations_2xH200.jsonl
  python benchmarks/gpu/iterations_from_logs.py LOGS.tar.gz --call 7 --code "what differed" \\
      >> benchmarks/gpu/results/iterations_2xH200.jsonl
"""
from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path, PurePosixPath

from review_ext.common.cli import doc_parser
from review_ext.train.mmengine_log import iteration_series, train_lines


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("logs", type=Path, metavar="LOGS.tar.gz", help="a call's packed console logs")
    p.add_argument("--call", type=int, required=True,
                   help="the call's number, written to every line")
    p.add_argument("--code", help="what the code of this call differed in (written to every line)")
    return p.parse_args(argv)


def run_records(name: str, text: str) -> list[dict]:
    """The run's ``Iter(train)`` records; ValueError (file, line, field) on a bad one."""
    records = []
    for number, record in train_lines(text):
        missing = [k for k in ("time", "tokens_per_sec") if k not in record]
        if missing:
            raise ValueError(f"{name}, line {number}: Iter(train) line without "
                             f"{', '.join(missing)} (was XTuner's ThroughputHook on and "
                             "log_processor.window_size=1?)")
        if record["step"] != len(records) + 1:
            raise ValueError(f"{name}, line {number}: iteration {record['step']} where "
                             f"{len(records) + 1} was due (two runs in one log? split it)")
        records.append(record)
    return records


def logs_of(tarball: Path) -> dict[str, str]:
    """``{run name: log text}`` for the ``.log`` files of the tarball."""
    with tarfile.open(tarball) as tar:
        return {PurePosixPath(m.name).stem: tar.extractfile(m).read().decode(errors="replace")
                for m in tar.getmembers() if m.isfile() and m.name.endswith(".log")}


def main(argv=None):
    args = parse_args(argv)
    logs = logs_of(args.logs)
    skipped, written = [], 0
    for name in sorted(logs):
        try:
            records = run_records(name, logs[name])
        except ValueError as err:
            raise SystemExit(f"iterations_from_logs: error: {args.logs}: {err}") from None
        if not records:
            skipped.append(name)
            continue
        line = {"call": args.call, "run": name, **iteration_series(records)}
        if args.code:
            line["code"] = args.code
        print(json.dumps(line))
        written += 1
    print(f"{args.logs}: {written} runs written; {len(skipped)} logs without Iter(train) lines"
          + (f": {', '.join(skipped)}" if skipped else ""), file=sys.stderr)
    if not written:
        raise SystemExit(f"iterations_from_logs: error: {args.logs}: no training run among "
                         f"{len(logs)} .log files")


if __name__ == "__main__":
    main()
