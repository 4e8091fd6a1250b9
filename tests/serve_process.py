"""Run the real ``tools/serve.py`` in a subprocess for a test (test helper)."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import ROOT


@dataclass
class Served:
    """A running server: its URL, its process and the lines it has written to stderr."""

    url: str
    proc: subprocess.Popen
    log: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@contextlib.contextmanager
def serving(model: Path, *extra: str, env: dict | None = None, startup_s: float = 180.0):
    """Start ``tools/serve.py --model MODEL --port 0``; yield :class:`Served`; stop it after."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tools/serve.py"), "--model", str(model),
         "--host", "127.0.0.1", "--port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, **(env or {})})
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(startup_s)
    served = Served((first[0].strip() if first else ""), proc)
    try:
        if not served.url.startswith("http://"):
            proc.kill()
            raise RuntimeError(f"serve.py did not start: {proc.stderr.read()[-3000:]}")
        # keep draining stderr (kept for the test) so a chatty server never blocks on a pipe
        threading.Thread(target=lambda: served.log.extend(proc.stderr), daemon=True).start()
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def serve(model: Path, *extra: str, startup_s: float = 180.0):
    """:func:`serving`, yielding the URL alone."""
    with serving(model, *extra, startup_s=startup_s) as served:
        yield served.url
