"""The HTTP side of the server: a Starlette app with its routes, its gate and its error shape.

Every answer that is not a success is OpenAI-shaped JSON (``{"error": {"message", "type",
"param", "code"}}``), whatever failed: an unknown route or method, a refused ``Host`` or
``Origin``, a missing API key, a body too large or malformed, a full queue, a bug. The
gate (:class:`Gate`) runs before any route:

* ``Host`` must be one of :meth:`Access.hosts_for` (a web page on another site cannot
  reach a loopback server by rebinding its own name to 127.0.0.1): else 400;
* a request that carries ``Origin`` (a browser's) must come from the server's own page:
  else 403, so another site open in the user's browser cannot post to the server;
* with an API key, ``/v1/*`` needs ``Authorization: Bearer KEY``, as OpenAI clients send
  it (``api_key=``, ``OPENAI_API_KEY``): else 401. The page and ``/health`` stay open.

Bodies are read by :func:`read_body`, which refuses one announced above its limit before
reading a byte of it.
"""
from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from review_ext.serve import completions
from review_ext.serve.openai_api import ApiError
from review_ext.serve.options import Access, Limits
from review_ext.serve.scheduler import QueueFull

log = logging.getLogger(__name__)

# A body the server refuses unread (413, 401, 403, 400) is discarded as it arrives, after
# the answer, when it announces at most this size, so the client reads the answer instead
# of a reset; a larger or chunked one gets the answer and the connection closes.
DRAIN_BYTES = 16 << 20
PAGE_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
KEYED_PREFIXES = ("/v1/", "/models")  # the API; the page, its files and /health stay open


def error_response(error: ApiError) -> JSONResponse:
    headers = {"Connection": "close"} if error.close else None
    if error.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(error.body(), error.status, headers=headers)


def shown(path: str, limit: int = 80) -> str:
    """A request path for a message: printable and short."""
    path = path.encode("unicode_escape").decode("ascii")
    return path if len(path) <= limit else path[:limit] + "..."


def undrainable(request: Request) -> bool:
    """True when a body the server will not read is too large (or unknown) to discard after
    answering: then the answer closes the connection."""
    length = request.headers.get("content-length")
    if length is None:
        return "chunked" in request.headers.get("transfer-encoding", "").lower()
    return int(length) > DRAIN_BYTES


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) as soon as it is known to exceed ``limit``."""
    announced = request.headers.get("content-length")
    if announced is not None and int(announced) > limit:  # h11 checked it is digits
        raise ApiError(413, f"request body of {announced} bytes exceeds {limit}",
                       close=undrainable(request))
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, f"request body exceeds {limit} bytes", close=True)
            chunks.append(chunk)
    except ClientDisconnect:
        raise completions.ClientLeft() from None
    return b"".join(chunks)


async def json_body(request: Request) -> dict:
    data = await read_body(request, request.app.state.limits.request_bytes)
    try:
        body = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ApiError(400, f"body is not valid JSON: {error}") from error
    except RecursionError:
        raise ApiError(400, "body is nested too deeply") from None
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    return body


async def chat_completions(request: Request):
    body = await json_body(request)
    return await completions.complete(request, request.app.state.service, body, chat=True)


async def text_completions(request: Request):
    body = await json_body(request)
    return await completions.complete(request, request.app.state.service, body, chat=False)


async def models(request: Request):
    return JSONResponse(request.app.state.service.models())


async def health(request: Request):
    return JSONResponse({"status": "ok", **request.app.state.service.scheduler.stats()})


async def paper_from_pdf(request: Request):
    state = request.app.state
    data = await read_body(request, state.limits.pdf_bytes)
    if state.pdf_to_paper is None:
        raise ApiError(501, "PDF conversion unavailable", type="server_error")
    try:
        paper = await run_in_threadpool(state.pdf_to_paper, data)
    except Exception as error:  # noqa: BLE001 - any parser failure means a bad PDF
        raise ApiError(400, f"could not read the PDF: {error}") from error
    # the PDF itself too: hidden and tiny text, before the reader dropped it
    paper, found = await run_in_threadpool(state.service.screen, paper, data)
    return JSONResponse({"paper": paper, **({"screening": found} if found else {})})


def read_pages(web_dir: Path | None) -> dict[str, tuple[bytes, str]]:
    """``{url path: (content, type)}`` of the web folder's files, read once at start."""
    if web_dir is None or not web_dir.is_dir():
        return {}
    pages = {f"/{p.name}": (p.read_bytes(), PAGE_TYPES[p.suffix] + "; charset=utf-8")
             for p in sorted(web_dir.iterdir()) if p.is_file() and p.suffix in PAGE_TYPES}
    if "/index.html" in pages:
        pages["/"] = pages["/index.html"]
    return pages


