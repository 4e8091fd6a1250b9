"""Batches that survive out-of-memory, on any engine.

:func:`decode_with_backoff` runs one batch, halving it on CUDA out-of-memory;
:func:`generate_sorted` drives many prompts through it longest first, with a
:class:`BatchSizer` that shrinks after out-of-memory and grows back, yielding results
as each batch ends. ``review_ext.serve.scheduler`` does the same for a server's queue.
"""
from __future__ import annotations

import logging
from typing import Iterator, Sequence

from review_ext.generate.engine import Completion, Engine, SamplingParams, TokenCallback

log = logging.getLogger(__name__)


def is_oom(exc: BaseException) -> bool:
    """True for CUDA (or other accelerator) out-of-memory errors."""
    import torch

    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()


def free_accelerator_memory() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


class BatchSizer:
    """The batch size to try next: cut to what fitted after out-of-memory, doubled back
    (up to ``limit``) after ``grow_after`` batches that fitted."""

    def __init__(self, limit: int, grow_after: int = 4):
        self.limit = self.size = max(1, limit)
        self.grow_after, self.clean = grow_after, 0

    def update(self, fitted: int, tried: int) -> None:
        if fitted < tried:
            self.size, self.clean = max(1, fitted), 0
            log.warning("out of memory at batch %d: batch size -> %d", tried, self.size)
            return
        self.clean += 1
        if self.clean >= self.grow_after and self.size < self.limit:
            self.size, self.clean = min(self.limit, self.size * 2), 0


def decode_with_backoff(
    engine: Engine,
    prompts: Sequence[Sequence[int]],
    params: SamplingParams,
    on_token: Sequence[TokenCallback | None] | None = None,
) -> tuple[list[Completion | Exception], int]:
    """Decode one batch, halving it on out-of-memory; return results and the size that fitted.

    A single prompt that still runs out of memory, or any other engine error, comes back
    as the exception in place of its completion. Streamed tokens are forwarded once:
    a retried half re-sends only what it had not sent before.
    """
    sent = [0] * len(prompts)

    def forward_once(i: int) -> TokenCallback:
        seen = 0

        def callback(token: int) -> None:
            nonlocal seen
            seen += 1
            if seen > sent[i]:
                sent[i] = seen
                on_token[i](token)

        return callback

    def attempt(idx: list[int]) -> tuple[dict, int]:
        callbacks = [forward_once(i) if on_token and on_token[i] else None for i in idx]
        try:
            results = engine.generate([prompts[i] for i in idx], params,
                                      callbacks if any(callbacks) else None)
            return dict(zip(idx, results)), len(idx)
        except Exception as exc:  # noqa: BLE001 - engine errors become per-prompt errors
            error = exc.with_traceback(None)  # its frames hold the batch's tensors
        oom = is_oom(error)
        if oom:
            free_accelerator_memory()
        if oom and len(idx) > 1:
            half = len(idx) // 2
            first, fit1 = attempt(idx[:half])
            second, fit2 = attempt(idx[half:])
            return {**first, **second}, min(fit1, fit2)
        log.error("generation failed for %d prompt(s) (longest %d tokens): %s",
                  len(idx), max(len(prompts[i]) for i in idx), error)
        return {i: error for i in idx}, 1 if oom else len(idx)

    results, fitted = attempt(list(range(len(prompts))))
    return [results[i] for i in range(len(prompts))], fitted


def generate_sorted(
    engine: Engine,
    jobs: Sequence[tuple[object, Sequence[int]]],
    params: SamplingParams,
    batch_size: int,
) -> Iterator[tuple[list[object], list[Completion | Exception]]]:
    """Decode ``(key, prompt_ids)`` jobs longest first; yield ``(keys, results)`` per batch.

    Longest first, so out-of-memory shows early and later (shorter) batches can grow back.
    """
    pending = sorted(jobs, key=lambda job: len(job[1]), reverse=True)
    sizer, start = BatchSizer(batch_size), 0
    while start < len(pending):
        batch = pending[start:start + sizer.size]
        results, fitted = decode_with_backoff(engine, [p for _, p in batch], params)
        sizer.update(fitted, len(batch))
        start += len(batch)
        yield [k for k, _ in batch], results
