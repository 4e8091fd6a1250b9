"""Grouped matmuls over row groups: ``y[rows of e] = x[rows of e] @ w[e].T``.

Rows arrive sorted by group; ``offs`` holds each group's cumulative end row (int32, on
the device). On CUDA with bf16, ``torch._grouped_mm`` runs every group in one launch and
reads the offsets on the device (no host synchronisation); it is checked once against the
loop (forward and gradients, with an empty and unaligned groups) before it is used. The
loop fallback (CPU, other dtypes, a failed check) splits the rows on the host.
"""
from __future__ import annotations

import torch

from review_ext.train.kernel_check import CheckedKernel


def loop_mm(x: torch.Tensor, w: torch.Tensor, offs: torch.Tensor) -> torch.Tensor:
    """Reference: one matmul per group (one host read of ``offs``)."""
    counts = torch.diff(offs.long(), prepend=offs.new_zeros(1)).tolist()
    parts = [chunk @ w[e].T for e, chunk in enumerate(torch.split(x, counts))]
    return torch.cat(parts) if parts else x.new_zeros(0, w.shape[1])


def _device_mm(x, w, offs):
    return torch._grouped_mm(x, w.transpose(1, 2), offs=offs)


def _check_device_mm(device, dtype) -> bool:
    """``torch._grouped_mm`` equals the loop here (values and both gradients)."""
    gen = torch.Generator(device="cpu").manual_seed(0)
    counts = [5, 0, 29, 1]  # an empty group and counts that are not multiples of 8 or 16
    offs = torch.tensor(counts).cumsum(0).to(device=device, dtype=torch.int32)
    x0 = torch.randn(sum(counts), 64, generator=gen).to(device, dtype)
    w0 = torch.randn(len(counts), 48, 64, generator=gen).to(device, dtype)
    dy = torch.randn(sum(counts), 48, generator=gen).to(device, dtype)
    results = []
    for mm in (_device_mm, loop_mm):
        x, w = x0.clone().requires_grad_(), w0.clone().requires_grad_()
        y = mm(x, w, offs)
        y.backward(dy)
        results.append((y.float(), x.grad.float(), w.grad.float()))
    return all(torch.allclose(a, b, rtol=2e-2, atol=2e-1) for a, b in zip(*results))


DEVICE_MM = CheckedKernel("grouped MoE matmuls", "torch._grouped_mm", "per-expert loop",
                          _check_device_mm)


def device_mm_ok(x: torch.Tensor) -> bool:
    """Whether ``torch._grouped_mm`` may serve inputs like ``x`` (checked once per device/dtype)."""
    if x.device.type != "cuda" or x.dtype != torch.bfloat16 or not hasattr(torch, "_grouped_mm"):
        return False
    return DEVICE_MM.ok(x.device, x.dtype)


def grouped_mm(x: torch.Tensor, w: torch.Tensor, offs: torch.Tensor) -> torch.Tensor:
    """``x`` (rows, in) sorted by group, ``w`` (groups, out, in) -> (rows, out); differentiable."""
    if w.dtype != x.dtype:
        w = w.to(x.dtype)
    if device_mm_ok(x):
        return _device_mm(x, w, offs)
    return loop_mm(x, w, offs)
