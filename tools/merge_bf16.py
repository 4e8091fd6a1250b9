"""Merge a LoRA adapter into its base on CPU, streaming, as bf16 safetensors shards.

Memory stays at about one tensor (not one model): Mixtral-8x7B merges on a machine
with far less RAM than its 93 GB. Output: the base's shard layout and index,
config.json saying bfloat16, tokenizer and generation config, and the adapter's
review_suite.json (which also names the base, so BASE may be left out).

Examples:
    tools/merge_bf16.sh models/Mixtral-8x7B-Instruct-v0.1 work_dirs/v1/hf merged/v1
    tools/merge_bf16.sh work_dirs/v1/hf merged/v1              # base from review_suite.json
    python tools/merge_bf16.py work_dirs/v1/hf merged/v1 --force   # replace merged/v1
"""
from __future__ import annotations

import argparse
from pathlib import Path

from review_ext.checkpoint.merge import MergeError, merge

EPILOG = __doc__.split("Examples:")[1]


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Merge a peft LoRA adapter into its base: W + (B @ A) * alpha/r in fp32, "
                    "written as bf16, one tensor in memory at a time.",
        epilog="examples:" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("base", type=Path, nargs="?",
                   help="base HF folder (safetensors); default: the base the adapter's metadata names")
    p.add_argument("adapter", type=Path, help="adapter folder (adapter_config.json, adapter_model.safetensors)")
    p.add_argument("out", type=Path, help="output folder (must not exist unless --force)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists (only once the new one is complete)")
    p.add_argument("--no-progress", action="store_true", help="no tqdm bar")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        out = merge(args.base, args.adapter, args.out, force=args.force, progress=not args.no_progress)
    except MergeError as e:
        raise SystemExit(f"merge_bf16: error: {e}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
