"""JSON Lines (and whole JSON files), read strictly and written one way: the suite's one home.

* UTF-8, each line decoded on its own (one bad byte costs one line); a byte order mark is
  accepted before the first line (or at the start of a JSON file), nowhere else.
* Strict JSON: ``NaN`` and ``Infinity`` are refused (strict readers elsewhere fail on them,
  and the suite never writes them back); nesting deeper than Python can parse is refused.
* Blank lines (JSON whitespace only) are skipped; every other line yields exactly one item,
  its value or a :class:`BadJson` that names ``file:line``, the problem and what to do.
* Bounded: a line longer than :data:`MAX_LINE_BYTES` stops the read (no record is that
  long: the file is not JSON Lines, or is endless like ``/dev/zero``), and a whole JSON file
  larger than :data:`MAX_FILE_BYTES` is refused; JSON Lines of any length stream.

What to do with a bad line (count it as a reject, stop, make it an error row) is the
caller's policy; :func:`iter_jsonl` never drops or raises on one. A file that cannot be
used at all is a :class:`RowsFileError`, the one error every rows reader raises.

Writing: every JSONL writer of the suite writes :func:`as_line` of each record:
strict JSON (``NaN`` refused, so what is written reads back) with text as UTF-8, not
``\\u``-escaped (:data:`ENSURE_ASCII`). Such a file may hold U+2028 and U+2029 inside a
string: read it line by line as written (:func:`iter_jsonl`, or splitting on ``"\\n"``),
never with ``str.splitlines``, which splits there too.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from review_ext.common.errors import ReviewSuiteError

BOM = b"\xef\xbb\xbf"
ENSURE_ASCII = False  # the one choice for every writer: UTF-8 text as is, not escaped
JSON_SPACE = b" \t\r\n"
MAX_LINE_BYTES = 64 << 20  # one record: a paper with its reviews is well under 1 MiB
MAX_FILE_BYTES = 256 << 20  # one whole JSON file (a reviews file, a parsed PDF, a list)
_WANTED = {dict: ("an object", "each record must be a JSON object"),
           list: ("a list", "make the file one JSON list")}


class BadJson(ValueError):
    """A JSON text that cannot be used: its ``problem``, a ``hint`` (what to do) and ``data``
    (the text as read, or the value of the wrong type); ``path``/``line`` say where, if known.

    ``kind`` is ``"encoding"`` (not UTF-8), ``"json"`` (malformed, NaN/Infinity, too deep),
    ``"type"`` (valid JSON of another type than wanted) or ``"size"`` (a file too large).
    """

    def __init__(self, kind: str, problem: str, hint: str, data=None, path=None,
                 line: int | None = None):
        self.kind, self.problem, self.hint, self.data = kind, problem, hint, data
        self.path, self.line = path, line
        super().__init__(str(self))

    def at(self, path, line: int | None = None) -> "BadJson":
        """The same problem, located in ``path`` (at ``line``)."""
        return BadJson(self.kind, self.problem, self.hint, self.data, path, line)

    def __str__(self) -> str:
        where = ("" if self.path is None else f"{self.path}:{self.line}: " if self.line
                 else f"{self.path}: ")
        return f"{where}{self.problem}; {self.hint}"


class RowsFileError(ReviewSuiteError, ValueError):
    """A rows file (or an output path) that cannot be used at all; the message is one line
    naming the file (and line and field, when one is at fault) and what to do."""


def os_problem(error: OSError, path) -> RowsFileError:
    """The one-line error for a path the OS refused (missing, a folder, unreadable, full)."""
    reason = error.strerror or type(error).__name__
    return RowsFileError(f"{error.filename or path}: {reason.lower()}: check the path and "
                         "its permissions")


def dumps(value, **options) -> str:
    """``value`` as strict JSON text (``NaN`` refused: ValueError), characters as they are."""
    return json.dumps(value, ensure_ascii=ENSURE_ASCII, allow_nan=False, **options)


def as_line(record) -> str:
    """``record`` as one JSONL line (JSON escapes ``\\n`` and ``\\r`` in strings, not U+2028)."""
    return dumps(record) + "\n"


class _NonFinite(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NonFinite(name)


def strip_bom(raw: bytes) -> bytes:
    return raw[len(BOM):] if raw.startswith(BOM) else raw


def parse_json(raw: bytes | str, want: type | None = dict):
    """One strict JSON text (UTF-8 bytes or str) of type ``want`` (None: any); else
    :class:`BadJson`."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadJson("encoding", f"not UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})",
                          "re-save it as UTF-8", raw.decode("utf-8", "backslashreplace")) from None
    else:
        text = raw
    data = text.rstrip("\r\n")  # the text as read, for a rejects file
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as e:
        at = f"line {e.lineno} column {e.colno}" if e.lineno > 1 else f"column {e.colno}"
        raise BadJson("json", f"malformed JSON ({e.msg} at {at})", "fix the JSON syntax",
                      data) from None
    except _NonFinite as e:
        raise BadJson("json", f"{e} is not JSON", "write null or a number instead", data) from None
    except RecursionError:
        raise BadJson("json", "malformed JSON (nested too deep)", "flatten the record",
                      data) from None
    return expect(value, want)


