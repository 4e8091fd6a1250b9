"""Every change to third-party behaviour, in one place, applied explicitly.

``apply()`` is idempotent and is called by ``review_ext.train.model.ReviewFinetune``
before XTuner dispatches the model config, so configs need no user step.
"""
from __future__ import annotations

import torch

_APPLIED: set[str] = set()


def cpu_bf16_query() -> bool:
    """XTuner asks ``torch.cpu.is_bf16_supported()``, which CPU torch lacks.

    The shim answers False, so XTuner keeps the dtype the config asks for
    instead of stopping with AttributeError before training on a CPU.
    """
    if hasattr(torch.cpu, "is_bf16_supported"):
        return False
    torch.cpu.is_bf16_supported = lambda: False
    return True


def liger_kernels() -> bool:
    """Liger's Triton kernels for Mixtral: RoPE, SwiGLU experts (also inside the grouped MoE
    block: ``review_ext.train.moe.fused_silu_mul``) and a fused lm_head + cross-entropy that
    never materialises the logits. Not its RMSNorm: its backward kernel is compiled anew for
    each ``ceil(tokens / SMs)``, and packed bins differ in length (on an H200 at 16K tokens
    that compile stalled most steps).

    Class-level, so it must run before the model is built. Needs CUDA and the
    optional ``liger-kernel`` package; returns False (and changes nothing) otherwise.
    """
    if not torch.cuda.is_available():
        return False
    try:
        from liger_kernel.ops.swiglu import LigerSiLUMulFunction
        from liger_kernel.transformers import apply_liger_kernel_to_mixtral
    except ImportError:
        return False
    from review_ext.train import moe

    apply_liger_kernel_to_mixtral(
        rope=True, rms_norm=False, swiglu=True, fused_linear_cross_entropy=True
    )
    moe.fused_silu_mul = LigerSiLUMulFunction.apply
    return True


def grouped_moe() -> bool:
    """``MixtralSparseMoeBlock.forward`` -> :func:`review_ext.train.moe.moe_forward`
    (sorted tokens, grouped expert matmuls, no host synchronisation).

    Class-level; a block the grouped path does not cover keeps transformers' forward,
    which stays reachable as ``forward.hf_forward``. Returns False if already applied.
    """
    from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock

    from review_ext.train import moe

    if hasattr(MixtralSparseMoeBlock.forward, "hf_forward"):
        return False
    hf_forward = MixtralSparseMoeBlock.forward

    def forward(self, hidden_states):
        if moe.supports(self):
            return moe.moe_forward(self, hidden_states)
        return hf_forward(self, hidden_states)

    forward.hf_forward = hf_forward
    MixtralSparseMoeBlock.forward = forward
    return True


def packed_attention() -> bool:
    """``MixtralAttention.forward`` keeps packed samples apart when XTuner's varlen hook
    has put the bin's cumulative lengths in the message hub (no flash-attn needed;
    :mod:`review_ext.train.attention`). Otherwise, and with a KV cache, transformers'
    forward runs (kept as ``forward.hf_forward``). Returns False if already applied.
    """
    from transformers.models.mixtral import modeling_mixtral

    from review_ext.train import attention

    cls = modeling_mixtral.MixtralAttention
    if hasattr(cls.forward, "hf_forward"):
        return False
    hf_forward = cls.forward

    def forward(self, hidden_states, position_embeddings, attention_mask=None, past_key_value=None,
                cache_position=None, **kwargs):
        bounds = (
            attention.packed_bounds()
            if past_key_value is None and hidden_states.shape[0] == 1
            else None
        )
        if bounds is not None:
            return attention.packed_attn_forward(self, hidden_states, position_embeddings,
                                                 modeling_mixtral.apply_rotary_pos_emb, bounds)
        return hf_forward(self, hidden_states, position_embeddings, attention_mask, past_key_value,
                          cache_position, **kwargs)

    forward.hf_forward = hf_forward
    cls.forward = forward
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
