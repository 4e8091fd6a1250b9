"""tools/infer.py refuses what would silently go wrong: mixed resumes, two runs on one folder,
runs that produced nothing, unreadable inputs and outputs, a missing model (real command line)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, free_port, read_jsonl, short_rows, write_rows
from tests.tool_scripts import load_tool

pytestmark = pytest.mark.slow  # generates with the test model
INFER = ROOT / "tools" / "infer.py"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def short_context_model(tiny_model, tmp_path_factory) -> Path:
    """The tiny model with a 1,024-token context (its weights, another config)."""
    folder = tmp_path_factory.mktemp("models") / "short-context"
    folder.mkdir()
    for path in tiny_model.iterdir():
        if path.name != "config.json":
            (folder / path.name).symlink_to(path)
    config = json.loads((tiny_model / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "max_position_embeddings": 1024}))
    return folder


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(INFER), *args], capture_output=True, text=True,
                          cwd=cwd, env=ENV, timeout=900)


def last_line(result: subprocess.CompletedProcess) -> str:
    """The error a failed run ends with (``infer: error: `` cut off); never a traceback."""
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("infer: error: "), line
    return line.removeprefix("infer: error: ")


def strict(text: str):
    def refuse(name):
        raise ValueError(f"{name} in the output")

    return json.loads(text, parse_constant=refuse)


def test_resume_refuses_other_settings_and_changed_papers(tiny_model, short_context_model,
                                                         papers, tmp_path):
    infer = load_tool("infer")
    rows = short_rows(papers, 3)
    test, out = write_rows(tmp_path / "t.jsonl", rows), tmp_path / "out"
    base = ["--test", str(test), "--model", str(tiny_model), "--output-dir", str(out),
            "--max-new-tokens", "3", "--no-progress"]
    assert infer.main(base) == 0
    assert json.loads((out / "run.json").read_text())["max_new_tokens"] == 3
    refused = {
        ("--max-new-tokens", "5"): "--max-new-tokens: earlier 3, now 5",
        ("--system", "v1"): "system prompt: earlier each row's own",
        ("--model", str(short_context_model)): f"model: earlier {tiny_model}",
        ("--do-sample", "--seed", "7"): "--do-sample: earlier false, now true; --seed",
    }
    for change, message in refused.items():
        result = cli(*base, "--resume", *change)
        assert message in last_line(result) and "--overwrite" in last_line(result)
    write_rows(test, [rows[0], {**rows[1], "input": rows[1]["input"] + " (revised)"}, rows[2]])
    with pytest.raises(SystemExit, match=f"1 finished row.*{rows[1]['id']} \\(paper\\)"):
        infer.main(base + ["--resume"])
    write_rows(test, rows)
    assert infer.main(base + ["--resume"]) == 0  # the same settings and papers: resumed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replies"] == 3 and summary["this_run"]["replies"] == 0
    assert all(len(r["paper_sha256"]) == 16 for r in read_jsonl(out / "predictions.jsonl"))


def test_two_runs_on_one_output_folder_the_second_is_refused(tiny_model, papers, tmp_path):
    test, out = write_rows(tmp_path / "t.jsonl", short_rows(papers, 4)), tmp_path / "out"
    args = [str(INFER), "--test", str(test), "--model", str(tiny_model), "--output-dir", str(out),
            "--max-new-tokens", "300", "--min-new-tokens", "300", "--batch-size", "1",
            "--no-progress"]
    first = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.time() + 120
    while not (out / ".lock").is_file() and time.time() < deadline and first.poll() is None:
        time.sleep(0.05)
    second = subprocess.run([sys.executable, *args, "--overwrite"], capture_output=True,
                            text=True, env=ENV, timeout=300)
    assert first.poll() is None, "the first run should still be writing"
    line = last_line(second)
    assert "in use by another run" in line and f"pid {first.pid}" in line, line
    assert first.wait(600) == 0, first.stderr.read()[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replies"] == 4 and summary["this_run"]["replies"] == 4  # nothing lost
    assert (out / "infer.log").read_text().count("infer.py --test") == 1
    assert not (out / ".lock").exists()  # released at the end


def test_a_run_where_every_paper_failed_exits_non_zero(papers, tmp_path):
    rows = short_rows(papers, 3)
    test, out = write_rows(tmp_path / "t.jsonl", rows), tmp_path / "out"
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    result = cli("--test", str(test), "--backend", "openai", "--base-url", dead, "--model-name",
                 "reviewer", "--max-length", "4000", "--output-dir", str(out), "--no-progress")
    assert "run failed: 0 of 3 rows got a reply" in last_line(result)
    assert str(out / "predictions.jsonl") in last_line(result)
    records = read_jsonl(out / "predictions.jsonl")  # partial outputs kept: every row's error
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    assert all(r["error_kind"] == "generation" and r["reply"] is None for r in records)
    assert json.loads((out / "summary.json").read_text())["replies"] == 0


def test_min_success_sets_the_share_of_replies_a_run_needs(tiny_model, papers, tmp_path, capsys):
    infer = load_tool("infer")
    rows = short_rows(papers, 3) + [{"id": "empty", "input": ""}]
    test = write_rows(tmp_path / "t.jsonl", rows)
    argv = ["--test", str(test), "--model", str(tiny_model), "--max-new-tokens", "2",
            "--no-progress"]
    assert infer.main(argv + ["--output-dir", str(tmp_path / "a")]) == 0  # 3 of 4
    assert infer.main(argv + ["--output-dir", str(tmp_path / "b"), "--min-success", "0.9"]) == 1
    log = (tmp_path / "b" / "infer.log").read_text()
    assert "run failed: 3 of 4 rows got a reply (75%, min_success 90%)" in log
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("infer: error: run failed: 3 of 4 rows got a reply (75%, "
                           "--min-success 90%)"), line
    assert len(read_jsonl(tmp_path / "b" / "predictions.jsonl")) == 4


def test_bom_accepted_and_nan_never_written(tiny_model, papers, tmp_path):
    infer = load_tool("infer")
    rows = [json.dumps(r) for r in short_rows(papers, 2)]
    rows.append('{"id": NaN, "input": "[TITLE]\\nA paper with a NaN id"}')
    rows.append('{"id": "inf", "input": "[TITLE]\\nA paper", "score": Infinity}')
    test = tmp_path / "t.jsonl"
    test.write_bytes(b"\xef\xbb\xbf" + "\n".join(rows).encode() + b"\n")
    out = tmp_path / "out"
    assert infer.main(["--test", str(test), "--model", str(tiny_model), "--output-dir", str(out),
                       "--max-new-tokens", "2", "--no-progress"]) == 0
    records = [
        strict(line)
        for line in (out / "predictions.jsonl").read_text(encoding="utf-8").split("\n")
        if line
    ]
    first = json.loads(rows[0])["id"]
    assert records[0]["id"] == first and records[0]["reply"] is not None  # BOM not in the row
    assert [r["error"] for r in records[2:]] == [
        f"not JSON: {test}:{n}: {name} is not JSON; write null or a number instead"
        for n, name in ((3, "NaN"), (4, "Infinity"))]
    for name in ("summary.json", "run.json", "updated_conversations.json"):
        strict((out / name).read_text())


def test_unreadable_inputs_and_outputs_are_one_line_errors(tiny_model, papers, tmp_path):
    good = write_rows(tmp_path / "good.jsonl", short_rows(papers, 1))
    (tmp_path / "loop.jsonl").symlink_to(tmp_path / "loop.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n")
    (tmp_path / "list.json").write_text('[{"input": "a"}, NaN]')
    (tmp_path / "latin1.jsonl").write_bytes('{"input": "caf\xe9"}\n'.encode("latin-1"))
    (tmp_path / "a-file").write_text("")
    cases = {
        tmp_path: f"test file {tmp_path} is a folder, not a file",
        tmp_path / "missing.jsonl": f"test file {tmp_path / 'missing.jsonl'} does not exist",
        tmp_path / "loop.jsonl": f"test file {tmp_path / 'loop.jsonl'} does not exist",
        tmp_path / "empty.jsonl": f"{tmp_path / 'empty.jsonl'}: no rows",
        tmp_path / "list.json": f"{tmp_path / 'list.json'}: not a valid JSON list",
        tmp_path / "latin1.jsonl": f"{tmp_path / 'latin1.jsonl'}:1: not UTF-8",
    }
    for test, message in cases.items():
        line = last_line(cli("--test", str(test), "--model", str(tiny_model),
                             "--output-dir", str(tmp_path / "out")))
        assert line.startswith(message), line
    outputs = [tmp_path / "a-file" / "out"]  # under a file
    try:
        os.mkdir("/sys/review-suite-out")  # sysfs refuses new folders, even to root
    except OSError:
        outputs.append(Path("/sys/review-suite-out"))
    for out in outputs:
        line = last_line(cli("--test", str(good), "--model", str(tiny_model), "--output-dir",
                             str(out)))
        assert line.startswith(f"{out}: cannot write the output folder"), line


def test_verbatim_command_without_model_uses_the_last_model(tiny_model, papers, tmp_path):
    from review_ext.checkpoint.artifacts import LAST_MODEL_FILE, record_last_model

    project = tmp_path / "project"
    project.mkdir()
    write_rows(project / "test.jsonl", [{"id": "p", "input": "[TITLE]\nA short paper"}])
    line = last_line(cli("--test", "test.jsonl", cwd=project))
    assert "no model given" in line and str(LAST_MODEL_FILE) in line and "--model" in line
    record_last_model(tiny_model, "merge_bf16", pointer=project / LAST_MODEL_FILE)
    result = cli("--test", "test.jsonl", cwd=project)  # the users' command, verbatim
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"model {tiny_model} (the last model written, by merge_bf16" in result.stderr
    assert read_jsonl(project / "infer_out" / "predictions.jsonl")[0]["reply"] is not None


def test_max_length_is_clamped_to_the_models_context(short_context_model, papers, tmp_path):
    infer = load_tool("infer")
    rows = [{"id": "long", "input": papers[0][1]}]
    out = tmp_path / "out"
    assert infer.main(["--test", str(write_rows(tmp_path / "t.jsonl", rows)), "--model",
                       str(short_context_model), "--output-dir", str(out), "--max-length", "5000",
                       "--max-new-tokens", "3", "--no-progress"]) == 0
    record = read_jsonl(out / "predictions.jsonl")[0]
    assert record["reply"] is not None and record["paper_tokens_dropped"] > 0
    assert 1000 < record["prompt_tokens"] <= 1024 - 3
    assert "max_length 5000 (--max-length) exceeds the model's context of 1024" in \
        (out / "infer.log").read_text()
    line = last_line(cli("--test", str(tmp_path / "t.jsonl"), "--model", str(short_context_model),
                         "--output-dir", str(tmp_path / "out2"), "--max-new-tokens", "2000"))
    assert line == "max_length 1024 leaves no room for the prompt beside 2000 new tokens: " \
                   "lower --max-new-tokens", line


BAD_COUNTS = {  # flag and value -> the words of the one-line error
    ("--limit", "-1"): "-1 is below 1",
    ("--limit", "0"): "0 is below 1",
    ("--batch-size", "0"): "0 is below 1",
    ("--max-new-tokens", "0"): "0 is below 1",
    ("--min-new-tokens", "-2"): "-2 is below 0",
    ("--max-length", "-5"): "-5 is below 1",
    ("--temperature", "nan"): "'nan' is not a finite number",
    ("--top-p", "inf"): "'inf' is not a finite number",
    ("--repetition-penalty", "0"): "0 is not above 0",
    ("--min-success", "1.5"): "1.5 is not a fraction",
    ("--concurrency", "0"): "0 is below 1",
    ("--request-timeout", "-1"): "-1 is not above 0",
    ("--gpus-per-replica", "0"): "0 is below 1",
    ("--engine-option", "cache_len"): "expected KEY=VALUE",
}


@pytest.mark.parametrize("flag, value", sorted(BAD_COUNTS))
def test_bad_counts_and_sizes_are_refused_at_the_edge(flag, value, tmp_path, capsys):
    """``--limit -1`` used to review 3 of 4 rows, ``--batch-size 0`` silently became 1."""
    infer = load_tool("infer")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as e:
        infer.main(["--test", str(tmp_path / "t.jsonl"), "--output-dir", str(out), flag, value])
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert e.value.code == 2 and f": error: argument {flag}: " in line, line
    assert BAD_COUNTS[flag, value] in line, line
    assert not out.exists()


def test_a_truncated_model_file_is_one_line(tiny_model, papers, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    test = write_rows(tmp_path / "t.jsonl", short_rows(papers, 1))
    line = last_line(cli("--test", str(test), "--model", str(model), "--output-dir",
                         str(tmp_path / "out")))
    assert line.startswith(f"cannot load the model {model}: {weights}: truncated"), line
    assert "copy or download it again" in line
