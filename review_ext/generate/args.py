"""From command-line options to an engine: the shared model options and the engine names."""
from __future__ import annotations

import importlib
import json
from typing import Callable

from review_ext.generate.engine import Engine, EngineOptions, HFEngine


def _static_engine(options: EngineOptions) -> Engine:
    """The static-cache engine (its MoE patch is imported only when it is chosen)."""
    from review_ext.generate.static_engine import StaticEngine

    return StaticEngine.from_options(options)


# The built-in engines by name; ``--engine package.module:factory`` plugs in any other.
ENGINES: dict[str, Callable[[EngineOptions], Engine]] = {
    "hf": HFEngine.from_options,
    "static": _static_engine,
}


def build_engine(spec: str, options: EngineOptions) -> Engine:
    """An engine from a name of :data:`ENGINES`, ``auto`` or ``package.module:factory``.

    ``auto`` is the fast static engine on CUDA and the HF engine (the reference) elsewhere.
    """
    if spec == "auto":
        import torch

        spec = "static" if torch.cuda.is_available() and options.device != "cpu" else "hf"
    if spec in ENGINES:
        return ENGINES[spec](options)
    if ":" not in spec:
        raise ValueError(f"unknown engine {spec!r}: use one of {sorted(ENGINES)} or module:factory")
    module, attr = spec.split(":", 1)
    factory = importlib.import_module(module)
    for part in attr.split("."):
        factory = getattr(factory, part)
    return factory(options)


def load_engine(spec: str, options: EngineOptions) -> Engine:
    """:func:`build_engine`, with a missing or broken model as one line (``SystemExit``)."""
    try:
        return build_engine(spec, options)
    except (OSError, ValueError) as error:
        lines = str(error).strip().splitlines() or [type(error).__name__]
        raise SystemExit(f"cannot load the model {options.model}: {lines[0]}") from None


def add_engine_args(parser) -> None:
    """The model-loading options ``tools/infer.py`` and ``tools/serve.py`` share."""
    g = parser.add_argument_group("model")
    g.add_argument("--model", help="merged HF model, or the base for --adapter (default: the base "
                                   "named in the adapter's review_suite.json; without --adapter, "
                                   "the last model the pipeline wrote, work_dirs/last_model.json)")
    g.add_argument("--adapter", help="LoRA adapter folder (HF/peft) applied to --model")
    g.add_argument("--load-4bit", action="store_true", help="nf4-quantise the base (bf16 compute)")
    g.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    g.add_argument("--engine", default="auto",
                   help=f"auto (static on CUDA, else hf), {', '.join(ENGINES)} (static: slot KV "
                        "cache, CUDA graphs, continuous batching) or "
                        "package.module:factory (see review_ext.generate.engine)")
    g.add_argument("--attn-implementation",
                   help="sdpa, flash_attention_2, ... (default: transformers' choice)")
    g.add_argument("--engine-option", action="append", default=[], metavar="KEY=VALUE",
                   help="an engine setting (EngineOptions.extra), e.g. cache_len=16384; repeatable")


def engine_options(args, model: str) -> EngineOptions:
    """EngineOptions from the arguments of :func:`add_engine_args`."""
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
