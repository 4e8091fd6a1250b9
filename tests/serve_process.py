"""Run the real ``tools/serve.py`` in a subprocess for a test (test helper)."""
from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from pathlib import Path

from tests.helpers import ROOT


@contextlib.contextmanager
def serve(model: Path, *extra: str, startup_s: float = 180.0):
    """Start ``tools/serve.py --model MODEL --port 0``; yield its URL; stop it afterwards."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tools/serve.py"), "--model", str(model),
         "--host", "127.0.0.1", "--port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(startup_s)
    try:
        if not (first and first[0].startswith("http://")):
            proc.kill()
            raise RuntimeError(f"serve.py did not start: {proc.stderr.read()[-3000:]}")
        # keep draining stderr so a chatty server never blocks on a full pipe
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        yield first[0].strip()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
