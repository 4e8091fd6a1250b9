"""The scripts under ``tools/``, loaded as modules by path: ``tools/`` is a folder of scripts, not
a package."""

from __future__ import annotations

import importlib.util
import sys

from tests.helpers import ROOT

TOOLS = ROOT / "tools"


def load_tool(name: str):
    """``tools/<name>.py`` as a module (loaded once per process)."""
    key = f"review_tools.{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, TOOLS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]
