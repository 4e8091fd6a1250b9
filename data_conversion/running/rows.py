"""Writing, the rejects file and the account every converter ends with.

A converter reads *units* (a JSONL line, or one entry of a reviews file) and each
unit lands in exactly one bucket of an :class:`Account`::

    read = written + rejected + duplicates + merged + skipped

``duplicates`` are repeats of a unit already seen, ``merged`` are units folded into
another output row (one row per paper), ``skipped`` are units that are not data by
design (e.g. a PeerRead question or comment). A bad unit raises
:class:`~data_conversion.bad_input.BadInput`; without
``--skip-bad`` the run stops there with a non-zero exit, with it the unit is written
to the rejects file (JSONL, with the reason) and the run goes on.

Outputs are written to a temporary file and renamed when the run succeeds, so a
failed run leaves no half-written output behind; an output that is one of the run's
inputs, or lies in an input folder, is refused before anything is written
(:meth:`Run.claim`): a converter never overwrites what it reads.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from data_conversion.running.bad_input import BadInput, iter_jsonl
from review_ext.common import jsonl
from review_ext.common.files import AtomicWriter
from review_ext.common.jsonl import RowsFileError


@dataclass
class Account:
    """What happened to every unit a converter read."""

    name: str
    unit: str = "rows"
    verb: str = "written"
    read: int = 0
    written: int = 0
    duplicates: int = 0
    merged: int = 0
    rejected: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)  # items of a review that are no points
    noted: Counter = field(default_factory=Counter)  # written, but worth a count (no score ...)
    screening: object = None  # a ScreenAccount when the run screens papers
    outputs: list = field(default_factory=list)
    rejects_path: str | None = None
    error: str | None = None
    allow_empty: bool = False  # an output of no rows is a success (--allow-empty)
    failure: str | None = None  # the run went through but failed its purpose: exit 1
    warnings: list = field(default_factory=list)  # printed loudly, the run still succeeds
    extra: dict = field(default_factory=dict)  # converter-specific results (stats' numbers)

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def balanced(self) -> bool:
        return self.read == (self.written + self.n_rejected + self.duplicates + self.merged
                             + self.n_skipped)

    @property
    def empty(self) -> bool:
        """Nothing written (the run succeeded only in form)."""
        return self.written == 0 and not self.allow_empty

    @property
    def exit_code(self) -> int:
        return 1 if self.error or self.failure or not self.balanced or self.empty else 0

    def summary(self) -> str:
        done = f"{self.verb} {self.written}"
        if self.error:  # nothing was written: say what the stop discarded
            done = f"{self.verb} 0" + (f" ({self.written} converted, discarded at the stop)"
                                       if self.written else "")
        terms = [done, f"rejected {self.n_rejected}"]
        if self.duplicates:
            terms.append(f"duplicates {self.duplicates}")
        if self.merged:
            terms.append(f"merged {self.merged}")
        if self.skipped:
            terms.append(f"skipped {self.n_skipped}")
        line = f"{self.name}: read {self.read} {self.unit} = " + " + ".join(terms)
        if not self.balanced:
            line += "  [UNBALANCED]"
        for title, counts in (("rejected", self.rejected), ("skipped", self.skipped),
                              ("dropped from reviews (not review points)", self.dropped),
                              ("noted", self.noted)):
            for reason, n in sorted(counts.items()):
                line += f"\n  {title} {n}: {reason}"
        if self.screening is not None:
            line += "\n  " + self.screening.summary()
        if self.n_rejected and self.rejects_path and not self.error:
            line += f"\n  rejects written to {self.rejects_path}"
        for warning in self.warnings:
            line += f"\n  WARNING: {warning}"
        if self.outputs and not self.error:
            line += "\n  output: " + ", ".join(map(str, self.outputs))
        if self.error:
            line += "\n  STOPPED: no output written"
        elif self.failure:
            line += f"\n  FAILED: {self.failure} (exit 1)"
        elif self.empty:
            line += (f"\n  FAILED: nothing {self.verb} (exit 1); pass --allow-empty to accept "
                     "an empty output")
        return line


class JsonlWriter(AtomicWriter):
    """One JSON object a line, by :func:`review_ext.common.jsonl.as_line`."""

    def add(self, record: dict) -> None:
        self.write(jsonl.as_line(record))


class JsonArrayWriter(AtomicWriter):
    """A JSON array written one element at a time (never held whole in memory)."""

    def __init__(self, path):
        super().__init__(path)
        self.n = 0
        self.write("[")

    def add(self, record: dict) -> None:
        self.write(("\n" if self.n == 0 else ",\n") + jsonl.dumps(record))
        self.n += 1

    def commit(self) -> None:
        self.write("\n]\n")
        super().commit()


def _real(path: Path) -> Path:
    """``path`` with its symlinks resolved (as written when they loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return Path(os.path.abspath(path))


def overwritten_input(path, files=(), folders=()) -> Path | None:
    """The input that writing ``path`` would destroy: an input file (by name, through a
    symlink or a hard link) or an input folder that holds it; None when there is none."""
    path = Path(path)
    target = _real(path)
    for folder in map(Path, folders):
        if _real(folder) in (target, *target.parents):
            return folder
    for source in map(Path, files):
        if target == _real(source):
            return source
        try:
            if os.path.samefile(path, source):
                return source
        except OSError:  # one of them does not exist (yet)
            pass
    return None


class Run:
    """One converter run: its inputs, its account, its outputs and (with --skip-bad) its
    rejects file."""

    def __init__(self, name: str, *, skip_bad: bool, rejects_path, unit: str = "rows",
                 verb: str = "written", inputs=(), input_folders=()):
        self.account = Account(name, unit=unit, verb=verb, rejects_path=str(rejects_path))
        self.skip_bad = skip_bad
        self.rejects_path = Path(rejects_path)
        self.inputs = [Path(p) for p in inputs]
        self.input_folders = [Path(p) for p in input_folders]
        self._rejects: JsonlWriter | None = None
        self._writers: list[AtomicWriter] = []

    def claim(self, path) -> Path:
        """``path`` as a place this run may write: :class:`RowsFileError` when it is one of the
        run's input files or lies in one of its input folders."""
        source = overwritten_input(path, self.inputs, self.input_folders)
        if source is not None:
            what = "is the input" if source in self.inputs else "lies in the input folder"
            raise RowsFileError(f"{path}: {what} {source}; write the output elsewhere (a "
                                "converter never overwrites what it reads)")
        return Path(path)

    def output(self, writer: AtomicWriter) -> AtomicWriter:
        """Register an output (refused when it would overwrite an input, see :meth:`claim`),
        committed only if the run ends without an error."""
        try:
            self.claim(writer.path)
        except RowsFileError:
            writer.abort()
            raise
        self._writers.append(writer)
        self.account.outputs.append(str(writer.path))
        return writer

    def reject(self, err: BadInput) -> None:
        """Count ``err``'s units as rejected, then set them aside (--skip-bad) or stop the run."""
        if not self.skip_bad:
            self.account.rejected[err.problem] += err.units
            raise err
        self.set_aside(err)

    def set_aside(self, err: BadInput, reason: str | None = None) -> None:
        """Count ``err``'s units as rejected (under ``reason``, else its problem) and write it
        to the rejects file; the run goes on whatever --skip-bad says (a policy's refusal)."""
        self.account.rejected[reason or err.problem] += err.units
        if self._rejects is None:
            self._rejects = JsonlWriter(self.rejects_path)
        self._rejects.add(err.as_reject())

    def jsonl(self, path) -> Iterator[tuple[str, dict]]:
        """``(where, record)`` for each good line of a JSONL file; bad lines are rejected."""
        for where, record in iter_jsonl(path):
            self.account.read += 1
            if isinstance(record, BadInput):
                self.reject(record)
            else:
                yield where, record

    def abort(self) -> None:
        """Drop every output (an unexpected exception); rejects so far are kept."""
        for w in self._writers:
            w.abort()
        if self._rejects is not None:
            self._rejects.commit()

    def finish(self, error: BadInput | None) -> Account:
        ok = error is None
        for w in self._writers:
            w.commit() if ok else w.abort()
        if self._rejects is not None:
            self._rejects.commit()
        if error is not None:
            self.account.error = str(error)
        return self.account


def content_key(*parts) -> bytes:
    """A short digest standing for a record's content (duplicate checks keep only these)."""
    h = hashlib.blake2b(digest_size=12)
    for p in parts:
        h.update(json.dumps(p, ensure_ascii=False, sort_keys=True).encode() + b"\0")
    return h.digest()


class Seen:
    """Keys seen so far, each with its content digest and where it was first seen."""

    def __init__(self):
        self._first: dict = {}

    def check(self, key, digest: bytes, where: str) -> tuple[str, str | None]:
        """``('new', None)``, ``('duplicate', first_where)`` or ``('conflict', first_where)``."""
        if key not in self._first:
            self._first[key] = (digest, where)
            return "new", None
        first, first_where = self._first[key]
        return ("duplicate" if first == digest else "conflict"), first_where
