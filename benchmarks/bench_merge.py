"""Peak RSS and wall time: ``tools/merge_bf16.sh`` vs peft's in-memory merge, on one model.

Builds (once, under ``--work-dir``) a multi-GB random Mixtral with
``tools/dev/make_tiny_model.py`` in 500 MB shards and a random r=64 LoRA adapter on
q,k,v,o,w1,w2,w3 with ``tools/dev/make_random_adapter.py``, then runs each merge in
its own process and reads that process's peak RSS from ``wait4``:

- ``merge_bf16``: ``tools/merge_bf16.sh BASE ADAPTER OUT``;
- ``peft-bf16``: load the base in bf16, ``PeftModel.from_pretrained``,
  ``merge_and_unload``, ``save_pretrained`` (what most scripts do);
- ``peft-fp32``: the same in fp32, saved as bf16: the exact reference merge_bf16 equals.

An import-only process of each side gives the baseline (torch alone is ~0.5 GB).
Last, merge_bf16's shards are compared tensor by tensor with peft-fp32's.

Usage::

    .venv/bin/python benchmarks/bench_merge.py
    .venv/bin/python benchmarks/bench_merge.py --work-dir build/bench_merge --layers 8 --hidden 1024
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="examples:" + __doc__.split("Usage::", 1)[1])
    p.add_argument("--work-dir", type=Path, default=ROOT / "build" / "bench_merge")
    p.add_argument("--layers", type=int, default=8)
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--intermediate", type=int, default=3584)
    p.add_argument("--experts", type=int, default=8)
    p.add_argument("--max-shard-size", default="500MB")
    p.add_argument("--r", type=int, default=64)
    p.add_argument("--peft-merge", nargs=4, metavar=("PRECISION", "BASE", "ADAPTER", "OUT"),
                   help=argparse.SUPPRESS)  # internal: one peft merge, in this process
    return p.parse_args(argv)


def peft_merge(precision: str, base: str, adapter: str, out: str, max_shard_size: str) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[precision]
    model = AutoModelForCausalLM.from_pretrained(base, torch_dtype=dtype, low_cpu_mem_usage=True)
    model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    model.to(torch.bfloat16).save_pretrained(
        out, safe_serialization=True, max_shard_size=max_shard_size
    )
    AutoTokenizer.from_pretrained(base).save_pretrained(out)


def measure(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS GB) of one child process, run in ``cwd`` (its work_dirs/ stay
    there)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return time.perf_counter() - start, usage.ru_maxrss * 1024 / 1e9


def build_inputs(args) -> tuple[Path, Path]:
    base, adapter = args.work_dir / "base", args.work_dir / "adapter"
    if not (base / "config.json").is_file():
        subprocess.run([PY, "tools/dev/make_tiny_model.py", str(base), "--layers", str(args.layers),
                        "--hidden", str(args.hidden), "--intermediate", str(args.intermediate),
                        "--experts", str(args.experts), "--heads", "16", "--kv-heads", "4",
                        "--max-shard-size", args.max_shard_size], cwd=ROOT, check=True)
    if not (adapter / "adapter_config.json").is_file():
        subprocess.run(
            [
                PY,
                "tools/dev/make_random_adapter.py",
                str(base),
                str(adapter),
                "--r",
                str(args.r),
                "--alpha",
                str(2 * args.r),
            ],
            cwd=ROOT,
            check=True,
        )
    return base, adapter


def same_tensors(a: Path, b: Path) -> bool:
    from safetensors import safe_open

    from review_ext.checkpoint.safetensors_stream import read_specs, read_tensor

    where = {s.name: f for f in b.glob("*.safetensors") for s in read_specs(f)}
    for shard in sorted(a.glob("*.safetensors")):
        with safe_open(str(shard), framework="pt") as f:
            for name in f.keys():
                if not read_tensor(where[name], name).equal(f.get_tensor(name)):
                    return False
    return True


def gb(paths) -> float:
    return sum(p.stat().st_size for p in paths) / 1e9


def main(argv=None):
    args = parse_args(argv)
    if args.peft_merge:
        return peft_merge(*args.peft_merge, max_shard_size=args.max_shard_size)
    base, adapter = build_inputs(args)
    shards = sorted(base.glob("*.safetensors"))
    runs = {
        "import torch+safetensors (merge_bf16 baseline)": [
            PY,
            "-c",
            "import review_ext.checkpoint.merge",
        ],
        "merge_bf16.sh": [
            "bash",
            str(ROOT / "tools/merge_bf16.sh"),
            str(base),
            str(adapter),
            str(args.work_dir / "out-ours"),
            "--no-progress",
        ],
        "import torch+transformers+peft (peft baseline)": [
            PY,
            "-c",
            "import transformers, peft; from transformers import MixtralForCausalLM",
        ],
        "peft-bf16": [
            PY,
            str(Path(__file__).resolve()),
            "--peft-merge",
            "bf16",
            str(base),
            str(adapter),
            str(args.work_dir / "out-peft-bf16"),
        ],
        "peft-fp32": [
            PY,
            str(Path(__file__).resolve()),
            "--peft-merge",
            "fp32",
            str(base),
            str(adapter),
            str(args.work_dir / "out-peft-fp32"),
        ],
    }
    os.environ["PYTHON"] = PY
    for out in args.work_dir.glob("out-*"):
        shutil.rmtree(out)
    results = {}
    for name, cmd in runs.items():
        results[name] = measure(cmd, args.work_dir)
        print(f"{name}: {results[name][0]:.1f} s, peak RSS {results[name][1]:.2f} GB", flush=True)
    largest = max(p.stat().st_size for p in shards) / 1e9
    print(f"\nmodel: {gb(shards):.2f} GB in {len(shards)} shards (largest {largest:.2f} GB), "
          f"adapter {gb([adapter / 'adapter_model.safetensors']):.2f} GB (fp32, r={args.r})")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}")
    print("\n| run | wall s | peak RSS GB | peak / largest shard |\n|---|---|---|---|")
    for name, (wall, rss) in results.items():
        print(f"| {name} | {wall:.1f} | {rss:.2f} | {rss / largest:.1f}x |")
    print(f"\nmerge_bf16 == peft-fp32 rounded to bf16, every tensor: "
          f"{same_tensors(args.work_dir / 'out-ours', args.work_dir / 'out-peft-fp32')}")


if __name__ == "__main__":
    main()
