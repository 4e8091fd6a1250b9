"""Recipes without hand propagation: a child recipe reruns v1's PART 2-5 on its settings.

mmengine builds a config's dicts as it reads the file, so a child recipe that rebinds a
PART 1 setting (``max_length = 16384``) would leave every dict v1 built from it at v1's
value. A child states only the settings it changes, then ends its PART 1 with::

    globals().update(rebuild_parts.build()(globals()))

which runs v1's PART 2-5 statements again on the child's settings and binds what they
build. mmengine hands a config its imports as lazy objects; ``.build()`` imports the
function so that it runs while the file is read.

``load_recipe(path, settings)`` reads a recipe as if its PART 1 had set ``settings`` last,
which ``--cfg-options`` cannot do (it sets one key, not the dicts built from it).
"""
from __future__ import annotations

import ast
import re
from contextlib import contextmanager
from pathlib import Path

PARTS_RECIPE = "v1.py"  # the whole recipe; children rerun its PART 2-5
_PART_2 = re.compile(r"^#\s+PART 2\s")  # XTuner's banner over PART 2 (Model & Tokenizer)
_pending: dict | None = None  # settings that load_recipe applies at every rebuild


class RecipeError(ValueError):
    """A recipe that cannot be rebuilt, or a setting it does not have."""


def split_recipe(path) -> tuple[list[str], ast.Module]:
    """The PART 1 setting names of a whole recipe, and its PART 2-5 statements."""
    text = Path(path).read_text(encoding="utf-8")
    banner = next((n for n, line in enumerate(text.splitlines(), 1) if _PART_2.match(line)), None)
    if banner is None:
        raise RecipeError(f"{path}: no PART 2 banner; a whole recipe keeps XTuner's "
                          "PART 1-5 layout")
    tree = ast.parse(text, filename=str(path))
    settings = [
        target.id
        for node in tree.body
        if node.lineno < banner and isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    ]
    parts = ast.Module(body=[node for node in tree.body if node.lineno > banner], type_ignores=[])
    return settings, parts


def rebuild_parts(namespace: dict, recipe: str = PARTS_RECIPE) -> dict:
    """What ``recipe``'s PART 2-5 bind when run on ``namespace`` (a child config's globals).

    ``recipe`` is found next to ``namespace["__file__"]``; ``namespace`` must hold all its
    PART 1 settings and imports (``with read_base(): from .v1 import *`` provides them).
    """
    path = Path(namespace["__file__"]).with_name(recipe)
    settings, parts = split_recipe(path)
    missing = [name for name in settings if name not in namespace]
    if missing:
        raise RecipeError(f"{path}: PART 1 settings {missing} are undefined; read the recipe "
                          "first (with read_base(): from .v1 import *)")
    scope = dict(namespace)
    changed = {}
    if _pending is not None:
        changed = _pending["settings"]
        unknown = sorted(set(changed) - set(settings))
        if unknown:
            raise RecipeError(f"{path}: {unknown} are not PART 1 settings; choose from {settings}")
        scope.update(changed)
        _pending["rebuilt"] = True
    exec(compile(parts, str(path), "exec"), scope)  # noqa: S102 - the recipe's own statements
    bound = {n.id for n in ast.walk(parts)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {**{name: scope[name] for name in sorted(bound) if name in scope}, **changed}


def namespace_of(cfg) -> dict:
    """A read config's globals as its file saw them (imports still lazy), for ``rebuild_parts``."""
    # mmengine 0.10.6 (XTuner's pin) has no public way to keep the imported names lazy
    return {**cfg._to_lazy_dict(keep_imported=True), "__file__": cfg.filename}


@contextmanager
def _applying(settings: dict):
    """Make every ``rebuild_parts`` inside apply ``settings``; yields whether one ran."""
    global _pending
    if _pending is not None:
        raise RuntimeError("load_recipe is not reentrant")
    _pending = {"settings": dict(settings), "rebuilt": False}
    try:
        yield _pending
    finally:
        _pending = None


def load_recipe(path, settings: dict | None = None):
    """The mmengine ``Config`` of ``path``, as if its PART 1 had set ``settings`` last."""
    from mmengine.config import Config

    with _applying(settings or {}) as pending:
        cfg = Config.fromfile(str(path))
    if settings and not pending["rebuilt"]:  # a whole recipe (v1): rerun its own PART 2-5
        with _applying(settings):
            for name, value in rebuild_parts(namespace_of(cfg), Path(path).name).items():
                cfg[name] = value
    return cfg
