"""tools/infer.py with the fast engine: same reviews as the HF engine, continuous batching,
resume after a kill still reviews every paper once, and --gpus-per-replica's placement."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import INFER, read_jsonl, run_infer, short_rows, write_rows


def test_static_engine_writes_the_hf_engines_reviews(tiny_model, papers, tmp_path):
    test = write_rows(tmp_path / "t.jsonl", short_rows(papers, 5))
    hf = run_infer(tiny_model, test, tmp_path / "hf", "--batch-size", "2", "--max-new-tokens", "6")
    fast = run_infer(tiny_model, test, tmp_path / "fast", "--engine", "static", "--batch-size", "2",
                     "--max-new-tokens", "6")
    assert (fast["rows"], fast["replies"], fast["errors"]) == (5, 5, 0) == (hf["rows"],
                                                                            hf["replies"], 0)
    want = {r["id"]: r["reply"] for r in read_jsonl(tmp_path / "hf" / "predictions.jsonl")}
    got = {r["id"]: r["reply"] for r in read_jsonl(tmp_path / "fast" / "predictions.jsonl")}
    assert got == want


def test_static_engine_resume_after_kill_reviews_every_paper_once(tiny_model, papers,
                                                                  tmp_path):
    rows = short_rows(papers, 8)
    test, out = write_rows(tmp_path / "t.jsonl", rows), tmp_path / "out"
    cmd = [
        sys.executable,
        str(INFER), "--test",
        str(test), "--model",
        str(tiny_model), "--output-dir",
        str(out), "--engine", "static", "--batch-size", "3", "--max-new-tokens", "40",
        "--min-new-tokens", "40", "--no-progress"
    ]
    proc = subprocess.Popen(cmd,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env={
                                **os.environ, "OMP_NUM_THREADS": "1"
                            })
    part, deadline = out / "predictions.jsonl", time.time() + 180
    while time.time() < deadline and proc.poll() is None:
        if part.is_file() and part.read_text().count("\n") >= 2:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = part.read_text().count("\n")
    assert 1 <= written < len(rows), "the kill should land mid-run"
    summary = run_infer(tiny_model, test, out, "--resume", "--engine", "static", "--batch-size",
                        "3", "--max-new-tokens", "40", "--min-new-tokens", "40")
    assert (summary["rows"], summary["replies"], summary["missing"]) == (8, 8, 0)
    assert summary["this_run"]["replies"] == len(rows) - written
    records = read_jsonl(part)
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    assert all(r["generated_tokens"] == 40 for r in records)


def test_replica_gpus_and_an_even_layer_split():
    from review_ext.common.errors import ReviewSuiteError
    from review_ext.generate.replicas import replica_gpus, spread_device_map

    assert replica_gpus(1, 2, 8) == [2, 3] and replica_gpus(0, 3, 8) == [0, 1, 2]
    with pytest.raises(ReviewSuiteError, match="2 process"):
        replica_gpus(2, 3, 8)
    placement = spread_device_map(32, [0, 1, 2])
    layers = [placement[f"model.layers.{i}"] for i in range(32)]
    assert layers == sorted(layers) and [layers.count(d) for d in (0, 1, 2)] == [11, 11, 10]
    assert (placement["model.embed_tokens"], placement["lm_head"],
            placement["model.norm"]) == (0, 2, 2)


def test_a_model_placed_by_the_spread_map_decodes_the_same(tiny_model, tokenizer):
    """The map names every module (from_pretrained refuses otherwise); the slot forward
    follows each layer's device (two CPU 'devices' here, two GPUs on the GPU machine)."""
    from review_ext.data.template import encode_prompt
    from review_ext.generate.engine import EngineOptions, HFEngine, SamplingParams
    from review_ext.generate.loading import load_hf_model
    from review_ext.generate.replicas import spread_device_map
    from review_ext.generate.static_engine import StaticEngine

    options = EngineOptions(model=str(tiny_model), dtype="float32", device="cpu")
    plain = HFEngine(*load_hf_model(options))
    options.device_map = spread_device_map(2, ["cpu", "cpu"])
    spread = StaticEngine(*load_hf_model(options))
    prompts = [
        encode_prompt(tokenizer, text, "v1")
        for text in ("One paper.", "Another, longer paper " * 4)
    ]
    params = SamplingParams(max_new_tokens=6, min_new_tokens=6)
    assert spread.decoder is not None
    assert spread.generate(prompts, params) == plain.generate(prompts, params)


def test_auto_engine_is_the_hf_reference_without_cuda(tiny_model):
    from review_ext.generate.args import build_engine
    from review_ext.generate.engine import EngineOptions, HFEngine
    from review_ext.generate.static_engine import StaticEngine

    options = EngineOptions(model=str(tiny_model), dtype="float32", device="cpu")
    auto = build_engine("auto", options)
    assert type(auto) is HFEngine
    assert isinstance(build_engine("static", options), StaticEngine)
