"""Where an inference run's replies come from: a local engine or an OpenAI-compatible server.

:func:`local_backend` and :func:`remote_backend` return a :class:`Backend`: the tokenizer
that builds the prompts, a ``decode(jobs)`` that yields ``(key, (text, finish_reason,
new_tokens))`` or ``(key, exception)`` per ``(key, Prompt)`` job, and the context length it
serves.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Callable, Iterator

from review_ext.data.tokenizer import load_tokenizer
from review_ext.generate.engine import EngineOptions, SamplingParams
from review_ext.infer.remote import RemoteOptions

log = logging.getLogger(__name__)


@dataclass
class Backend:
    tokenizer: object
    decode: Callable[[list], Iterator[tuple[object, object]]]
    context: int | None


def remote_backend(remote: RemoteOptions, params: SamplingParams, tokenizer: str | None) -> Backend:
    """Replies from the server of ``remote``; prompts built with ``tokenizer`` (a folder or
    hub name; None: Mixtral's)."""
    from review_ext.infer.remote import RemoteBackend, server_max_len

    client = RemoteBackend(remote.base_url, remote.model_name, params, api=remote.api,
                           concurrency=remote.concurrency, api_key=remote.api_key,
                           timeout=remote.request_timeout)

    def decode(jobs):
        for key, reply in client.run(jobs):
            yield (key, reply) if isinstance(reply, Exception) else (
                key, (reply.text, reply.finish_reason, reply.generated_tokens))

    context = server_max_len(remote.base_url, remote.model_name, remote.api_key)
    return Backend(load_tokenizer(tokenizer), decode, context)


def local_backend(options: EngineOptions, params: SamplingParams, template: str,
                  batch_size: int, tokenizer: str | None = None, world: int = 1,
                  local_rank: int = 0, gpus_per_replica: int = 1) -> Backend:
    """Replies from a local engine of ``options`` (its model resolved), batches of at most
    ``batch_size``; prompts built with ``tokenizer`` (None: the model's)."""
    from review_ext.generate.args import load_engine
    from review_ext.generate.batching import generate_sorted
    from review_ext.infer.settings import check_end_of_turn

    options = replace(options)
    if world > 1 or gpus_per_replica > 1:
        from review_ext.generate.replicas import place_replica

        place_replica(options, local_rank, gpus_per_replica)
    engine = load_engine(options)
    check_end_of_turn(engine, template)
    tok = load_tokenizer(tokenizer) if tokenizer else engine.tokenizer
    batches = getattr(engine, "generate_sorted", None)  # continuous batching when the engine has it
    run = batches or (lambda *a: generate_sorted(engine, *a))

    def decode(jobs):
        ids = [(key, prompt.ids) for key, prompt in jobs]
        for keys, results in run(ids, params, batch_size):
            for key, result in zip(keys, results):
                yield (key, result) if isinstance(result, Exception) else (key, (
                    tok.decode(result.token_ids, skip_special_tokens=True),
                    result.finish_reason, len(result.token_ids)))

    return Backend(tok, decode, engine.max_context)
