"""A faster decode engine: static KV cache, dense MoE decode steps, CUDA graphs.

Same interface as :class:`review_ext.generate.engine.HFEngine` (``--engine static``).
Each batch reuses one ``StaticCache`` of fixed shape (batch rows x
``cache_len``), so every decode step has the same shapes; MoE blocks run
densely for decode steps (``patches.dense_moe_for_decode``), so a step has no
data-dependent shapes; on CUDA, ``transformers`` then compiles the decode step
with ``torch.compile(mode="reduce-overhead")``, which replays it as a CUDA
graph. Prefill keeps the sparse MoE and runs uncompiled.
"""
from __future__ import annotations

import logging

from review_ext.generate.engine import EngineOptions, HFEngine, load_hf_model
from review_ext.train.patches import dense_moe_for_decode

log = logging.getLogger(__name__)


class StaticEngine(HFEngine):
    """HF ``generate`` over a reused static cache; one compiled decode graph per batch size."""

    def __init__(self, model, tokenizer, cache_len: int | None = None, dense_max_tokens: int = 256):
        super().__init__(model, tokenizer)
        self.cache_len = cache_len
        self.dense_blocks = dense_moe_for_decode(model, max_tokens=dense_max_tokens)
        self._caches = {}

    @classmethod
    def from_options(cls, options: EngineOptions) -> "StaticEngine":
        model, tokenizer = load_hf_model(options)
        return cls(model, tokenizer, cache_len=options.extra.get("cache_len"))

    def _cache(self, rows: int, length: int):
        """A static cache for ``rows`` x ``length`` tokens, reused while it fits."""
        from transformers import StaticCache

        cache = self._caches.get(rows)
        if cache is None or cache.max_cache_len < length:
            length = max(length, self.cache_len or 0)
            self._caches.clear()  # free the old one before allocating
            cache = StaticCache(
                config=self.model.config,
                max_batch_size=rows,
                max_cache_len=length,
                device=self.model.device,
                dtype=self.model.dtype,
            )
            self._caches[rows] = cache
            log.info("static KV cache: %d rows x %d tokens", rows, length)
        else:
            cache.reset()
        return cache

    def _generate_kwargs(self, rows: int, length: int) -> dict:
        return {"past_key_values": self._cache(rows, length)}
