"""tools/serve.py lets go of abandoned work: a request whose client left, or that ran past
--request-timeout, is cancelled in the decode worker (real server, real sockets)."""
from __future__ import annotations

import json
import socket
import time
import urllib.request

import pytest

from tests.helpers import chat, post
from tests.serve_process import serve

pytestmark = pytest.mark.slow  # generates with the test model
TIMEOUT_S = 3
# Decoding each of these takes well over TIMEOUT_S on a CPU, unless it is stopped.
LONG = {"max_tokens": 2000, "min_tokens": 2000}


@pytest.fixture(scope="module")
def server(tiny_model):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OMP_NUM_THREADS", "1")
        with serve(tiny_model, "--dtype", "float32", "--request-timeout", str(TIMEOUT_S)) as url:
            yield url


def health(url: str) -> dict:
    with urllib.request.urlopen(url + "/health", timeout=30) as response:
        return json.loads(response.read())


def wait_for(url: str, done, seconds: float = 120) -> dict:
    """Poll /health until ``done(stats)``; the last stats either way."""
    deadline = time.monotonic() + seconds
    while not done(stats := health(url)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return stats


def idle(stats: dict) -> bool:
    return stats["running"] == 0 and stats["queued"] == 0


def raw_request(url: str, body: dict) -> socket.socket:
    """A POST to /v1/chat/completions on a raw socket (the test decides when to hang up)."""
    host, port = url.removeprefix("http://").split(":")
    data = json.dumps(body).encode()
    sock = socket.create_connection((host, int(port)), timeout=60)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/json\r\n"
                 + f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    return sock


def test_requests_of_clients_that_left_are_cancelled(server):
    for i in range(3):  # streams abandoned after their first tokens
        sock = raw_request(server, chat(f"[TITLE]\nAbandoned stream {i}", stream=True, **LONG))
        received = b""
        while received.count(b"data: ") < 2 and (piece := sock.recv(4096)):
            received += piece  # the role chunk and a first token
        assert b" 200 " in received.split(b"\r\n")[0] and received.count(b"data: ") == 2
        sock.close()
    waiting = raw_request(server, chat("[TITLE]\nAbandoned while waiting", **LONG))
    time.sleep(0.5)  # the server has read it and started it
    waiting.close()
    stats = wait_for(server, lambda s: s["cancelled"].get("client_left", 0) >= 4 and idle(s))
    assert stats["cancelled"] == {"client_left": 4}  # each stopped before its end, none timed out
    assert post(server + "/v1/chat/completions", chat("next paper", max_tokens=2))[0] == 200


def test_a_request_past_its_time_is_cancelled_with_504(server):
    before = health(server)["cancelled"].get("timeout", 0)
    started = time.monotonic()
    status, out = post(server + "/v1/chat/completions", chat("[TITLE]\nSlow paper", **LONG))
    assert status == 504 and f"{TIMEOUT_S} s" in out["error"]["message"]
    assert time.monotonic() - started < 60
    _, raw = post(server + "/v1/chat/completions", chat("[TITLE]\nSlow stream", stream=True,
                                                       **LONG))
    assert f'"message": "generation did not finish in {TIMEOUT_S} s"' in raw
    assert raw.endswith("data: [DONE]\n\n")  # an error event, then the stream's end
    stats = wait_for(server, idle)
    assert stats["cancelled"].get("timeout", 0) == before + 2
    assert post(server + "/v1/chat/completions", chat("next paper", max_tokens=2))[0] == 200
