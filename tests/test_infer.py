"""tools/infer.py and the generation engine on the tiny Mixtral (CPU, a few new tokens)."""
from __future__ import annotations

import csv
import importlib
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from review_ext.data.template import encode_prompt, resolve_system
from review_ext.generate.batching import generate_sorted
from review_ext.generate.engine import HFEngine, SamplingParams
from tests.helpers import INFER, read_jsonl, run_infer, short_rows, write_rows


class RecordingEngine(HFEngine):
    """The HF engine, keeping every prompt it is given (plugged in with ``--engine``)."""

    prompts: list[tuple[int, ...]] = []

    def generate(self, prompts, params, on_token=None):
        RecordingEngine.prompts += [tuple(p) for p in prompts]
        return super().generate(prompts, params, on_token)


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def engine(tiny_model):
    from review_ext.generate.engine import EngineOptions
    from review_ext.generate.loading import load_hf_model

    options = EngineOptions(model=str(tiny_model), dtype="float32", device="cpu")
    return HFEngine(*load_hf_model(options))


def test_help_of_infer():
    result = subprocess.run([sys.executable, str(INFER), "--help"], capture_output=True, text=True,
                            check=True)
    for word in ("--resume", "--backend", "examples:", "torchrun"):
        assert word in result.stdout


def test_batched_greedy_equals_one_at_a_time(engine, tokenizer):
    papers = ["A short paper.", "A longer paper about sparse experts " * 5, "Mid-sized text, two."]
    jobs = [(i, encode_prompt(tokenizer, p, "v2")) for i, p in enumerate(papers)]
    assert len({len(ids) for _, ids in jobs}) == 3  # unequal lengths: the batch is left-padded
    params = SamplingParams(max_new_tokens=8, min_new_tokens=8)

    def decode(batch_size):
        return {k: c.token_ids for keys, res in generate_sorted(engine, jobs, params, batch_size)
                for k, c in zip(keys, res)}

    batched, single = decode(3), decode(1)
    assert batched == single and all(len(ids) == 8 for ids in batched.values())
    streamed = [[] for _ in jobs]  # per-row token callbacks see the same tokens
    done = engine.generate([ids for _, ids in jobs], params, [s.append for s in streamed])
    assert streamed == [c.token_ids for c in done] == [batched[k] for k, _ in jobs]


def test_finish_stops_at_eos_and_oom_halves_batches(engine, tokenizer):
    import torch

    from review_ext.generate.engine import finish

    assert finish([5, 6, 2, 2, 2], 2).token_ids == [5, 6]
    assert finish([5, 6, 2], 2).finish_reason == "stop"
    assert finish([5, 6], 2).finish_reason == "length"

    class SmallGpu(HFEngine):  # the real engine, "out of memory" above two prompts
        sizes = []

        def generate(self, prompts, params, on_token=None):
            self.sizes.append(len(prompts))
            if len(prompts) > 2:
                raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
            return super().generate(prompts, params, on_token)

    small = SmallGpu(engine.model, engine.tokenizer)
    jobs = [(i, encode_prompt(tokenizer, "paper " * (i + 1), None)) for i in range(7)]
    got = {k: r for keys, res in generate_sorted(small, jobs, SamplingParams(max_new_tokens=2), 4)
           for k, r in zip(keys, res)}
    assert sorted(got) == list(range(7)) and all(len(r.token_ids) == 2 for r in got.values())
    assert small.sizes[:3] == [4, 2, 2] and max(small.sizes[3:]) == 2  # halved, then kept at 2


def test_infer_prompt_ids_equal_training_ids(tiny_model, tokenizer, papers, tmp_path):
    from review_ext.data.encode import IGNORE_INDEX, encode_sample
    from review_ext.data.template import encode_review

    system = resolve_system("v1")  # the rows' own system prompt is used
    rows = [{"id": pid, "system": system, "input": paper} for pid, paper, _ in papers[:3]]
    rows.append({"id": "short", "system": system, "input": "[TITLE]\nA short paper"})
    max_length, max_new = 900, 3
    recorder = importlib.import_module("tests.test_infer").RecordingEngine  # what --engine loads
    recorder.prompts = []
    run_infer(tiny_model, write_rows(tmp_path / "test.jsonl", rows), tmp_path / "out",
              "--max-length", str(max_length),
              "--engine", "tests.test_infer:RecordingEngine.from_options")
    records = {r["id"]: r for r in read_jsonl(tmp_path / "out" / "predictions.jsonl")}
    assert records["short"]["paper_tokens_dropped"] == 0
    assert records[papers[0][0]]["paper_tokens_dropped"] > 0
    review = papers[0][2][0]
    budget = max_length - max_new  # training reserves the review's tokens, inference max_new
    training = set()
    for row in rows:
        sample = encode_sample(tokenizer, row["input"], review, system,
                               max_length=budget + len(encode_review(tokenizer, review)))
        training.add(tuple(sample["input_ids"][: sample["labels"].count(IGNORE_INDEX)]))
    assert set(recorder.prompts) == training
    assert tuple(encode_prompt(tokenizer, rows[-1]["input"], "v1")) in training


