"""Packed attention that keeps the samples of a bin apart, without flash-attn.

XTuner's varlen path (``use_varlen_attn``) needs flash-attn; without it the bins of
:mod:`review_ext.data.packing` attend across sample boundaries. Here the bin's cumulative
lengths, which XTuner's ``VarlenAttnArgsToMessageHubHook`` puts in the ``varlen_attn_args``
message hub each iteration, select the kernel:

- a bin of one sample (its longest sample spans the bin, known on the host): one causal SDPA,
  the call transformers' SDPA path makes (cuDNN on Hopper; a long paper fills its bin alone).
  On CUDA the tokens are padded at the end to a multiple of ``SDPA_BUCKET``: cuDNN builds a
  plan per sequence length (~0.45 s on an H200), and bins differ by a few tokens; padding after
  the last token changes no real row of a causal attention;
- several samples on CUDA: ``torch.nn.attention.varlen.varlen_attn`` (FlashAttention inside
  torch >= 2.10), after a one-time check against the per-sample path;
- elsewhere: causal SDPA on each sample in turn.

RoPE positions restart per sample through the packing's ``position_ids``.
"""
from __future__ import annotations

import inspect

import torch
import torch.nn.functional as F
from mmengine import MessageHub
from mmengine.dist import get_rank

from review_ext.train.kernel_check import CheckedKernel

SDPA_BUCKET = 1024  # tokens; CUDA bins of one sample are padded to a multiple of this


def packed_bounds():
    """(cumulative lengths, longest sample) of the current bin, or None outside packed training."""
    hub = MessageHub.get_instance("varlen_attn_args")
    rank = get_rank()
    cumulative = hub.get_info(f"cumulative_len_rank_{rank}")
    if cumulative is None:
        return None
    return cumulative, int(hub.get_info(f"max_seqlen_rank_{rank}"))


def causal_sdpa(q, k, v, scale, bucket: int = 1):
    """Causal SDPA on (batch, heads, tokens, dim), k/v with fewer (kv) heads repeated first,
    run on the tokens padded at the end to a multiple of ``bucket``.

    4-D on purpose: 3-D inputs send CUDA SDPA to its fp32 math path.
    """
    tokens, groups = q.shape[2], q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
    pad = -tokens % bucket
    if pad:
        q, k, v = (F.pad(t, (0, 0, 0, pad)) for t in (q, k, v))
    return F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale)[:, :, :tokens]


def per_sample_attention(q, k, v, cumulative, scale):
    """Causal SDPA per sample: q (tokens, heads, dim), k/v (tokens, kv heads, dim)."""
    bounds = cumulative.tolist()
    outs = []
    for lo, hi in zip(bounds, bounds[1:]):
        qs, ks, vs = (t[lo:hi].transpose(0, 1)[None] for t in (q, k, v))
        outs.append(causal_sdpa(qs, ks, vs, scale)[0].transpose(0, 1))
    return torch.cat(outs)


def _varlen_call(q, k, v, cumulative, max_len, scale):
    from torch.nn.attention.varlen import varlen_attn

    params = inspect.signature(varlen_attn).parameters
    kwargs = dict(scale=scale)
    if "is_causal" in params:
        kwargs["is_causal"] = True
    else:
        kwargs["window_size"] = (-1, 0)  # unlimited left, none right: causal
    if "enable_gqa" in params:
        kwargs["enable_gqa"] = True
    else:
        groups = q.shape[1] // k.shape[1]
        k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
    cu = cumulative.to(torch.int32)
    return varlen_attn(q, k, v, cu, cu, max_len, max_len, **kwargs)


def _check_varlen(device, dtype) -> bool:
    gen = torch.Generator(device="cpu").manual_seed(0)
    cumulative = torch.tensor([0, 37, 40, 168], device=device)
    q0 = torch.randn(168, 8, 64, generator=gen).to(device, dtype)
    k0, v0 = (torch.randn(168, 2, 64, generator=gen).to(device, dtype) for _ in range(2))
    results = []
    for fn in (_varlen_call, lambda q, k, v, c, m, s: per_sample_attention(q, k, v, c, s)):
        q, k, v = (t.clone().requires_grad_() for t in (q0, k0, v0))
        out = fn(q, k, v, cumulative, 128, 0.125)
        out.float().pow(2).sum().backward()
        results.append((out.float(), q.grad.float(), k.grad.float(), v.grad.float()))
    return all(((a - b).norm() <= 2e-2 * b.norm()).item() for a, b in zip(*results))


VARLEN = CheckedKernel("packed attention", "torch varlen_attn", "per-sample SDPA", _check_varlen,
                       errors=(ImportError, RuntimeError, TypeError, NotImplementedError))


def varlen_ok(q: torch.Tensor) -> bool:
    """Whether torch's ``varlen_attn`` serves inputs like ``q`` (checked once per device/dtype)."""
    if q.device.type != "cuda" or q.dtype not in (torch.bfloat16, torch.float16):
        return False
    return VARLEN.ok(q.device, q.dtype)


def packed_attention(q, k, v, cumulative, max_len: int, scale: float) -> torch.Tensor:
    """Causal attention within each packed sample; q (tokens, heads, dim) -> same shape."""
    if varlen_ok(q):
        return _varlen_call(q, k, v, cumulative, max_len, scale)
    return per_sample_attention(q, k, v, cumulative, scale)


def packed_attn_forward(attn, hidden_states, position_embeddings, apply_rope, bounds):
    """``MixtralAttention.forward``'s work for one packed bin (batch 1) with its
    :func:`packed_bounds`: (output, None)."""
    tokens = hidden_states.shape[1]
    q, k, v = (proj(hidden_states).view(1, tokens, -1, attn.head_dim).transpose(1, 2)
               for proj in (attn.q_proj, attn.k_proj, attn.v_proj))
    cos, sin = position_embeddings
    q, k = apply_rope(
        q, k, cos, sin
    )  # (1, heads, tokens, dim): the layout Liger's RoPE expects too
    cumulative, max_len = bounds
    if max_len == tokens:  # one sample fills the bin
        out = causal_sdpa(q, k, v, attn.scaling, SDPA_BUCKET if q.is_cuda else 1).transpose(1, 2)
    else:
        q, k, v = (t[0].transpose(0, 1).contiguous() for t in (q, k, v))
        out = packed_attention(q, k, v, cumulative, max_len, attn.scaling)
    return attn.o_proj(out.reshape(1, tokens, -1)), None
