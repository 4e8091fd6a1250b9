"""tools/serve.py facing a hostile network: the API key, Host/Origin checks, deadlines for
slow clients, size limits, the connection cap and JSON errors, probed with real sockets on
127.0.0.1 against the real server (tiny model)."""
from __future__ import annotations

import configparser
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from review_ext.generate.engine import EngineOptions
from tests.helpers import ROOT, chat, post
from tests.serve_process import serving

KEY = "sk-test-9f2c41"
TIMEOUT_S = 1  # --header-timeout and --body-timeout of the guarded server
MAX_CONNECTIONS = 64
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def guarded(tiny_model):
    """A server with an API key (from the environment, as deployed) and tight limits."""
    with serving(tiny_model, "--dtype", "float32", "--max-new-tokens", "4",
                 "--header-timeout", str(TIMEOUT_S), "--body-timeout", str(TIMEOUT_S),
                 "--max-connections", str(MAX_CONNECTIONS), "--max-request-bytes", "100000",
                 env={"REVIEW_SERVE_API_KEY": KEY, "OMP_NUM_THREADS": "1"}) as served:
        yield served


def exchange(port: int, data: bytes = b"", drip: bytes = b"", drip_s: float = 0.0,
             wait_s: float = 15.0) -> tuple[float, bytes]:
    """Send ``data`` (then ``drip`` a byte every ``drip_s``) and read until the server
    closes; (seconds until it closed, what it answered)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as sock:
        sock.sendall(data)
        try:
            for byte in drip:
                time.sleep(drip_s)
                sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up on the slow sender
        answer = b""
        try:
            while piece := sock.recv(65536):
                answer += piece
        except ConnectionResetError:
            pass
    return time.monotonic() - started, answer


def parse(raw: bytes) -> tuple[int, dict, dict]:
    """Status, headers and JSON body of a raw HTTP response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    assert headers["content-type"] == "application/json", raw[:300]
    return int(lines[0].split()[1]), headers, json.loads(body)


