"""Child recipes state settings only, and every dict built from a setting follows it."""
import re
import shutil

import pytest

from review_ext.train.config_dump import load_config
from review_ext.train.overrides import main as overrides_main
from review_ext.train.overrides import path_options, setting_options
from review_ext.train.recipe import (
    RecipeError,
    load_recipe,
    namespace_of,
    rebuild_parts,
    split_recipe,
)
from tests.helpers import ROOT

CONFIG_DIR = ROOT / "xtuner_configs"
CONFIGS = sorted(p for p in CONFIG_DIR.rglob("*.py") if p.name != "__init__.py")
V3_REMOVED = ("model.lora", "model.llm.quantization_config")
SETTINGS, _ = split_recipe(CONFIG_DIR / "v1.py")


def nodes(obj, prefix=""):
    """``(dotted key, value)`` of every dict/list node and leaf."""
    if isinstance(obj, dict):
        items = obj.items()
    else:
        items = enumerate(obj) if isinstance(obj, (list, tuple)) else ()
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path, value
        yield from nodes(value, path)


def at(cfg_dict, key):
    for part in key.split("."):
        cfg_dict = cfg_dict[int(part)] if isinstance(cfg_dict, (list, tuple)) else cfg_dict[part]
    return cfg_dict


def same(a, b):
    sequences = isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
    return list(a) == list(b) if sequences else a == b


def trial_values(name, value, n):
    """Two values of ``value``'s type that occur nowhere else in a recipe."""
    if isinstance(value, bool):
        return [True, False]
    if isinstance(value, int):
        return [70_001 + 2 * n, 90_001 + 2 * n]
    if isinstance(value, float):
        return [7.125 + n, 9.375 + n]
    if isinstance(value, str):
        return [f"{value}~{name}~1", f"{value}~{name}~2"]
    if isinstance(value, (list, tuple)):
        return [type(value)([*value, f"{name}~1"]), type(value)([*value, f"{name}~2"])]
    return []  # a class (optim_type): nothing copies it


def copies_of(cfg):
    """Per PART 1 setting, the keys where v1's PART 2-5 put it whatever its value, given the
    rest of ``cfg``'s settings."""
    namespace = namespace_of(cfg)
    found = {}
    for n, name in enumerate(SETTINGS):
        keys = None
        for value in trial_values(name, cfg[name], n):
            tried = dict(nodes(rebuild_parts({**namespace, name: value}, "v1.py")))
            holding = {k for k, v in tried.items() if k != name and same(v, value)}
            keys = holding if keys is None else keys & holding
        found[name] = sorted(keys or ())
    return found


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_every_copy_of_a_setting_equals_it(path):
    cfg = load_config(path)
    resolved = cfg.to_dict()
    copies = copies_of(cfg)
    for name, keys in copies.items():
        for key in keys:
            if key.startswith(V3_REMOVED):  # v3 and smollm2_135m drop these on purpose
                continue
            assert same(at(resolved, key), resolved[name]), f"{path.name}: {key} != {name}"
    # not vacuous: the copies a recipe must keep in step are found
    assert {"train_dataset.max_length", "train_dataloader.dataset.max_length",
            "custom_hooks.1.max_length"} <= set(copies["max_length"])
    assert len(copies["pretrained_model_name_or_path"]) == 6  # tokenizer x4, model.llm
    assert "optim_wrapper.optimizer.lr" in copies["lr"]
    assert "custom_hooks.1.paper_file" in copies["evaluation_file"]
    # the [Rating] block reaches the dataset and the chat hook
    assert copies["rating"] == ["custom_hooks.1.rating", "train_dataloader.dataset.rating",
                                "train_dataset.rating"]
    if "lora" in resolved["model"]:
        assert copies["lora_targets"] == ["model.lora.target_modules"]


def test_a_copy_left_behind_is_caught(tmp_path):
    """The check above fails for a recipe that sets a copy by hand (the old way)."""
    for name in ("v1.py", "v2.py"):
        shutil.copy(CONFIG_DIR / name, tmp_path / name)
    child = tmp_path / "v2.py"
    child.write_text(child.read_text() + 'model["lora"].update(r=8)\n')
    cfg = load_config(child)
    assert "model.lora.r" in copies_of(cfg)["lora_r"]
    assert cfg.model.lora.r != cfg.lora_r


