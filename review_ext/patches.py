"""Every change to third-party behaviour, in one place, applied explicitly.

``apply()`` is idempotent and is called by ``review_ext.model.ReviewFinetune``
before XTuner dispatches the model config, so configs need no user step.
"""
from __future__ import annotations

import torch

_APPLIED: set[str] = set()


def cpu_bf16_query() -> bool:
    """XTuner asks ``torch.cpu.is_bf16_supported()``, which CPU torch lacks (STACK trap 7).

    The shim answers False, so XTuner keeps the dtype the config asks for
    instead of stopping with AttributeError before training on a CPU.
    """
    if hasattr(torch.cpu, "is_bf16_supported"):
        return False
    torch.cpu.is_bf16_supported = lambda: False
    return True


PATCHES = {"cpu_bf16_query": cpu_bf16_query}


def apply() -> dict[str, bool]:
    """Apply every patch once; returns which ones changed something this call."""
    changed = {}
    for name, patch in PATCHES.items():
        if name in _APPLIED:
            changed[name] = False
            continue
        changed[name] = patch()
        _APPLIED.add(name)
    return changed
