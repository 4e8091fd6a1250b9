"""One JSON line per training run: loss trend, median step time, tokens/s per GPU, peak memory.

Tokens per iteration: a bin of our packing holds max_length x (1 - padding waste) tokens
on average (the waste is read from the run's log); XTuner's Packer fills max_length exactly.
Usage: python benchmarks/gpu/summarize.py WORK_DIR --max-length 8192 [--name NAME] [--skip 3]
"""
import argparse
import json
import re
import statistics
from pathlib import Path


def tokens_per_iter(work_dir: Path, max_length: int) -> float:
    for log in sorted(work_dir.glob("*/*.log")):
        found = re.search(r"padding waste ([0-9.]+)%", log.read_text(errors="replace"))
        if found:
            return max_length * (1 - float(found.group(1)) / 100)
    return float(max_length)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("work_dir", type=Path)
    p.add_argument("--name")
    p.add_argument("--skip", type=int, default=3, help="warm-up iterations left out of the medians")
    p.add_argument("--max-length", type=int, required=True)
    args = p.parse_args(argv)
    files = sorted(args.work_dir.glob("*/vis_data/scalars.json"))
    rows = [json.loads(line) for f in files[-1:] for line in f.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if "loss" in r]
    if not rows:
        print(json.dumps({"run": args.name or args.work_dir.name, "error": "no iterations logged"}))
        return
    steady = rows[args.skip:] or rows
    head, tail = rows[:3], rows[-3:]
    out = {
        "run": args.name or args.work_dir.name,
        "iters": len(rows),
        "loss_first3": round(statistics.mean(r["loss"] for r in head), 4),
        "loss_last3": round(statistics.mean(r["loss"] for r in tail), 4),
        "s_per_iter": round(statistics.median(r["time"] for r in steady), 4),
        "tokens_per_iter": round(tokens_per_iter(args.work_dir, args.max_length)),
        "peak_mem_mb": max(r.get("memory", 0) for r in rows),
    }
    out["tokens_per_s_per_gpu"] = round(out["tokens_per_iter"] / out["s_per_iter"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
