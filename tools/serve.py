"""Serve the reviewer over an OpenAI-compatible HTTP API (and the web page, when present).

``POST /v1/chat/completions``: the user message is a paper; it is trimmed and wrapped
in the training template with the server's system prompt (a system message in the
request overrides it). ``POST /v1/completions``: a raw prompt, used as is (BOS added).
Both stream with ``"stream": true``. ``GET /v1/models`` lists the model with its
``max_model_len`` (the training max_length). ``POST /v1/paper_from_pdf`` turns a PDF
body into paper text; ``GET /`` serves ``tools/web/index.html``. Requests wait in a
bounded queue and decode in batches; ``temperature`` 0 (the default) is greedy.
The first line on stdout is the bound URL, printed once the model is loaded.

Examples:
    python tools/serve.py --model work_dirs/v2/merged --port 8000
    python tools/serve.py --model mistralai/Mixtral-8x7B-Instruct-v0.1 \\
        --adapter work_dirs/v2/hf_adapter --load-4bit --system v1 --host 0.0.0.0 --port 8000
    curl -s http://127.0.0.1:8000/v1/chat/completions -H 'Content-Type: application/json' \\
        -d '{"messages": [{"role": "user", "content": "[TITLE]\\nA paper..."}], "max_tokens": 1000}'
    python tools/infer.py --test data/test.jsonl --backend openai \\
        --base-url http://127.0.0.1:8000/v1 --model-name merged
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import queue
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


from review_ext.data.template import DEFAULT_SYSTEM  # noqa: E402
from review_ext.generate.args import add_engine_args  # noqa: E402

log = logging.getLogger("serve")
EPILOG = __doc__.split("Examples:")[1]
WEB_DIR = Path(__file__).resolve().parent / "web"
DRAIN_BYTES = 256 << 20  # oversized bodies up to this size are read and dropped before the 413


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="OpenAI-compatible API serving the reviewer with the training prompt template.",
        epilog="examples:" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--served-model-name",
                   help="model id in the API (default: the model or adapter folder's name)")
    add_engine_args(p)
    g = p.add_argument_group("prompt and decoding")
    g.add_argument("--system", help="default system prompt: v1, v2 or text "
                                    "(default: review_suite.json's, else v2)")
    g.add_argument("--max-length", type=int,
                   help="training max_length (default: review_suite.json, else the model's "
                        "context)")
    g.add_argument("--max-prompt-tokens", type=int, help="trim papers to this many prompt tokens "
                                                         "(default: max_length - max_tokens)")
    g.add_argument("--max-new-tokens", type=int, default=1000,
                   help="max_tokens when a request gives none")
    g = p.add_argument_group("capacity")
    g.add_argument("--max-batch-size", type=int, default=8, help="requests decoded together")
    g.add_argument("--max-queue", type=int, default=256, help="waiting requests before 503")
    g.add_argument("--max-request-bytes", type=int, default=4 << 20,
                   help="JSON bodies above it get 413")
    g.add_argument("--max-pdf-bytes", type=int, default=64 << 20,
                   help="PDF bodies above it get 413")
    g.add_argument("--request-timeout", type=float, default=3600.0,
                   help="seconds a request may wait")
    return p.parse_args(argv)


@dataclass
class ReviewService:
    """What a request needs: the engine's queue, the tokenizer and the prompt defaults."""

    engine: object
    scheduler: object
    name: str
    system: str
    max_length: int
    max_new_tokens: int
    max_prompt_tokens: int | None
    timeout: float
    # one fast tokenizer shared by request threads: encode under a lock
    tokenizer_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def tokenizer(self):
        return self.engine.tokenizer

    def chat_prompt(self, body: dict, params) -> tuple[list[int], int]:
        """Prompt ids for a chat request, and the paper tokens trimmed away."""
        from review_ext.serve.openai_api import ApiError, parse_chat
        from review_ext.generate.prompting import PromptTooLong, build_prompt, prompt_budget

        system, paper = parse_chat(body)
        system = self.system if system is None else system
        try:
            budget = prompt_budget(self.max_length, params.max_new_tokens, self.max_prompt_tokens)
            with self.tokenizer_lock:
                prompt = build_prompt(self.tokenizer, paper, system, budget)
        except (PromptTooLong, ValueError) as error:
            raise ApiError(400, f"input too long: {error}", "messages") from error
        return prompt.ids, prompt.dropped_tokens

    def completion_prompt(self, body: dict, params) -> tuple[list[int], int]:
        """A raw prompt's ids (BOS + text, as vLLM does), used as is."""
        from review_ext.serve.openai_api import ApiError, parse_prompt

        prompt = parse_prompt(body)
        if isinstance(prompt, str):
            with self.tokenizer_lock:
                prompt = self.tokenizer.encode(prompt)
        context = self.engine.max_context
        if len(prompt) + params.max_new_tokens > context:
            raise ApiError(400, f"prompt ({len(prompt)} tokens) + max_tokens "
                                f"({params.max_new_tokens}) exceeds the context of {context}",
                           "prompt")
        return prompt, 0

    def models(self) -> dict:
        model = {"id": self.name, "object": "model", "created": 0, "owned_by": "review-suite",
                 "max_model_len": self.max_length}
        return {"object": "list", "data": [model]}


