"""benchmarks/learning_check.py takes its default SmolLM2 folder from the recipe's one line."""
from __future__ import annotations

import importlib.util
import shutil

import pytest

from tests.helpers import ROOT
from tests.tool_scripts import load_tool

@pytest.fixture(scope="module")
def learning_check():
    spec = importlib.util.spec_from_file_location("learning_check",
                                                  ROOT / "benchmarks" / "learning_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_model_is_the_folder_make_smollm2_writes(learning_check):
    tool = load_tool("make_smollm2")
    assert learning_check.parse_args([]).model == ROOT / tool.DEFAULT_OUT
    assert learning_check.parse_args(["--model", "m"]).model.name == "m"
    source = (ROOT / "benchmarks" / "learning_check.py").read_text()
    assert tool.DEFAULT_OUT.name not in source  # no second copy of the recipe's path


def test_default_model_follows_the_recipe(learning_check, tmp_path, monkeypatch):
    """A recipe naming another folder moves the default with it."""
    tool = load_tool("make_smollm2")
    recipe, line = tool.RECIPE.read_text(), f'{tool.MODEL_KEY} = "{tool.DEFAULT_OUT}"'
    assert line in recipe
    (tmp_path / "tools").mkdir()
    (tmp_path / "xtuner_configs").mkdir()
    shutil.copy(ROOT / "tools" / "make_smollm2.py", tmp_path / "tools")
    (tmp_path / "xtuner_configs" / "smollm2_135m.py").write_text(
        recipe.replace(line, f'{tool.MODEL_KEY} = "models/other"'))
    monkeypatch.setattr(learning_check, "MAKE_SMOLLM2", tmp_path / "tools" / "make_smollm2.py")
    assert learning_check.recipe_model_folder() == ROOT / "models" / "other"
