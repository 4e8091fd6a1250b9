"""Write a Mixtral-architecture model with random weights and the real tokenizer (for tests).

bf16 by default; with --nf4, pre-quantised to nf4 as the recipes load it (drawn and quantised
layer by layer on --device, no bf16 copy written: 32 layers, ~23 GiB, seconds on a GPU).

Examples:
    python tools/dev/make_tiny_model.py build/tiny                 # CPU test model
    python tools/dev/make_tiny_model.py build/mixtral-2l --mixtral --layers 2 --device cuda
    python tools/dev/make_tiny_model.py build/mixtral-nf4 --mixtral --nf4 --device cuda \\
        --tokenizer .gpu_data/tokenizer          # full depth; tokenizer saved beforehand
"""
from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from review_ext.common.cli import doc_parser, one_line_errors
from review_ext.dev.nf4_model import Nf4ModelOptions, write_nf4_model
from review_ext.dev.random_model import (
    Geometry,
    RandomModelOptions,
    mixtral_8x7b,
    write_random_model,
)

NAME = "make_tiny_model"


def build_parser():
    p = doc_parser(__doc__)
    p.add_argument("out", type=Path, help="output folder (HF layout)")
    p.add_argument("--mixtral", action="store_true",
                   help="Mixtral-8x7B's shape (32 layers unless --layers); sizes given override it")
    for f in fields(Geometry):
        p.add_argument(f"--{f.name.replace('_', '-')}", type=int,
                       help=f"default {getattr(Geometry(), f.name)} "
                            f"({getattr(mixtral_8x7b(), f.name)} with --mixtral)")
    p.add_argument("--nf4", action="store_true", help="pre-quantise the linears to nf4")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-shard-size", default="2GB")
    p.add_argument("--device", default=None,
                   help="where the weights are drawn (default: cpu; cuda with --nf4)")
    p.add_argument("--tokenizer", type=Path,
                   help="a saved tokenizer folder to copy (default: the real one, mistral-common)")
    return p


def options(args) -> RandomModelOptions | Nf4ModelOptions:
    base = mixtral_8x7b() if args.mixtral else Geometry()
    geometry = replace(base, **{f.name: getattr(args, f.name) for f in fields(Geometry)
                                if getattr(args, f.name) is not None})
    common = dict(out=args.out, geometry=geometry, seed=args.seed,
                  max_shard_size=args.max_shard_size, tokenizer=args.tokenizer)
    if args.nf4:
        return Nf4ModelOptions(**common, device=args.device or "cuda")
    return RandomModelOptions(**common, device=args.device or "cpu")


def main(argv=None) -> Path:
    parser = build_parser()
    args = parser.parse_args(argv)
    with one_line_errors(parser, NAME, OSError):
        opts = options(args)
        params = (write_nf4_model if args.nf4 else write_random_model)(opts)
    kind = "nf4" if args.nf4 else "bf16"
    print(f"wrote {args.out}: {params / 1e6:.2f}M parameters, {kind}, random weights, "
          "real Mixtral tokenizer")
    return args.out


if __name__ == "__main__":
    main()