def server_error(error: BaseException):
    from review_ext.serve.openai_api import ApiError

    return ApiError(500, f"{type(error).__name__}: {error}", type="server_error")


def make_handler(service: ReviewService, limits: dict):
    """The request handler class, bound to ``service``."""
    from review_ext.serve import openai_api as api
    from review_ext.serve.scheduler import QueueFull

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "review-suite"

        def log_message(self, fmt, *args):
            log.info("%s %s", self.address_string(), fmt % args)

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)

        def _json(self, status: int, obj: dict) -> None:
            self._send(status, json.dumps(obj, ensure_ascii=False).encode(), "application/json")

        def _error(self, error: "api.ApiError") -> None:
            self._json(error.status, error.body())

        def _body(self, limit: int) -> bytes:
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit():
                self.close_connection = True
                raise api.ApiError(411, "a Content-Length header is required")
            if int(length) > limit:
                if int(length) <= DRAIN_BYTES:  # read it: the client sees the answer, not a reset
                    left = int(length)
                    while left > 0 and (chunk := self.rfile.read(min(1 << 20, left))):
                        left -= len(chunk)
                else:
                    self.close_connection = True
                raise api.ApiError(413, f"request body of {length} bytes exceeds {limit}")
            return self.rfile.read(int(length))

        def _json_body(self) -> dict:
            try:
                body = json.loads(self._body(limits["request"]))
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise api.ApiError(400, f"body is not valid JSON: {error}") from error
            if not isinstance(body, dict):
                raise api.ApiError(400, "body must be a JSON object")
            return body

        def do_GET(self):
            path = self.path.split("?")[0]
            if path in ("/v1/models", "/models"):
                return self._json(200, service.models())
            if path == "/health":
                return self._json(200, {"status": "ok", "queued": service.scheduler.queued()})
            page = WEB_DIR / ("index.html" if path == "/" else path.lstrip("/"))
            if WEB_DIR.is_dir() and page.resolve().parent == WEB_DIR and page.is_file():
                kinds = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
                kind = kinds.get(page.suffix, "application/octet-stream")
                return self._send(200, page.read_bytes(), kind + "; charset=utf-8")
            self._error(api.ApiError(404, f"no route {path}", type="not_found_error"))

        def do_POST(self):
            path = self.path.split("?")[0]
            try:
                if path in ("/v1/chat/completions", "/v1/completions"):
                    self._complete(chat=path.endswith("chat/completions"))
                elif path == "/v1/paper_from_pdf":
                    self._pdf()
                else:
                    self._error(api.ApiError(404, f"no route {path}", type="not_found_error"))
            except api.ApiError as error:
                self._error(error)
            except QueueFull as error:
                self._error(api.ApiError(503, f"server busy: {error}", type="server_error"))
            except TimeoutError:
                self._error(api.ApiError(504, "generation did not finish in time",
                                         type="server_error"))
            except Exception as error:  # noqa: BLE001 - one bad request must not stop the server
                log.exception("%s failed", path)
                self._error(server_error(error))

        def _pdf(self):
            data = self._body(limits["pdf"])
            try:
                from data_conversion.from_pdf import pdf_to_paper
            except ImportError as error:
                raise api.ApiError(501, f"PDF conversion unavailable: {error}",
                                   type="server_error") from error
            try:
                paper = pdf_to_paper(data)
            except Exception as error:  # noqa: BLE001 - any parser failure means a bad PDF
                raise api.ApiError(400, f"could not read the PDF: {error}") from error
            self._json(200, {"paper": paper})

        def _complete(self, chat: bool):
            body = self._json_body()
            params = api.sampling_params(body, service.max_new_tokens)
            prompt_of = service.chat_prompt if chat else service.completion_prompt
            ids, dropped = prompt_of(body, params)
            if body.get("stream"):
                return self._stream(chat, ids, params, body)
            completion = service.scheduler.submit(ids, params).result(service.timeout)
            text = service.tokenizer.decode(completion.token_ids, skip_special_tokens=True)
            use = api.usage(len(ids), len(completion.token_ids))
            rid = api.new_id("chatcmpl" if chat else "cmpl")
            out = api.completion_body(chat, rid, service.name, text, completion.finish_reason, use)
            if dropped:
                out["paper_tokens_dropped"] = dropped
            self._json(200, out)

        def _stream(self, chat: bool, ids, params, body: dict):
            tokens: queue.Queue = queue.Queue()
            future = service.scheduler.submit(ids, params, on_token=tokens.put)
            future.add_done_callback(lambda _: tokens.put(None))
            self.close_connection = True
            self.send_response(200)
            for key, value in (("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"),
                               ("Connection", "close")):
                self.send_header(key, value)
            self.end_headers()
            rid = api.new_id("chatcmpl" if chat else "cmpl")
            decoder = api.IncrementalDecoder(service.tokenizer)

            def event(obj) -> None:
                self.wfile.write(f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

            try:
                if chat:
                    event(api.chunk_body(chat, rid, service.name, "", role=True))
                while (token := tokens.get(timeout=service.timeout)) is not None:
                    if delta := decoder.add(token):
                        event(api.chunk_body(chat, rid, service.name, delta))
                if future.exception():
                    error = future.exception()
                    event(server_error(error).body())
                else:
                    completion = future.result()
                    if rest := decoder.flush():
                        event(api.chunk_body(chat, rid, service.name, rest))
                    event(api.chunk_body(chat, rid, service.name, None if chat else "",
                                         completion.finish_reason))
                    if (body.get("stream_options") or {}).get("include_usage"):
                        last = api.chunk_body(chat, rid, service.name, None)
                        use = api.usage(len(ids), len(completion.token_ids))
                        last.update(choices=[], usage=use)
                        event(last)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                log.info("client left a stream early")

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the listen backlog: bursts of clients connect at once


def build_service(args) -> ReviewService:
    from review_ext.generate.args import build_engine, engine_options
    from review_ext.generate.prompting import suite_defaults
    from review_ext.serve.scheduler import BatchScheduler

    meta = suite_defaults(args.adapter, args.model)
    model = args.model or meta.get("base_model")
    if not model:
        raise SystemExit("--model is required (no review_suite.json names a base model)")
    engine = build_engine(args.engine, engine_options(args, model))
    name = args.served_model_name or Path(args.adapter or model).name
    system = args.system or meta.get("system") or DEFAULT_SYSTEM
    context = engine.max_context
    max_length = min(args.max_length or meta.get("max_length") or context, context)
    log.info("serving %s as %r: system %r..., max_length %d", model, name, system[:40], max_length)
    scheduler = BatchScheduler(engine, args.max_batch_size, args.max_queue)
    return ReviewService(engine, scheduler, name, system, max_length, args.max_new_tokens,
                         args.max_prompt_tokens, args.request_timeout)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    with contextlib.redirect_stdout(sys.stderr):  # stdout's first line is the URL
        service = build_service(args)
    server = Server((args.host, args.port), make_handler(
        service, {"request": args.max_request_bytes, "pdf": args.max_pdf_bytes}))
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.scheduler.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
