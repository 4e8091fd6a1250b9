"""Write a peft LoRA adapter with random A and B for an HF base (merge tests and benchmarks).

Examples:
    python tools/dev/make_random_adapter.py build/tiny build/tiny-lora
    python tools/dev/make_random_adapter.py build/bench build/bench-lora --r 64 --alpha 16 \\
        --targets q_proj k_proj v_proj o_proj w1 w2 w3
"""
from __future__ import annotations

import json
from pathlib import Path

from review_ext.common.cli import doc_parser, one_line_errors
from review_ext.dev.random_adapter import ALL_LINEAR, RandomAdapterOptions, write_random_adapter

NAME = "make_random_adapter"


def build_parser():
    p = doc_parser(__doc__)
    p.add_argument("base", type=Path, help="base HF folder")
    p.add_argument("out", type=Path, help="adapter output folder")
    p.add_argument("--r", type=int, default=8)
    p.add_argument("--alpha", type=float, default=16)
    p.add_argument("--targets", nargs="+", default=list(ALL_LINEAR))
    p.add_argument("--rank-pattern", type=json.loads, default={}, help='JSON, e.g. \'{"w2": 4}\'')
    p.add_argument("--alpha-pattern", type=json.loads, default={},
                   help='JSON, e.g. \'{"q_proj": 32}\'')
    p.add_argument("--modules-to-save", nargs="*", default=None)
    p.add_argument("--use-rslora", action="store_true")
    p.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32",
                   help="dtype of the saved tensors")
    p.add_argument("--seed", type=int, default=0)
    return p


def options(args) -> RandomAdapterOptions:
    return RandomAdapterOptions(
        base=args.base, out=args.out, r=args.r, alpha=args.alpha, targets=tuple(args.targets),
        rank_pattern=args.rank_pattern, alpha_pattern=args.alpha_pattern,
        modules_to_save=None if args.modules_to_save is None else tuple(args.modules_to_save),
        use_rslora=args.use_rslora, dtype=args.dtype, seed=args.seed)


def main(argv=None) -> Path:
    parser = build_parser()
    args = parser.parse_args(argv)
    with one_line_errors(parser, NAME, OSError):
        write_random_adapter(options(args))
    print(f"wrote {args.out}: r={args.r} on {args.targets}")
    return args.out


if __name__ == "__main__":
    main()
