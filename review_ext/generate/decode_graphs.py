"""Decode steps on fixed buffers, replayed as CUDA graphs (one per attended length).

:class:`StepRunner` owns the ``tokens`` and ``positions`` buffers a step reads. On a
model that sits on one CUDA device it captures ``SlotModel.decode`` once per ``kv_len``
bucket and replays it (no per-kernel launch cost); elsewhere (CPU, a model spread over
several GPUs) it runs the same step eagerly. Capturing runs the step once first; that
run writes the very keys and values the replay writes again, so it changes nothing.
"""
from __future__ import annotations

import logging

import torch

log = logging.getLogger(__name__)


class StepRunner:
    """``runner(kv_len) -> logits`` for the slots' current ``tokens`` at ``positions``."""

    def __init__(self, slot_model, slots: int, graphs: bool = True):
        self.model = slot_model
        device = slot_model.input_device
        self.tokens = torch.zeros(slots, dtype=torch.long, device=device)
        self.positions = torch.zeros(slots, dtype=torch.long, device=device)
        one_gpu = len(set(slot_model.devices)) == 1 and device == slot_model.devices[0]
        self.graphs_on = graphs and device.type == "cuda" and one_gpu
        self._graphs: dict[int, tuple] = {}
        self._pool = None

    def __call__(self, kv_len: int):
        if not self.graphs_on:
            return self.model.decode(self.tokens, self.positions, kv_len)
        if kv_len not in self._graphs:
            self._graphs[kv_len] = self._capture(kv_len)
        graph, logits = self._graphs[kv_len]
        graph.replay()
        return logits

    def _capture(self, kv_len: int):
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm-up outside the graph (workspaces, lazy init)
            self.model.decode(self.tokens, self.positions, kv_len)
        torch.cuda.current_stream().wait_stream(side)
        if self._pool is None:
            self._pool = torch.cuda.graph_pool_handle()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, pool=self._pool):
            logits = self.model.decode(self.tokens, self.positions, kv_len)
        log.info("captured a decode graph: %d slots x %d cached tokens",
                 self.tokens.shape[0], kv_len)
        return graph, logits
