"""``/v1/chat/completions`` and ``/v1/completions``: whole answers and SSE streams.

A request is bounded in total time (the service's ``timeout``: queue and decoding), and
it is cancelled in the scheduler when that time runs out (504) or when its client goes
away (a closed connection while it waits or streams), so abandoned requests do not hold
the decode worker. Once a stream has started, any failure is sent as one SSE event
``{"error": ...}`` followed by ``data: [DONE]``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, StreamingResponse

from review_ext.serve import openai_api as api

log = logging.getLogger(__name__)

POLL_S = 0.1  # how often a waiting request checks its client and its deadline
DONE = "data: [DONE]\n\n"


class ClientLeft(Exception):
    """The client closed its connection before the answer was complete."""


def failed(error: BaseException) -> api.ApiError:
    """The engine's failure as a 500 that names its kind only (the log has the rest)."""
    log.error("generation failed: %s: %s", type(error).__name__, error)
    return api.ApiError(500, f"generation failed ({type(error).__name__}); see the server log",
                        type="server_error")


def timed_out(service) -> api.ApiError:
    return api.ApiError(504, f"generation did not finish in {service.timeout:g} s",
                        type="server_error")


async def complete(request, service, body: dict, chat: bool):
    """The response to a completion request whose JSON ``body`` was read."""
    service.check_model(body)
    params = api.sampling_params(body, service.max_new_tokens)
    stream = body.get("stream")
    if not isinstance(stream, (bool, type(None))):
        raise api.ApiError(400, "'stream' must be a boolean", "stream")
    with_usage = api.include_usage(body) if stream else False
    prompt_of = service.chat_prompt if chat else service.completion_prompt
    ids, dropped, extra = await run_in_threadpool(prompt_of, body, params)
    deadline = time.monotonic() + service.timeout
    if stream:
        tokens: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()
        future = service.scheduler.submit(
            ids, params, on_token=lambda t: loop.call_soon_threadsafe(tokens.put_nowait, t))
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(tokens.put_nowait, None))
        events = stream_events(service, chat, ids, future, tokens, deadline, with_usage, extra)
        return StreamingResponse(events, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})
    future = service.scheduler.submit(ids, params)
    completion = await wait(request, service, future, deadline)
    text = service.tokenizer.decode(completion.token_ids, skip_special_tokens=True)
    use = api.usage(len(ids), len(completion.token_ids))
    rid = api.new_id("chatcmpl" if chat else "cmpl")
    out = api.completion_body(chat, rid, service.name, text, completion.finish_reason, use)
    if dropped:
        out["paper_tokens_dropped"] = dropped
    out.update(extra, **service.reply_fields(completion.token_ids))
    return JSONResponse(out)


async def wait(request, service, future, deadline: float):
    """The completion; cancels it (and raises) when the client leaves or time runs out."""
    waiter = asyncio.wrap_future(future)
    while True:
        await asyncio.wait({waiter}, timeout=max(0.0, min(POLL_S, deadline - time.monotonic())))
        if waiter.done():
            if waiter.cancelled() or waiter.exception() is None:
                return waiter.result()  # cancelled: only by us, after we left
            raise failed(waiter.exception())
        if await request.is_disconnected():
            service.scheduler.cancel(future, "client_left")
            raise ClientLeft()
        if time.monotonic() >= deadline:
            service.scheduler.cancel(future, "timeout")
            raise timed_out(service)


def sse(obj) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False, allow_nan=False)}\n\n"


async def stream_events(service, chat: bool, ids, future, tokens: asyncio.Queue,
                        deadline: float, with_usage: bool, extra: dict):
    """The SSE events of one streamed completion, always ending in ``[DONE]``; the chunk with
    the finish reason also carries ``extra`` and the reply's fields (screening, rating).

    Starlette cancels this generator when the client disconnects; the request is then
    cancelled in the scheduler too.
    """
    rid = api.new_id("chatcmpl" if chat else "cmpl")
    decoder = api.IncrementalDecoder(service.tokenizer)

    def chunk(text, finish_reason=None, role=False):
        return api.chunk_body(chat, rid, service.name, text, finish_reason, role=role)

    try:
        if chat:
            yield sse(chunk("", role=True))
        while True:
            left = deadline - time.monotonic()
            try:
                token = await asyncio.wait_for(tokens.get(), timeout=max(0.0, left))
            except asyncio.TimeoutError:
                service.scheduler.cancel(future, "timeout")
                raise timed_out(service) from None
            if token is None:
                break
            if delta := decoder.add(token):
                yield sse(chunk(delta))
        if future.cancelled():
            raise api.ApiError(500, "the request was cancelled", type="server_error")
        if future.exception() is not None:
            raise failed(future.exception())
        completion = future.result()
        if rest := decoder.flush():
            yield sse(chunk(rest))
        final = chunk(None if chat else "", completion.finish_reason)
        final.update(extra, **service.reply_fields(completion.token_ids))
        yield sse(final)
        if with_usage:
            last = chunk(None)
            last.update(choices=[], usage=api.usage(len(ids), len(completion.token_ids)))
            yield sse(last)
    except api.ApiError as error:
        yield sse(error.body())
    except Exception as error:  # noqa: BLE001 - the stream ends in an error event, not a reset
        log.exception("a stream failed")
        yield sse(api.ApiError(500, f"internal error ({type(error).__name__}); see the server "
                                    "log", type="server_error").body())
    finally:
        if not future.done():  # the client left (or the stream ended early): stop decoding
            service.scheduler.cancel(future, "client_left")
    yield DONE
