"""tools/serve.py as a real server on 127.0.0.1 (tiny Mixtral), and infer.py's OpenAI backend."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from review_ext.data.template import encode_prompt, resolve_system
from tests.helpers import ROOT, chat, post
from tests.serve_process import serve

SERVE = ROOT / "tools" / "serve.py"
MAX_LENGTH = 700


@pytest.fixture(scope="module")
def server(tiny_model):
    """Base URL of a running server (fp32 so batching cannot change a greedy token)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OMP_NUM_THREADS", "1")  # 2 shared cores: one thread each is fastest
        with serve(tiny_model, "--dtype", "float32", "--max-length", str(MAX_LENGTH),
                   "--max-new-tokens", "4", "--max-batch-size", "16",
                   "--max-request-bytes", "200000") as url:
            yield url


def sse_events(raw: str) -> list:
    assert raw.endswith("data: [DONE]\n\n")
    events = [block[len("data: "):] for block in raw.strip().split("\n\n")]
    return [json.loads(e) for e in events[:-1]]


def test_help_of_serve():
    result = subprocess.run([sys.executable, str(SERVE), "--help"], capture_output=True, text=True,
                            check=True)
    assert "--port" in result.stdout and "examples:" in result.stdout


def test_a_model_that_cannot_be_loaded_is_a_one_line_error(tmp_path):
    for args in (["--model", str(tmp_path / "missing")], []):  # [] and no last-model record
        result = subprocess.run([sys.executable, str(SERVE), *args, "--port", "0"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith(f"cannot load the model {tmp_path / 'missing'}: ") if args else \
            last.startswith("no model given and work_dirs/last_model.json does not exist"), last


def test_models_and_training_template(server, tokenizer):
    with urllib.request.urlopen(server + "/v1/models") as response:
        models = json.loads(response.read())
    assert models["data"][0]["max_model_len"] == MAX_LENGTH
    paper = "[TITLE]\nA paper on sparse experts\n\n[ABSTRACT]\nWe study reviewers."
    status, out = post(server + "/v1/chat/completions", chat(paper))
    assert status == 200
    assert out["usage"]["prompt_tokens"] == len(encode_prompt(tokenizer, paper, "v2"))
    assert out["usage"]["completion_tokens"] == 4 and out["choices"][0]["finish_reason"] == "length"
    with_system = chat(paper)
    with_system["messages"].insert(0, {"role": "system", "content": resolve_system("v1")})
    status, out = post(server + "/v1/chat/completions", with_system)
    assert status == 200
    assert out["usage"]["prompt_tokens"] == len(encode_prompt(tokenizer, paper, "v1"))


def test_long_paper_is_trimmed_like_training(server, tokenizer, papers):
    from review_ext.data.encode import fit_paper

    paper = papers[0].text
    status, out = post(server + "/v1/chat/completions", chat(paper, max_tokens=3))
    _, info = fit_paper(tokenizer, paper, resolve_system("v2"), MAX_LENGTH - 3)
    assert status == 200 and out["usage"]["prompt_tokens"] == len(info.prompt_ids) <= MAX_LENGTH - 3
    assert out["paper_tokens_dropped"] == info.paper_tokens - info.kept_paper_tokens > 0


def test_100_concurrent_requests_are_all_answered(server):
    def ask(i: int):
        if i % 4 == 3:
            body = {"prompt": f"[INST] paper {i} [/INST]", "max_tokens": 2}
            return post(server + "/v1/completions", body)
        paper = f"[TITLE]\nPaper number {i}" + " words" * (i % 7)
        return post(server + "/v1/chat/completions", chat(paper, max_tokens=2))

    with ThreadPoolExecutor(100) as pool:
        answers = list(pool.map(ask, range(100)))
    assert [status for status, _ in answers] == [200] * 100
    assert all(out["usage"]["completion_tokens"] == 2 for _, out in answers)


@pytest.mark.parametrize("body, status, param", [
    (b"{not json", 400, None),
    (b"[1, 2]", 400, None),
    ({"model": "tiny"}, 400, "messages"),
    ({"messages": []}, 400, "messages"),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, 400, "messages"),
    ({"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}, 400,
     "messages"),
    ({"messages": [{"role": "user", "content": 5}]}, 400, "messages"),
    ({"messages": [{"role": "system", "content": "word " * 900}, {"role": "user", "content": "p"}]},
     400, "messages"),
    ({"messages": [{"role": "user", "content": "p"}], "max_tokens": MAX_LENGTH}, 400, "messages"),
    ({"messages": [{"role": "user", "content": "p"}], "max_tokens": "many"}, 400, "max_tokens"),
    ({"messages": [{"role": "user", "content": "p"}], "n": 2}, 400, "n"),
    ({"messages": [{"role": "user", "content": "x" * 300_000}]}, 413, None),
    (b'{"messages": [{"role": "user", "content": "p"}], "max_tokens": Infinity}', 400,
     "max_tokens"),
    ({"messages": [{"role": "user", "content": "p"}], "repetition_penalty": float("nan")}, 400,
     "repetition_penalty"),
    ({"messages": [{"role": "user", "content": "p"}], "presence_penalty": float("nan")}, 400,
     "presence_penalty"),
    ({"messages": [{"role": "user", "content": "p"}], "temperature": float("-inf")}, 400,
     "temperature"),
    ({"messages": [{"role": "user", "content": "p"}], "seed": 2 ** 70}, 400, "seed"),
    ({"messages": [{"role": "user", "content": "p"}], "model": "gpt-4"}, 404, "model"),
])
def test_malformed_requests_get_4xx_and_the_server_keeps_serving(server, body, status, param):
    got, out = post(server + "/v1/chat/completions", body)
    assert got == status and out["error"]["param"] == param and out["error"]["message"]
    assert post(server + "/v1/chat/completions", chat("still serving?", max_tokens=1))[0] == 200


def test_out_of_range_token_ids_and_unknown_models_are_refused(server, tokenizer):
    for prompt in ([1, len(tokenizer)], [1, 2 ** 70]):
        status, out = post(server + "/v1/completions", {"prompt": prompt, "max_tokens": 2})
        assert status == 400 and out["error"]["param"] == "prompt", out
    status, out = post(server + "/v1/completions", {"model": "other", "prompt": "p"})
    assert status == 404 and "'other'" in out["error"]["message"]
    status, out = post(server + "/v1/completions", {"prompt": [1, len(tokenizer) - 1],
                                                    "max_tokens": 1})
    assert status == 200 and out["model"] == "tiny"


def test_other_routes(server):
    assert post(server + "/v1/completions", {"prompt": [], "max_tokens": 2})[0] == 400
    assert post(server + "/v1/nowhere", {})[0] == 404
    status, out = post(server + "/v1/paper_from_pdf", b"this is not a PDF")
    assert status == 400 and "error" in out
    try:
        with urllib.request.urlopen(server + "/") as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 200


def test_paper_from_pdf(server):
    from tests.paper_pdf import TITLE, make_paper_pdf

    status, out = post(server + "/v1/paper_from_pdf", make_paper_pdf())
    assert status == 200 and TITLE.split(":")[0] in out["paper"]


@pytest.mark.parametrize("route", ["chat/completions", "completions"])
def test_streaming_sends_sse_chunks_ending_in_done(server, route):
    body = chat("[TITLE]\nStreamed paper", max_tokens=4) if route.startswith("chat") else \
        {"prompt": "[INST] Streamed paper [/INST]", "max_tokens": 4}
    _, whole = post(f"{server}/v1/{route}", body)
    streamed = {**body, "stream": True, "stream_options": {"include_usage": True}}
    status, raw = post(f"{server}/v1/{route}", streamed)
    events = sse_events(raw)
    assert status == 200 and len(events) >= 3
    if route.startswith("chat"):
        assert events[0]["choices"][0]["delta"]["role"] == "assistant"
        text = "".join(e["choices"][0]["delta"].get("content", "") for e in events if e["choices"])
        assert text == whole["choices"][0]["message"]["content"]
    else:
        text = "".join(e["choices"][0]["text"] for e in events if e["choices"])
        assert text == whole["choices"][0]["text"]
    assert events[-2]["choices"][0]["finish_reason"] == "length"
    assert events[-1]["usage"]["completion_tokens"] == 4


def test_infer_openai_backend_equals_local_infer(server, tiny_model, papers, tmp_path):
    from tests.tool_scripts import load_tool
    infer = load_tool("infer")

    rows = [
        {"id": pid, "system": resolve_system("v2"), "input": paper} for pid, paper, _ in papers[:2]
    ]
    rows.append({"id": "short", "input": "[TITLE]\nA short paper"})
    rows.append({"id": "empty", "input": ""})
    test = tmp_path / "test.jsonl"
    test.write_text("".join(json.dumps(r) + "\n" for r in rows))
    common = ["--test", str(test), "--max-new-tokens", "4", "--no-progress"]
    remote = ["--backend", "openai", "--base-url", server + "/v1", "--model-name", "tiny",
              "--concurrency", "3"]
    assert infer.main(common + remote + ["--output-dir", str(tmp_path / "completions")]) == 0
    assert infer.main(common + remote + ["--output-dir", str(tmp_path / "chat"),
                                         "--api", "chat"]) == 0
    assert infer.main(common + ["--output-dir", str(tmp_path / "local"), "--model", str(tiny_model),
                                "--dtype", "float32", "--max-length", str(MAX_LENGTH)]) == 0
    results = {d: [json.loads(line) for line in (tmp_path / d / "predictions.jsonl").open()]
               for d in ("completions", "chat", "local")}
    local = results.pop("local")
    assert local[0]["paper_tokens_dropped"] > 0 and local[3]["error"] == "empty input"
    for got in results.values():  # trimmed to the server's max_model_len and rendered as locally
        assert len(got) == 4 and got[3]["error"] == "empty input"
        for r, lo in zip(got[:3], local[:3]):
            assert (r["reply"], r["paper_tokens_dropped"], r["generated_tokens"]) == \
                (lo["reply"], lo["paper_tokens_dropped"], lo["generated_tokens"])


def test_incremental_decoder_adds_up_to_the_whole_text(tokenizer):
    from review_ext.serve.openai_api import IncrementalDecoder

    text = "Résumé: naïve 数据 ✓ [Significance and novelty]\n- point"
    ids = tokenizer.encode(text, add_special_tokens=False)
    decoder = IncrementalDecoder(tokenizer)
    pieces = [decoder.add(t) for t in ids] + [decoder.flush()]
    assert "".join(pieces) == tokenizer.decode(ids, skip_special_tokens=True)
    assert not any("\ufffd" in p for p in pieces)


def test_openai_backend_falls_back_to_chat_on_a_chat_only_server(tokenizer):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from review_ext.generate.engine import SamplingParams
    from review_ext.infer.prompting import build_prompt
    from review_ext.infer.remote import RemoteBackend

    asked = []

    class ChatOnly(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append((self.path, body))
            code, out = 404, {"error": {"message": "no route"}}
            if self.path == "/v1/chat/completions":
                code, out = (
                    200,
                    {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]},
                )
            data = json.dumps(out).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ChatOnly)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        backend = RemoteBackend(f"http://127.0.0.1:{httpd.server_address[1]}/v1", "m",
                                SamplingParams(max_new_tokens=2), concurrency=2, max_retries=0)
        prompts = [build_prompt(tokenizer, f"paper {i}", "v1") for i in range(3)]
        replies = dict(backend.run(list(enumerate(prompts))))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert backend.api == "chat" and [r.text for _, r in sorted(replies.items())] == ["ok"] * 3
    assert [path for path, _ in asked].count("/v1/completions") == 1  # asked once, then chat only
    chats = [body["messages"] for path, body in asked if path.endswith("chat/completions")]
    assert {m[1]["content"] for m in chats} == {"paper 0", "paper 1", "paper 2"}
    assert all(m[0] == {"role": "system", "content": resolve_system("v1")} for m in chats)

