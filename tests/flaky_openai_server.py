"""A real, deliberately flaky OpenAI-compatible chat server on 127.0.0.1 (test helper).

Each request is mapped to a key by ``key_of(body)``; the key's script is a list
of actions played one per request (the last one repeats):

* ``"timeout"`` -- hold the connection ``stall_s`` seconds (past the client's timeout),
  then close it unanswered;
* ``"drop"`` -- close the connection without an answer;
* ``"429"``, ``"500"``, ``"503"`` -- that HTTP error (429 carries ``Retry-After: 0``);
* ``"badjson"`` -- a 200 whose body is not JSON;
* ``"null"`` -- a completion whose message content is ``null``;
* ``"trickle:TEXT"`` -- a normal completion of TEXT, its bytes sent one by one over
  ``trickle_s`` seconds (each read is quick, the whole reply is slow);
* anything else -- a normal completion with that text as the reply.

``requests`` counts requests per key, ``answered`` counts replies delivered with
a completion, ``bodies`` keeps each key's last request, and ``max_in_flight`` is
the most requests handled at once, so a test can check exactly what was asked.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    """Plays the script of the :class:`FlakyOpenAIServer` it serves (``self.server.flaky``)."""

    def log_message(self, *args):
        pass

    def _send(self, code: int, body: bytes, headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        flaky = self.server.flaky
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        auth = self.headers.get("Authorization")
        ok = (self.path == "/v1/chat/completions" and isinstance(body.get("model"), str)
              and isinstance(body.get("messages"), list))
        if not ok or (flaky.api_key and auth != f"Bearer {flaky.api_key}"):
            with flaky._lock:
                flaky.bad_requests += 1
            return self._send(400 if ok else 401, b'{"error": "bad request"}')
        key = flaky.key_of(body)
        action = flaky.next_action(key, body)
        with flaky._lock:
            flaky.in_flight += 1
            flaky.max_in_flight = max(flaky.max_in_flight, flaky.in_flight)
        try:
            time.sleep(flaky.delay_s)
            self._act(action, key, body["model"])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): nothing was delivered
        finally:
            with flaky._lock:
                flaky.in_flight -= 1

    def _act(self, action: str, key, model: str):
        flaky = self.server.flaky
        if action in ("drop", "timeout"):
            time.sleep(flaky.stall_s if action == "timeout" else 0)
            self.close_connection = True
            return
        if action in ("429", "500", "503"):
            headers = [("Retry-After", "0")] if action == "429" else []
            return self._send(int(action), b'{"error": "flaky"}', headers)
        if action == "badjson":
            return self._send(200, b"<html>proxy error</html>")
        content = None if action == "null" else action.removeprefix("trickle:")
        reply = {"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": content}}]}
        body = json.dumps(reply).encode()
        if action.startswith("trickle:"):
            self._trickle(body, flaky.trickle_s)
        else:
            self._send(200, body, [("Content-Type", "application/json")])
        with flaky._lock:
            flaky.answered[key] += 1

    def _trickle(self, body: bytes, seconds: float):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(len(body)):
            self.wfile.write(body[i:i + 1])
            time.sleep(seconds / len(body))


class FlakyOpenAIServer:
    def __init__(self, key_of, script: dict, default: str = "Verdict: tie",
                 stall_s: float = 2.0, delay_s: float = 0.0, api_key: str | None = None,
                 trickle_s: float = 5.0):
        self.key_of, self.script, self.default = key_of, script, default
        self.stall_s, self.delay_s, self.api_key = stall_s, delay_s, api_key
        self.trickle_s = trickle_s
        self.requests: Counter = Counter()
        self.answered: Counter = Counter()
        self.bodies: dict = {}
        self.bad_requests = 0
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.flaky = self
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def next_action(self, key, body) -> str:
        with self._lock:
            n = self.requests[key]
            self.requests[key] += 1
            self.bodies[key] = body
        actions = self.script.get(key, [self.default])
        return actions[min(n, len(actions) - 1)]

    def __enter__(self) -> "FlakyOpenAIServer":
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
