"""Dump an XTuner config fully resolved, for review and for diffing recipes.

Examples:
    python tools/dump_config.py xtuner_configs/v2.py                 # print
    python tools/dump_config.py xtuner_configs/v2.py --out v2.resolved.py \\
        --cfg-options max_length=4096
    python tools/dump_config.py xtuner_configs/v1.py --flat          # key = value lines
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EPILOG = __doc__.split("Examples:")[1]


def parse_args(argv=None):
    from mmengine.config import DictAction

    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="examples:" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("config", type=Path)
    p.add_argument("--out", type=Path, help="write here instead of stdout")
    p.add_argument("--flat", action="store_true", help="one `dotted.key = value` line per leaf")
    p.add_argument("--cfg-options", nargs="+", action=DictAction, help="overrides, as for xtuner train")
    return p.parse_args(argv)


def load_config(path, cfg_options=None):
    """The config at ``path`` with overrides merged, as ``xtuner train`` resolves it."""
    from mmengine.config import Config

    cfg = Config.fromfile(str(path))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def flatten(obj, prefix="") -> dict[str, str]:
    """Leaves of nested dicts/lists as ``{"a.b.0.c": repr(value)}``."""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, (list, tuple)) else None
    if items is None:
        return {prefix: _leaf(obj)}
    out = {}
    for key, value in items:
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _leaf(value) -> str:
    if isinstance(value, type) or callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"
    return repr(value)


def resolved_text(cfg, flat=False) -> str:
    if flat:
        return "".join(f"{k} = {v}\n" for k, v in sorted(flatten(cfg.to_dict()).items()))
    return cfg.pretty_text


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
