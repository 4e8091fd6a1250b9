"""tools/pth_to_hf.py on real ``xtuner train`` checkpoints (2 CPU iterations of the test model)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from review_ext.checkpoint import artifacts, base_identity, smollm2
from tests.helpers import ROOT, free_port
from tests.tool_scripts import load_tool
from tests.xtuner_cli import trained

merge_bf16 = load_tool("merge_bf16")
pth_to_hf = load_tool("pth_to_hf")


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture(scope="module")
def lora_run(tmp_path_factory, tiny_model, real_data):
    return trained(tmp_path_factory, "v2", tiny_model, real_data)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory, tiny_model, real_data):
    return trained(tmp_path_factory, "v3", tiny_model, real_data)


def convert(run, out, *extra):
    config, work_dir, options = run
    pth_to_hf.main(
        [str(config), str(work_dir / "iter_2.pth"), str(out), *extra, "--cfg-options", *options]
    )
    return out


def checkpoint_tensors(work_dir: Path) -> dict[str, torch.Tensor]:
    state = torch.load(work_dir / "iter_2.pth", map_location="cpu", weights_only=False)[
        "state_dict"
    ]
    return {k.removeprefix("llm."): v for k, v in state.items()}


def adapter_key(checkpoint_key: str) -> str:
    return checkpoint_key.replace(".default.", ".")


@pytest.mark.slow
def test_lora_adapter_is_lossless_fp32_or_bf16(lora_run, tiny_model, tmp_path):
    fp32 = load_file(convert(lora_run, tmp_path / "fp32") / "adapter_model.safetensors")
    bf16 = load_file(
        convert(lora_run, tmp_path / "bf16", "--dtype", "bf16") / "adapter_model.safetensors"
    )
    trained_state = checkpoint_tensors(lora_run[1])
    assert len(fp32) == len(trained_state) > 0 and all("lora_" in k for k in trained_state)
    for key, value in trained_state.items():
        assert fp32[adapter_key(key)].dtype == torch.float32
        assert torch.equal(fp32[adapter_key(key)], value.float()), key
        assert torch.equal(bf16[adapter_key(key)], value.to(torch.bfloat16)), key
    adapter_config = json.loads((tmp_path / "fp32" / "adapter_config.json").read_text())
    assert adapter_config["r"] == 64 and adapter_config["lora_alpha"] == 128  # v2's adapter


@pytest.mark.slow
def test_metadata_names_config_template_and_base(lora_run, tiny_model, tmp_path):
    out = convert(lora_run, tmp_path / "hf")
    meta = artifacts.read_metadata(out)
    assert meta["config"] == str(lora_run[0].resolve())
    assert meta["base_model"] == str(tiny_model.resolve())
    assert meta["template"] == "mixtral" and meta["system"] == "v2"
    assert meta["system_prompt"].startswith(
        "You are a professional machine learning conference reviewer"
    )
    assert meta["max_length"] == 1024  # the --cfg-options value, not v2's 16384
    assert meta["finetune"] == "lora" and meta["dtype"] == "float32"
    assert meta["cfg_options"]["model.llm.pretrained_model_name_or_path"] == str(tiny_model)
    assert meta["base_fingerprint"] == base_identity.fingerprint(tiny_model)
    assert json.loads(artifacts.LAST_MODEL_FILE.read_text()) == {"path": str(out.resolve()),
                                                                 "written_by": "tools/pth_to_hf.py"}
    resolved = (out / meta["config_resolved"]).read_text()
    assert "lora_alpha=128" in resolved and str(tiny_model) in resolved
    # merge needs no BASE: the metadata names it, and carries over
    merged = tmp_path / "merged"
    merge_bf16.main([str(out), str(merged), "--no-progress"])
    assert artifacts.read_metadata(merged)["merge"]["base"] == str(tiny_model.resolve())
    assert json.loads(artifacts.LAST_MODEL_FILE.read_text())["path"] == str(merged.resolve())
    assert json.loads((merged / "config.json").read_text())["torch_dtype"] == "bfloat16"


@pytest.mark.slow
def test_full_finetune_is_bf16_safetensors_with_tokenizer(full_run, tiny_model, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = convert(full_run, tmp_path / "hf", "--max-shard-size", "3MB")
    shards = sorted(out.glob("*.safetensors"))
    assert len(shards) > 1 and (out / "model.safetensors.index.json").is_file()
    saved = {}
    for shard in shards:
        saved.update(load_file(shard))
    trained_state = checkpoint_tensors(full_run[1])
    assert saved.keys() == trained_state.keys()
    for key, value in trained_state.items():
        assert saved[key].dtype == torch.bfloat16 and torch.equal(
            saved[key], value.to(torch.bfloat16)
        ), key
    assert json.loads((out / "config.json").read_text())["torch_dtype"] == "bfloat16"
    assert (out / "generation_config.json").is_file()
    assert artifacts.read_metadata(out)["finetune"] == "full"
    model = AutoModelForCausalLM.from_pretrained(out, torch_dtype="auto")
    assert model.dtype == torch.bfloat16
    text = "[INST] A paper [/INST]"
    assert AutoTokenizer.from_pretrained(out).encode(text) == AutoTokenizer.from_pretrained(
        tiny_model
    ).encode(text)


@pytest.mark.slow
def test_work_dir_as_pth_and_refusals(lora_run, tmp_path, capsys):
    config, work_dir, options = lora_run
    out = tmp_path / "hf"
    pth_to_hf.main(
        [str(config), str(work_dir), str(out), "--cfg-options", *options]
    )  # last checkpoint
    assert artifacts.read_metadata(out)["checkpoint"] == str((work_dir / "iter_2.pth").resolve())
    with pytest.raises(SystemExit, match="exists; use --force"):
        pth_to_hf.main([str(config), str(work_dir), str(out), "--cfg-options", *options])
    with pytest.raises(SystemExit, match="no checkpoint at"):
        pth_to_hf.main(
            [
                str(config),
                str(tmp_path / "iter_9.pth"),
                str(tmp_path / "x"),
                "--cfg-options",
                *options,
            ]
        )
    v3 = (
        ROOT / "xtuner_configs" / "v3.py"
    )  # an adapter checkpoint read with the full fine-tune config
    with pytest.raises(SystemExit, match="does not fit the config"):
        pth_to_hf.main([str(v3), str(work_dir), str(tmp_path / "y"), "--cfg-options", *options])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hf", "work_dirs"]


BAD_PATHS = {  # case -> (config, pth, out, words of the error); "CFG", "CKPT" are the run's own
    "config missing": ("nowhere.py", "CKPT", "out", "config nowhere.py does not exist"),
    "config is a folder": (".", "CKPT", "out", "is a folder, not a file"),
    "checkpoint missing": ("CFG", "iter_9.pth", "out", "no checkpoint at"),
    "folder without checkpoints": ("CFG", ".", "out", "no checkpoint at"),
    "truncated checkpoint": ("CFG", "cut.pth", "out", "not a readable checkpoint"),
    "not a checkpoint": ("CFG", "list.pth", "out", "not a checkpoint"),
    "out is a file": ("CFG", "CKPT", "file", "exists; use --force"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_PATHS))
def test_bad_paths_get_a_one_line_error(case, lora_run, tmp_path):
    config, work_dir, options = lora_run
    data = (work_dir / "iter_2.pth").read_bytes()
    (tmp_path / "cut.pth").write_bytes(data[: len(data) // 2])
    torch.save([1, 2], tmp_path / "list.pth")
    (tmp_path / "file").write_text("keep")
    cfg, pth, out, words = BAD_PATHS[case]
    names = {"CFG": str(config), "CKPT": str(work_dir / "iter_2.pth")}
    with pytest.raises(SystemExit) as e:
        pth_to_hf.main([names.get(cfg, cfg), names.get(pth, pth), out, "--cfg-options", *options])
    message = str(e.value)
    assert message.startswith("pth_to_hf: error: ") and "\n" not in message and words in message, (
        message
    )
    assert (tmp_path / "file").read_text() == "keep" and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_deepspeed_folder_reads_fp32_master_weights(
    tmp_path_factory, tiny_model, real_data, tmp_path, monkeypatch
):
    ds_config = (
        tmp_path / "zero2_cpu.json"
    )  # explicit bf16: "auto" asks torch.cpu.is_bf16_supported
    ds_config.write_text(json.dumps({
        "gradient_accumulation_steps": "auto", "train_micro_batch_size_per_gpu": "auto",
        "gradient_clipping": "auto", "zero_allow_untested_optimizer": True,
        "zero_optimization": {"stage": 2}, "bf16": {"enabled": True},
    }))
    for key, value in dict(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1",
                           MASTER_PORT=str(free_port())).items():  # one process, no launcher
        monkeypatch.setenv(key, value)
    run = trained(tmp_path_factory, "v2", tiny_model, real_data, deepspeed=str(ds_config))
    assert (run[1] / "iter_2.pth").is_dir()
    adapter = load_file(convert(run, tmp_path / "hf") / "adapter_model.safetensors")
    module = torch.load(run[1] / "iter_2.pth" / "mp_rank_00_model_states.pt", map_location="cpu",
                        weights_only=False)["module"]
    assert len(adapter) == len(module)
    for key, value in module.items():  # the bf16 module weights are the fp32 master weights rounded
        got = adapter[adapter_key(key.removeprefix("llm."))]
        assert got.dtype == torch.float32 and torch.equal(got.to(torch.bfloat16), value), key


def test_help(capsys):
    with pytest.raises(SystemExit) as e:
        pth_to_hf.main(["--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0 and "--cfg-options" in out and "--dtype {auto,bfloat16,float32}" in out


@pytest.mark.parametrize("config, template, system, max_length, finetune", [
    ("xtuner_configs/v1.py", "mixtral", "v1", 8192, "lora"),
    ("xtuner_configs/v3.py", "mixtral", "v2", 16384, "full"),
    ("xtuner_configs/smollm2_135m.py", "chatml", "v2", 1024, "lora"),
    ("benchmarks/configs/stock_v2.py", "xtuner.mixtral", "v2", 16384, "lora"),
])
def test_config_metadata_of_each_recipe(config, template, system, max_length, finetune):
    from review_ext.train.config_dump import load_config

    meta = artifacts.config_metadata(load_config(ROOT / config), ROOT / config)
    assert (meta["template"], meta["system"], meta["max_length"], meta["finetune"]) == (
        template, system, max_length, finetune)
    base = smollm2.recipe_folder() if "smollm2" in config \
        else "mistralai/Mixtral-8x7B-Instruct-v0.1"
    assert meta["base_model"] == str(base)


# ------------------------------------------------------------------ checkpoints that would run code
class _Opens:
    """Pickles as a call of ``open(marker, "w")``: loading it unsafely creates ``marker``."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def crafted(path: Path, marker: Path, state: dict | None = None) -> Path:
    """A checkpoint holding real tensors and a pickle that would create ``marker``; proven
    live: an unsafe load does create it (and the marker is then removed again)."""
    torch.save({"state_dict": {"w": torch.ones(2)}, **(state or {}), "hook": _Opens(marker)}, path)
    torch.load(path, weights_only=False)
    assert marker.exists(), "the crafted pickle should run when loaded unsafely"
    marker.unlink()
    return path