async def page(request: Request):
    """``GET /`` and the files beside ``index.html``: looked up, never opened by request path."""
    found = request.app.state.pages.get(request.url.path)
    if found is None or request.method not in ("GET", "HEAD"):
        raise ApiError(404, f"no route {shown(request.url.path)}", type="not_found_error")
    content, kind = found
    return Response(content, media_type=kind)


async def on_api_error(request: Request, error: ApiError):
    return error_response(error)


async def on_http_error(request: Request, error: HTTPException):
    kind = "not_found_error" if error.status_code == 404 else "invalid_request_error"
    what = {404: f"no route {shown(request.url.path)}",
            405: f"method {request.method} not allowed on {shown(request.url.path)}"}
    return error_response(ApiError(error.status_code, what.get(error.status_code, error.detail),
                                   type=kind))


async def on_client_left(request: Request, error: completions.ClientLeft):
    log.info("%s: the client left; its request was cancelled", shown(request.url.path))
    return Response(status_code=400)  # to a closed connection: never sent


async def on_queue_full(request: Request, error: QueueFull):
    return error_response(ApiError(503, f"server busy: {error}", type="server_error"))


async def on_bug(request: Request, error: Exception):
    log.error("%s %s failed: %s: %s", request.method, shown(request.url.path),
              type(error).__name__, error)
    return error_response(ApiError(500, f"internal error ({type(error).__name__}); see the "
                                        "server log", type="server_error"))


class Gate:
    """ASGI middleware: the ``Host``, ``Origin`` and API-key checks of the module docstring."""

    def __init__(self, app, access: Access, bind_host: str):
        self.app, self.key = app, access.api_key
        self.hosts = access.hosts_for(bind_host)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            request = Request(scope)
            error = self.refusal(request)
            if error is not None:
                error.close = undrainable(request)
                log.warning("refused %s %s: %s", scope["method"], shown(scope["path"]),
                            error.message)
                return await error_response(error)(scope, receive, send)
        await self.app(scope, receive, send)

    def refusal(self, request: Request) -> ApiError | None:
        host = request.headers.get("host", "")
        try:
            name = urlsplit(f"//{host}").hostname
        except ValueError:  # e.g. an unclosed "[" of an IPv6 address
            name = None
        if self.hosts is not None and name not in self.hosts:
            return ApiError(400, f"host {host!r} is not served here")
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{host}":
            return ApiError(403, f"cross-origin request from {origin!r} refused")
        if self.key and request.url.path.startswith(KEYED_PREFIXES) \
                and not self.authorized(request):
            return ApiError(401, "missing or incorrect API key: send 'Authorization: Bearer "
                                 "KEY'", type="authentication_error", code="invalid_api_key")
        return None

    def authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(
            token.strip().encode(), self.key.encode())


def build_app(service, access: Access, limits: Limits, bind_host: str,
              web_dir: Path | None = None, pdf_to_paper=None):
    """The ASGI app serving ``service`` (``pdf_to_paper``: PDF bytes -> paper text, or None)."""
    routes = [
        Route("/v1/models", models), Route("/models", models), Route("/health", health),
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/completions", text_completions, methods=["POST"]),
        Route("/v1/paper_from_pdf", paper_from_pdf, methods=["POST"]),
        Route("/{path:path}", page, methods=ANY_METHOD),  # any other path or method: 404
    ]
    handlers = {ApiError: on_api_error, HTTPException: on_http_error, QueueFull: on_queue_full,
                completions.ClientLeft: on_client_left, Exception: on_bug}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.service, app.state.limits = service, limits
    app.state.pages, app.state.pdf_to_paper = read_pages(web_dir), pdf_to_paper
    app.add_middleware(Gate, access=access, bind_host=bind_host)
    return Guard(app)


class Guard:
    """The outermost ASGI layer: a bug that Starlette answered (``on_bug``) and re-raised
    ends here, logged once, instead of in uvicorn's traceback and plain-text 500."""

    def __init__(self, app: Starlette):
        self.app = app

    async def __call__(self, scope, receive, send):
        started = False

        async def tracked(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:  # noqa: BLE001 - logged by on_bug, answered below at worst
            if not started and scope["type"] == "http":
                await error_response(ApiError(500, f"internal error ({type(error).__name__})",
                                              type="server_error"))(scope, receive, send)
