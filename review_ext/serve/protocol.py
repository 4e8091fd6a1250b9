"""uvicorn's HTTP/1.1 protocol with deadlines for reading a request and a cap on connections.

uvicorn closes a kept-alive connection that stays idle, but it waits forever for a
request's head or body once the first byte came (or none ever does). This protocol
(given to uvicorn as its ``http`` class) adds, per connection:

* a head deadline: the request line and headers within ``Limits.header_timeout`` seconds
  of the connection (or of the next request's first byte), else 408 and close;
* a body deadline: the whole body within ``Limits.body_timeout`` seconds of the head,
  else 408 (or a plain close, when the answer was already sent) and close;
* a connection cap: beyond ``Limits.max_connections`` open connections, 503 and close.

A request h11 refuses (a malformed request line, header or ``Content-Length``; an
unfinished head above ``Limits.max_header_bytes``) gets 400. All these answers are
OpenAI-shaped JSON.
"""
from __future__ import annotations

import asyncio
import http
import json
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from review_ext.serve.openai_api import ApiError
from review_ext.serve.options import Limits

log = logging.getLogger(__name__)


def raw_error(error: ApiError) -> bytes:
    """A whole ``Connection: close`` HTTP response carrying ``error`` as JSON."""
    body = json.dumps(error.body()).encode()
    head = (f"HTTP/1.1 {error.status} {http.HTTPStatus(error.status).phrase}\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n")
    return head.encode() + body


class GuardedH11Protocol(H11Protocol):
    """:class:`H11Protocol` with the deadlines and the connection cap of ``limits``."""

    def __init__(self, *args, limits: Limits, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.phase: str | None = None  # "head" or "body" while a deadline runs
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            log.warning("%d connections are open: refusing one more", len(self.connections) - 1)
            self.refuse(ApiError(503, f"server busy: more than {self.limits.max_connections} "
                                      "open connections", type="server_error"))
            return
        self.watch(idle_is_head=True)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self.watch(idle_is_head=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.watch(idle_is_head=False)  # an idle connection is uvicorn's keep-alive timeout's

    def connection_lost(self, exc) -> None:
        self.stop_deadline()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self.refuse(ApiError(400, "malformed HTTP request: bad request line, header or "
                                  "Content-Length, or an unfinished "
                                  f"head above {self.limits.max_header_bytes} bytes"))

    def watch(self, idle_is_head: bool) -> None:
        """Start the deadline of the phase the request is in (none once it is read)."""
        state = self.conn.their_state
        if state is h11.IDLE:
            phase = "head" if idle_is_head or self.conn.trailing_data[0] else None
        else:
            phase = "body" if state is h11.SEND_BODY else None
        if phase == self.phase or self.transport.is_closing():
            return
        self.stop_deadline()
        self.phase = phase
        if phase:
            seconds = self.limits.header_timeout if phase == "head" else self.limits.body_timeout
            self.deadline = self.loop.call_later(seconds, self.expire, phase, seconds)

    def stop_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        self.phase = None

    def expire(self, phase: str, seconds: float) -> None:
        self.deadline = None
        if self.transport.is_closing():
            return
        log.info("%s: request %s not received within %g s: connection closed",
                 self.client, phase, seconds)
        if phase == "head" or not (self.cycle and self.cycle.response_started):
            self.refuse(ApiError(408, f"request {phase} not received within {seconds:g} s"))
        else:  # the answer went out (e.g. a 413) and the rest of the body is late
            self.transport.close()

    def refuse(self, error: ApiError) -> None:
        """Answer ``error`` outside h11's state machine and close the connection."""
        self.stop_deadline()
        self.transport.write(raw_error(error))
        self.transport.close()
