"""to_xtuner, to_llamafactory, to_swift, split and stats on converted real papers; --help."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from data_conversion import (
    from_peerread,
    split,
    stats,
    to_llamafactory,
    to_swift,
    to_xtuner,
)
from data_conversion.corpus.split import choose_test
from data_conversion.corpus.stats import measure
from data_conversion.exports.llamafactory import dataset_info_entry
from data_conversion.exports.xtuner import RATING_FIELDS
from data_conversion.running.rows import Run
from review_ext.data.encode import encode_sample
from review_ext.data.template import SYSTEM_PRESETS, encode_prompt, encode_review
from tests.helpers import ROOT, read_jsonl

# command -> the module of data_conversion that holds its code
CLIS = {"from_peerread": "sources.peerread", "from_openreview": "sources.openreview",
        "from_pdf": "sources.pdf", "to_xtuner": "exports.xtuner",
        "to_llamafactory": "exports.llamafactory", "to_swift": "exports.swift",
        "split": "corpus.split", "stats": "corpus.stats", "quality": "corpus.quality",
        "llm_labels": "reviews.llm_labels", "fetch_openreview": "sources.fetch_openreview"}


@pytest.fixture(scope="module")
def rows_file(converted, tmp_path_factory):
    """PeerRead (3 papers) and NeurIPS (12 papers) rows in one input/output JSONL."""
    out = tmp_path_factory.mktemp("rows") / "all.jsonl"
    out.write_bytes(converted["peerread"].read_bytes() + converted["neurips"].read_bytes())
    return out


@pytest.mark.parametrize("name", CLIS)
def test_help(name):
    res = subprocess.run([sys.executable, "-m", f"data_conversion.{name}", "--help"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "usage:" in res.stdout and "Usage::" in res.stdout
    assert f"python -m data_conversion.{name}" in res.stdout
    if not name.startswith("fetch_"):  # converters; a fetcher has no rows to skip
        assert "--skip-bad" in res.stdout


def test_every_command_is_a_thin_module_over_its_home():
    top = {p.stem for p in (ROOT / "data_conversion").glob("*.py")} - {"__init__"}
    assert top == set(CLIS)  # the top level holds the commands only
    for name, home in CLIS.items():
        command = importlib.import_module(f"data_conversion.{name}")
        library = importlib.import_module(f"data_conversion.{home}")
        assert command.main is library.main and callable(library.parse_args) and library.__doc__
        assert len((ROOT / "data_conversion" / f"{name}.py").read_text().splitlines()) <= 8


def test_three_frameworks_get_identical_data(rows_file, tmp_path):
    assert to_xtuner.main([str(rows_file), str(tmp_path / "x.json")]).exit_code == 0
    assert to_llamafactory.main([str(rows_file), str(tmp_path / "lf")]).exit_code == 0
    assert to_swift.main([str(rows_file), str(tmp_path / "sw.jsonl")]).exit_code == 0
    source = read_jsonl(rows_file)
    xt = json.loads((tmp_path / "x.json").read_text())
    lf = json.loads((tmp_path / "lf" / "paper_review.json").read_text())
    sw = read_jsonl(tmp_path / "sw.jsonl")
    system = SYSTEM_PRESETS["v2"]
    want = [(system, r["input"], r["output"]) for r in source]
    assert [tuple(c["conversation"][0][k] for k in ("system", "input", "output")) for c in xt] \
        == want
    assert all(list(c) == ["conversation", "rating", "confidence", "venue"]
               and len(c["conversation"]) == 1 for c in xt)
    assert [[c[k] for k in RATING_FIELDS] for c in xt] == \
        [[r[k] for k in RATING_FIELDS] for r in source]
    assert [(a["system"], a["instruction"], a["output"]) for a in lf] == want
    assert all(a["input"] == "" for a in lf)
    assert [tuple(m["content"] for m in s["messages"]) for s in sw] == want
    assert [m["role"] for m in sw[0]["messages"]] == ["system", "user", "assistant"]
    info = json.loads((tmp_path / "lf" / "dataset_info.json").read_text())
    assert info["paper_review"] == dataset_info_entry("paper_review.json")


def test_llamafactory_keeps_other_dataset_entries(rows_file, tmp_path):
    (tmp_path / "dataset_info.json").write_text(json.dumps({"other": {"file_name": "o.json"}}))
    to_llamafactory.main([str(rows_file), str(tmp_path), "--name", "reviews_v1", "--system",
                          "v1"])
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert set(info) == {"other", "reviews_v1"}
    assert json.loads((tmp_path / "reviews_v1.json").read_text())[0]["system"] == \
        SYSTEM_PRESETS["v1"]


def test_xtuner_system_file_and_test_rows(rows_file, tmp_path):
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("You review papers.\n")
    to_xtuner.main([str(rows_file), str(tmp_path / "x.json"), "--system-file", str(prompt)])
    xt = json.loads((tmp_path / "x.json").read_text())
    assert {c["conversation"][0]["system"] for c in xt} == {"You review papers."}
    account = to_xtuner.main([str(rows_file), str(tmp_path / "t.jsonl"), "--test",
                              "--system", "v1"])
    test = read_jsonl(tmp_path / "t.jsonl")
    rows = read_jsonl(rows_file)
    assert account.written == len(test) == len({r["paper_id"] for r in rows})  # one row per paper
    assert account.merged == len(rows) - len(test)
    assert all(list(t) == ["id", "system", "input", "venue"] for t in test)
    assert {t["venue"] for t in test} == {r["venue"] for r in rows}
    assert test[0]["system"] == SYSTEM_PRESETS["v1"] and test[0]["id"] == "598"


def test_split_by_paper(rows_file, tmp_path):
    account = split.main([str(rows_file), str(tmp_path / "a"), "--test-ratio", "0.2",
                          "--seed", "3"])
    train, test = read_jsonl(tmp_path / "a" / "train.jsonl"), read_jsonl(tmp_path / "a" /
                                                                         "test.jsonl")
    manifest = json.loads((tmp_path / "a" / "split.json").read_text())
    assert account.balanced and account.written == len(train) + len(test) == 57
    train_ids, test_ids = {r["paper_id"] for r in train}, {r["paper_id"] for r in test}
    assert not train_ids & test_ids and len(train_ids | test_ids) == 15 and len(test_ids) == 3
    assert sorted(test_ids) == manifest["test_papers"]
    split.main([str(rows_file), str(tmp_path / "b"), "--test-ratio", "0.2", "--seed", "3"])
    assert (tmp_path / "b" / "test.jsonl").read_bytes() == (tmp_path / "a" / "test.jsonl") \
        .read_bytes()
    assert choose_test([str(i) for i in range(10)], seed=0, test_papers=4) != \
        choose_test([str(i) for i in range(10)], seed=1, test_papers=4)


def test_stats_counts_like_training(shared_data, tmp_path, tokenizer, capsys):
    rows = tmp_path / "pr.jsonl"
    from_peerread.main([str(shared_data / "peerread" / "iclr_2017"), str(rows)])
    account = stats.main([str(rows), "--max-length", "8192", "--plot", str(tmp_path / "h.png"),
                          "--json", str(tmp_path / "s.json")], tokenizer=tokenizer)
    out = capsys.readouterr().out
    summary = account.extra["stats"]
    first = read_jsonl(rows)[0]
    total = len(encode_prompt(tokenizer, first["input"], "v2")) + len(
        encode_review(tokenizer, first["output"]))
    lengths = measure(Run("t", skip_bad=False, rejects_path=tmp_path / "r"), rows,
                            tokenizer, SYSTEM_PRESETS["v2"])
    assert lengths["total"][0] == total
    assert summary["rows"] == 9 and summary["total"]["max"] == int(lengths["total"].max())
    t = summary["total"]
    assert t["min"] <= t["p50"] <= t["p90"] <= t["p95"] <= t["p99"] <= t["max"]
    assert summary["over_max_length"] == int((lengths["total"] > 8192).sum())
    assert "over --max-length 8192" in out and len(out.splitlines()) <= 8
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "s.json").read_text()) == summary


def test_stats_counts_like_training_for_smollm2(shared_data, tmp_path, smollm2, smollm2_tokenizer,
                                                capsys):
    """``--tokenizer`` and ``--template chatml``: SmolLM2's counts, as training encodes the rows."""
    rows = tmp_path / "pr.jsonl"
    from_peerread.main([str(shared_data / "peerread" / "iclr_2017"), str(rows)])
    account = stats.main([str(rows), "--tokenizer", str(smollm2), "--template", "chatml",
                          "--max-length", "1024", "--plot", str(tmp_path / "h.png")])
    summary, out = account.extra["stats"], capsys.readouterr().out
    totals = [len(encode_sample(smollm2_tokenizer, r["input"], r["output"], "v2", 10 ** 6,
                                "chatml")["input_ids"]) for r in read_jsonl(rows)]
    assert summary["rows"] == len(totals) == 9
    assert (summary["total"]["min"], summary["total"]["max"]) == (min(totals), max(totals))
    assert summary["over_max_length"] == sum(t > 1024 for t in totals)
    assert summary["template_tokens"] == len(encode_prompt(smollm2_tokenizer, "", "v2", "chatml"))
    mixtral = stats.main([str(rows), "--max-length", "1024", "--plot", str(tmp_path / "m.png")])
    assert mixtral.extra["stats"]["total"] != summary["total"]  # another tokenizer, other counts
    assert f"{smollm2.name} tokenizer, template chatml" in out


