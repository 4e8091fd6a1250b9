"""The HTTP side of the server: one request handler class and its routes table.

:class:`ReviewServer` holds the :class:`~review_ext.serve.service.ReviewService`, the body
limits and the web page's folder; :class:`Handler` looks each request up in
:data:`ROUTES` and answers errors in OpenAI's shape. Completions live in
``review_ext.serve.completions``.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from review_ext.serve import completions
from review_ext.serve.openai_api import ApiError
from review_ext.serve.scheduler import QueueFull

log = logging.getLogger(__name__)

DRAIN_BYTES = 256 << 20  # oversized bodies up to this size are read and dropped before the 413
PAGE_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}


@dataclass
class Limits:
    request_bytes: int = 4 << 20
    pdf_bytes: int = 64 << 20


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the listen backlog: bursts of clients connect at once

    def __init__(self, address, service, limits: Limits, web_dir: Path | None = None,
                 pdf_to_paper: Callable[[bytes], str] | None = None):
        super().__init__(address, Handler)
        self.service, self.limits, self.web_dir = service, limits, web_dir
        self.pdf_to_paper = pdf_to_paper  # PDF bytes -> paper text (data_conversion.from_pdf)


def server_error(error: BaseException) -> ApiError:
    return ApiError(500, f"{type(error).__name__}: {error}", type="server_error")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "review-suite"

    @property
    def service(self):
        return self.server.service

    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)

    def send_bytes(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def send_json(self, status: int, obj: dict) -> None:
        data = json.dumps(obj, ensure_ascii=False, allow_nan=False).encode()
        self.send_bytes(status, data, "application/json")

    def read_body(self, limit: int) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self.close_connection = True
            raise ApiError(411, "a Content-Length header is required")
        if int(length) > limit:
            if int(length) <= DRAIN_BYTES:  # read it: the client sees the answer, not a reset
                left = int(length)
                while left > 0 and (chunk := self.rfile.read(min(1 << 20, left))):
                    left -= len(chunk)
            else:
                self.close_connection = True
            raise ApiError(413, f"request body of {length} bytes exceeds {limit}")
        return self.rfile.read(int(length))

    def json_body(self) -> dict:
        try:
            body = json.loads(self.read_body(self.server.limits.request_bytes))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ApiError(400, f"body is not valid JSON: {error}") from error
        except RecursionError:
            raise ApiError(400, "body is nested too deeply") from None
        if not isinstance(body, dict):
            raise ApiError(400, "body must be a JSON object")
        return body

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?")[0]
        route = ROUTES.get((method, path)) or (static_page if method == "GET" else None)
        try:
            if route is None:
                raise ApiError(404, f"no route {path}", type="not_found_error")
            route(self)
        except ApiError as error:
            self.send_json(error.status, error.body())
        except completions.ClientLeft:
            log.info("%s: the client left; its request was cancelled", path)
        except QueueFull as error:
            self.send_json(503, ApiError(503, f"server busy: {error}", type="server_error").body())
        except Exception as error:  # noqa: BLE001 - one bad request must not stop the server
            log.exception("%s failed", path)
            self.send_json(500, server_error(error).body())


def models(handler: Handler) -> None:
    handler.send_json(200, handler.service.models())


def health(handler: Handler) -> None:
    handler.send_json(200, {"status": "ok", **handler.service.scheduler.stats()})


def static_page(handler: Handler) -> None:
    """``GET /`` and the files beside ``index.html`` in the web folder."""
    path, web = handler.path.split("?")[0], handler.server.web_dir
    page = web / ("index.html" if path == "/" else path.lstrip("/")) if web else None
    if not (page and web.is_dir() and page.resolve().parent == web.resolve() and page.is_file()):
        raise ApiError(404, f"no route {path}", type="not_found_error")
    kind = PAGE_TYPES.get(page.suffix, "application/octet-stream")
    handler.send_bytes(200, page.read_bytes(), kind + "; charset=utf-8")


def paper_from_pdf(handler: Handler) -> None:
    data = handler.read_body(handler.server.limits.pdf_bytes)
    if handler.server.pdf_to_paper is None:
        raise ApiError(501, "PDF conversion unavailable", type="server_error")
    try:
        paper = handler.server.pdf_to_paper(data)
    except Exception as error:  # noqa: BLE001 - any parser failure means a bad PDF
        raise ApiError(400, f"could not read the PDF: {error}") from error
    handler.send_json(200, {"paper": paper})


ROUTES = {
    ("GET", "/v1/models"): models,
    ("GET", "/models"): models,
    ("GET", "/health"): health,
    ("POST", "/v1/chat/completions"): lambda handler: completions.complete(handler, chat=True),
    ("POST", "/v1/completions"): lambda handler: completions.complete(handler, chat=False),
    ("POST", "/v1/paper_from_pdf"): paper_from_pdf,
}
