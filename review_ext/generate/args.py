"""Engines by name, and the model options of the command line turned into :class:`EngineOptions`.

:func:`add_engine_args` declares the flags, :func:`from_cli_args` turns them into typed
options at the edge (nothing below reads ``argparse``), :func:`load_engine` builds the
engine they name.
"""
from __future__ import annotations

import argparse
import importlib
import json
from typing import Callable

from safetensors import SafetensorError

from review_ext.common.cli import add_dtype_arg
from review_ext.common.errors import ReviewSuiteError, first_line
from review_ext.generate.engine import Engine, EngineOptions, HFEngine


class EngineLoadError(ReviewSuiteError):
    """The model (or the engine that should run it) cannot be loaded."""


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


def load_engine(options: EngineOptions) -> Engine:
    """:func:`build_engine` for ``options.engine``; a missing or broken model is
    :class:`EngineLoadError`, one line."""
    try:
        return build_engine(options.engine, options)
    except (ReviewSuiteError, OSError, ValueError, ImportError, SafetensorError) as error:
        raise EngineLoadError(f"cannot load the model {options.model}: {first_line(error)}") \
            from error


def engine_option(text: str) -> tuple[str, object]:
    """An argparse ``type``: ``KEY=VALUE`` with the value read as JSON when it is JSON."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r}: expected KEY=VALUE")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def add_engine_args(parser) -> None:
    """The model-loading flags ``tools/infer.py`` and ``tools/serve.py`` share."""
    g = parser.add_argument_group("model")
    g.add_argument("--model", help="merged HF model, or the base for --adapter (default: the base "
                                   "named in the adapter's review_suite.json; without --adapter, "
                                   "the last model the pipeline wrote, work_dirs/last_model.json)")
    g.add_argument("--adapter", help="LoRA adapter folder (HF/peft) applied to --model")
    g.add_argument("--load-4bit", action="store_true", help="nf4-quantise the base (bf16 compute)")
    add_dtype_arg(g, "bfloat16", help="weights' dtype (bf16 and fp32 read as bfloat16 and float32)")
    g.add_argument("--engine", default="auto",
                   help=f"auto (static on CUDA, else hf), {', '.join(ENGINES)} (static: slot KV "
                        "cache, CUDA graphs, continuous batching) or "
                        "package.module:factory (see review_ext.generate.engine)")
    g.add_argument("--attn-implementation",
                   help="sdpa, flash_attention_2, ... (default: transformers' choice)")
    g.add_argument("--engine-option", type=engine_option, action="append", default=[],
                   metavar="KEY=VALUE",
                   help="an engine setting (EngineOptions.extra), e.g. cache_len=16384; repeatable")


def from_cli_args(args: argparse.Namespace) -> EngineOptions:
    """The :class:`EngineOptions` of :func:`add_engine_args`' flags (``model`` None when not
    given: the run's settings resolve it)."""
    return EngineOptions(model=args.model, engine=args.engine, adapter=args.adapter,
                         load_4bit=args.load_4bit, dtype=args.dtype,
                         attn_implementation=args.attn_implementation,
                         extra=dict(args.engine_option))
