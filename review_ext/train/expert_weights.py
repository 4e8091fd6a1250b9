"""One projection's frozen expert weights, served a slice at a time (nf4/fp4 ones dequantised).

All 8 experts of one Mixtral-8x7B projection take 0.94 GB in bf16; the grouped MoE block
(:mod:`review_ext.train.moe`) multiplies by them a slice at a time, so that only that slice is
dequantised and alive. bitsandbytes packs a weight's 4-bit codes row-major, two per byte, with
one absmax per ``blocksize`` consecutive codes: a slice of output rows is a contiguous range of
codes and absmax, a slice of input columns (block-aligned, rows a whole number of blocks) a
strided one, copied out first (a few MB).
"""
from __future__ import annotations

import torch


def bounds(size: int, parts: int, align: int = 1) -> list[tuple[int, int]]:
    """(lo, hi) cutting ``range(size)`` into at most ``parts`` slices, cut points multiples of ``align``."""
    per = max(-(-size // max(parts, 1)), 1)
    step = -(-per // align) * align
    return [(lo, min(lo + step, size)) for lo in range(0, size, step)]


def _absmax(state) -> torch.Tensor:
    """One float per block (the nested, double-quantised absmax expanded)."""
    if not state.nested:
        return state.absmax
    import bitsandbytes.functional as bnbf

    return bnbf.dequantize_blockwise(state.absmax, state.state2) + state.offset


class ExpertWeights:
    """The (out, in) base weights of one projection of every expert, in ``dtype``."""

    def __init__(self, weights, dtype):
        self.weights, self.dtype = list(weights), dtype
        self.states = [getattr(w, "quant_state", None) for w in self.weights]
        self.quantized = all(s is not None for s in self.states)
        mixed = not self.quantized and any(s is not None for s in self.states)
        self.shape = tuple((self.states[0] or self.weights[0]).shape)
        # column slices need whole blocks in every row; otherwise quantised weights are served whole
        self.sliceable = not mixed and (not self.quantized or self.shape[1] % self.states[0].blocksize == 0)
        self._absmax = None

    def slices(self, dim: int, parts: int):
        """(lo, hi, weights) over output rows (``dim`` 0: (experts, hi - lo, in)) or input
        columns (``dim`` 1: (experts, out, hi - lo)); one slice when ``parts`` is 1."""
        align = self.states[0].blocksize if self.quantized and dim == 1 else 1
        cuts = bounds(self.shape[dim], parts if self.sliceable else 1, align)
        for lo, hi in cuts:
            yield lo, hi, self.part(dim, lo, hi) if len(cuts) > 1 else self.whole()

    def whole(self) -> torch.Tensor:
        """(experts, out, in): nf4/fp4 weights dequantised straight into their slice of one buffer."""
        if not self.quantized:
            return torch.stack([_dense(w, s, self.dtype) for w, s in zip(self.weights, self.states)])
        out = torch.empty((len(self.weights), *self.shape), dtype=self.dtype, device=self.weights[0].device)
        for e, (weight, state) in enumerate(zip(self.weights, self.states)):
            _dequantize(weight.data, state, out[e])
        return out

    def part(self, dim: int, lo: int, hi: int) -> torch.Tensor:
        if not self.quantized:
            return torch.stack([(w[lo:hi] if dim == 0 else w[:, lo:hi]).to(self.dtype) for w in self.weights])
        from bitsandbytes.functional import QuantState

        rows, cols = self.shape
        shape = torch.Size((hi - lo, cols) if dim == 0 else (rows, hi - lo))
        out = torch.empty((len(self.weights), *shape), dtype=self.dtype, device=self.weights[0].device)
        if self._absmax is None:
            self._absmax = [_absmax(s) for s in self.states]
        for e, (weight, state, absmax) in enumerate(zip(self.weights, self.states, self._absmax)):
            block = state.blocksize
            codes, scales = weight.data.view(rows, cols // 2), absmax.view(rows, cols // block)
            if dim == 0:
                codes, scales = codes[lo:hi], scales[lo:hi]
            else:
                codes, scales = codes[:, lo // 2:hi // 2].contiguous(), scales[:, lo // block:hi // block].contiguous()
            sliced = QuantState(absmax=scales.reshape(-1), shape=shape, code=state.code, blocksize=block,
                                quant_type=state.quant_type, dtype=self.dtype)
            _dequantize(codes.reshape(-1, 1), sliced, out[e])
        return out


def _dense(weight, state, dtype) -> torch.Tensor:
    if state is None:
        return weight.to(dtype)
    import bitsandbytes.functional as bnbf

    return bnbf.dequantize_4bit(weight.data, state).to(dtype)


def _dequantize(codes, state, out):
    import bitsandbytes.functional as bnbf

    if out.is_cuda and state.dtype == out.dtype:
        bnbf.dequantize_4bit(codes, state, out=out)
    else:  # bitsandbytes has no CPU kernel writing into ``out``, nor one casting
        out.copy_(bnbf.dequantize_4bit(codes, state))