def test_crafted_pth_is_refused_and_nothing_runs(tmp_path):
    from review_ext.checkpoint.training_state import UnsafeCheckpoint, read_state_dict

    marker = tmp_path / "marker"
    pth = crafted(tmp_path / "iter_1.pth", marker)
    with pytest.raises(UnsafeCheckpoint, match="refused: its pickle names io.open"):
        read_state_dict(pth, torch.float32)
    with pytest.raises(SystemExit) as e:  # the command: one line, nothing written
        pth_to_hf.main([str(ROOT / "xtuner_configs/v2.py"), str(pth), str(tmp_path / "out")])
    message = str(e.value)
    assert message.startswith("pth_to_hf: error: ") and "\n" not in message, message
    assert "io.open" in message and "could run code" in message
    assert not marker.exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("which", ["optim_states", "model_states"])
def test_crafted_deepspeed_folder_is_refused_and_nothing_runs(tmp_path, which):
    """Either file of a DeepSpeed iter_N.pth/ folder: read safely, refused before it runs."""
    from review_ext.checkpoint.training_state import UnsafeCheckpoint, read_state_dict

    folder = tmp_path / "iter_1.pth"
    folder.mkdir()
    marker = tmp_path / "marker"
    optim = folder / "bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt"
    model = folder / "mp_rank_00_model_states.pt"
    plain_optim = {"optimizer_state_dict": {"zero_stage": 2, "partition_count": [1],
                                            "single_partition_of_fp32_groups": [torch.ones(4)]}}
    if which == "optim_states":
        crafted(optim, marker, plain_optim)
        torch.save({"module": {}, "buffer_names": []}, model)
    else:
        torch.save(plain_optim, optim)
        crafted(model, marker, {"module": {}, "buffer_names": []})
    with pytest.raises(UnsafeCheckpoint, match=f"{which}.pt: refused"):
        read_state_dict(folder, torch.float32)
    assert not marker.exists()