def expect(value, want: type | None = dict):
    """``value`` when it is a ``want`` (dict or list; None: anything), else :class:`BadJson`."""
    if want is not None and not isinstance(value, want):
        name, hint = _WANTED[want]
        raise BadJson("type", f"a JSON {type(value).__name__}, not {name}", hint, value)
    return value


def iter_jsonl(path: str | Path, want: type | None = dict) -> Iterator[tuple[int, object]]:
    """``(line number, value or BadJson)`` for each non-blank line of a JSONL file.

    Lines are numbered from 1, blank ones included. An OSError (missing, a folder,
    unreadable) is raised as is, for the caller to word; a line longer than
    :data:`MAX_LINE_BYTES` raises :class:`RowsFileError`.
    """
    with open(path, "rb") as f:
        number = 0
        while raw := f.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise RowsFileError(f"{path}:{number}: a line longer than {MAX_LINE_BYTES >> 20} "
                                    "MiB: not JSON Lines (one record a line), or an endless input")
            raw = (strip_bom(raw) if number == 1 else raw).rstrip(b"\r\n")
            if not raw.strip(JSON_SPACE):
                continue
            try:
                yield number, parse_json(raw, want)
            except BadJson as e:
                yield number, e.at(path, number)


def is_json_list(path: str | Path) -> bool:
    """Whether the file's first character (after a BOM and whitespace) opens a JSON list."""
    with open(path, "rb") as f:
        f.seek(len(BOM) if f.read(len(BOM)) == BOM else 0)
        while chunk := f.read(1 << 16):
            if chunk := chunk.lstrip(JSON_SPACE):
                return chunk.startswith(b"[")
    return False


def read_at_most(path: str | Path, limit: int) -> bytes:
    """The bytes of ``path``, ``limit + 1`` at most (more than ``limit``: it is too large, or
    endless); OSError as is."""
    with open(path, "rb") as f:
        return f.read(limit + 1)


def read_json(path: str | Path, want: type | None = dict):
    """A whole JSON file (a leading BOM accepted, :data:`MAX_FILE_BYTES` at most);
    :class:`BadJson` naming the file, OSError as is."""
    raw = read_at_most(path, MAX_FILE_BYTES)
    if len(raw) > MAX_FILE_BYTES:
        raise BadJson("size", f"larger than {MAX_FILE_BYTES >> 20} MiB",
                      "write the records as JSON Lines (one a line)").at(path)
    try:
        return parse_json(strip_bom(raw), want)
    except BadJson as e:
        raise e.at(path) from None
