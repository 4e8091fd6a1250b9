"""A bounded request queue in front of one engine: concurrent requests decode as batches.

One worker thread owns the engine. It takes the oldest request plus every queued
request with the same sampling parameters (up to the batch size) and decodes them
together, halving on out-of-memory (``decode_with_backoff``). ``submit`` raises
:class:`QueueFull` when ``max_queue`` requests are already waiting. ``cancel`` drops a
request whose client left or whose time ran out: from the queue at once, or, while it
decodes on an engine that ``supports_cancel``, at its next token (the batch goes on).
"""
from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Sequence

from review_ext.generate.batching import BatchSizer, decode_with_backoff
from review_ext.generate.engine import Cancelled, Engine, SamplingParams, TokenCallback

log = logging.getLogger(__name__)


class QueueFull(RuntimeError):
    """Too many requests waiting; the caller should retry later."""


@dataclass
class _Request:
    ids: Sequence[int]
    params: SamplingParams
    on_token: TokenCallback | None
    future: Future = field(default_factory=Future)
    cancelled: str | None = None  # why: "client_left" or "timeout"

    def callback(self, token: int) -> None:
        if self.cancelled:
            raise Cancelled(self.cancelled)
        if self.on_token:
            self.on_token(token)


class BatchScheduler:
    """``submit(ids, params, on_token) -> Future[Completion]``, decoded by a worker thread."""

    def __init__(self, engine: Engine, max_batch_size: int = 8, max_queue: int = 256):
        self.engine = engine
        self.sizer = BatchSizer(max_batch_size)
        self.max_queue = max_queue
        self.pending: deque[_Request] = deque()
        self.live: dict[Future, _Request] = {}
        self.running = 0
        self.cancelled: Counter = Counter()  # requests stopped before their end, by reason
        self.cond = threading.Condition()
        self.closed = False
        self.worker = threading.Thread(target=self._loop, name="decode", daemon=True)
        self.worker.start()

    def submit(self, ids: Sequence[int], params: SamplingParams,
               on_token: TokenCallback | None = None) -> Future:
        request = _Request(ids, params, on_token)
        with self.cond:
            if self.closed:
                raise RuntimeError("scheduler is closed")
            if len(self.pending) >= self.max_queue:
                raise QueueFull(f"{len(self.pending)} requests are waiting")
            self.pending.append(request)
            self.live[request.future] = request
            self.cond.notify()
        return request.future

    def cancel(self, future: Future, reason: str) -> None:
        """Stop the request of ``future``: its client left (``client_left``) or its time ran out."""
        with self.cond:
            request = self.live.get(future)
            if request is None or request.cancelled:
                return
            request.cancelled = reason
            if request in self.pending:
                self.pending.remove(request)
                del self.live[future]
                future.cancel()
                self.cancelled[reason] += 1
        log.info("request cancelled (%s)", reason)

    def queued(self) -> int:
        with self.cond:
            return len(self.pending)

    def stats(self) -> dict:
        with self.cond:
            return {"queued": len(self.pending), "running": self.running,
                    "cancelled": dict(self.cancelled)}

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify()
        self.worker.join()

    def _next_batch(self) -> list[_Request]:
        with self.cond:
            while not self.pending and not self.closed:
                self.cond.wait()
            if not self.pending:
                return []
            params = self.pending[0].params
            batch = [r for r in self.pending if r.params == params][: self.sizer.size]
            for request in batch:
                self.pending.remove(request)
            for request in batch:
                if not request.future.set_running_or_notify_cancel():
                    self.live.pop(request.future, None)
            batch = [r for r in batch if r.future.running()]
            self.running = len(batch)
        return batch

    def _loop(self) -> None:
        while True:
            batch = self._next_batch()
            if not batch:
                if self.closed:
                    return
                continue
            if getattr(self.engine, "supports_cancel", False):
                callbacks = [r.callback for r in batch]  # also how a cancel reaches the engine
            else:
                callbacks = [r.on_token for r in batch]
            try:
                results, fitted = decode_with_backoff(
                    self.engine, [r.ids for r in batch], batch[0].params,
                    callbacks if any(callbacks) else None)
            except Exception as exc:  # noqa: BLE001 - the worker must survive anything
                log.exception("batch of %d failed", len(batch))
                results, fitted = [exc] * len(batch), len(batch)
            self.sizer.update(fitted, len(batch))
            self._settle(batch, results)

    def _settle(self, batch: list[_Request], results: list) -> None:
        with self.cond:
            self.running = 0
            for request in batch:
                del self.live[request.future]
        for request, result in zip(batch, results):
            if isinstance(result, BaseException):
                request.future.set_exception(result)
                continue
            if result.finish_reason == "cancelled":
                with self.cond:
                    self.cancelled[request.cancelled] += 1
            request.future.set_result(result)
