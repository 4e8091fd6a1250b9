"""tools/merge_bf16.sh: equal to peft's fp32 merge rounded to bf16; refuses what it must."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from review_ext.checkpoint import artifacts
from review_ext.checkpoint import merge as merge_mod
from review_ext.dev.random_adapter import RandomAdapterOptions, write_random_adapter
from review_ext.dev.random_model import Geometry, RandomModelOptions, write_random_model
from tests.helpers import ROOT
from tests.tool_scripts import load_tool

merge_bf16 = load_tool("merge_bf16")

pytestmark = pytest.mark.usefixtures("in_tmp")
META = {"base_model": None, "template": "review_mixtral", "max_length": 512}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A sharded tiny Mixtral (3 layers, ffn 96: unlike conftest's tiny_model)."""
    out = tmp_path_factory.mktemp("merge") / "base"
    write_random_model(RandomModelOptions(out, Geometry(layers=3, intermediate=96),
                                          max_shard_size="3MB"))
    assert (out / merge_mod.INDEX_FILE).is_file()
    return out


@pytest.fixture(scope="module")
def adapter(base) -> Path:
    """peft-saved adapter with rank/alpha patterns and modules_to_save, metadata naming its base."""
    out = base.parent / "adapter"
    write_random_adapter(RandomAdapterOptions(
        base, out, r=8, alpha=16, rank_pattern={"w2": 4}, alpha_pattern={"q_proj": 32},
        modules_to_save=("lm_head",), dtype="bf16"))
    artifacts.write_metadata(out, {**META, "base_model": str(base)})
    return out


@pytest.fixture(scope="module")
def merged(base, adapter) -> Path:
    options = merge_mod.MergeOptions(adapter, base.parent / "merged", base, progress=False)
    return merge_mod.merge(options)


def shard_tensors(folder: Path) -> dict[str, torch.Tensor]:
    tensors = {}
    for path in sorted(folder.glob("*.safetensors")):
        tensors.update(load_file(path))
    return tensors


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_equals_peft_merge_in_fp32_rounded_to_bf16(base, adapter, merged):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base, torch_dtype=torch.float32)
    reference = PeftModel.from_pretrained(model, adapter).merge_and_unload().state_dict()
    got, before = shard_tensors(merged), shard_tensors(base)
    assert got.keys() == reference.keys()
    for key, value in reference.items():
        assert got[key].dtype == torch.bfloat16, key
        assert torch.equal(got[key], value.to(torch.bfloat16)), key
    changed = {k for k in got if not torch.equal(got[k], before[k])}
    # 3 layers x (4 attention + 4 experts x 3) LoRA modules, plus lm_head from modules_to_save
    assert len(changed) == 3 * 16 + 1 and "lm_head.weight" in changed


def test_output_layout_config_and_metadata(base, adapter, merged):
    base_index = json.loads((base / merge_mod.INDEX_FILE).read_text())
    index = json.loads((merged / merge_mod.INDEX_FILE).read_text())
    assert index["weight_map"] == base_index["weight_map"]
    assert sorted(p.name for p in merged.glob("*.safetensors")) == sorted(
        p.name for p in base.glob("*.safetensors")
    )
    assert json.loads((merged / "config.json").read_text())["torch_dtype"] == "bfloat16"
    for name in ("tokenizer.json", "tokenizer_config.json", "generation_config.json"):
        assert (merged / name).read_bytes() == (base / name).read_bytes()
    meta = artifacts.read_metadata(merged)
    assert meta["template"] == "review_mixtral" and meta["base_model"] == str(base)
    assert (
        meta["merge"]["adapter"] == str(adapter.resolve()) and meta["merge"]["dtype"] == "bfloat16"
    )
    assert not [p for p in merged.parent.iterdir() if p.name.startswith(".merged")]  # no temp dirs


