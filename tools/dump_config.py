"""Dump an XTuner config fully resolved, for review and for diffing recipes.

Examples:
    python tools/dump_config.py xtuner_configs/v2.py                 # print
    python tools/dump_config.py xtuner_configs/v2.py --out v2.resolved.py \\
        --cfg-options max_length=4096
    python tools/dump_config.py xtuner_configs/v1.py --flat          # key = value lines
"""
from __future__ import annotations

import sys
from pathlib import Path

from review_ext.common.cli import doc_parser
from review_ext.train.config_dump import load_config, resolved_text


def parse_args(argv=None):
    from mmengine.config import DictAction

    p = doc_parser(__doc__)
    p.add_argument("config", type=Path)
    p.add_argument("--out", type=Path, help="write here instead of stdout")
    p.add_argument("--flat", action="store_true", help="one `dotted.key = value` line per leaf")
    p.add_argument(
        "--cfg-options", nargs="+", action=DictAction, help="overrides, as for xtuner train"
    )
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    text = resolved_text(load_config(args.config, args.cfg_options), args.flat)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return text


if __name__ == "__main__":
    main()
