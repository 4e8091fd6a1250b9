"""XTuner's SupervisedFinetune with this suite's patches and the ZeRO-3 MoE fix wired in."""
from __future__ import annotations

from xtuner.model import SupervisedFinetune

from review_ext.train import patches
from review_ext.train.zero3 import mark_moe_leaf_modules


class ReviewFinetune(SupervisedFinetune):
    """``SupervisedFinetune`` plus: patches applied first, MoE blocks as ZeRO-3 leaves,
    the grouped MoE block (``grouped_moe``), packed attention that needs no flash-attn
    (with ``use_varlen_attn``), and (``liger_kernels``, where CUDA and
    liger-kernel exist) Liger's fused kernels.

    ``z3_leaf_moe`` marks the blocks before the DeepSpeed engine is built
    (the strategy wraps the model after it is constructed); the mark is inert
    outside ZeRO-3.
    """

    def __init__(self, *args, z3_leaf_moe: bool = True, liger_kernels: bool = False,
                 grouped_moe: bool = True, **kwargs):
        patches.apply()
        if grouped_moe:
            patches.grouped_moe()
        if kwargs.get("use_varlen_attn"):
            patches.packed_attention()
        liger_on = liger_kernels and patches.liger_kernels()
        super().__init__(*args, **kwargs)
        self.liger_kernels = liger_on
        self.z3_leaf_modules = mark_moe_leaf_modules(self.llm) if z3_leaf_moe else 0