def test_bad_rows_become_error_records(tiny_model, papers, tmp_path):
    good = short_rows(papers, 3)
    bad = [
        {"id": "no-input", "system": "x"},
        {"id": "not-string", "input": ["a", "list"]},
        {"id": "huge-system", "system": "word " * 3000, "input": "[TITLE]\nFine paper"},
        {"id": good[0]["id"], "input": "a repeated id"},
        "{not json",
        "[1, 2]",
    ]
    summary = run_infer(tiny_model, write_rows(tmp_path / "t.jsonl", good + bad), tmp_path / "out",
                        "--max-prompt-tokens", "400")
    counts = summary["rows"], summary["replies"], summary["errors"], summary["missing"]
    assert counts == (9, 3, 6, 0)
    assert summary["errors_by_reason"] == {
        "no input": 1, "input is not a string (list)": 1, "too long": 1, "repeated id": 1,
        "not JSON": 1, "row is not a JSON object": 1}
    records = read_jsonl(tmp_path / "out" / "predictions.jsonl")
    assert len(records) == 9 and len({r["id"] for r in records}) == 9
    assert all(r["reply"] is None for r in records if r["error"])
    with open(tmp_path / "out" / "replies.csv", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["system", "input", "reply"]
    assert [r[1] for r in table[1:]] == [g["input"] for g in good]
    conversations = json.loads((tmp_path / "out" / "updated_conversations.json").read_text())
    assert [c["conversation"][0]["input"] for c in conversations] == [g["input"] for g in good]
    assert (tmp_path / "out" / "infer.log").read_text().count("summary:") == 1


def test_resume_after_kill_reviews_every_paper_once(tiny_model, papers, tmp_path):
    rows = short_rows(papers, 10)
    test, out = write_rows(tmp_path / "t.jsonl", rows), tmp_path / "out"
    cmd = [sys.executable, str(INFER), "--test", str(test), "--model", str(tiny_model),
           "--output-dir", str(out), "--batch-size", "2", "--max-new-tokens", "40",
           "--min-new-tokens", "40", "--no-progress"]
    kill_after = random.Random().randint(1, 7)  # papers written before the kill
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    part = out / "predictions.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if part.is_file() and part.read_text().count("\n") >= kill_after:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = part.read_text().count("\n")
    lines = part.read_text(encoding="utf-8").split("\n")[
        :written
    ]  # as written: replies may hold U+2028
    before_kill = {r["id"]: r for r in map(json.loads, lines)}
    assert 1 <= written < len(rows), "the kill should land mid-run"
    with part.open("a") as f:
        f.write('{"key": "torn-by-a-kill-mid-wri')  # as if killed inside a write
    from tests.tool_scripts import load_tool
    infer = load_tool("infer")

    with pytest.raises(SystemExit, match="--resume"):  # earlier results are never silently dropped
        infer.main(cmd[2:])
    # the same settings as the killed run (a resume with others is refused: test_resume_refuses_*)
    summary = run_infer(tiny_model, test, out, "--resume", *cmd[8:-1])
    assert (summary["rows"], summary["replies"], summary["missing"]) == (10, 10, 0)
    assert summary["this_run"]["replies"] == len(rows) - written
    records = read_jsonl(part)  # rewritten: every line whole, each paper once, in row order
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    generated = {r["id"]: r["generated_tokens"] for r in records}
    assert sorted(generated.values()).count(40) == len(rows)
    kept = [r for r in records if r["id"] in before_kill]
    assert len(kept) == written and all(r == before_kill[r["id"]] for r in kept)  # kept, not redone


def test_ranks_write_parts_and_the_last_one_merges(tiny_model, papers, tmp_path, monkeypatch):
    rows = short_rows(papers, 5)
    test, out = write_rows(tmp_path / "t.jsonl", rows), tmp_path / "out"
    from tests.tool_scripts import load_tool
    infer = load_tool("infer")

    argv = ["--test", str(test), "--model", str(tiny_model), "--output-dir", str(out),
            "--max-new-tokens", "2", "--no-progress"]
    monkeypatch.setenv("WORLD_SIZE", "2")
    for rank in (1, 0):
        monkeypatch.setenv("RANK", str(rank))
        assert infer.main(argv) == 0
        if rank == 1:
            assert not (out / "predictions.jsonl").exists()  # rank 0 still to come
    parts = [read_jsonl(out / f"predictions.rank{r}-of-2.jsonl") for r in (0, 1)]
    assert sorted(len(p) for p in parts) == [2, 3]
    merged = read_jsonl(out / "predictions.jsonl")
    assert [r["id"] for r in merged] == [r["id"] for r in rows]
    assert json.loads((out / "summary.json").read_text())["replies"] == 5


def test_defaults_come_from_review_suite_json(tiny_model, papers, tmp_path):
    from review_ext.checkpoint.artifacts import write_metadata

    model = tmp_path / "merged"  # the tiny model plus the metadata pth_to_hf/merge leave behind
    model.mkdir()
    for path in tiny_model.iterdir():
        (model / path.name).symlink_to(path)
    write_metadata(model, {"template": "review_mixtral", "system": "v1", "max_length": 600,
                           "system_prompt": resolve_system("v1"), "base_model": "unused"})
    rows = [{"id": "long", "system": resolve_system("v2"), "input": papers[0][1]}]
    summary = run_infer(model, write_rows(tmp_path / "t.jsonl", rows), tmp_path / "out")
    record = read_jsonl(tmp_path / "out" / "predictions.jsonl")[0]
    assert summary["replies"] == 1
    assert record["system"] == resolve_system("v1")  # the system training used wins
    assert 590 < record["prompt_tokens"] <= 600 - 3 and record["paper_tokens_dropped"] > 0
