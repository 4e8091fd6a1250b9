"""Distil the full-depth calls' summaries into the planner's measured points (review_ext/train/).

Each run named RECIPE_<8k|16k>_<z2|z3|z3off>_L<LAYERS> by call_full_depth.sh with iterations
logged becomes one point: mean seconds and tokens per iteration over the steady iterations
(after the first ``--skip``), peak allocated memory (mmengine's per-iteration maximum) and the
summary file it came from. Runs without iterations are left out and named on stderr.

Usage:
    python benchmarks/gpu/plan_points.py benchmarks/gpu/results/full_depth_call*/summary.jsonl \\
        > review_ext/train/plan_points.jsonl
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from review_ext.common.cli import doc_parser

NAME = re.compile(r"(?P<recipe>v\d)_(?P<k>\d+)k_(?P<setup>z2|z3|z3off)_L(?P<layers>\d+)$")
SETUPS = {"z2": "deepspeed_zero2", "z3": "deepspeed_zero3", "z3off": "deepspeed_zero3_offload"}


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("summaries", nargs="+", type=Path)
    p.add_argument("--skip", type=int, default=5, help="start-up iterations left out")
    return p.parse_args(argv)


def points(path: Path, skip: int, root: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line) if line.startswith("{") else {}
        match = NAME.match(row.get("run", ""))
        if not match or "peaks" in row or "skipped" in row:
            continue
        if "s_per_iter" not in row:
            print(f"{path}:{n}: {row['run']}: no iterations, left out", file=sys.stderr)
            continue
        seconds, tokens = row["s_per_iter"][skip:], row["tokens_per_iter"][skip:]
        out.append({"recipe": match["recipe"], "setup": SETUPS[match["setup"]],
                    "layers": int(match["layers"]), "max_length": int(match["k"]) * 1024,
                    "tokens_per_iter": round(sum(tokens) / len(tokens), 1),
                    "s_per_iter": round(sum(seconds) / len(seconds), 4),
                    "peak_gib": round(row["peak_mem_mb"] / 1024, 3),
                    "source": f"{path.resolve().relative_to(root)}:{n}"})
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    root = Path(__file__).resolve().parents[2]
    found = [p for s in args.summaries for p in points(s, args.skip, root)]
    for p in found:
        print(json.dumps(p))
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
