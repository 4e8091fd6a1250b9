"""ZeRO-3 and Mixtral's MoE block.

Under ZeRO-3 every expert's weights are gathered one by one, and transformers
versions whose MoE loop skips idle experts hang (ranks gather different
parameters). Marking ``MixtralSparseMoeBlock`` a ZeRO-3 leaf gathers the whole
block at once and removes the dependency on which experts got tokens.
"""
from __future__ import annotations

from mmengine import print_log

MOE_BLOCK_NAMES = ("MixtralSparseMoeBlock",)


def moe_block_classes(model) -> list[type]:
    """The distinct MoE block classes present in ``model``."""
    found = {}
    for module in model.modules():
        if type(module).__name__ in MOE_BLOCK_NAMES:
            found[type(module).__name__] = type(module)
    return list(found.values())


def mark_moe_leaf_modules(model) -> int:
    """Register the MoE blocks of ``model`` as ZeRO-3 leaf modules; returns how many."""
    classes = moe_block_classes(model)
    if not classes:
        return 0
    try:
        from deepspeed.utils import set_z3_leaf_modules
    except ImportError:  # DeepSpeed absent: nothing can run ZeRO-3 either
        return 0
    leaves = set_z3_leaf_modules(model, classes)
    print_log(f"ZeRO-3 leaf modules: {len(leaves)} x {[c.__name__ for c in classes]}", "current")
    return len(leaves)
