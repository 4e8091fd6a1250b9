"""Argument parsing shared by the converter CLIs, and how each run ends."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from data_conversion.running.bad_input import BadInput
from data_conversion.running.rows import Account, Run
from review_ext.common.jsonl import RowsFileError, os_problem
from review_ext.data.template import DEFAULT_SYSTEM, SYSTEM_PRESETS


def add_run_args(parser: argparse.ArgumentParser) -> None:
    """``--skip-bad`` and ``--rejects``, the same for every converter."""
    parser.add_argument("--skip-bad", action="store_true",
                        help="set bad rows aside in the rejects file and go on (default: stop "
                             "at the first one, non-zero exit)")
    parser.add_argument("--rejects", type=Path, default=None, metavar="PATH",
                        help="rejects file, JSONL with the reason (default: next to the output, "
                             "<output name less its extension>.rejects.jsonl, or rejects.jsonl "
                             "in an output folder)")
    parser.add_argument("--allow-empty", action="store_true",
                        help="exit 0 even when nothing was written (default: exit 1)")


def add_system_args(parser: argparse.ArgumentParser) -> None:
    """``--system`` (a preset of review_ext.data.template) or ``--system-file``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--system", choices=sorted(SYSTEM_PRESETS), default=DEFAULT_SYSTEM,
                       help=f"system prompt preset (default: {DEFAULT_SYSTEM})")
    group.add_argument("--system-file", type=Path, metavar="PATH",
                       help="read the system prompt from this UTF-8 text file instead")


def system_text(args, parser: argparse.ArgumentParser) -> str:
    """The system prompt the arguments name."""
    if args.system_file is None:
        return SYSTEM_PRESETS[args.system]
    try:
        text = args.system_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        parser.error(f"--system-file {args.system_file}: {e}")
    if not text:
        parser.error(f"--system-file {args.system_file} is empty: write the prompt in it")
    return text


def default_rejects(output, folder: bool = False) -> Path:
    """``out.jsonl`` (or ``out``) -> ``out.rejects.jsonl``; a folder -> ``folder/rejects.jsonl``."""
    output = Path(output)
    return output / "rejects.jsonl" if folder else output.with_name(output.stem + ".rejects.jsonl")


def run_converter(name: str, args, output, body, *, inputs=(), input_folders=(),
                  unit: str = "rows", verb: str = "written", folder: bool = False) -> Account:
    """Run ``body(run)`` and end with the account printed (stderr); return the account.

    ``inputs`` are the files the run reads and ``input_folders`` the folders it reads files
    from: no output may be one of those files or lie in those folders (:meth:`Run.claim`).
    A :class:`BadInput` (no ``--skip-bad``) or a path that cannot be read or written stops
    the run: its one-line message is printed, no output is written and the account's
    ``exit_code`` is 1.
    """
    rejects = args.rejects or default_rejects(output, folder)
    run = Run(name, skip_bad=args.skip_bad, rejects_path=rejects, unit=unit, verb=verb,
              inputs=inputs, input_folders=input_folders)
    run.account.allow_empty = args.allow_empty
    error = None
    try:
        run.claim(rejects)
        body(run)
    except (BadInput, RowsFileError) as e:
        error = e
    except OSError as e:  # an output that cannot be written (read-only folder, disk full)
        error = os_problem(e, output)
    except BaseException:
        run.abort()
        raise
    if error is not None:
        print(f"error: {error}", file=sys.stderr)
    try:
        account = run.finish(error)
    except OSError as e:  # the rename into place failed
        run.abort()
        account = run.finish(os_problem(e, output))
        print(f"error: {account.error}", file=sys.stderr)
    print(account.summary(), file=sys.stderr)
    return account


def write_summary(path, summary: dict) -> None:
    """Write a report's numbers as JSON (``--json PATH``; nothing when ``path`` is None)."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


def exit_with(account: Account) -> None:
    """``sys.exit`` with the account's exit code (for ``if __name__ == "__main__"``)."""
    sys.exit(account.exit_code)
