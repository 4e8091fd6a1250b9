"""Batched generation behind one small engine interface.

An *engine* turns prompt token ids into completions::

    engine.generate(prompts: list[list[int]], params: SamplingParams,
                    on_token: list[callable | None] | None = None) -> list[Completion]

plus the attributes ``tokenizer``, ``eos_token_id`` and ``max_context``. ``on_token[i]``
(when given) is called with each new token id of prompt ``i`` as it is decoded, which is
how the server streams. :class:`HFEngine` wraps ``transformers``' ``generate`` (left
padding, bf16, CUDA when present). A faster engine plugs in by implementing the same
method (or, built on HF ``generate``, by overriding ``HFEngine._generate_kwargs`` to pass
e.g. a static cache) and is chosen with ``--engine NAME`` (:data:`ENGINES`) or
``--engine package.module:factory``, where ``factory(EngineOptions) -> engine``.

:func:`decode_with_backoff` runs one batch on any engine, halving it on CUDA
out-of-memory; :func:`generate_sorted` drives many prompts through it longest first,
with a :class:`BatchSizer` that shrinks after out-of-memory and grows back, yielding
results as each batch ends. ``review_ext.serve.scheduler`` does the same for a server's queue.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Protocol, Sequence

log = logging.getLogger(__name__)

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


@dataclass
class Completion:
    """New token ids (EOS excluded) and why decoding stopped: ``stop`` (EOS) or ``length``."""

    token_ids: list[int]
    finish_reason: str


@dataclass
class EngineOptions:
    """What an engine factory gets: the model, an optional LoRA adapter, and placement."""

    model: str
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


class _CallbackStreamer:
    """A ``generate`` streamer that hands each row's new token to its own callback."""

    def __init__(self, callbacks: Sequence[TokenCallback | None], eos_token_id: int):
        self.callbacks = list(callbacks)
        self.done = [cb is None for cb in self.callbacks]
        self.eos = eos_token_id
        self.prompt_seen = False

    def put(self, value):
        if not self.prompt_seen:  # generate() first pushes the prompt itself
            self.prompt_seen = True
            return
        for row, token in enumerate(value.reshape(-1).tolist()):
            if self.done[row]:
                continue
            if token == self.eos:
                self.done[row] = True
            else:
                self.callbacks[row](token)

    def end(self):
        pass


class HFEngine:
    """``transformers`` generate with left padding; loads bf16 (or 4-bit) on CUDA when present."""

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
        streamer = None
        if on_token and any(on_token):
            streamer = _CallbackStreamer(on_token, self.eos_token_id)
        device = self.model.device
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=ids.to(device),
                attention_mask=mask.to(device),
                generation_config=self._generation_config(params),
                streamer=streamer,
                **self._generate_kwargs(len(prompts), need),
            )
        return [finish(row, self.eos_token_id) for row in out[:, width:].tolist()]


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


def _torch_dtype(name: str):
    import torch

    dtypes = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}
    if name not in dtypes:
        raise ValueError(f"dtype must be one of {sorted(dtypes)}")
    return dtypes[name]


def load_hf_model(options: EngineOptions):
    """(model, tokenizer) from a merged HF folder, or a base plus a LoRA adapter.

    bf16 by default; ``load_4bit`` quantises the base to nf4 (bf16 compute). An adapter
    over a bf16 base is merged into it (plain Linear layers decode faster).
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = _torch_dtype(options.dtype)
    device = options.device or ("cuda" if torch.cuda.is_available() else "cpu")
    device_map = options.device_map
    if device_map is None:
        device_map = "auto" if device == "cuda" else {"": device}
    kwargs = dict(torch_dtype=dtype, device_map=device_map, low_cpu_mem_usage=True)
    if options.attn_implementation:
        kwargs["attn_implementation"] = options.attn_implementation
    if options.load_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
    log.info("loading %s (%s, device_map=%s%s)", options.model, options.dtype, device_map,
             ", 4-bit" if options.load_4bit else "")
    model = AutoModelForCausalLM.from_pretrained(options.model, **kwargs)
    if options.adapter:
        from peft import PeftModel

        log.info("applying LoRA adapter %s", options.adapter)
        model = PeftModel.from_pretrained(model, options.adapter)
        if not options.load_4bit:
            model = model.merge_and_unload()
    tokenizer = AutoTokenizer.from_pretrained(options.model)
    return model.eval(), tokenizer


ENGINES: dict[str, str] = {
    "hf": "review_ext.generate.engine:HFEngine.from_options",
    "static": "review_ext.generate.static_engine:StaticEngine.from_options",
}


def build_engine(spec: str, options: EngineOptions) -> Engine:
    """An engine from a registered name (``hf``) or ``package.module:factory``."""
    target = ENGINES.get(spec, spec)
    if ":" not in target:
        raise ValueError(f"unknown engine {spec!r}: use one of {sorted(ENGINES)} or module:factory")
    module, attr = target.split(":", 1)
    factory = importlib.import_module(module)
    for part in attr.split("."):
        factory = getattr(factory, part)
    return factory(options)


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


def add_engine_args(parser) -> None:
    """The model-loading options ``tools/infer.py`` and ``tools/serve.py`` share."""
    g = parser.add_argument_group("model")
    g.add_argument("--model", help="merged HF model, or the base for --adapter "
                                   "(default: the base named in the adapter's review_suite.json)")
    g.add_argument("--adapter", help="LoRA adapter folder (HF/peft) applied to --model")
    g.add_argument("--load-4bit", action="store_true", help="nf4-quantise the base (bf16 compute)")
    g.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    g.add_argument("--engine", default="hf",
                   help="hf, static (static KV cache + CUDA graphs) or package.module:factory "
                        "(see review_ext.generate.engine)")
    g.add_argument("--attn-implementation",
                   help="sdpa, flash_attention_2, ... (default: transformers' choice)")
    g.add_argument("--engine-option", action="append", default=[], metavar="KEY=VALUE",
                   help="an engine setting (EngineOptions.extra), e.g. cache_len=16384; repeatable")


def engine_options(args, model: str) -> EngineOptions:
    """EngineOptions from the arguments of :func:`add_engine_args`."""
    import json

    extra = {}
    for item in args.engine_option:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--engine-option {item!r}: expected KEY=VALUE")
        try:
            extra[key] = json.loads(value)
        except json.JSONDecodeError:
            extra[key] = value
    return EngineOptions(model=model, adapter=args.adapter, load_4bit=args.load_4bit,
                         dtype=args.dtype, attn_implementation=args.attn_implementation,
                         extra=extra)
