"""Run the server: load the model, bind the address, serve with uvicorn until stopped.

:func:`serve` is the whole command as a function of :class:`ServeOptions`. uvicorn
serves the Starlette app (``review_ext.serve.app``) on one event loop with the guarded
HTTP/1.1 protocol (``review_ext.serve.protocol``); generation runs in the scheduler's
worker thread, tokenizing and PDF parsing in a thread pool. Bound beyond loopback
without an API key, it logs a loud warning: anyone who reaches the port can use the model.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import socket
from typing import Callable

import uvicorn

from review_ext.serve.app import build_app
from review_ext.serve.options import ServeOptions, is_loopback
from review_ext.serve.protocol import GuardedH11Protocol
from review_ext.serve.service import ServeError, build_service

log = logging.getLogger(__name__)
SHUTDOWN_S = 5.0  # on SIGINT/SIGTERM, open requests get this long before they are cut


def pdf_reader():
    """``data_conversion.sources.pdf.pdf_to_paper``, or None (501) when its parser is missing."""
    try:
        from data_conversion.sources.pdf import pdf_to_paper
    except ImportError as error:
        log.warning("PDF upload disabled: %s", error)
        return None
    return pdf_to_paper


def open_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: a free one), not yet listening."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def warn_if_open(options: ServeOptions) -> None:
    """The loud warning for a server that anyone on the network may use."""
    if options.access.api_key or is_loopback(options.host):
        return
    bar = "!" * 78
    log.warning("\n%s\n!! Serving on %s WITHOUT AN API KEY: anyone who can reach this port can "
                "use the\n!! model and read its answers. Set an API key, or bind to 127.0.0.1 "
                "and put an\n!! authenticating proxy in front.\n%s", bar, options.host, bar)


def uvicorn_config(app, options: ServeOptions) -> uvicorn.Config:
    limits = options.limits
    return uvicorn.Config(
        app, http=functools.partial(GuardedH11Protocol, limits=limits), ws="none",
        lifespan="off", log_config=None, server_header=False,
        timeout_keep_alive=limits.keep_alive_timeout,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        timeout_graceful_shutdown=SHUTDOWN_S)


def serve(options: ServeOptions, ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT/SIGTERM; ``ready(url)`` once the model is loaded and the port bound.

    Raises :class:`ServeError` when the model cannot be loaded or the address bound.
    """
    service = build_service(options)
    try:
        sock = open_socket(options.host, options.port)
        hosts = options.access.hosts_for(options.host)
        log.info("API key: %s; Host names served: %s",
                 "required for /v1/*" if options.access.api_key else "none",
                 ", ".join(sorted(hosts)) if hosts is not None else "any")
        warn_if_open(options)
        app = build_app(service, options.access, options.limits, options.host,
                        options.web_dir, pdf_reader())
        server = uvicorn.Server(uvicorn_config(app, options))
        asyncio.run(_run(server, sock, url_of(sock), ready))
    finally:
        service.scheduler.close()


async def _run(server: uvicorn.Server, sock: socket.socket, url: str, ready) -> None:
    async def announce():
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.05)
        if server.started and ready:
            ready(url)

    waiter = asyncio.create_task(announce())
    try:
        await server.serve(sockets=[sock])
    finally:
        waiter.cancel()
