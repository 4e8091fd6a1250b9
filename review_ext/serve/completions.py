"""``/v1/chat/completions`` and ``/v1/completions``: whole answers and SSE streams.

A request is bounded in total time (the service's ``timeout``: queue and decoding), and
it is cancelled in the scheduler when that time runs out (504) or when its client goes
away (a closed socket while it waits, a broken pipe while it streams), so abandoned
requests do not hold the decode worker.
"""
from __future__ import annotations

import json
import logging
import queue
import select
import socket
import time
from concurrent.futures import TimeoutError as FutureTimeout

from review_ext.serve import openai_api as api

log = logging.getLogger(__name__)

POLL_S = 0.1  # how often a waiting request checks its client and its deadline


class ClientLeft(Exception):
    """The client closed its connection before the answer was complete."""


def client_gone(handler) -> bool:
    """True when the client has closed its side of the connection."""
    try:
        poller = select.poll()  # not select(): no limit on descriptor numbers
        poller.register(handler.connection, select.POLLIN | select.POLLHUP | select.POLLERR)
        events = poller.poll(0)
        if not events:
            return False
        if events[0][1] & (select.POLLHUP | select.POLLERR):
            return True
        return handler.connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def complete(handler, chat: bool) -> None:
    service = handler.service
    body = handler.json_body()
    service.check_model(body)
    params = api.sampling_params(body, service.max_new_tokens)
    prompt_of = service.chat_prompt if chat else service.completion_prompt
    ids, dropped = prompt_of(body, params)
    deadline = time.monotonic() + service.timeout
    if body.get("stream"):
        return stream(handler, chat, ids, params, body, deadline)
    future = service.scheduler.submit(ids, params)
    completion = wait(handler, future, deadline)
    text = service.tokenizer.decode(completion.token_ids, skip_special_tokens=True)
    use = api.usage(len(ids), len(completion.token_ids))
    rid = api.new_id("chatcmpl" if chat else "cmpl")
    out = api.completion_body(chat, rid, service.name, text, completion.finish_reason, use)
    if dropped:
        out["paper_tokens_dropped"] = dropped
    handler.send_json(200, out)


def wait(handler, future, deadline: float):
    """The completion; cancels it (and raises) when the client leaves or time runs out."""
    scheduler = handler.service.scheduler
    while True:
        try:
            return future.result(max(0.0, min(POLL_S, deadline - time.monotonic())))
        except FutureTimeout:
            pass
        if client_gone(handler):
            scheduler.cancel(future, "client_left")
            handler.close_connection = True
            raise ClientLeft()
        if time.monotonic() >= deadline:
            scheduler.cancel(future, "timeout")
            raise api.ApiError(504, f"generation did not finish in {handler.service.timeout:g} s",
                               type="server_error")


def _open_stream(handler) -> None:
    handler.close_connection = True
    handler.send_response(200)
    for key, value in (("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"),
                       ("Connection", "close")):
        handler.send_header(key, value)
    handler.end_headers()


def next_token(handler, tokens: queue.Queue, future, deadline: float):
    """The next streamed token (None at the end); cancels like :func:`wait`."""
    while True:
        try:
            return tokens.get(timeout=max(0.0, min(POLL_S, deadline - time.monotonic())))
        except queue.Empty:
            pass
        if client_gone(handler):
            handler.service.scheduler.cancel(future, "client_left")
            raise ClientLeft()
        if time.monotonic() >= deadline:
            handler.service.scheduler.cancel(future, "timeout")
            raise TimeoutError(f"generation did not finish in {handler.service.timeout:g} s")


def stream(handler, chat: bool, ids, params, body: dict, deadline: float) -> None:
    service = handler.service
    tokens: queue.Queue = queue.Queue()
    future = service.scheduler.submit(ids, params, on_token=tokens.put)
    future.add_done_callback(lambda _: tokens.put(None))
    _open_stream(handler)
    rid = api.new_id("chatcmpl" if chat else "cmpl")
    decoder = api.IncrementalDecoder(service.tokenizer)

    def event(obj) -> None:
        data = json.dumps(obj, ensure_ascii=False, allow_nan=False)
        handler.wfile.write(f"data: {data}\n\n".encode())
        handler.wfile.flush()

    def chunk(text, finish_reason=None, role=False):
        return api.chunk_body(chat, rid, service.name, text, finish_reason, role=role)

    try:
        if chat:
            event(chunk("", role=True))
        while (token := next_token(handler, tokens, future, deadline)) is not None:
            if delta := decoder.add(token):
                event(chunk(delta))
        if future.cancelled() or future.exception():
            error = future.exception() if not future.cancelled() else RuntimeError("cancelled")
            event(api.ApiError(500, f"{type(error).__name__}: {error}", type="server_error").body())
        else:
            completion = future.result()
            if rest := decoder.flush():
                event(chunk(rest))
            event(chunk(None if chat else "", completion.finish_reason))
            if (body.get("stream_options") or {}).get("include_usage"):
                last = chunk(None)
                last.update(choices=[], usage=api.usage(len(ids), len(completion.token_ids)))
                event(last)
        handler.wfile.write(b"data: [DONE]\n\n")
        handler.wfile.flush()
    except TimeoutError as error:
        try:
            event(api.ApiError(504, str(error), type="server_error").body())
        except OSError:
            pass
    except (BrokenPipeError, ConnectionResetError, ClientLeft):
        service.scheduler.cancel(future, "client_left")
        log.info("client left a stream early: request cancelled")
