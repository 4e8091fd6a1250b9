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


# Written last into every folder :func:`staged_folder` completes: the files it holds. ``force``
# replaces only a folder whose every file is listed there (see :func:`check_output`).
MANIFEST = "written_files.json"


class OutputError(ReviewSuiteError):
    """An output that must not be written: it is an input, holds one, or holds files that the
    command did not write."""


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


def write_manifest(folder: Path) -> None:
    """Record the files of ``folder`` (relative paths and sizes) in its :data:`MANIFEST`."""
    folder = Path(folder)
    files = {name: (folder / name).stat().st_size for name in _files(folder) if name != MANIFEST}
    (folder / MANIFEST).write_text(json.dumps({"files": files}, indent=1, sort_keys=True) + "\n")


def unwritten_files(folder: Path) -> list[str]:
    """Files (and folders) in ``folder`` that its :data:`MANIFEST` does not list: all of them
    when it has none."""
    folder = Path(folder)
    try:
        listed = set(json.loads((folder / MANIFEST).read_text())["files"]) | {MANIFEST}
    except (OSError, ValueError, KeyError, TypeError):
        listed = set()
    found = [name for name in _files(folder) if name not in listed]
    found += [f"{p.relative_to(folder)}/" for p in folder.rglob("*")
              if p.is_dir() and not any(p.iterdir())]  # empty folders are content too
    return sorted(found)


def check_output(out, inputs=(), force: bool = False) -> None:
    """Refuse (:class:`OutputError`) an output folder ``out`` that would lose data.

    ``inputs`` are ``(what, path)`` pairs: ``out`` may be none of them nor hold one. When
    ``out`` exists it is refused unless ``force``, and even then unless every file in it was
    written by an earlier run (its :data:`MANIFEST`).
    """
    out = Path(out)
    target = out.resolve()
    for what, path in inputs:
        source = Path(path).resolve()
        if source == target:
            raise OutputError(f"the output {out} is the {what} itself: choose another output "
                              "folder")
        if target in source.parents:
            raise OutputError(f"the output {out} holds the {what} {path}: replacing it would "
                              "delete it; choose another output folder")
    if not out.exists() and not out.is_symlink():
        return
    if not force:
        raise OutputError(f"{out} exists; use `force` to replace it")
    if not out.is_dir() or out.is_symlink():
        raise OutputError(f"{out} is a file, not an output folder; remove it or choose another "
                          "output")
    foreign = unwritten_files(out)
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise OutputError(f"{out} holds {foreign[0]}{more}, not written by this command "
                          f"(not in its {MANIFEST}): `force` replaces only a folder it wrote; "
                          "move them away or choose another output folder")


@contextmanager
def staged_folder(out: Path):
    """A temporary sibling of ``out`` that replaces it on success and is removed on error.

    An existing ``out`` is only moved aside once the new folder is complete (with its
    :data:`MANIFEST`).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        write_manifest(tmp)
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
                raise LockedError(
                    f"{self.path.parent}: in use by another run (pid {holder or 'unknown'}, "
                    f"lock {self.path.name}); wait for it or choose another output"
                ) from None
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
        if (
            kind in ("tmp", "old")
            and pid.isdigit()
            and int(pid) != os.getpid()
            and not pid_alive(int(pid))
        ):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def locked_staging(out, force: bool = False, log=None, inputs=()):
    """:func:`staged_folder` for ``out`` under ``out``'s lock, for long runs that write a folder.

    Raises :class:`LockedError` while another run writes ``out``, :class:`OutputError` when
    :func:`check_output` refuses it (``inputs``: ``(what, path)`` pairs); staging folders of dead
    runs are removed first (``log`` says so).
    """
    out = Path(out)
    check_output(out, inputs, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    with FolderLock(out.parent, f".{out.name}.lock"):
        check_output(out, inputs, force)  # again: another run may have written it meanwhile
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
        problem = (
            f"is a {'file' if path.is_file() else 'folder' if path.is_dir() else 'special file'}, "
            f"not a {want}"
        )
    elif not os.access(path, os.R_OK | (os.X_OK if folder else 0)):
        problem = "is not readable (permissions)"
    else:
        return path
    raise InputPathError(f"{what} {path} {problem}; give the {want} it should be")
