"""A per-slot KV cache and the attention that reads it, each KV head once.

The cache holds, per layer, keys and values of shape ``(slots, kv_heads, length, head_dim)``
(head-major, so one slot's head is a contiguous ``length x head_dim`` block). A decode
step writes one position per slot and attends over the first ``kv_len`` positions only
(``kv_len`` is a bucket the caller picks to cover the longest slot), masking each slot
past its own length. Grouped-query attention is done by viewing the ``heads`` queries of
a token as ``kv_heads`` groups of ``heads / kv_heads`` rows: every KV head is read once,
with no ``repeat_kv`` copy. Prefill of one prompt (no padding) uses causal SDPA.

``kv_dtype="fp8"`` stores keys and values as e4m3 (half the bytes of bf16, so twice the
slots); decode steps then read them with :mod:`review_ext.generate.fp8_decode`'s kernel on a
GPU (or under ``TRITON_INTERPRET=1``), elsewhere widened to the query's dtype first.
"""
from __future__ import annotations

import os

import torch
import torch.nn.functional as F

ATTENTION = ("sdpa", "matmul")
KV_DTYPES = ("model", "fp8")  # the model's own dtype, or e4m3
FP8_MAX = 448.0  # e4m3's largest finite value; stored values are clamped to it


def _store(x, dtype):
    """``x`` as the cache stores it (clamped first when the cache is e4m3)."""
    if dtype == torch.float8_e4m3fn:
        x = x.clamp(-FP8_MAX, FP8_MAX)
    return x.to(dtype)


class SlotKVCache:
    """Keys and values for ``slots`` sequences of up to ``length`` tokens, one pair per layer."""

    def __init__(self, layers: int, slots: int, kv_heads: int, length: int, head_dim: int,
                 dtype, devices, kv_dtype: str = "model"):
        if kv_dtype not in KV_DTYPES:
            raise ValueError(f"kv_dtype must be one of {KV_DTYPES}, not {kv_dtype!r}")
        dtype = torch.float8_e4m3fn if kv_dtype == "fp8" else dtype
        shape = (slots, kv_heads, length, head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=devices[i]) for i in range(layers)]
        self.values = [torch.zeros(shape, dtype=dtype, device=devices[i]) for i in range(layers)]
        self.slots, self.kv_heads, self.length, self.dtype = slots, kv_heads, length, dtype

    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.keys + self.values)

    def write_prompt(self, layer: int, slot: int, k, v) -> None:
        """Store a prompt's ``(kv_heads, tokens, head_dim)`` keys/values at 0..tokens-1."""
        n = k.shape[-2]
        self.keys[layer][slot, :, :n].copy_(_store(k, self.dtype))
        self.values[layer][slot, :, :n].copy_(_store(v, self.dtype))

    def write_step(self, layer: int, k, v, flat_index) -> None:
        """Store one token per slot: ``k``/``v`` are ``(slots, kv_heads, head_dim)``.

        ``flat_index`` (from :meth:`step_index`) addresses each (slot, head) row at its
        slot's position; ``index_copy_`` keeps the step free of host synchronisation
        (on the bytes of an e4m3 cache, which ``index_copy_`` does not take as such).
        """
        d = k.shape[-1]
        for cache, x in ((self.keys[layer], k), (self.values[layer], v)):
            x = _store(x, self.dtype).reshape(-1, d)
            if self.dtype == torch.float8_e4m3fn:
                cache, x = cache.view(torch.uint8), x.view(torch.uint8)
            cache.view(-1, d).index_copy_(0, flat_index, x)

    def step_index(self, positions):
        """Row indices into a layer viewed as ``(slots * kv_heads * length, head_dim)``."""
        slots = torch.arange(self.slots, device=positions.device)[:, None]
        heads = torch.arange(self.kv_heads, device=positions.device)[None, :]
        return ((slots * self.kv_heads + heads) * self.length + positions[:, None]).reshape(-1)


def length_mask(positions, kv_len: int):
    """``(slots, 1, 1, kv_len)`` True where a slot's key position is <= its current position."""
    keys = torch.arange(kv_len, device=positions.device)
    return (keys[None, :] <= positions[:, None])[:, None, None, :]


def decode_attention(q, keys, values, mask, scale: float, impl: str = "sdpa", positions=None):
    """One query token per slot over the cache's first ``kv_len`` positions.

    ``q``: ``(slots, heads, head_dim)``; ``keys``/``values``: ``(slots, kv_heads, kv_len,
    head_dim)`` views of the cache; returns ``(slots, heads * head_dim)``. An e4m3 cache
    needs ``positions`` (each slot's last position, as ``mask`` says) for its kernel.
    """
    if keys.dtype == torch.float8_e4m3fn:
        if keys.is_cuda or os.environ.get("TRITON_INTERPRET") == "1":
            from review_ext.generate.fp8_decode import fp8_decode_attention

            return fp8_decode_attention(q, keys, values, positions, scale)
        keys, values = keys.to(q.dtype), values.to(q.dtype)
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
