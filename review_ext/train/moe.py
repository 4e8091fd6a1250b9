"""Mixtral's sparse MoE block for training, with no host synchronisation.

transformers' ``MixtralSparseMoeBlock`` loops over the experts and calls ``torch.where``
on each one's token mask: a device-to-host wait per expert per layer. Here the tokens are
sorted by expert id and each projection (w1, w3, w2) runs for all experts at once as a
grouped matmul (:mod:`review_ext.train.grouped_mm`) whose group offsets stay on the device.

Frozen expert weights (QLoRA, LoRA) are stacked, nf4 ones dequantised, once per layer per
pass (forward, and again for the backward instead of keeping them alive); the experts' LoRA
A/B run as grouped matmuls too, with the LoRA scaling folded into B (a small tensor) rather
than applied to the rows. With Liger on, ``silu(w1 x) * w3 x`` is its fused kernel, which keeps
only its two inputs for the backward. Trainable expert weights (full fine-tune) are stacked with
autograd. A block this module does not cover (LoRA with bias, DoRA, several adapters)
keeps transformers' forward: :func:`supports` says which.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from review_ext.train.grouped_mm import grouped_mm

PROJECTIONS = ("w1", "w3", "w2")
fused_silu_mul = None  # set by review_ext.train.patches.liger_kernels: Liger's SiLU-and-multiply


def _base(linear):
    return linear.get_base_layer() if hasattr(linear, "get_base_layer") else linear


def _adapter(linear) -> str | None:
    """The one active LoRA adapter of a peft layer (None: plain layer or adapters off)."""
    if not hasattr(linear, "lora_A") or linear.disable_adapters:
        return None
    active = [a for a in linear.active_adapters if a in linear.lora_A]
    return active[0] if active else None


def supports(block) -> bool:
    """Whether :func:`moe_forward` covers ``block``'s experts (else transformers' forward runs)."""
    for name in PROJECTIONS:
        linears = [getattr(expert, name) for expert in block.experts]
        if any(_base(lin).bias is not None or getattr(lin, "merged", False) for lin in linears):
            return False
        adapters = {_adapter(lin) for lin in linears}
        if len(adapters) != 1:
            return False
        adapter = adapters.pop()
        if adapter is not None:
            first = linears[0]
            if len(first.active_adapters) != 1 or first.use_dora.get(adapter, False):
                return False
            if len({lin.scaling[adapter] for lin in linears}) != 1 or getattr(
                first, "lora_bias", {}
            ).get(adapter):
                return False
    return True


def dense_weight(linear, dtype) -> torch.Tensor:
    """A (out, in) weight in ``dtype``: nf4/fp4 bitsandbytes weights dequantised."""
    weight = _base(linear).weight
    state = getattr(weight, "quant_state", None)
    if state is not None:
        import bitsandbytes.functional as bnbf

        return bnbf.dequantize_4bit(weight.data, state).to(dtype)
    return weight.to(dtype)


def stacked_weights(linears, dtype) -> torch.Tensor:
    """(experts, out, in): the experts' base weights of one projection.

    nf4/fp4 weights are dequantised straight into their slice of one buffer.
    """
    weights = [_base(lin).weight for lin in linears]
    states = [getattr(w, "quant_state", None) for w in weights]
    if all(s is not None and s.dtype == dtype for s in states):
        import bitsandbytes.functional as bnbf

        out = torch.empty((len(weights), *states[0].shape), dtype=dtype, device=weights[0].device)
        for e, (weight, state) in enumerate(zip(weights, states)):
            bnbf.dequantize_4bit(weight.data, state, out=out[e])
        return out
    return torch.stack([dense_weight(lin, dtype) for lin in linears])


class _FrozenGroupedLinear(torch.autograd.Function):
    """Grouped matmul with frozen weights that are rebuilt for the backward, not kept."""

    @staticmethod
    def forward(ctx, x, offs, linears):
        ctx.save_for_backward(offs)
        ctx.linears = linears
        with torch.no_grad():
            return grouped_mm(x, stacked_weights(linears, x.dtype), offs)

    @staticmethod
    def backward(ctx, dy):
        (offs,) = ctx.saved_tensors
        w = stacked_weights(ctx.linears, dy.dtype)
        return grouped_mm(dy.contiguous(), w.transpose(1, 2), offs), None, None


def expert_linear(x: torch.Tensor, offs: torch.Tensor, linears) -> torch.Tensor:
    """One projection of every expert on its sorted rows, LoRA included."""
    if any(_base(lin).weight.requires_grad for lin in linears):
        y = grouped_mm(x, stacked_weights(linears, x.dtype), offs)
    else:
        y = _FrozenGroupedLinear.apply(x, offs, tuple(linears))
    adapter = _adapter(linears[0])
    if adapter is None:
        return y
    first = linears[0]
    a = torch.stack([lin.lora_A[adapter].weight for lin in linears])
    b = torch.stack([lin.lora_B[adapter].weight for lin in linears])
    h = grouped_mm(first.lora_dropout[adapter](x), a, offs)
    return y + grouped_mm(h, b * first.scaling[adapter], offs)


def experts_forward(experts, x: torch.Tensor, offs: torch.Tensor) -> torch.Tensor:
    """SwiGLU experts on rows sorted by expert: ``w2(act(w1 x) * w3 x)``."""
    w1, w3, w2 = ([getattr(e, name) for e in experts] for name in PROJECTIONS)
    act = getattr(experts[0], "act_fn", F.silu)  # Liger's expert class has no act_fn (SiLU)
    gate, up = expert_linear(x, offs, w1), expert_linear(x, offs, w3)
    if (
        fused_silu_mul is not None
        and gate.is_cuda
        and (act is F.silu or isinstance(act, torch.nn.SiLU))
    ):
        h = fused_silu_mul(gate, up)
    else:
        h = act(gate) * up
    return expert_linear(h, offs, w2)


def route(router_logits: torch.Tensor, top_k: int, dtype):
    """Mixtral's routing: softmax in fp32, top-k, renormalised, cast to ``dtype``."""
    probs = F.softmax(router_logits, dim=1, dtype=torch.float)
    weights, experts = torch.topk(probs, top_k, dim=-1)
    weights = weights / weights.sum(dim=-1, keepdim=True)
    return weights.to(dtype), experts


