"""Every recipe loads, resolves, and differs from its parent by exactly the intended keys."""
from pathlib import Path

import pytest

from review_ext.train.config_dump import flatten, load_config
from tests.helpers import ROOT
from tests.tool_scripts import load_tool

dump_main = load_tool("dump_config").main

CONFIG_DIR = ROOT / "xtuner_configs"
CONFIGS = sorted(p for p in CONFIG_DIR.rglob("*.py") if p.name != "__init__.py")

# What each recipe changes relative to its parent: settings plus the dicts built from them
# (every dict follows its settings; a --cfg-options scalar does not). A stray change shows up here.
V1_TO_V2 = {
    "system": ("'v1'", "'v2'"),
    "max_length": ("8192", "16384"),
    "max_epochs": ("2", "3"),
    "lr": ("0.0002", "0.0001"),
    "lora_r": ("16", "64"),
    "lora_alpha": ("32", "128"),
    "model.lora.r": ("16", "64"),
    "model.lora.lora_alpha": ("32", "128"),
    "train_dataset.system": ("'v1'", "'v2'"),
    "train_dataset.max_length": ("8192", "16384"),
    "train_dataloader.dataset.system": ("'v1'", "'v2'"),
    "train_dataloader.dataset.max_length": ("8192", "16384"),
    "optim_wrapper.optimizer.lr": ("0.0002", "0.0001"),
    "param_scheduler.0.end": ("0.06", "0.09"),
    "param_scheduler.1.begin": ("0.06", "0.09"),
    "param_scheduler.1.end": ("2", "3"),
    "train_cfg.max_epochs": ("2", "3"),
    "custom_hooks.1.system": ("'v1'", "'v2'"),
    "custom_hooks.1.max_length": ("8192", "16384"),
    # packed attention (review_ext.train.attention) through XTuner's varlen switch
    "packed_attention": ("False", "True"),
    "model.use_varlen_attn": ("False", "True"),
    "train_dataset.use_varlen_attn": ("False", "True"),
    "train_dataloader.dataset.use_varlen_attn": ("False", "True"),
    "train_dataloader.collate_fn.use_varlen_attn": ("False", "True"),
}
V2_ONLY = ["custom_hooks.3.type"]  # XTuner's VarlenAttnArgsToMessageHubHook
V3_REMOVED_PREFIXES = ("model.lora.", "model.llm.quantization_config.")
SMOLLM2 = "'build/smollm2-135m-instruct'"
MIXTRAL = "'mistralai/Mixtral-8x7B-Instruct-v0.1'"
V1_TO_SMOLLM2 = {
    "pretrained_model_name_or_path": (MIXTRAL, SMOLLM2),
    "tokenizer.pretrained_model_name_or_path": (MIXTRAL, SMOLLM2),
    "model.llm.pretrained_model_name_or_path": (MIXTRAL, SMOLLM2),
    "train_dataset.tokenizer.pretrained_model_name_or_path": (MIXTRAL, SMOLLM2),
    "train_dataloader.dataset.tokenizer.pretrained_model_name_or_path": (MIXTRAL, SMOLLM2),
    "custom_hooks.0.tokenizer.pretrained_model_name_or_path": (MIXTRAL, SMOLLM2),
    "custom_hooks.1.tokenizer.pretrained_model_name_or_path": (MIXTRAL, SMOLLM2),
    "prompt_template": ("'mixtral'", "'chatml'"),
    "train_dataset.template": ("'mixtral'", "'chatml'"),
    "train_dataloader.dataset.template": ("'mixtral'", "'chatml'"),
    "custom_hooks.1.template": ("'mixtral'", "'chatml'"),
    "system": ("'v1'", "'v2'"),
    "train_dataset.system": ("'v1'", "'v2'"),
    "train_dataloader.dataset.system": ("'v1'", "'v2'"),
    "custom_hooks.1.system": ("'v1'", "'v2'"),
    "liger_kernels": ("True", "False"),
    "model.liger_kernels": ("True", "False"),
    "max_length": ("8192", "1024"),
    "train_dataset.max_length": ("8192", "1024"),
    "train_dataloader.dataset.max_length": ("8192", "1024"),
    "custom_hooks.1.max_length": ("8192", "1024"),
    "pack_to_max_length": ("True", "False"),
    "train_dataset.pack_to_max_length": ("True", "False"),
    "train_dataloader.dataset.pack_to_max_length": ("True", "False"),
    "dataset_num_proc": ("8", "1"),
    "train_dataset.num_proc": ("8", "1"),
    "train_dataloader.dataset.num_proc": ("8", "1"),
    "accumulative_counts": ("2", "1"),
    "optim_wrapper.accumulative_counts": ("2", "1"),
    "max_epochs": ("2", "3"),
    "train_cfg.max_epochs": ("2", "3"),
    "param_scheduler.0.end": ("0.06", "0.30000000000000004"),
    "param_scheduler.1.begin": ("0.06", "0.30000000000000004"),
    "param_scheduler.1.end": ("2", "3"),
    "lr": ("0.0002", "0.001"),
    "optim_wrapper.optimizer.lr": ("0.0002", "0.001"),
    "warmup_ratio": ("0.03", "0.1"),
    **{f"{key}.{i}": (f"'{v1}'", f"'{smol}'")
       for key in ("lora_targets", "model.lora.target_modules")
       for i, v1, smol in [(4, "w1", "gate_proj"), (5, "w2", "up_proj"), (6, "w3", "down_proj")]},
    "save_steps": ("500", "50"),
    "default_hooks.checkpoint.interval": ("500", "50"),
    "save_total_limit": ("4", "2"),
    "default_hooks.checkpoint.max_keep_ckpts": ("4", "2"),
    "evaluation_freq": ("500", "50"),
    "custom_hooks.1.every_n_iters": ("500", "50"),
    "evaluation_max_new_tokens": ("600", "300"),
    "custom_hooks.1.max_new_tokens": ("600", "300"),
    # what a 135M Llama on a CPU needs beyond its settings
    "model.z3_leaf_moe": ("True", "False"),
    "model.llm.torch_dtype": ("'torch.bfloat16'", "'auto'"),
}
SMOLLM2_ONLY = ["model.use_activation_checkpointing"]
V2_TO_V3 = {
    "grouped_moe": ("True", "False"),
    "model.grouped_moe": ("True", "False"),
    "lr": ("0.0001", "1e-05"),
    "weight_decay": ("0", "0.01"),
    "optim_wrapper.optimizer.lr": ("0.0001", "1e-05"),
    "optim_wrapper.optimizer.weight_decay": ("0", "0.01"),
}

