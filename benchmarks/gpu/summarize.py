"""One JSON line per training run: loss trend, step time, tokens/s per GPU, peak memory.

Tokens per iteration come from XTuner's ThroughputHook (``tokens_per_sec`` x ``time`` of each
iteration: the tokens of the batch's sequence). Our bins are not padded, so that is exactly
their non-padding tokens; XTuner's Packer fills its windows. Tokens/s = all tokens / all time
over the steady iterations (after ``--skip``, up to ``--until``, before a profiler window).
``s_per_iter`` and ``tokens_per_iter`` list every iteration's seconds and tokens, in order.
Usage: python benchmarks/gpu/summarize.py WORK_DIR [--name NAME] [--skip 3] [--until 14]
"""
import argparse
import json
import statistics
from pathlib import Path

from review_ext.train.mmengine_log import (
    iteration_series,
    iteration_tokens,
    latest_scalars,
    train_records,
)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("work_dir", type=Path)
    p.add_argument("--name")
    p.add_argument("--skip", type=int, default=3, help="warm-up iterations left out")
    p.add_argument(
        "--until", type=int, default=None, help="last iteration counted (before profiling)"
    )
    p.add_argument("--max-length", type=int, help="unused; kept for older scripts")
    args = p.parse_args(argv)
    try:
        rows = train_records(latest_scalars(args.work_dir))
    except FileNotFoundError:
        rows = []
    name = args.name or args.work_dir.name
    if not rows:
        print(json.dumps({"run": name, "error": "no iterations logged"}))
        return
    steady = rows[args.skip:args.until] or rows
    times = sorted(r["time"] for r in steady)
    tokens = [iteration_tokens(r) for r in steady]
    out = {
        "run": name,
        "iters": len(rows),
        "steady_iters": len(steady),
        "loss_first3": round(statistics.mean(r["loss"] for r in rows[:3]), 4),
        "loss_last3": round(statistics.mean(r["loss"] for r in rows[-3:]), 4),
        "s_per_iter_median": round(statistics.median(times), 4),
        "s_per_iter_min_max": [round(times[0], 4), round(times[-1], 4)],
        "tokens_per_iter_mean": round(statistics.mean(tokens)),
        "tokens_per_s_per_gpu": round(sum(tokens) / sum(times)),
        "peak_mem_mb": max(r.get("memory", 0) for r in rows),
        "losses": [round(r["loss"], 4) for r in rows],
        **iteration_series(rows),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
