"""Write a Mixtral-architecture model with random weights and the real tokenizer (tests, benchmarks).

Examples:
    python tools/dev/make_tiny_model.py build/tiny                 # CPU test model
    python tools/dev/make_tiny_model.py build/mixtral-2l --layers 2 --hidden 4096 \\
        --intermediate 14336 --experts 8 --heads 32 --kv-heads 8 --device cuda   # GPU bench model
"""
from __future__ import annotations

import sys
from pathlib import Path

from review_ext.common.cli import doc_parser
from review_ext.dev.random_model import Geometry, RandomModelOptions, write_random_model


def parse_args(argv=None):
    d = Geometry()
    p = doc_parser(__doc__)
    p.add_argument("out", type=Path, help="output folder (HF layout)")
    p.add_argument("--layers", type=int, default=d.layers)
    p.add_argument("--hidden", type=int, default=d.hidden)
    p.add_argument("--intermediate", type=int, default=d.intermediate)
    p.add_argument("--experts", type=int, default=d.experts)
    p.add_argument("--experts-per-tok", type=int, default=d.experts_per_tok)
    p.add_argument("--heads", type=int, default=d.heads)
    p.add_argument("--kv-heads", type=int, default=d.kv_heads)
    p.add_argument("--max-positions", type=int, default=d.max_positions)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-shard-size", default="2GB")
    p.add_argument("--device", default="cpu", help="where to initialise (cuda is faster at full width)")
    return p.parse_args(argv)


def options(args) -> RandomModelOptions:
    geometry = Geometry(layers=args.layers, hidden=args.hidden, intermediate=args.intermediate,
                        experts=args.experts, experts_per_tok=args.experts_per_tok, heads=args.heads,
                        kv_heads=args.kv_heads, max_positions=args.max_positions)
    return RandomModelOptions(out=args.out, geometry=geometry, seed=args.seed,
                              max_shard_size=args.max_shard_size, device=args.device)


def main(argv=None) -> Path:
    args = parse_args(argv)
    try:
        params = write_random_model(options(args))
    except (ValueError, OSError) as e:
        sys.exit(f"make_tiny_model: {e}")
    print(f"wrote {args.out}: {params / 1e6:.2f}M parameters, bf16, random, real Mixtral tokenizer")
    return args.out


if __name__ == "__main__":
    main()
