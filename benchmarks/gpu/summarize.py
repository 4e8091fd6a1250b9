"""One JSON line per training run: loss trend, median step time, tokens/s per GPU, peak memory.

Usage: python benchmarks/gpu/summarize.py WORK_DIR [--name NAME] [--skip 3]
"""
import argparse
import json
import statistics
from pathlib import Path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("work_dir", type=Path)
    p.add_argument("--name")
    p.add_argument("--skip", type=int, default=3, help="warm-up iterations left out of the medians")
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
        "tokens_per_s_per_gpu": round(statistics.median(r.get("tokens_per_sec", 0) for r in steady), 1),
        "tflops_per_gpu": round(statistics.median(r.get("tflops", 0) for r in steady), 1),
        "peak_mem_mb": max(r.get("memory", 0) for r in rows),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
