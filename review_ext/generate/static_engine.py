"""The fast engine (``--engine static``): continuous batching over a slot KV cache.

:class:`StaticEngine` runs supported models (Mixtral, Mistral, Llama layouts in bf16 or
fp32, plain Linear layers) through :class:`~review_ext.generate.continuous.ContinuousDecoder`:
unpadded prefill one prompt at a time, decode steps that read each KV head once and only
the filled part of the cache, replayed as CUDA graphs, slots refilled as reviews end.
What it does not cover (quantised or adapter layers, sliding windows, a repetition
penalty) goes to :class:`HFStaticEngine`: HF ``generate`` over a reused ``StaticCache``
with dense MoE decode steps compiled by ``torch.compile``.

Engine options (``--engine-option KEY=VALUE``): ``cache_len`` (HF path), ``attention``
(``sdpa`` or ``matmul``), ``graphs`` (``false`` to run steps eagerly), ``sync_every``
(decode steps between host looks), ``bucket`` (attended-length granularity, tokens),
``kv_dtype`` (``fp8``: an e4m3 slot cache, half the bytes per slot, read by a Triton kernel).
"""
from __future__ import annotations

import logging

from review_ext.generate.batching import generate_sorted
from review_ext.generate.continuous import ContinuousDecoder
from review_ext.generate.dense_moe import dense_moe_for_decode
from review_ext.generate.engine import EngineOptions, HFEngine
from review_ext.generate.loading import load_hf_model
from review_ext.generate.sampling import supported
from review_ext.generate.slot_forward import SlotModel, unsupported_reason

log = logging.getLogger(__name__)


class HFStaticEngine(HFEngine):
    """HF ``generate`` over a reused static cache; one compiled decode graph per batch size."""

    def __init__(self, model, tokenizer, cache_len: int | None = None, dense_max_tokens: int = 256):
        super().__init__(model, tokenizer)
        self.cache_len = cache_len
        self.dense_blocks = dense_moe_for_decode(model, max_tokens=dense_max_tokens)
        self._caches = {}

    @classmethod
    def from_options(cls, options: EngineOptions) -> "HFStaticEngine":
        model, tokenizer = load_hf_model(options)
        return cls(model, tokenizer, cache_len=options.extra.get("cache_len"))

    def _cache(self, rows: int, length: int):
        """A static cache for ``rows`` x ``length`` tokens, reused while it fits."""
        from transformers import StaticCache

        cache = self._caches.get(rows)
        if cache is None or cache.max_cache_len < length:
            length = max(length, self.cache_len or 0)
            self._caches.clear()  # free the old one before allocating
            cache = StaticCache(config=self.model.config, max_batch_size=rows, max_cache_len=length,
                                device=self.model.device, dtype=self.model.dtype)
            self._caches[rows] = cache
            log.info("static KV cache: %d rows x %d tokens", rows, length)
        else:
            cache.reset()
        return cache

    def _generate_kwargs(self, rows: int, length: int) -> dict:
        return {"past_key_values": self._cache(rows, length)}


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() not in ("0", "false", "no", "off")


class StaticEngine(HFStaticEngine):
    """Continuous batching where the model allows it, :class:`HFStaticEngine` elsewhere."""

    def __init__(self, model, tokenizer, cache_len: int | None = None, attention: str = "sdpa",
                 graphs: bool = True, sync_every: int = 8, bucket: int = 1024,
                 kv_dtype: str = "model"):
        super().__init__(model, tokenizer, cache_len=cache_len)
        reason = unsupported_reason(model)
        self.decoder = None
        if reason:
            log.warning("continuous batching off (%s): HF generate with a static cache%s", reason,
                        "; kv_dtype applies to the slot cache only" if kv_dtype != "model" else "")
        else:
            self.decoder = ContinuousDecoder(SlotModel(model, attention, kv_dtype=kv_dtype),
                                             self.eos_token_id,
                                             self.max_context, graphs=graphs,
                                             sync_every=sync_every, bucket=bucket)

    @classmethod
    def from_options(cls, options: EngineOptions) -> "StaticEngine":
        model, tokenizer = load_hf_model(options)
        x = options.extra
        return cls(model, tokenizer, cache_len=x.get("cache_len"),
                   attention=x.get("attention", "sdpa"), graphs=_flag(x.get("graphs", True)),
                   sync_every=int(x.get("sync_every", 8)), bucket=int(x.get("bucket", 1024)),
                   kv_dtype=x.get("kv_dtype", "model"))

    def _continuous(self, params) -> bool:
        return self.decoder is not None and supported(params)

    def generate(self, prompts, params, on_token=None):
        """Every prompt through the slots at once (one slot each); errors raise, as HF's do."""
        if not self._continuous(params):
            return super().generate(prompts, params, on_token)
        jobs = list(enumerate(prompts))
        results = dict(self.decoder.run(jobs, params, slots=len(jobs), on_token=on_token))
        for result in results.values():
            if isinstance(result, Exception):
                raise result
        return [results[i] for i in range(len(jobs))]

    def generate_sorted(self, jobs, params, batch_size: int):
        """``engine.generate_sorted`` over ``batch_size`` slots: ``([key], [result])`` per ended
        review, in the order they end."""
        if not self._continuous(params):
            yield from generate_sorted(self, jobs, params, batch_size)
            return
        for key, result in self.decoder.run(list(jobs), params, slots=batch_size):
            yield [key], [result]
