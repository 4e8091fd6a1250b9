"""A small client for OpenAI-compatible ``/chat/completions``: rate limit, retries, backoff.

Standard library only. Timeouts, connection errors, 429 and 5xx, unreadable replies
and replies without content are retried with exponential backoff (``Retry-After`` is
honoured); other HTTP errors are not. A request's ``timeout`` bounds all of it --
connecting, sending and reading the whole reply -- not each socket read, so a server
that trickles its reply cannot hold a request past it.
"""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request


class _Deadline:
    """Shuts the sockets of one request down when its time is up, which ends any read in
    progress."""

    def __init__(self, seconds: float):
        self.sockets: list[socket.socket] = []
        self.expired = threading.Event()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def _expire(self) -> None:
        self.expired.set()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handler(self, base):
        """A urllib handler (``base``: HTTPHandler or HTTPSHandler) whose connections this
        deadline tracks."""
        deadline = self

        class Handler(base):
            def do_open(self, http_class, req, **kwargs):
                class Connection(http_class):
                    def connect(self):
                        super().connect()
                        deadline.sockets.append(self.sock)
                        if deadline.expired.is_set():
                            deadline._expire()

                return super().do_open(Connection, req, **kwargs)

        return Handler()

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()


def post_json(url: str, body: dict, api_key: str | None, timeout: float) -> dict:
    """POST ``body`` as JSON (with a bearer key when given) and return the decoded reply.

    TimeoutError when the whole reply has not arrived ``timeout`` seconds after the start.
    """
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with _Deadline(timeout) as deadline:
        opener = urllib.request.build_opener(deadline.handler(urllib.request.HTTPHandler),
                                             deadline.handler(urllib.request.HTTPSHandler))
        try:
            with opener.open(request, timeout=timeout) as response:
                data = response.read()
        except (OSError, http.client.HTTPException) as error:
            if deadline.expired.is_set():
                raise TimeoutError(f"no complete reply within {timeout:g} s") from error
            raise
    if deadline.expired.is_set():
        raise TimeoutError(f"no complete reply within {timeout:g} s")
    return json.loads(data)


class EmptyReply(ValueError):
    """A reply whose message has no content (``null``): retried, never taken as an answer."""


class ChatError(RuntimeError):
    """A request that failed for good (after its retries, or not retryable)."""


class RateLimiter:
    """Spaces request starts at least ``1 / per_second`` apart across threads."""

    def __init__(self, per_second: float | None):
        self.interval = 1.0 / per_second if per_second else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class ChatClient:
    """``complete(messages) -> str``: the first choice's text, retried as needed."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 timeout: float = 120.0, max_retries: int = 6, backoff: float = 1.0,
                 max_backoff: float = 60.0, requests_per_second: float | None = None,
                 **params):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.api_key, self.timeout = model, api_key, timeout
        self.max_retries, self.backoff, self.max_backoff = max_retries, backoff, max_backoff
        self.params = params
        self.limiter = RateLimiter(requests_per_second)

    def _post(self, messages: list[dict]) -> str:
        body = {"model": self.model, "messages": messages, **self.params}
        payload = post_json(self.url, body, self.api_key, self.timeout)
        content = payload["choices"][0]["message"]["content"]
        if not isinstance(content, str) or not content.strip():
            raise EmptyReply(f"reply without content ({content!r}, finish_reason "
                             f"{payload['choices'][0].get('finish_reason')!r})")
        return content

    def _delay(self, attempt: int, error: Exception) -> float:
        delay = self.backoff * 2 ** attempt
        retry_after = getattr(error, "headers", None) and error.headers.get("Retry-After")
        if retry_after:
            try:
                delay = max(delay, float(retry_after))
            except ValueError:
                pass
        return min(delay, self.max_backoff)

    def complete(self, messages: list[dict]) -> str:
        for attempt in range(self.max_retries + 1):
            self.limiter.wait()
            try:
                return self._post(messages)
            except urllib.error.HTTPError as error:
                if error.code != 429 and error.code < 500:
                    raise ChatError(f"HTTP {error.code}: {error.read()[:300]!r}") from error
                last = error
            except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError,
                    json.JSONDecodeError, EmptyReply, KeyError, IndexError, TypeError) as error:
                last = error
            if attempt < self.max_retries:
                time.sleep(self._delay(attempt, last))
        raise ChatError(f"gave up after {self.max_retries + 1} attempts: {last!r}")
