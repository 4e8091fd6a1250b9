"""A recipe fully resolved: load it as ``xtuner train`` does, flatten it for diffs."""
from __future__ import annotations

from collections.abc import Iterator


def load_config(path, cfg_options=None):
    """The config at ``path`` with overrides merged, as ``xtuner train`` resolves it."""
    from mmengine.config import Config

    cfg = Config.fromfile(str(path))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def leaves(obj, prefix="") -> Iterator[tuple[str, object]]:
    """``("a.b.0.c", value)`` for each leaf of nested dicts/lists/tuples."""
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        yield prefix, obj
        return
    for key, value in items:
        yield from leaves(value, f"{prefix}.{key}" if prefix else str(key))


def flatten(obj, prefix="") -> dict[str, str]:
    """Leaves of nested dicts/lists as ``{"a.b.0.c": repr(value)}``."""
    return {key: _leaf(value) for key, value in leaves(obj, prefix)}


def _leaf(value) -> str:
    if isinstance(value, type) or callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"
    return repr(value)


def resolved_text(cfg, flat=False) -> str:
    if flat:
        return "".join(f"{k} = {v}\n" for k, v in sorted(flatten(cfg.to_dict()).items()))
    return cfg.pretty_text