@pytest.mark.slow
def test_real_checkpoints_read_safely_equal_an_unsafe_load(lora_run, full_run):
    from review_ext.checkpoint.training_state import read_state_dict

    for _, work_dir, _ in (lora_run, full_run):
        unsafe = torch.load(work_dir / "iter_2.pth", map_location="cpu",
                            weights_only=False)["state_dict"]
        safe = read_state_dict(work_dir / "iter_2.pth", torch.float32)
        assert safe.keys() == unsafe.keys() and len(safe) > 0
        assert all(torch.equal(safe[k], unsafe[k]) for k in safe)


@pytest.mark.slow
def test_force_never_deletes_the_work_dir_or_foreign_files(lora_run, tmp_path):
    config, work_dir, options = lora_run
    wd = tmp_path / "wd"
    wd.mkdir()
    (wd / "iter_2.pth").write_bytes((work_dir / "iter_2.pth").read_bytes())
    before = (wd / "iter_2.pth").read_bytes()
    with pytest.raises(SystemExit, match="the output .*wd holds the checkpoint .*iter_2.pth: "
                                         "replacing it would delete it"):
        pth_to_hf.main([str(config), str(wd / "iter_2.pth"), str(wd), "--force",
                        "--cfg-options", *options])
    assert sorted(p.name for p in wd.iterdir()) == ["iter_2.pth"]
    assert (wd / "iter_2.pth").read_bytes() == before
    out = tmp_path / "hf"
    convert(lora_run, out)
    convert(lora_run, out, "--force")  # its own earlier output: replaced
    (out / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="holds notes.txt, not written by this command"):
        convert(lora_run, out, "--force")
    assert (out / "notes.txt").read_text() == "mine"
