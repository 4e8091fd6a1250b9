"""The engine interface and the ``transformers`` engine.

An *engine* turns prompt token ids into completions::

    engine.generate(prompts: list[list[int]], params: SamplingParams,
                    on_token: list[callable | None] | None = None) -> list[Completion]

plus the attributes ``tokenizer``, ``eos_token_id`` and ``max_context``. ``on_token[i]``
(when given) is called with each new token id of prompt ``i`` as it is decoded, which is
how the server streams; a callback that raises :class:`Cancelled` asks the engine to stop
that prompt alone (its client left), which an engine with ``supports_cancel = True`` does,
returning what it had with ``finish_reason`` ``"cancelled"``. :class:`HFEngine` wraps
``transformers``' ``generate`` (left padding, bf16, CUDA when present). A faster engine plugs in
by implementing the same method (or, built on HF ``generate``, by overriding
``HFEngine._generate_kwargs`` to pass e.g. a static cache) and is chosen with ``--engine NAME``
(``review_ext.generate.args.ENGINES``) or ``--engine package.module:factory``, where
``factory(EngineOptions) -> engine``.

Model loading lives in ``review_ext.generate.loading``; out-of-memory batching in
``review_ext.generate.batching``; the command-line options in ``review_ext.generate.args``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, Sequence

from review_ext.generate.loading import load_hf_model

TokenCallback = Callable[[int], None]


@dataclass(frozen=True)
class SamplingParams:
    """How to decode; greedy unless ``do_sample``. Hashable, so requests can be grouped."""

    max_new_tokens: int = 1000
    min_new_tokens: int = 0
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    repetition_penalty: float = 1.0
    seed: int | None = None

    def __post_init__(self):
        for name in ("temperature", "top_p", "repetition_penalty"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be a finite number")
        if self.seed is not None and not -(2 ** 63) <= self.seed < 2 ** 64:
            raise ValueError("seed must be in [-2^63, 2^64)")
        if self.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be >= 1")
        if not 0 <= self.min_new_tokens <= self.max_new_tokens:
            raise ValueError("min_new_tokens must be in [0, max_new_tokens]")
        if self.do_sample and self.temperature <= 0:
            raise ValueError("temperature must be > 0 when sampling")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if self.top_k < 0 or self.repetition_penalty <= 0:
            raise ValueError("top_k must be >= 0 and repetition_penalty > 0")


class Cancelled(Exception):
    """Raised by an ``on_token`` callback: stop decoding this prompt (the others go on)."""


@dataclass
class Completion:
    """New token ids (EOS excluded) and why decoding stopped: ``stop`` (EOS), ``length``,
    or ``cancelled`` (a callback raised :class:`Cancelled`)."""

    token_ids: list[int]
    finish_reason: str


@dataclass
class EngineOptions:
    """What an engine factory gets: the model, an optional LoRA adapter, and placement.

    ``engine`` names the factory (``review_ext.generate.args.build_engine``); ``model`` may be
    None until the run's settings resolve it (``review_ext.infer.settings.resolve``).
    """

    model: str | None = None
    engine: str = "auto"
    adapter: str | None = None
    load_4bit: bool = False
    dtype: str = "bfloat16"
    device: str | None = None  # None: cuda when available, else cpu
    device_map: str | dict | None = None  # None: one device (cuda: "auto" spreads over GPUs)
    attn_implementation: str | None = None
    extra: dict = field(default_factory=dict)


class Engine(Protocol):
    tokenizer: object
    eos_token_id: int
    max_context: int

    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        params: SamplingParams,
        on_token: Sequence[TokenCallback | None] | None = None,
    ) -> list[Completion]: ...


def finish(token_ids: Iterable[int], eos_token_id: int) -> Completion:
    """Cut a decoded row at its first EOS (dropping the padding after it)."""
    ids = list(token_ids)
    if eos_token_id in ids:
        return Completion(ids[: ids.index(eos_token_id)], "stop")
    return Completion(ids, "length")


class _CallbackStreamer:
    """A ``generate`` streamer that hands each row's new token to its own callback.

    It is also a stopping criterion: a row whose callback raised :class:`Cancelled` is done.
    """

    def __init__(self, callbacks: Sequence[TokenCallback | None], eos_token_id: int):
        self.callbacks = list(callbacks)
        self.done = [cb is None for cb in self.callbacks]
        self.eos = eos_token_id
        self.prompt_seen = False
        self.cancelled: dict[int, int] = {}  # row -> tokens it had when cancelled
        self.sent = [0] * len(self.callbacks)

    def put(self, value):
        if not self.prompt_seen:  # generate() first pushes the prompt itself
            self.prompt_seen = True
            return
        for row, token in enumerate(value.reshape(-1).tolist()):
            if self.done[row]:
                continue
            if token == self.eos:
                self.done[row] = True
                continue
            try:
                self.callbacks[row](token)
                self.sent[row] += 1
            except Cancelled:
                self.done[row] = True
                self.cancelled[row] = self.sent[row]

    def end(self):
        pass

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        stop = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
        stop[list(self.cancelled)] = True
        return stop


class HFEngine:
    """``transformers`` generate with left padding; loads bf16 (or 4-bit) on CUDA when present."""

    supports_cancel = True  # a callback's Cancelled stops its row (a stopping criterion)

    def __init__(self, model, tokenizer):
        self.model = model
        self.tokenizer = tokenizer
        self.eos_token_id = tokenizer.eos_token_id
        pad = tokenizer.pad_token_id
        self.pad_token_id = pad if pad is not None else self.eos_token_id
        self.max_context = int(getattr(model.config, "max_position_embeddings", 32768))

    @classmethod
    def from_options(cls, options: EngineOptions) -> "HFEngine":
        model, tokenizer = load_hf_model(options)
        return cls(model, tokenizer)

    def _generation_config(self, params: SamplingParams):
        from transformers import GenerationConfig

        kwargs = dict(
            max_new_tokens=params.max_new_tokens,
            min_new_tokens=params.min_new_tokens or None,
            do_sample=params.do_sample,
            repetition_penalty=params.repetition_penalty,
            bos_token_id=self.tokenizer.bos_token_id,
            eos_token_id=self.eos_token_id,
            pad_token_id=self.pad_token_id,
        )
        if params.do_sample:
            kwargs.update(temperature=params.temperature, top_p=params.top_p, top_k=params.top_k)
        else:  # a fresh config: the checkpoint's sampling defaults must not leak in
            kwargs.update(temperature=None, top_p=None, top_k=None)
        return GenerationConfig(**kwargs)

    def _generate_kwargs(self, rows: int, length: int) -> dict:
        """Extra ``generate`` arguments for ``rows`` x ``length`` tokens (a subclass's hook)."""
        return {}

    def generate(self, prompts, params, on_token=None):
        import torch

        width = max(len(p) for p in prompts)
        need = width + params.max_new_tokens
        if need > self.max_context:
            raise ValueError(f"prompt of {width} tokens + {params.max_new_tokens} new "
                             f"exceeds {self.max_context}")
        ids, mask = left_pad(prompts, self.pad_token_id)
        if params.seed is not None:
            torch.manual_seed(params.seed)
        streamer, extra = None, self._generate_kwargs(len(prompts), need)
        if on_token and any(on_token):
            from transformers import StoppingCriteriaList

            streamer = _CallbackStreamer(on_token, self.eos_token_id)
            extra["stopping_criteria"] = StoppingCriteriaList([streamer])
        device = self.model.device
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=ids.to(device),
                attention_mask=mask.to(device),
                generation_config=self._generation_config(params),
                streamer=streamer,
                **extra,
            )
        done = [finish(row, self.eos_token_id) for row in out[:, width:].tolist()]
        for row, count in (streamer.cancelled if streamer else {}).items():
            done[row] = Completion(out[row, width:width + count].tolist(), "cancelled")
        return done


def left_pad(prompts: Sequence[Sequence[int]], pad_token_id: int):
    """(input_ids, attention_mask) tensors with the prompts right-aligned."""
    import torch

    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt):] = torch.tensor(list(prompt), dtype=torch.long)
        mask[row, width - len(prompt):] = 1
    return ids, mask
