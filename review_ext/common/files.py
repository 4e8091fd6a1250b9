"""Writing outputs safely: atomic files, staged folders, and a lock that keeps two runs apart."""
from __future__ import annotations

import errno
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path


class AtomicWriter:
    """A text file written under a temporary name and renamed on :meth:`commit`."""

    def __init__(self, path, newline: str | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.file = self.tmp.open("w", encoding="utf-8", newline=newline)

    def write(self, text: str) -> None:
        self.file.write(text)

    def commit(self) -> None:
        self.file.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.file.close()
        self.tmp.unlink(missing_ok=True)


def atomic_write(path, write, newline: str | None = "") -> None:
    """Call ``write(file)`` on a temporary sibling of ``path``, then rename it over ``path``."""
    writer = AtomicWriter(path, newline=newline)
    try:
        write(writer.file)
    except BaseException:
        writer.abort()
        raise
    writer.commit()


@contextmanager
def staged_folder(out: Path):
    """A temporary sibling of ``out`` that replaces it on success and is removed on error.

    An existing ``out`` is only moved aside once the new folder is complete.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


class LockedError(RuntimeError):
    """Another live process holds the lock."""


class FolderLock:
    """An exclusive lock file in a folder, naming its holder's pid; a dead holder's lock is taken over.

    Use as a context manager around a run that writes into ``folder``.
    """

    def __init__(self, folder, name: str = ".lock"):
        self.path = Path(folder) / name

    def __enter__(self) -> "FolderLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and _alive(holder):
                    raise LockedError(f"{self.path.parent}: in use by another run (pid {holder}); "
                                      f"wait for it or choose another output folder") from None
                self.path.unlink(missing_ok=True)  # stale: its holder is gone
                continue
            with os.fdopen(fd, "w") as f:
                json.dump({"pid": os.getpid()}, f)
            return self
        raise LockedError(f"{self.path}: could not take the lock")

    def __exit__(self, *exc) -> None:
        if self._holder() == os.getpid():
            self.path.unlink(missing_ok=True)

    def _holder(self) -> int | None:
        try:
            return int(json.loads(self.path.read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as err:
        return err.errno == errno.EPERM
    return True
