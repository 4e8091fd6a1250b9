"""review_ext.dev and tools/dev/: random Mixtral models and LoRA adapters for tests and benchmarks."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from safetensors import safe_open

from review_ext.dev.random_adapter import RandomAdapterOptions, write_random_adapter
from review_ext.dev.random_model import (METADATA_FILE, Geometry, RandomModelOptions, build_config,
                                         mixtral_8x7b, write_random_model)
from tests.helpers import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "dev" / f"{name}.py"), *args],
                          capture_output=True, text=True, env=ENV, cwd=ROOT)


@pytest.mark.parametrize("name, option", [("make_tiny_model", "--kv-heads"),
                                          ("make_random_adapter", "--rank-pattern")])
def test_help_of_the_dev_scripts(name, option):
    result = run_script(name, "--help")
    assert result.returncode == 0 and option in result.stdout and "Examples:" in result.stdout


def test_the_full_geometry_is_mixtral_8x7b():
    config = build_config(mixtral_8x7b())
    assert (config.hidden_size, config.intermediate_size, config.num_hidden_layers) == (4096, 14336, 32)
    assert (config.num_local_experts, config.num_experts_per_tok) == (8, 2)
    assert (config.num_attention_heads, config.num_key_value_heads) == (32, 8)
    assert (config.vocab_size, config.rope_theta, config.tie_word_embeddings) == (32000, 1e6, False)


@pytest.mark.parametrize("bad, words", [
    (dict(layers=0), "layers must be a positive integer"),
    (dict(hidden=66, heads=4), "must divide"),
    (dict(heads=4, kv_heads=3), "must divide"),
    (dict(experts=2, experts_per_tok=3), "exceeds experts"),
])
def test_a_bad_geometry_is_refused_with_its_field(bad, words):
    with pytest.raises(ValueError, match=words):
        Geometry(**bad)


def test_the_script_writes_the_shapes_it_was_asked_for(tmp_path):
    out = tmp_path / "m"
    result = run_script("make_tiny_model", str(out), "--layers", "3", "--hidden", "32",
                        "--intermediate", "48", "--experts", "3", "--heads", "4", "--kv-heads", "1")
    assert result.returncode == 0, result.stderr
    config = json.loads((out / "config.json").read_text())
    assert (config["num_hidden_layers"], config["hidden_size"], config["num_local_experts"]) == (3, 32, 3)
    meta = json.loads((out / METADATA_FILE).read_text())
    assert meta["random_weights"] is True and meta["layers"] == 3 and meta["seed"] == 0
    shapes = {}
    for shard in out.glob("*.safetensors"):
        with safe_open(str(shard), framework="pt") as f:
            shapes.update({k: tuple(f.get_slice(k).get_shape()) for k in f.keys()})
    expert = "model.layers.2.block_sparse_moe.experts.2"
    assert shapes[f"{expert}.w1.weight"] == (48, 32) and shapes[f"{expert}.w2.weight"] == (32, 48)
    assert shapes["model.layers.0.self_attn.k_proj.weight"] == (8, 32)  # one kv head of width 8
    assert shapes["lm_head.weight"] == (32000, 32)
    assert sum(math.prod(s) for s in shapes.values()) == meta["params"]
    assert (out / "tokenizer.json").is_file()


def test_the_script_refuses_a_bad_geometry_in_one_line(tmp_path):
    result = run_script("make_tiny_model", str(tmp_path / "m"), "--heads", "3")
    assert result.returncode != 0 and not (tmp_path / "m").exists()
    assert result.stderr.strip().splitlines() == [
        "make_tiny_model: geometry: hidden (64) must divide by heads (3) and heads by kv_heads (2)"]


def test_the_adapter_names_its_base_and_ranks(tiny_model, tmp_path):
    out = tmp_path / "lora"
    write_random_adapter(RandomAdapterOptions(tiny_model, out, r=4, rank_pattern={"w2": 2}))
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] == 4 and config["base_model_name_or_path"] == str(tiny_model)
    with safe_open(str(out / "adapter_model.safetensors"), framework="pt") as f:
        w2 = [k for k in f.keys() if k.endswith("experts.0.w2.lora_A.weight")]
        assert w2 and all(f.get_slice(k).get_shape()[0] == 2 for k in w2)
        b = f.get_tensor(next(k for k in f.keys() if "lora_B" in k))
        assert b.abs().sum() > 0  # B is random too: a merge changes the weights