def test_children_set_no_dict_by_list_position():
    for path in CONFIGS:
        if path.name != "v1.py":
            assert not re.search(r"\w\[\d+\]", path.read_text()), path.name


def test_a_setting_reaches_a_grandchild_and_a_benchmark_config():
    v3 = load_recipe(CONFIG_DIR / "v3.py", {"max_length": 512, "lr": 3e-3})
    assert v3.lr == v3.optim_wrapper.optimizer.lr == 3e-3  # v3's own lr = 1e-5 is set earlier
    assert v3.train_dataset.max_length == v3.custom_hooks[1].max_length == 512
    assert "lora" not in v3.model and "quantization_config" not in v3.model.llm
    stock = load_recipe(ROOT / "benchmarks" / "configs" / "stock_v2.py", {"data_path": "d.json"})
    assert stock.train_dataset.dataset.data_files == "d.json"  # a dict the benchmark built itself


def test_a_child_that_does_not_read_v1_first_is_a_clear_error(tmp_path):
    shutil.copy(CONFIG_DIR / "v1.py", tmp_path / "v1.py")
    child = tmp_path / "child.py"
    child.write_text("from review_ext.train.recipe import rebuild_parts\n\nmax_length = 4\n"
                     "globals().update(rebuild_parts.build()(globals()))\n")
    with pytest.raises(RecipeError,
                       match=r"v1.py: PART 1 settings \['pretrained_model_name_or_path'"):
        load_config(child)


def test_a_recipe_without_part_banners_or_settings_is_a_clear_error(tmp_path):
    flat = tmp_path / "v1.py"
    flat.write_text((CONFIG_DIR / "v1.py").read_text().replace("PART 2  Model", "Model"))
    with pytest.raises(RecipeError, match="no PART 2 banner"):
        split_recipe(flat)
    with pytest.raises(RecipeError, match=r"\['max_lenght'\] are not PART 1 settings"):
        load_recipe(CONFIG_DIR / "v2.py", {"max_lenght": 4})
    with pytest.raises(RecipeError, match=r"\['max_lenght'\] are not PART 1 settings"):
        load_recipe(CONFIG_DIR / "v1.py", {"max_lenght": 4})


def test_overrides_are_exactly_what_the_recipe_would_change():
    cfg = load_config(CONFIG_DIR / "v3.py")
    options = setting_options(cfg, {"max_epochs": 1})
    assert options == {"max_epochs": 1, "train_cfg.max_epochs": 1, "param_scheduler.0.end": 0.03,
                       "param_scheduler.1.begin": 0.03, "param_scheduler.1.end": 1}
    cfg.merge_from_dict(path_options(cfg, model="M"))
    repointed = load_recipe(CONFIG_DIR / "v3.py", {"pretrained_model_name_or_path": "M"})
    assert cfg.to_dict() == repointed.to_dict()


def test_overrides_cli_sets_any_setting_and_refuses_a_structural_one(capsys):
    options = overrides_main([str(CONFIG_DIR / "v1.py"), "--set", "lr=1e-3", "--max-length", "64"])
    assert options["optim_wrapper.optimizer.lr"] == 1e-3
    assert options["custom_hooks.1.max_length"] == 64
    assert capsys.readouterr().out.split() == [f"{k}={v}" for k, v in options.items()]
    with pytest.raises(SystemExit, match=r"^overrides: error: .*v1.py: setting "
                                         r"\['packed_attention'\] adds or removes "
                                         r"\['custom_hooks.3.type'\]"):
        overrides_main([str(CONFIG_DIR / "v1.py"), "--set", "packed_attention=True"])
    with pytest.raises(SystemExit, match=r"^overrides: error: .*\['lrr'\] are not PART 1 settings"):
        overrides_main([str(CONFIG_DIR / "v2.py"), "--set", "lrr=1"])
