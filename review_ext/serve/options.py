"""The server's typed options: what to serve, who may use it, and how much a client may ask.

Built by the command line (``review_ext.entrypoints.serve``) or by any caller of
:func:`review_ext.serve.server.serve`; nothing below reads ``argparse``.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from review_ext.generate.engine import EngineOptions

WEB_DIR = Path(__file__).resolve().parent / "web"  # the page served at GET /
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Limits:
    """What one client may hold: time to send a request, its size, open connections."""

    request_bytes: int = 4 << 20  # a JSON body above it: 413, answered before it is read
    pdf_bytes: int = 64 << 20  # a PDF body above it: 413
    header_timeout: float = 10.0  # seconds from a request's first byte to its last header line
    body_timeout: float = 60.0  # seconds from the last header line to the body's last byte
    keep_alive_timeout: float = 5.0  # an idle kept-alive connection is closed after it
    max_connections: int = 512  # open connections; one more is answered 503 and closed
    max_header_bytes: int = 16 << 10  # an unfinished request head buffered above it: 400

    def __post_init__(self):
        for name, value in vars(self).items():
            if not value > 0:
                raise ValueError(f"{name} must be > 0, got {value}")


@dataclass(frozen=True)
class Access:
    """Who may use the server: an API key for ``/v1/*`` and the ``Host`` names it answers."""

    api_key: str | None = None  # None: anyone who reaches the port
    # None: the loopback names when bound to loopback, any name otherwise; "*" allows any
    allowed_hosts: tuple[str, ...] | None = None

    def hosts_for(self, bind_host: str) -> frozenset[str] | None:
        """The ``Host`` names (without port) the server accepts; None: any."""
        if self.allowed_hosts is None:
            return frozenset(LOOPBACK_NAMES) if is_loopback(bind_host) else None
        if "*" in self.allowed_hosts:
            return None
        return frozenset(LOOPBACK_NAMES) | {h.lower().strip("[]") for h in self.allowed_hosts}


@dataclass
class ServeOptions:
    """Everything :func:`review_ext.serve.server.serve` needs."""

    engine: EngineOptions  # its model None: --adapter's base, else the last model written
    names: tuple[str, ...] = ()  # the model's names in the API; () : the model folder's name
    system: str | None = None  # prompt settings: None takes review_suite.json's, else default
    max_length: int | None = None
    template: str | None = None
    max_prompt_tokens: int | None = None
    max_new_tokens: int = 1000  # max_tokens when a request gives none
    injection: str = "flag"  # papers that talk to the reviewer: flag, strip or refuse
    venue: str | None = None  # a rated model's venue (a key of the venue table)
    max_batch_size: int = 8
    max_queue: int = 256  # waiting requests before 503
    request_timeout: float = 3600.0  # a request's whole time (queue and decoding), then 504
    host: str = "127.0.0.1"
    port: int = 8000  # 0 picks a free port
    access: Access = field(default_factory=Access)
    limits: Limits = field(default_factory=Limits)
    web_dir: Path | None = WEB_DIR


def is_loopback(host: str) -> bool:
    """True for a name or address that only this machine reaches."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
