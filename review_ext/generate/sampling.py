"""Next tokens from a step's logits, on the device, with no host synchronisation.

Covers :class:`SamplingParams` as HF ``generate`` applies it, except the repetition
penalty (engines hand such requests to ``generate``): ``min_new_tokens`` blocks EOS,
then greedy argmax, or temperature, top-k and top-p (HF's warpers) and a draw.
"""
from __future__ import annotations

import torch


def supported(params) -> bool:
    return params.repetition_penalty == 1.0


def next_tokens(logits, params, generated, eos_token_id: int):
    """``(slots,)`` token ids from fp32 ``(slots, vocab)`` logits.

    ``generated`` is a ``(slots,)`` tensor of tokens each slot has produced so far.
    """
    if params.min_new_tokens:
        blocked = generated.to(logits.device) < params.min_new_tokens
        logits[:, eos_token_id] = torch.where(blocked, float("-inf"), logits[:, eos_token_id])
    if not params.do_sample:
        return logits.argmax(-1)
    logits = logits / params.temperature
    if params.top_k:
        kth = torch.topk(logits, min(params.top_k, logits.shape[-1]), dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if params.top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=False)
        remove = sorted_logits.softmax(-1).cumsum(-1) <= 1 - params.top_p
        remove[:, -1] = False
        logits = logits.masked_fill(remove.scatter(1, order, remove), float("-inf"))
    return torch.multinomial(logits.softmax(-1), 1)[:, 0]
