"""benchmarks/learning_check.py takes its default SmolLM2 folder from the recipe's one line."""
from __future__ import annotations

import importlib.util

import pytest

from review_ext.checkpoint import smollm2
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def learning_check():
    spec = importlib.util.spec_from_file_location("learning_check",
                                                  ROOT / "benchmarks" / "learning_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_model_is_the_folder_make_smollm2_writes(learning_check):
    default = smollm2.recipe_folder()
    assert learning_check.parse_args([]).model == ROOT / default
    assert learning_check.parse_args(["--model", "m"]).model.name == "m"
    source = (ROOT / "benchmarks" / "learning_check.py").read_text()
    assert default.name not in source  # no second copy of the recipe's path


def test_default_model_follows_the_recipe(learning_check, tmp_path, monkeypatch):
    """A recipe naming another folder moves the default with it."""
    recipe = smollm2.RECIPE.read_text()
    line = f'{smollm2.MODEL_KEY} = "{smollm2.recipe_folder()}"'
    assert line in recipe
    other = tmp_path / "smollm2_135m.py"
    other.write_text(recipe.replace(line, f'{smollm2.MODEL_KEY} = "models/other"'))
    monkeypatch.setattr(learning_check, "CONFIG", other)
    assert learning_check.recipe_model_folder() == ROOT / "models" / "other"
