"""The commands' edges: console scripts and tools/*.py run the same command lines; library errors
come out as one line with options shown as flags; the library never exits."""
from __future__ import annotations

import configparser
import importlib
import os
import re
import subprocess
import sys

import pytest

from review_ext.common.cli import doc_parser, error_line, flag_text, one_line_errors
from review_ext.common.errors import ReviewSuiteError
from tests.helpers import ROOT

TOOLS = ("infer", "pth_to_hf", "merge_bf16", "judge", "compliance", "plot_loss", "make_smollm2")
LIBRARY = ("checkpoint", "common", "evaluate", "generate", "infer")  # no exits, no argparse
EDGE = {ROOT / "review_ext" / "common" / "cli.py"}  # the scripts' shared conventions


def console_scripts() -> dict[str, str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    lines = cfg["options.entry_points"]["console_scripts"].strip().splitlines()
    return dict(line.replace(" ", "").split("=") for line in lines)


@pytest.mark.parametrize("name, target", sorted(console_scripts().items()))
def test_console_script_prints_its_help(name, target, capsys):
    module, func = target.split(":")
    assert module.startswith("review_ext.entrypoints.")
    with pytest.raises(SystemExit) as done:
        getattr(importlib.import_module(module), func)(["--help"])
    assert done.value.code == 0 and "usage:" in capsys.readouterr().out
    assert (ROOT / "tools" / f"{module.rsplit('.', 1)[1]}.py").is_file()  # and its script


@pytest.mark.parametrize("tool", TOOLS)
def test_each_script_still_runs_as_documented(tool):
    done = subprocess.run([sys.executable, str(ROOT / "tools" / f"{tool}.py"), "--help"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {tool}.py"), done.stdout
    assert re.search(r"^(Examples|examples|Usage):$", done.stdout, re.MULTILINE), done.stdout


def test_library_errors_print_as_one_line_with_flags():
    parser = doc_parser("A command.\n\nexamples:\n    cmd --max-new-tokens 3")
    parser.add_argument("--max-new-tokens")
    parser.add_argument("--force", action="store_true")
    text = "budget gone: lower `max_new_tokens`; `force` or `template`"
    assert flag_text(parser, text) == "budget gone: lower --max-new-tokens; --force or template"
    error = ReviewSuiteError("first line\n  second line: use `force`")
    assert error_line(parser, "cmd", error) == "cmd: error: first line second line: use --force"
    with pytest.raises(SystemExit) as done, one_line_errors(parser, "cmd"):
        raise error
    assert str(done.value) == "cmd: error: first line second line: use --force"
    with pytest.raises(KeyError), one_line_errors(parser, "cmd"):  # not the suite's: as is
        raise KeyError("x")


@pytest.mark.parametrize("package", LIBRARY)
def test_the_library_never_exits_nor_parses(package):
    for path in sorted(set((ROOT / "review_ext" / package).rglob("*.py")) - EDGE):
        source = path.read_text()
        assert not re.search(r"\bSystemExit\b|sys\.exit\(|\.parse_args\(", source), path
