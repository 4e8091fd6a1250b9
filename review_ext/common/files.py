"""Writing outputs safely: atomic files, staged folders, and a lock that keeps two runs apart."""
from __future__ import annotations

import errno
import fcntl
import glob
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError


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


class LockedError(ReviewSuiteError):
    """Another live process holds the lock."""


class FolderLock:
    """An exclusive lock on a folder, naming its holder's pid; a dead holder's lock is free.

    The lock is ``flock`` on ``folder/name``: the kernel releases it when its holder
    exits, however it exits (``kill -9`` included), so no stale lock ever blocks a
    run and a recycled pid never holds one. Use as a context manager around a run
    that writes into ``folder``.
    """

    def __init__(self, folder, name: str = ".lock"):
        self.path = Path(folder) / name
        self._fd: int | None = None

    def __enter__(self) -> "FolderLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise LockedError(f"{self.path.parent}: in use by another run (pid {holder or 'unknown'}, "
                                  f"lock {self.path.name}); wait for it or choose another output") from None
            if _same_file(fd, self.path):
                break
            os.close(fd)  # its last holder removed the file between our open and flock: retry
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid()}).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)  # still holding the lock: nobody else can be using it
            os.close(self._fd)
            self._fd = None


def _holder(fd: int) -> int | None:
    for _ in range(20):  # the holder writes its pid just after taking the lock
        try:
            return int(json.loads(os.pread(fd, 200, 0))["pid"])
        except (ValueError, KeyError, TypeError):
            time.sleep(0.01)
    return None


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as err:
        return err.errno == errno.EPERM
    return True


def remove_stale_staging(out) -> list[Path]:
    """Remove the staging folders :func:`staged_folder` left for ``out`` in runs now dead.

    A killed run leaves ``.<name>.tmp-<pid>`` (or ``.old-<pid>``) beside ``out``, as big
    as the output itself. Call it while holding ``out``'s lock; returns what was removed.
    """
    out = Path(out)
    removed = []
    for path in sorted(out.parent.glob(f".{glob.escape(out.name)}.*-*")):
        kind, _, pid = path.name[len(out.name) + 2:].rpartition("-")
        if kind in ("tmp", "old") and pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def locked_staging(out, force: bool = False, log=None):
    """:func:`staged_folder` for ``out`` under ``out``'s lock, for long runs that write a folder.

    Raises :class:`LockedError` while another run writes ``out``, FileExistsError when ``out``
    exists (unless ``force``); staging folders of dead runs are removed first (``log`` says so).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with FolderLock(out.parent, f".{out.name}.lock"):
        if out.exists() and not force:
            raise FileExistsError(f"{out} exists; pass --force to replace it")
        for stale in remove_stale_staging(out):
            if log:
                log(f"removed {stale}, the staging folder of a run that did not finish")
        with staged_folder(out) as tmp:
            yield tmp


class InputPathError(ReviewSuiteError, ValueError):
    """An input path that is missing, unreadable or of the wrong kind."""


def check_input(path, what: str, folder: bool = False) -> Path:
    """``path`` as a Path when it is an existing readable file (or folder); else
    :class:`InputPathError` (a ValueError), one line."""
    path = Path(path)
    want = "folder" if folder else "file"
    if not path.exists():
        problem = "does not exist" + (" (a broken symlink)" if path.is_symlink() else "")
    elif folder != path.is_dir():
        problem = f"is a {'file' if path.is_file() else 'folder' if path.is_dir() else 'special file'}, " \
                  f"not a {want}"
    elif not os.access(path, os.R_OK | (os.X_OK if folder else 0)):
        problem = "is not readable (permissions)"
    else:
        return path
    raise InputPathError(f"{what} {path} {problem}; give the {want} it should be")