def request_head(path: str = "/v1/chat/completions", length: int | None = None,
                 extra: str = "", auth: bool = True) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"Authorization: Bearer {KEY}"] if auth else []
    lines += [f"Content-Length: {length}"] if length is not None else []
    lines += [extra] if extra else []
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def get(url: str, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def post_with(url: str, body, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(),
                                     {"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def process_stats(pid: int) -> tuple[int, int]:
    """(threads, resident kB) of a process."""
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return int(fields["Threads"]), int(fields["VmRSS"].split()[0])


def test_api_key_is_checked_as_openai_clients_send_it(guarded):
    from review_ext.data.tokenizer import load_mixtral_tokenizer
    from review_ext.generate.engine import SamplingParams
    from review_ext.infer.prompting import build_prompt
    from review_ext.infer.remote import RemoteBackend, RemoteReply, server_max_len

    url = guarded.url
    body = chat("[TITLE]\nA keyed paper", max_tokens=2)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
        status, out = post_with(url + "/v1/chat/completions", body, headers)
        assert status == 401 and out["error"]["code"] == "invalid_api_key", out
    assert get(url + "/v1/models")[0] == 401
    big = chat("x" * 300_000)  # refused unread (above 100,000), yet the client reads the 401
    assert post_with(url + "/v1/chat/completions", big, {})[0] == 401
    assert post_with(url + "/v1/chat/completions", body, AUTH)[0] == 200
    assert get(url + "/health")[0] == 200  # open, as the page is
    with urllib.request.urlopen(url + "/", timeout=30) as response:
        assert response.status == 200 and KEY not in response.read().decode()
    # the project's own OpenAI client (tools/infer.py --backend openai) with its api_key
    assert server_max_len(url + "/v1", "tiny", api_key=KEY) > 0
    backend = RemoteBackend(url + "/v1", "tiny", SamplingParams(max_new_tokens=2),
                            concurrency=1, api_key=KEY, max_retries=0)
    prompt = build_prompt(load_mixtral_tokenizer(), "[TITLE]\nA keyed paper", "v2")
    [(_, reply)] = list(backend.run([(0, prompt)]))
    assert isinstance(reply, RemoteReply) and reply.generated_tokens == 2, reply


def test_api_key_comes_from_the_flag_else_the_environment(monkeypatch):
    from review_ext.entrypoints.serve import options_from_args, parse_args

    monkeypatch.setenv("REVIEW_SERVE_API_KEY", "from-env")
    assert options_from_args(parse_args([])).access.api_key == "from-env"
    assert options_from_args(parse_args(["--api-key", "flag"])).access.api_key == "flag"
    monkeypatch.setenv("REVIEW_SERVE_API_KEY", "")
    assert options_from_args(parse_args([])).access.api_key is None


def test_partial_headers_get_408_within_the_header_timeout(guarded):
    head = b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    took, raw = exchange(guarded.port, head)  # stops mid-head
    status, _, out = parse(raw)
    assert status == 408 and "head" in out["error"]["message"]
    assert TIMEOUT_S <= took < TIMEOUT_S + 2
    # slowloris: a byte of a header every 0.2 s never completes the head in time
    took, raw = exchange(guarded.port, head, drip=b"X-Slow: " + b"a" * 40, drip_s=0.2)
    assert parse(raw)[0] == 408 and took < TIMEOUT_S + 10  # +: the drip's own sleeps


def test_partial_body_gets_408_within_the_body_timeout(guarded):
    took, raw = exchange(guarded.port, request_head(length=100) + b'{"messages": ')
    status, _, out = parse(raw)
    assert status == 408 and "body" in out["error"]["message"]
    assert TIMEOUT_S <= took < TIMEOUT_S + 2


def test_many_idle_sockets_neither_spawn_threads_nor_stop_the_server(guarded):
    assert get(guarded.url + "/health")[0] == 200
    threads, rss = process_stats(guarded.proc.pid)
    socks = [socket.create_connection(("127.0.0.1", guarded.port), timeout=10)
             for _ in range(2000)]
    try:
        time.sleep(0.5)
        during = process_stats(guarded.proc.pid)
        answers = []
        for sock in socks[-200:]:  # the newest ones are over the cap: answered at once
            answers.append(sock.recv(4096))
        status, _, out = parse(answers[-1])
        assert status == 503 and "connections" in out["error"]["message"]
    finally:
        for sock in socks:
            sock.close()
    assert during[0] <= threads + 2, (threads, during)  # no thread per connection
    assert during[1] - rss < 100_000, (rss, during)  # kB
    started = time.monotonic()
    assert get(guarded.url + "/health")[0] == 200  # the sockets held no slot after they closed
    assert time.monotonic() - started < 2


def test_idle_connections_within_the_cap_are_closed_at_the_header_timeout(guarded):
    socks = [socket.create_connection(("127.0.0.1", guarded.port), timeout=10)
             for _ in range(MAX_CONNECTIONS)]
    try:
        started = time.monotonic()
        statuses = {parse(sock.recv(4096))[0] for sock in socks}
        assert statuses <= {408, 503} and 408 in statuses
        assert time.monotonic() - started < TIMEOUT_S + 3
    finally:
        for sock in socks:
            sock.close()
    assert get(guarded.url + "/health")[0] == 200


def test_an_announced_huge_body_gets_413_before_it_is_sent(guarded):
    took, raw = exchange(guarded.port, request_head(length=50 << 20))  # not a byte of it sent
    status, headers, out = parse(raw)
    assert status == 413 and headers["connection"] == "close" and took < TIMEOUT_S
    assert str(50 << 20) in out["error"]["message"]


@pytest.mark.parametrize("length", ["12x", "-1", "1, 2", "99999999999999999999999999"])
def test_a_malformed_content_length_gets_a_json_400(guarded, length):
    took, raw = exchange(guarded.port, request_head(extra=f"Content-Length: {length}"))
    status, headers, out = parse(raw)
    assert status == 400 and "malformed HTTP request" in out["error"]["message"]
    assert headers["connection"] == "close" and took < TIMEOUT_S


@pytest.mark.parametrize("options", [[1], "yes", {"include_usage": "yes"}])
def test_malformed_stream_options_is_a_400_before_the_stream(guarded, options):
    body = chat("[TITLE]\nStreamed", stream=True, stream_options=options, max_tokens=2)
    status, out = post_with(guarded.url + "/v1/chat/completions", body, AUTH)
    assert status == 400 and out["error"]["param"] == "stream_options"


def test_a_tiny_temperature_decodes_greedily(guarded):
    body = chat("[TITLE]\nTemperature", max_tokens=4)
    _, greedy = post_with(guarded.url + "/v1/chat/completions", body, AUTH)
    for temperature in (1e-300, 5e-324):
        status, out = post_with(guarded.url + "/v1/chat/completions",
                                {**body, "temperature": temperature}, AUTH)
        assert status == 200, out
        assert out["choices"][0]["message"] == greedy["choices"][0]["message"]


@pytest.mark.parametrize("path", ["/%00", "/a%00b/index.html", "/" + "x" * 5000,
                                  "/../../../etc/passwd", "/v1/%00"])
def test_nul_bytes_and_long_paths_get_a_json_404_without_paths(guarded, path):
    raw = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    _, answer = exchange(guarded.port, raw)
    status, _, out = parse(answer)
    assert status == (401 if path.startswith("/v1/") else 404), out  # /v1/: the key first
    assert str(ROOT) not in answer.decode() and "Traceback" not in answer.decode()
    assert len(out["error"]["message"]) < 200


def test_an_endless_head_gets_a_json_400_before_the_header_timeout(guarded):
    raw = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (64 << 10)  # never ends
    took, answer = exchange(guarded.port, raw)
    assert parse(answer)[0] == 400 and took < TIMEOUT_S


def test_foreign_host_and_origin_are_refused(guarded):
    body = chat("[TITLE]\nOrigins", max_tokens=2)
    url = guarded.url + "/v1/chat/completions"
    status, out = post_with(url, body, {**AUTH, "Host": "attacker.example"})
    assert status == 400 and "attacker.example" in out["error"]["message"]
    status, out = post_with(url, body, {**AUTH, "Origin": "http://attacker.example"})
    assert status == 403 and "cross-origin" in out["error"]["message"]
    own = {**AUTH, "Origin": guarded.url, "Host": f"localhost:{guarded.port}"}
    assert post_with(url, body, {**own, "Origin": f"http://localhost:{guarded.port}"})[0] == 200
    # the page fetches from its own origin
    assert post_with(url, body, {**AUTH, "Origin": guarded.url})[0] == 200


def test_errors_stay_json_after_all_probes(guarded):
    """The probes above left the server serving."""
    status, out = post(guarded.url + "/v1/nowhere", {})
    assert status == 401  # keyed server: the key first
    assert post_with(guarded.url + "/v1/nowhere", {}, AUTH)[0] == 404
    assert post_with(guarded.url + "/v1/chat/completions", chat("p", max_tokens=1), AUTH)[0] == 200


def test_binding_beyond_loopback_without_a_key_warns_loudly(tiny_model):
    with serving(tiny_model, "--host", "0.0.0.0", env={"REVIEW_SERVE_API_KEY": ""}) as served:
        assert get(f"http://127.0.0.1:{served.port}/health")[0] == 200
        # any Host name is served when bound beyond loopback
        assert get(f"http://localhost:{served.port}/v1/models")[0] == 200
        time.sleep(0.2)
    text = "".join(served.log)
    assert "WITHOUT AN API KEY" in text and "0.0.0.0" in text


def test_serve_raises_instead_of_exiting(tmp_path):
    from review_ext.serve.options import ServeOptions
    from review_ext.serve.server import serve
    from review_ext.serve.service import ServeError

    missing = str(tmp_path / "missing")
    with pytest.raises(ServeError, match=f"cannot load the model {missing}"):
        serve(ServeOptions(engine=EngineOptions(model=missing)))


def test_review_serve_is_a_console_script_of_the_cli():
    from review_ext.entrypoints import serve as cli

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    scripts = config["options.entry_points"]["console_scripts"].strip().splitlines()
    assert "review-serve = review_ext.entrypoints.serve:main" in scripts
    assert config["options.package_data"]["review_ext.serve"] == "web/*.html"
    assert (ROOT / "review_ext/serve/web/index.html").is_file() and callable(cli.main)
    result = subprocess.run([sys.executable, "-m", "review_ext.entrypoints.serve", "--help"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "--api-key" in result.stdout
