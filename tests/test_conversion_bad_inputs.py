"""Every case of tests/bad_inputs/ through its converter: the error text and the account."""
from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from tests.helpers import read_jsonl

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = json.loads((CORPUS / "cases.json").read_text())


def run_case(case, tmp_path, skip_bad, tokenizer):
    module = importlib.import_module(f"data_conversion.{case['converter']}")
    src = str(CORPUS / case["path"])
    if case["converter"] == "stats":
        argv = [src, "--plot", str(tmp_path / "h.png")]
    elif case["converter"] in ("split", "to_llamafactory"):
        argv = [src, str(tmp_path / "out")]
    else:
        argv = [src, str(tmp_path / "out.jsonl")]
    argv += case["flags"] + ["--rejects", str(tmp_path / "rejects.jsonl")]
    argv += ["--skip-bad"] if skip_bad else []
    kwargs = {"tokenizer": tokenizer} if case["converter"] == "stats" else {}
    return module.main(argv, **kwargs)


def outputs(tmp_path):
    return sorted(p.name for p in tmp_path.rglob("*") if p.is_file())


def test_corpus_is_large_enough():
    bad = [c for c in CASES if c["problem"]]
    assert len(bad) >= 20 and len({c["path"] for c in CASES}) == len(CASES)
    assert {c["path"] for c in CASES} == {p.name for p in CORPUS.iterdir()} - {"cases.json",
                                                                              "README.md"}


@pytest.fixture(scope="module")
def stats_tokenizer(request):
    if any(c["converter"] == "stats" for c in CASES):
        return request.getfixturevalue("tokenizer")
    return None


@pytest.mark.parametrize("case", CASES, ids=[c["path"] for c in CASES])
def test_stops_with_a_named_error(case, tmp_path, capsys, stats_tokenizer):
    account = run_case(case, tmp_path, skip_bad=False, tokenizer=stats_tokenizer)
    err = capsys.readouterr().err
    if case["problem"] is None:  # not an error: counted, and the run succeeds
        assert account.exit_code == 0 and account.error is None
        return
    assert account.exit_code == 1
    for text in (case["file"], f"{case['where']}:", f"field '{case['field']}'", case["problem"],
                 "--skip-bad"):
        assert text in account.error, (text, account.error)
    assert account.error in err and "STOPPED" in err
    assert account.balanced  # the unit that stopped the run is counted as rejected
    assert "out.jsonl" not in outputs(tmp_path) and "train.jsonl" not in outputs(tmp_path)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("case", CASES, ids=[c["path"] for c in CASES])
def test_skip_bad_goes_on_and_accounts(case, tmp_path, capsys, stats_tokenizer):
    account = run_case(case, tmp_path, skip_bad=True, tokenizer=stats_tokenizer)
    err = capsys.readouterr().err
    want = case["account"]
    got = {"read": account.read, "written": account.written, "rejected": account.n_rejected,
           "duplicates": account.duplicates, "skipped": account.n_skipped}
    assert got == want
    assert account.exit_code == 0 and account.balanced
    assert f"read {want['read']} " in err and f"rejected {want['rejected']}" in err
    rejects = tmp_path / "rejects.jsonl"
    if not want["rejected"]:
        assert not rejects.exists()
        return
    rows = read_jsonl(rejects)
    assert rows and all(case["problem"] in r["reason"] for r in rows)
    assert all(case["file"] in r["source"] and r["field"] == case["field"] for r in rows)
    assert all(r["record"] is not None for r in rows)  # the bad data itself is kept