def test_stats_refuses_a_folder_without_a_tokenizer(tmp_path, capsys):
    with pytest.raises(SystemExit):
        stats.main([str(tmp_path / "rows.jsonl"), "--tokenizer", str(tmp_path)])
    assert f"--tokenizer {tmp_path}: no tokenizer_config.json" in capsys.readouterr().err


def test_streaming_memory_is_flat(tmp_path):
    """Peak memory of to_xtuner stays far below the input size (rows are not all held)."""
    src = tmp_path / "big.jsonl"
    paper = "[TITLE]\nT\n\n[ABSTRACT]\nA\n\n[CAPTIONS]\n\n[CONTENT]\n" + "word " * 800
    review = "[Significance and novelty]\n<P> " + "point " * 100
    with src.open("w") as f:
        for i in range(4000):
            f.write(json.dumps({"id": f"p{i}", "input": paper, "output": review}) + "\n")
    size = src.stat().st_size
    tracemalloc.start()
    account = to_xtuner.main([str(src), str(tmp_path / "x.json")])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert account.written == 4000
    assert peak < size / 8, (peak, size)


def test_exit_codes_and_account_on_the_command_line(tmp_path):
    bad = Path(__file__).parent / "bad_inputs" / "missing_output.jsonl"
    cmd = [sys.executable, "-m", "data_conversion.to_xtuner", str(bad), str(tmp_path / "x.json")]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert res.returncode == 1 and not (tmp_path / "x.json").exists()
    assert "missing_output.jsonl: line 2 (id p2): field 'output': missing" in res.stderr
    res = subprocess.run(cmd + ["--skip-bad"], capture_output=True, text=True, cwd=ROOT,
                         timeout=60)
    assert res.returncode == 0 and (tmp_path / "x.json").exists()
    assert "read 2 rows = written 1 + rejected 1" in res.stderr
    assert json.loads((tmp_path / "x.rejects.jsonl").read_text())["reason"] == "missing"
