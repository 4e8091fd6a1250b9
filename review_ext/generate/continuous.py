"""Continuous batching: a fixed set of cache slots, each taking the next prompt when it frees.

:class:`ContinuousDecoder` prefills a prompt into a free slot (one unpadded prompt at a
time), then decodes every busy slot together, ``sync_every`` steps between looks from
the host; a slot whose review ended (EOS or ``max_new_tokens``) hands its result out at
once and takes the next prompt, so the batch stays full until the queue is empty. Tokens
a slot decodes after its EOS within those few steps are dropped. Prompts are taken
longest first. Results come back per prompt, in the order they finish.
"""
from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field

import torch

from review_ext.generate.batching import free_accelerator_memory, is_oom
from review_ext.generate.decode_graphs import StepRunner
from review_ext.generate.engine import Cancelled, Completion
from review_ext.generate.sampling import next_tokens

log = logging.getLogger(__name__)


@dataclass
class _Busy:
    key: object
    position: int  # where the slot's pending token goes in its cache row
    tokens: list = field(default_factory=list)
    on_token: object = None


class ContinuousDecoder:
    """Decode many prompts through ``slots`` cache rows of one :class:`SlotModel`."""

    def __init__(self, slot_model, eos_token_id: int, max_context: int, graphs: bool = True,
                 sync_every: int = 8, bucket: int = 1024):
        self.model, self.eos, self.max_context = slot_model, eos_token_id, max_context
        self.graphs, self.sync_every, self.bucket = graphs, sync_every, bucket
        self.runner: StepRunner | None = None

    def _prepare(self, slots: int, length: int) -> int:
        """A cache of ``slots`` x ``length``, halved on OOM; one that holds it already is reused
        (its extra slots stay idle), so varying batch sizes do not re-allocate and re-capture.
        Returns the slot count to use."""
        length = -(-length // self.bucket) * self.bucket
        cache = self.model.cache
        if self.runner is not None and cache.slots >= slots and cache.length >= length:
            return cache.slots
        while True:
            try:
                self.runner = None
                self.model.allocate(slots, length)
                break
            except Exception as exc:  # noqa: BLE001 - only out-of-memory is retried
                if not is_oom(exc) or slots == 1:
                    raise
                self.model.cache = None
                free_accelerator_memory()
                slots //= 2
                log.warning("KV cache out of memory: %d slots", slots)
        self.runner = StepRunner(self.model, slots, graphs=self.graphs)
        log.info("KV cache: %d slots x %d tokens (%.1f GB)", slots, length,
                 self.model.cache.nbytes() / 1e9)
        return slots

    def run(self, jobs, params, slots: int, on_token=None):
        """Yield ``(key, Completion | Exception)`` for ``jobs`` = ``[(key, prompt_ids)]``."""
        if not jobs:
            return
        bad = [j for j in jobs if len(j[1]) + params.max_new_tokens > self.max_context]
        for key, ids in bad:
            yield key, ValueError(f"prompt of {len(ids)} tokens + {params.max_new_tokens} new "
                                  f"exceeds {self.max_context}")
        callbacks = dict(zip((k for k, _ in jobs), on_token or [None] * len(jobs)))
        jobs = [j for j in jobs if len(j[1]) + params.max_new_tokens <= self.max_context]
        if not jobs:
            return
        length = max(len(ids) for _, ids in jobs) + params.max_new_tokens
        slots = self._prepare(min(slots, len(jobs)), length)
        if params.seed is not None:
            torch.manual_seed(params.seed)
        queue = deque(sorted(jobs, key=lambda job: len(job[1]), reverse=True))
        busy: list[_Busy | None] = [None] * slots
        device = self.runner.tokens.device
        generated = torch.zeros(slots, dtype=torch.long, device=device)
        live = torch.zeros(slots, dtype=torch.long, device=device)
        while queue or any(busy):
            for s in range(slots):
                while busy[s] is None and queue:
                    key, ids = queue.popleft()
                    result = self._start(s, key, ids, params, busy, generated, live,
                                         callbacks.get(key))
                    if result is not None:
                        yield key, result
            if any(busy):
                yield from self._decode_or_fail(params, busy, generated, live)

    def _decode_or_fail(self, params, busy, generated, live) -> list:
        """:meth:`_decode_some`; if a step fails, the busy slots' papers get the error."""
        try:
            return self._decode_some(params, busy, generated, live)
        except Exception as exc:  # noqa: BLE001 - the papers in flight get it, the queue goes on
            if is_oom(exc):
                free_accelerator_memory()
            log.error("decode step failed for %d papers: %s", sum(b is not None for b in busy), exc)
            error = exc.with_traceback(None)
            failed = [(b.key, error) for b in busy if b is not None]
            busy[:] = [None] * len(busy)
            live.zero_()
            return failed

    @torch.inference_mode()
    def _start(self, s, key, ids, params, busy, generated, live, on_token):
        """Prefill ``ids`` into slot ``s``; a Completion/Exception if it ended at once."""
        try:
            logits = self.model.prefill(ids, s)
            first = int(next_tokens(logits[None], params, generated[s:s + 1] * 0, self.eos)[0])
        except Exception as exc:  # noqa: BLE001 - one prompt's error is its own result
            if is_oom(exc):
                free_accelerator_memory()
            log.error("prefill of a %d-token prompt failed: %s", len(ids), exc)
            return exc.with_traceback(None)
        if first == self.eos:
            return Completion([], "stop")
        if on_token:
            try:
                on_token(first)
            except Cancelled:
                return Completion([], "cancelled")
        if params.max_new_tokens == 1:
            return Completion([first], "length")
        busy[s] = _Busy(key, len(ids), [first], on_token)
        self.runner.tokens[s] = first
        self.runner.positions[s] = len(ids)
        generated[s], live[s] = 1, 1
        return None

    @torch.inference_mode()
    def _decode_some(self, params, busy, generated, live) -> list:
        """A few decode steps for every busy slot; ``(key, result)`` of the reviews that ended."""
        active = [b for b in busy if b is not None]
        steps = min(self.sync_every, min(params.max_new_tokens - len(b.tokens) for b in active))
        reach = max(b.position for b in active) + steps
        kv_len = min(self.model.cache.length, -(-reach // self.bucket) * self.bucket)
        runner, history = self.runner, []
        for _ in range(steps):
            token = next_tokens(runner(kv_len), params, generated, self.eos)
            runner.tokens.copy_(token)
            runner.positions.add_(live)
            generated.add_(live)
            history.append(token)
        block = torch.stack(history, 1).tolist()  # the one host synchronisation
        ended = []
        for s, b in enumerate(busy):
            if b is None:
                continue
            b.position += steps
            result = self._take(b, block[s], params)
            if result is not None:
                busy[s] = None
                live[s] = 0
                ended.append((b.key, result))
        return ended

    def _take(self, b: _Busy, tokens, params):
        """Append a slot's new tokens up to EOS, the limit or a :class:`Cancelled` callback;
        its Completion when it ended."""
        for token in tokens:
            if token == self.eos:
                return Completion(b.tokens, "stop")
            if b.on_token:
                try:
                    b.on_token(token)
                except Cancelled:  # its client left: stop this slot alone
                    return Completion(b.tokens, "cancelled")
            b.tokens.append(token)
            if len(b.tokens) >= params.max_new_tokens:
                return Completion(b.tokens, "length")
        return None
