"""Mixtral's MoE block run densely in decode steps: every expert on every token.

A decode step holds a few tokens, so reading every expert's weights costs no more than
reading the chosen ones, and the dense form has no data-dependent shapes: the step can be
captured as a CUDA graph. Prefill keeps the sparse path.
"""
from __future__ import annotations

import torch


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