def sort_by_expert(experts: torch.Tensor, num_experts: int):
    """Order of the (token, slot) pairs by expert and each expert's cumulative end, on the
    device."""
    flat = experts.reshape(-1)
    order = torch.argsort(flat, stable=True)
    counts = torch.zeros(num_experts, dtype=torch.long, device=flat.device)
    counts.scatter_add_(0, flat, torch.ones_like(flat))
    return order, counts.cumsum(0).to(torch.int32)


def moe_forward(block, hidden_states: torch.Tensor):
    """Drop-in for ``MixtralSparseMoeBlock.forward``: (output, router_logits)."""
    batch, seq, dim = hidden_states.shape
    if block.training and block.jitter_noise > 0:
        noise = torch.empty_like(hidden_states).uniform_(
            1.0 - block.jitter_noise, 1.0 + block.jitter_noise
        )
        hidden_states = hidden_states * noise
    x = hidden_states.reshape(-1, dim)
    router_logits = block.gate(x)
    weights, experts = route(router_logits, block.top_k, x.dtype)
    order, offs = sort_by_expert(experts, block.num_experts)
    rows = experts_forward(block.experts, x.index_select(0, order // block.top_k), offs)
    unsorted = torch.empty_like(rows).index_copy_(0, order, rows)  # back to (token, slot) order
    out = (unsorted.view(-1, block.top_k, dim) * weights.unsqueeze(-1)).sum(dim=1)
    return out.view(batch, seq, dim), router_logits
