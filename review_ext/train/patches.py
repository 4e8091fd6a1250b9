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

    apply_liger_kernel_to_mixtral(rope=True, rms_norm=False, swiglu=True, fused_linear_cross_entropy=True)
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
        bounds = attention.packed_bounds() if past_key_value is None and hidden_states.shape[0] == 1 else None
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


def dense_moe_forward(block, hidden_states):
    """Mixtral's MoE with every expert run on every token, weighted by the router.

    Same result as the sparse loop (unselected experts get weight 0), with no
    data-dependent shapes, so a decode step can be captured as a CUDA graph.
    Decoding reads every expert's weights anyway, so the extra FLOPs are free.
    """
    import torch.nn.functional as F

    batch, seq, dim = hidden_states.shape
    x = hidden_states.view(-1, dim)
    router_logits = block.gate(x)
    weights = F.softmax(router_logits, dim=1, dtype=torch.float)
    top_w, top_i = torch.topk(weights, block.top_k, dim=-1)
    top_w = (top_w / top_w.sum(dim=-1, keepdim=True)).to(x.dtype)
    dense_w = torch.zeros_like(weights, dtype=x.dtype).scatter(1, top_i, top_w)
    out = torch.zeros_like(x)
    for e, expert in enumerate(block.experts):
        out = out + expert(x) * dense_w[:, e, None]
    return out.view(batch, seq, dim), router_logits


def dense_moe_for_decode(model, max_tokens: int = 256) -> int:
    """Route MoE blocks through ``dense_moe_forward`` when a call holds <= ``max_tokens`` tokens.

    Prefill keeps the sparse path. A later call only moves the threshold (the latest wins);
    returns how many blocks were wrapped by this call.
    """
    import types

    changed = 0
    for module in model.modules():
        if type(module).__name__ != "MixtralSparseMoeBlock":
            continue
        module._dense_max_tokens = max_tokens
        if getattr(module, "_dense_decode", False):
            continue
        sparse = module.forward

        def forward(self, hidden_states, _sparse=sparse):
            if hidden_states.shape[0] * hidden_states.shape[1] <= self._dense_max_tokens:
                return dense_moe_forward(self, hidden_states)
            return _sparse(hidden_states)

        module.forward = types.MethodType(forward, module)
        module._dense_decode = True
        changed += 1
    return changed
