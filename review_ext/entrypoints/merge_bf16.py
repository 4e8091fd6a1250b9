"""Merge a LoRA adapter into its base on CPU, streaming, as bf16 safetensors shards.

W + (B @ A) * alpha/r is computed in fp32 and written as bf16. Memory stays at about
one tensor (not one model): Mixtral-8x7B merges on a machine with far less RAM than
its 93 GB. Output: the base's shard layout and index, config.json saying bfloat16,
tokenizer and generation config, and the adapter's review_suite.json (which also
names the base, so BASE may be left out).

Refused: a base other than the one the adapter was trained on (its fingerprint is
recorded by tools/pth_to_hf.py), a base that already has an adapter merged in, an
OUT another merge is writing, an OUT that is or holds the base or the adapter, an
adapter or merged tensor with NaN or infinite values. --force replaces only a folder an
earlier merge wrote (its written_files.json). Staging folders left by killed merges
are removed. On success, work_dirs/last_model.json points at OUT (tools/infer.py's
default model).

Examples:
    tools/merge_bf16.sh models/Mixtral-8x7B-Instruct-v0.1 work_dirs/v1/hf merged/v1
    tools/merge_bf16.sh work_dirs/v1/hf merged/v1              # base from review_suite.json
    python tools/merge_bf16.py work_dirs/v1/hf merged/v1 --force   # replace merged/v1
"""
from __future__ import annotations

import sys
from pathlib import Path

from review_ext.common.cli import doc_parser, log_to_stderr, one_line_errors

NAME = "merge_bf16"


def build_parser():
    p = doc_parser(__doc__)
    p.add_argument("base", type=Path, nargs="?",
                   help="base HF folder (safetensors); default: the base the adapter's "
                        "metadata names")
    p.add_argument("adapter", type=Path,
                   help="adapter folder (adapter_config.json, adapter_model.safetensors)")
    p.add_argument("out", type=Path, help="output folder (must not exist unless --force)")
    p.add_argument("--force", action="store_true",
                   help="replace OUT when an earlier merge wrote it (once the new one is complete)")
    p.add_argument("--allow-base-mismatch", action="store_true",
                   help="merge even into a base whose fingerprint differs from the adapter's, or "
                        "one already merged (a warning names both)")
    p.add_argument("--no-progress", action="store_true", help="no tqdm bar")
    return p


def parse_args(argv=None):
    """(parser, MergeOptions) of ``argv``."""
    from review_ext.checkpoint.merge import MergeOptions

    parser = build_parser()
    args = parser.parse_args(argv)
    return parser, MergeOptions(adapter=args.adapter, out=args.out, base=args.base,
                                force=args.force, allow_base_mismatch=args.allow_base_mismatch,
                                progress=not args.no_progress)


def main(argv=None) -> int:
    from review_ext.checkpoint.artifacts import announce_last_model
    from review_ext.checkpoint.merge import merge

    parser, options = parse_args(argv)
    log_to_stderr(NAME)
    with one_line_errors(parser, NAME):
        out = merge(options)
    announce_last_model(out, "tools/merge_bf16.py")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
