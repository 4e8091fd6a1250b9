"""A per-slot KV cache and the attention that reads it, each KV head once.

The cache holds, per layer, keys and values of shape ``(slots, kv_heads, length, head_dim)``
(head-major, so one slot's head is a contiguous ``length x head_dim`` block). A decode
step writes one position per slot and attends over the first ``kv_len`` positions only
(``kv_len`` is a bucket the caller picks to cover the longest slot), masking each slot
past its own length. Grouped-query attention is done by viewing the ``heads`` queries of
a token as ``kv_heads`` groups of ``heads / kv_heads`` rows: every KV head is read once,
with no ``repeat_kv`` copy. Prefill of one prompt (no padding) uses causal SDPA.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

ATTENTION = ("sdpa", "matmul")


class SlotKVCache:
    """Keys and values for ``slots`` sequences of up to ``length`` tokens, one pair per layer."""

    def __init__(self, layers: int, slots: int, kv_heads: int, length: int, head_dim: int,
                 dtype, devices):
        shape = (slots, kv_heads, length, head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=devices[i]) for i in range(layers)]
        self.values = [torch.zeros(shape, dtype=dtype, device=devices[i]) for i in range(layers)]
        self.slots, self.kv_heads, self.length = slots, kv_heads, length

    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.keys + self.values)

    def write_prompt(self, layer: int, slot: int, k, v) -> None:
        """Store a prompt's ``(kv_heads, tokens, head_dim)`` keys/values at 0..tokens-1."""
        n = k.shape[-2]
        self.keys[layer][slot, :, :n].copy_(k)
        self.values[layer][slot, :, :n].copy_(v)

    def write_step(self, layer: int, k, v, flat_index) -> None:
        """Store one token per slot: ``k``/``v`` are ``(slots, kv_heads, head_dim)``.

        ``flat_index`` (from :meth:`step_index`) addresses each (slot, head) row at its
        slot's position; ``index_copy_`` keeps the step free of host synchronisation.
        """
        d = k.shape[-1]
        self.keys[layer].view(-1, d).index_copy_(0, flat_index, k.reshape(-1, d))
        self.values[layer].view(-1, d).index_copy_(0, flat_index, v.reshape(-1, d))

    def step_index(self, positions):
        """Row indices into a layer viewed as ``(slots * kv_heads * length, head_dim)``."""
        slots = torch.arange(self.slots, device=positions.device)[:, None]
        heads = torch.arange(self.kv_heads, device=positions.device)[None, :]
        return ((slots * self.kv_heads + heads) * self.length + positions[:, None]).reshape(-1)


def length_mask(positions, kv_len: int):
    """``(slots, 1, 1, kv_len)`` True where a slot's key position is <= its current position."""
    keys = torch.arange(kv_len, device=positions.device)
    return (keys[None, :] <= positions[:, None])[:, None, None, :]


def decode_attention(q, keys, values, mask, scale: float, impl: str = "sdpa"):
    """One query token per slot over the cache's first ``kv_len`` positions.

    ``q``: ``(slots, heads, head_dim)``; ``keys``/``values``: ``(slots, kv_heads, kv_len,
    head_dim)`` views of the cache; returns ``(slots, heads * head_dim)``.
    """
    slots, heads, dim = q.shape
    kv_heads = keys.shape[1]
    qg = q.reshape(slots, kv_heads, heads // kv_heads, dim)  # query head h uses KV head h // group
    if impl == "sdpa":
        out = F.scaled_dot_product_attention(qg, keys, values, attn_mask=mask, scale=scale)
    elif impl == "matmul":
        scores = torch.matmul(qg, keys.transpose(-1, -2)).float() * scale
        scores = scores.masked_fill(~mask, float("-inf"))
        out = torch.matmul(scores.softmax(-1).to(values.dtype), values)
    else:
        raise ValueError(f"attention must be one of {ATTENTION}, not {impl!r}")
    return out.reshape(slots, heads * dim)


def prefill_attention(q, k, v, scale: float):
    """Causal attention of one unpadded prompt: q ``(1, heads, n, d)``, k/v ``(1, kv_heads, n, d)``.

    ``enable_gqa`` lets SDPA map query heads to KV heads without a ``repeat_kv`` copy.
    """
    return F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale, enable_gqa=True)
