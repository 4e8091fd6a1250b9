"""Where ``tools/infer.py``'s replies come from: a local engine or an OpenAI-compatible server.

:func:`local_backend` and :func:`remote_backend` return a :class:`Backend`: the tokenizer that builds the prompts, a
``decode(jobs)`` that yields ``(key, (text, finish_reason, new_tokens))`` or
``(key, exception)`` per ``(key, Prompt)`` job, and the context length it serves.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterator

log = logging.getLogger(__name__)


@dataclass
class Backend:
    tokenizer: object
    decode: Callable[[list], Iterator[tuple[object, object]]]
    context: int | None


def load_tokenizer(path: str | None):
    """A tokenizer folder's tokenizer, else the real Mixtral tokenizer."""
    if path:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(path)
    from review_ext.data.tokenizer import load_mixtral_tokenizer

    return load_mixtral_tokenizer()


def remote_backend(args, params, model: str | None) -> Backend:
    from review_ext.infer.remote import RemoteBackend, server_max_len

    tokenizer = load_tokenizer(args.tokenizer or model)
    remote = RemoteBackend(args.base_url, args.model_name, params, api=args.api,
                           concurrency=args.concurrency, api_key=args.api_key,
                           timeout=args.request_timeout)

    def decode(jobs):
        for key, reply in remote.run(jobs):
            yield (key, reply) if isinstance(reply, Exception) else (
                key, (reply.text, reply.finish_reason, reply.generated_tokens))

    return Backend(tokenizer, decode, server_max_len(args.base_url, args.model_name, args.api_key))


def local_backend(args, params, model: str, world: int, local_rank: int, template: str) -> Backend:
    from review_ext.generate.args import engine_options, load_engine
    from review_ext.generate.batching import generate_sorted
    from review_ext.infer.settings import check_end_of_turn

    options = engine_options(args, model)
    per_replica = getattr(args, "gpus_per_replica", 1)
    if world > 1 or per_replica > 1:
        from review_ext.generate.replicas import place_replica

        place_replica(options, local_rank, per_replica)
    engine = load_engine(args.engine, options)
    check_end_of_turn(engine, template)
    tokenizer = load_tokenizer(args.tokenizer) if args.tokenizer else engine.tokenizer
    batches = getattr(engine, "generate_sorted", None)  # continuous batching when the engine has it
    run = batches or (lambda *a: generate_sorted(engine, *a))

    def decode(jobs):
        ids = [(key, prompt.ids) for key, prompt in jobs]
        for keys, results in run(ids, params, args.batch_size):
            for key, result in zip(keys, results):
                yield (key, result) if isinstance(result, Exception) else (key, (
                    tokenizer.decode(result.token_ids, skip_special_tokens=True),
                    result.finish_reason, len(result.token_ids)))

    return Backend(tokenizer, decode, engine.max_context)