V2_TO_V2_RATED = {  # the [Rating] block: the dataset and the chat hook follow the one setting
    "rating": ("False", "True"),
    "train_dataset.rating": ("False", "True"),
    "train_dataloader.dataset.rating": ("False", "True"),
    "custom_hooks.1.rating": ("False", "True"),
}


def diff(a, b):
    fa, fb = flatten(a.to_dict()), flatten(b.to_dict())
    changed = {k: (fa[k], fb[k]) for k in fa.keys() & fb.keys() if fa[k] != fb[k]}
    return changed, sorted(fa.keys() - fb.keys()), sorted(fb.keys() - fa.keys())


def test_all_configs_found():
    assert [p.name for p in CONFIGS] == ["smollm2_135m.py", "v1.py", "v2.py", "v2_rated.py",
                                         "v3.py"]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_config_resolves_bf16_and_suite_hooks(path):
    cfg = load_config(path)
    assert cfg.model.type.__name__ == "ReviewFinetune"
    assert cfg.train_dataset.type.__name__ == "build_review_dataset"
    # SmolLM2: its fp32 folder as is (fp32 on a CPU; bf16 AMP on a GPU)
    assert str(cfg.model.llm.torch_dtype) == (
        "auto" if path.stem == "smollm2_135m" else "torch.bfloat16"
    )
    assert cfg.optim_wrapper.dtype == "bfloat16"
    if "quantization_config" in cfg.model.llm:
        q = cfg.model.llm.quantization_config
        assert str(q.bnb_4bit_compute_dtype) == "torch.bfloat16"
        assert q.bnb_4bit_quant_type == "nf4" and q.bnb_4bit_use_double_quant
    hook = cfg.custom_hooks[1]
    assert hook.type.__name__ == "ReviewChatHook"
    assert hook.max_length == cfg.max_length
    assert cfg.train_dataloader.dataset.to_dict() == cfg.train_dataset.to_dict()