def test_base_from_metadata_and_force_rerun_are_byte_identical(adapter, merged, capsys):
    out = merged.parent / "merged-again"
    merge_bf16.main([str(adapter), str(out), "--no-progress"])  # BASE from review_suite.json
    first = file_bytes(out)
    assert first == file_bytes(merged)
    with pytest.raises(SystemExit, match="exists; use --force"):
        merge_bf16.main([str(adapter), str(out), "--no-progress"])
    merge_bf16.main([str(adapter), str(out), "--no-progress", "--force"])
    assert file_bytes(out) == first


def test_adapter_of_another_base_is_refused(adapter, tiny_model, tmp_path):
    with pytest.raises(SystemExit, match="does not fit this base") as e:
        merge_bf16.main([str(tiny_model), str(adapter), str(tmp_path / "out"), "--no-progress"])
    assert "not in the base" in str(e.value) or "base (" in str(e.value)
    assert not list(tmp_path.iterdir())


def test_missing_files_are_refused(base, adapter, tmp_path):
    broken = tmp_path / "adapter"
    shutil.copytree(adapter, broken)
    (broken / "adapter_model.safetensors").unlink()
    with pytest.raises(SystemExit, match="missing adapter weights"):
        merge_bf16.main([str(base), str(broken), str(tmp_path / "out")])
    with pytest.raises(SystemExit, match="does not exist"):
        merge_bf16.main([str(base), str(tmp_path / "nowhere"), str(tmp_path / "out")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter"]


def test_full_disk_is_refused_up_front(base, adapter, tmp_path, monkeypatch):
    monkeypatch.setattr(
        shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(1 << 40, 1 << 40, 1 << 20)
    )
    with pytest.raises(merge_mod.MergeError, match="not enough disk space"):
        merge_mod.merge(merge_mod.MergeOptions(adapter, tmp_path / "out", base, progress=False))
    assert not list(tmp_path.iterdir())


def test_write_error_leaves_nothing_behind(base, adapter, merged, tmp_path, monkeypatch):
    calls = []

    def failing_write(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:  # after one complete shard
            Path(path).write_bytes(b"partial")
            raise OSError(28, "No space left on device")
        return real_write(path, *args, **kwargs)

    real_write = merge_mod.write_streaming
    monkeypatch.setattr(merge_mod, "write_streaming", failing_write)
    out = tmp_path / "out"
    with pytest.raises(merge_mod.MergeError, match="No space left on device"):
        merge_mod.merge(merge_mod.MergeOptions(adapter, out, base, progress=False))
    assert not list(tmp_path.iterdir())
    # --force over an existing OUT that then fails keeps the old OUT intact
    shutil.copytree(merged, out)
    calls.clear()
    with pytest.raises(merge_mod.MergeError):
        merge_mod.merge(merge_mod.MergeOptions(adapter, out, base, force=True,
                                                  progress=False))
    assert file_bytes(out) == file_bytes(merged)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_help_of_shell_wrapper():
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(["bash", str(ROOT / "tools/merge_bf16.sh"), "--help"],
                            capture_output=True, text=True, env=env, check=True)
    assert "[base] adapter out" in result.stdout and "Examples:" in result.stdout


@pytest.mark.parametrize(
    "patterns",
    [
        {"w2": 4},
        {"q_proj": 32, "w1": 8},
        {"layers.1.self_attn.q_proj": 2},
        {r"model.layers.\d.block_sparse_moe.experts.0.w2": 4},
        {"proj": 3},
        {"experts.1.w3": 5, "w3": 6},
    ],
)
@pytest.mark.parametrize(
    "module",
    [
        "model.layers.0.self_attn.q_proj",
        "model.layers.1.self_attn.q_proj",
        "model.layers.0.block_sparse_moe.experts.0.w2",
        "model.layers.2.block_sparse_moe.experts.1.w3",
        "lm_head",
    ],
)
def test_pattern_matching_equals_peft(patterns, module):
    from peft.utils.other import get_pattern_key

    from review_ext.checkpoint.lora_adapter import pattern_value

    assert pattern_value(patterns, module, 16) == patterns.get(
        get_pattern_key(patterns.keys(), module), 16
    )
