"""review_ext.dev and tools/dev/: random Mixtral models and LoRA adapters (tests, benchmarks)."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from safetensors import safe_open

from review_ext.dev.random_adapter import RandomAdapterOptions, write_random_adapter
from review_ext.dev.random_model import (
    METADATA_FILE,
    Geometry,
    build_config,
    mixtral_8x7b,
)
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
    assert (config.hidden_size, config.intermediate_size) == (4096, 14336)
    assert config.num_hidden_layers == 32
    assert (config.num_local_experts, config.num_experts_per_tok) == (8, 2)
    assert (config.num_attention_heads, config.num_key_value_heads) == (32, 8)
    assert (config.vocab_size, config.rope_theta, config.tie_word_embeddings) == (32000, 1e6, False)


@pytest.mark.parametrize("bad, words", [
    (dict(layers=0), "`layers` must be a positive integer"),
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
    assert (config["num_hidden_layers"], config["hidden_size"]) == (3, 32)
    assert config["num_local_experts"] == 3
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
        "make_tiny_model: error: geometry: hidden (64) must divide by heads (3) and heads by "
        "kv_heads (2)"]


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


@pytest.fixture(scope="module")
def nf4_folder(tmp_path_factory):
    from review_ext.dev.nf4_model import Nf4ModelOptions, write_nf4_model

    out = tmp_path_factory.mktemp("nf4") / "m"
    write_nf4_model(Nf4ModelOptions(out, Geometry(layers=2), device="cpu"))
    return out


def test_nf4_quantisation_is_the_recipes(nf4_folder):
    from review_ext.train.config_dump import load_config

    recipe = load_config(ROOT / "xtuner_configs" / "v1.py").model.llm.quantization_config
    written = json.loads((nf4_folder / "config.json").read_text())["quantization_config"]
    for key in ("load_in_4bit", "bnb_4bit_quant_type", "bnb_4bit_use_double_quant"):
        assert written[key] == recipe[key], key
    assert written["bnb_4bit_compute_dtype"] == str(recipe["bnb_4bit_compute_dtype"]).split(".")[-1]


def test_nf4_folder_holds_packed_linears_and_bf16_rest(nf4_folder):
    import torch
    from bitsandbytes.functional import QuantState, dequantize_4bit

    meta = json.loads((nf4_folder / METADATA_FILE).read_text())
    assert meta["quantization"] == "nf4" and meta["params"] == Geometry(layers=2).parameters()
    with safe_open(str(nf4_folder / "model.safetensors"), framework="pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    w1 = "model.layers.1.block_sparse_moe.experts.3.w1.weight"
    assert tensors[w1].dtype == torch.uint8 and tensors[w1].numel() == 128 * 64 // 2
    state = {k[len(w1) + 1:]: v for k, v in tensors.items() if k.startswith(w1 + ".")}
    assert "quant_state.bitsandbytes__nf4" in state and "nested_absmax" in state  # double quant
    weight = dequantize_4bit(tensors[w1], QuantState.from_dict(state, device=torch.device("cpu")))
    assert weight.shape == (128, 64) and 0.015 < weight.float().std() < 0.025  # drawn, std 0.02
    assert tensors["lm_head.weight"].dtype == torch.bfloat16
    assert tensors["lm_head.weight"].shape == (32000, 64)
    assert torch.equal(tensors["model.norm.weight"], torch.ones(64, dtype=torch.bfloat16))
    gates = [k for k in tensors if k.endswith("block_sparse_moe.gate.weight")]
    assert len(gates) == 2 and all(tensors[k].dtype == torch.uint8 for k in gates)


def test_parameter_count_matches_the_model():
    from review_ext.dev.random_model import random_model

    geometry = Geometry(layers=3, hidden=32, intermediate=48, experts=3, heads=4, kv_heads=1)
    model = random_model(geometry)
    assert sum(p.numel() for p in model.parameters()) == geometry.parameters()
    assert mixtral_8x7b().parameters() == 46_702_792_704  # Mixtral-8x7B's published 46.7B
