"""Decode attention over an FP8 (e4m3) slot cache in one Triton kernel (flash decoding).

An FP8 cache holds a slot in half the bytes of bf16, so twice the slots fit beside the
weights, and a decode step reads half the bytes per cached token. Converting the cache back
to bf16 before attention would write and read a bf16 copy each step (more traffic than a bf16
cache), so the kernel reads the FP8 bytes and widens them in registers. Each program takes one
(slot, KV head) and one split of the attended positions: the KV head's ``heads / kv_heads``
query rows (padded to 16, the smallest ``tl.dot``) against blocks of 64 positions with an
online softmax; the splits' partial sums are merged by their maxima afterwards (with torch).
Positions past a slot's own length are not read. The cache stores values as they are (scale
1, clamped to e4m3's +-448: ``kv_attention.SlotKVCache``). The arithmetic is fp32 (TF32 dots
on a GPU).

Triton is imported with this module; ``TRITON_INTERPRET=1`` set before the import runs the
kernel on the CPU (the tests do).
"""
from __future__ import annotations

import torch
import triton
import triton.language as tl

BLOCK_N = 64  # cached positions per inner step
ROWS = 16  # query rows per program: a KV head's group, padded for tl.dot
SPLIT_TOKENS = 1024  # about this many positions per split


@triton.jit
def _fp8_decode_attention_partials(q_ptr, k_ptr, v_ptr, pos_ptr, acc_ptr, ml_ptr, scale, kv_len,
                                   chunk, splits, sq0, sq1, sk0, sk1, sk2, sv0, sv1, sv2,
                                   KV_HEADS: tl.constexpr, GROUP: tl.constexpr,
                                   ROWS: tl.constexpr, D: tl.constexpr, BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    split = tl.program_id(1)
    s = (pid // KV_HEADS).to(tl.int64)  # slot offsets pass 2**31 bytes in large caches
    h = pid % KV_HEADS
    g = tl.arange(0, ROWS)
    d = tl.arange(0, D)
    q = tl.load(q_ptr + s * sq0 + (h * GROUP + g)[:, None] * sq1 + d[None, :],
                mask=(g < GROUP)[:, None], other=0.0).to(tl.float32)
    n_valid = tl.minimum(tl.load(pos_ptr + s) + 1, kv_len)
    start = split * chunk
    end = tl.minimum(start + chunk, n_valid)
    m_i = tl.full([ROWS], float("-inf"), tl.float32)
    l_i = tl.zeros([ROWS], tl.float32)
    acc = tl.zeros([ROWS, D], tl.float32)
    for n0 in range(start, end, BLOCK_N):
        n = n0 + tl.arange(0, BLOCK_N)
        valid = n < end
        k = tl.load(k_ptr + s * sk0 + h * sk1 + n[:, None] * sk2 + d[None, :],
                    mask=valid[:, None], other=0)
        k = k.to(tl.float8e4nv, bitcast=True).to(tl.float32)
        qk = tl.dot(q, tl.trans(k)) * scale
        qk = tl.where(valid[None, :], qk, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(qk, 1))  # finite: position n0 is valid
        p = tl.exp(qk - m_new[:, None])
        alpha = tl.exp(m_i - m_new)
        v = tl.load(v_ptr + s * sv0 + h * sv1 + n[:, None] * sv2 + d[None, :],
                    mask=valid[:, None], other=0)
        v = v.to(tl.float8e4nv, bitcast=True).to(tl.float32)
        acc = acc * alpha[:, None] + tl.dot(p, v)
        l_i = l_i * alpha + tl.sum(p, 1)
        m_i = m_new
    out = (pid * splits + split).to(tl.int64)
    tl.store(acc_ptr + out * ROWS * D + g[:, None] * D + d[None, :], acc)
    tl.store(ml_ptr + out * 2 * ROWS + g, m_i)
    tl.store(ml_ptr + out * 2 * ROWS + ROWS + g, l_i)


def fp8_decode_attention(q, keys, values, positions, scale: float):
    """One query token per slot over an FP8 cache: ``q`` ``(slots, heads, head_dim)``;
    ``keys``/``values`` ``(slots, kv_heads, kv_len, head_dim)`` FP8 views of the cache;
    ``positions`` ``(slots,)``: slot ``s`` attends over positions ``<= positions[s]``.
    Returns ``(slots, heads * head_dim)`` in ``q``'s dtype."""
    slots, heads, dim = q.shape
    kv_heads, kv_len = keys.shape[1], keys.shape[2]
    group = heads // kv_heads
    if group > ROWS or q.stride(-1) != 1 or keys.stride(-1) != 1 or values.stride(-1) != 1:
        raise ValueError(f"fp8 decode attention needs <= {ROWS} query heads per KV head and "
                         "a contiguous head dimension")
    splits = max(1, min(16, kv_len // SPLIT_TOKENS))
    chunk = triton.cdiv(triton.cdiv(kv_len, splits), BLOCK_N) * BLOCK_N
    acc = torch.empty(slots * kv_heads, splits, ROWS, dim, dtype=torch.float32, device=q.device)
    ml = torch.empty(slots * kv_heads, splits, 2, ROWS, dtype=torch.float32, device=q.device)
    k8, v8 = keys.view(torch.uint8), values.view(torch.uint8)
    _fp8_decode_attention_partials[(slots * kv_heads, splits)](
        q, k8, v8, positions, acc, ml, scale, kv_len, chunk, splits,
        q.stride(0), q.stride(1), k8.stride(0), k8.stride(1), k8.stride(2),
        v8.stride(0), v8.stride(1), v8.stride(2),
        KV_HEADS=kv_heads, GROUP=group, ROWS=ROWS, D=dim, BLOCK_N=BLOCK_N)
    m, denom = ml[:, :, 0], ml[:, :, 1]
    weight = torch.exp(m - m.amax(1, keepdim=True))  # split 0 always holds position 0
    out = (acc * weight[..., None]).sum(1) / (denom * weight).sum(1)[..., None]
    return out[:, :group].reshape(slots, heads * dim).to(q.dtype)