def test_v2_differs_from_v1_by_intended_keys():
    changed, only_v1, only_v2 = diff(
        load_config(CONFIG_DIR / "v1.py"), load_config(CONFIG_DIR / "v2.py")
    )
    assert changed == V1_TO_V2
    assert only_v1 == [] and only_v2 == V2_ONLY


def test_v3_differs_from_v2_by_intended_keys():
    changed, only_v2, only_v3 = diff(
        load_config(CONFIG_DIR / "v2.py"), load_config(CONFIG_DIR / "v3.py")
    )
    assert changed == V2_TO_V3
    assert only_v3 == []
    assert only_v2 and all(k.startswith(V3_REMOVED_PREFIXES) for k in only_v2)


def test_v2_rated_differs_from_v2_by_the_rating_block_only():
    changed, only_v2, only_rated = diff(load_config(CONFIG_DIR / "v2.py"),
                                        load_config(CONFIG_DIR / "v2_rated.py"))
    assert changed == V2_TO_V2_RATED
    assert only_v2 == only_rated == []


def test_smollm2_differs_from_v1_by_intended_keys():
    changed, only_v1, only_smollm2 = diff(load_config(CONFIG_DIR / "v1.py"),
                                          load_config(CONFIG_DIR / "smollm2_135m.py"))
    assert changed == V1_TO_SMOLLM2
    assert only_smollm2 == SMOLLM2_ONLY
    assert only_v1 and all(k.startswith("model.llm.quantization_config.") for k in only_v1)


def test_dump_config_writes_resolved_file(tmp_path):
    out = tmp_path / "v2.resolved.py"
    dump_main(
        [
            "xtuner_configs/v2.py"
            if Path("xtuner_configs").is_dir()
            else str(CONFIG_DIR / "v2.py"),
            "--out",
            str(out),
            "--cfg-options",
            "max_length=4096",
        ]
    )
    text = out.read_text()
    assert "max_length = 4096" in text and "review_ext.train.hooks.ReviewChatHook" in text


def test_overrides_reach_every_copy_of_a_path():
    from review_ext.train.overrides import path_options

    cfg = load_config(CONFIG_DIR / "v2.py")
    options = path_options(cfg, model="M", data="D.json", max_length=1024)
    cfg.merge_from_dict(options)
    flat = flatten(cfg.to_dict())
    assert {v for k, v in flat.items() if k.endswith("pretrained_model_name_or_path")} == {"'M'"}
    assert {v for k, v in flat.items() if k.endswith("data_path")} == {"'D.json'"}
    assert cfg.custom_hooks[1].max_length == 1024


def test_overrides_cli_prints_the_options_and_has_help(capsys):
    """The command line benchmarks/gpu/env.sh and tools/demo.sh call; ``--help`` from the
    docstring."""
    from review_ext.train.overrides import main, parse_args

    options = main([str(CONFIG_DIR / "v2.py"), "--model", "M", "--data", "D", "--eval-file", "E",
                    "--max-length", "77"])
    printed = capsys.readouterr().out.split()
    assert printed == [f"{k}={v}" for k, v in options.items()]
    for option in ("model.llm.pretrained_model_name_or_path=M", "custom_hooks.1.paper_file=E",
                   "train_dataset.max_length=77"):
        assert option in printed
    with pytest.raises(SystemExit) as done:
        parse_args(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "--eval-file" in out
    assert "python -m review_ext.train.overrides" in out
