"""Distil the full-depth calls' summaries into the planner's measurements (review_ext/train/).

Each run named RECIPE_<8k|16k>_<z2|z3|z3off>_L<LAYERS> by call_full_depth.sh gives one row:

* a point, when it logged iterations: mean seconds and tokens per iteration over the steady
  iterations (after the first ``--skip``), peak allocated memory (mmengine's per-iteration
  maximum);
* a bound, when it logged none and its later "peaks" line holds a CUDA out-of-memory: the run
  needed more than ``oom_above_gib`` (the most allocated plus the allocation that failed) and did
  not run with the allocator capped at ``cap_gib``.

Every row names the summary line it came from. Runs with neither, runs with no steady
iteration, and calls on another card than the planner's measured one (``gpu.txt`` beside the
summary) are named on stderr and left out.

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
from review_ext.train.plan import MEASURED_CARD

NAME = re.compile(r"(?P<recipe>v\d)_(?P<k>\d+)k_(?P<setup>z2|z3|z3off)_L(?P<layers>\d+)$")
SETUPS = {"z2": "deepspeed_zero2", "z3": "deepspeed_zero3", "z3off": "deepspeed_zero3_offload"}
CARD = MEASURED_CARD.upper()  # as gpu.txt names it ("NVIDIA H200")
TRIED = re.compile(r"CUDA out of memory\. Tried to allocate (?P<size>[\d.]+) (?P<unit>[MG])iB")


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("summaries", nargs="+", type=Path)
    p.add_argument("--skip", type=int, default=5, help="start-up iterations left out")
    return p.parse_args(argv)


def oom_bound(row: dict) -> dict | None:
    """``oom_above_gib`` and ``cap_gib`` of a "peaks" line that records a CUDA out-of-memory."""
    tried = TRIED.search(row.get("oom") or "")
    if not tried or not row.get("peaks"):
        return None
    peak = max(row["peaks"], key=lambda p: p["max_allocated_gib"])
    size = float(tried["size"]) / (1024 if tried["unit"] == "M" else 1)
    return {"oom_above_gib": round(peak["max_allocated_gib"] + size, 3),
            "cap_gib": peak["cap_gib"]}


def rows(path: Path, skip: int, root: Path) -> list[dict]:
    """The points and bounds of one summary file, in its order."""
    out, pending = [], {}  # pending: runs without iterations, by name -> line
    source = path.resolve().relative_to(root)
    card = path.with_name("gpu.txt")
    if card.is_file() and CARD not in card.read_text(encoding="utf-8"):
        print(f"{path}: not measured on the {CARD}, left out", file=sys.stderr)
        return out
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line) if line.startswith("{") else {}
        match = NAME.match(row.get("run", ""))
        if not match or "skipped" in row:
            continue
        run = {"recipe": match["recipe"], "setup": SETUPS[match["setup"]],
               "layers": int(match["layers"]), "max_length": int(match["k"]) * 1024}
        if "peaks" in row:
            bound = oom_bound(row) if row["run"] in pending else None
            if bound:
                pending.pop(row["run"])
                out.append({**run, **bound, "source": f"{source}:{n}"})
        elif "s_per_iter" not in row:
            pending[row["run"]] = n
        elif not row["s_per_iter"][skip:]:
            print(f"{path}:{n}: {row['run']}: no iteration after the first {skip}, left out",
                  file=sys.stderr)
        else:
            seconds, tokens = row["s_per_iter"][skip:], row["tokens_per_iter"][skip:]
            out.append({**run, "tokens_per_iter": round(sum(tokens) / len(tokens), 1),
                        "s_per_iter": round(sum(seconds) / len(seconds), 4),
                        "peak_gib": round(row["peak_mem_mb"] / 1024, 3),
                        "source": f"{source}:{n}"})
    for run, n in pending.items():
        print(f"{path}:{n}: {run}: no iterations and no out-of-memory, left out", file=sys.stderr)
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    root = Path(__file__).resolve().parents[2]
    found = [r for s in args.summaries for r in rows(s, args.skip, root)]
    for r in found:
        print(json.dumps(r))
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
