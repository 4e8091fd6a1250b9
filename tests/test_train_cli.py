"""Each recipe trains through the real ``xtuner train`` CLI on a CPU (test model, real papers)."""
import json
import math

import pytest

from tests.xtuner_cli import ROOT, scalars, train_options, xtuner_train


@pytest.fixture(scope="module")
def real_data(tmp_path_factory, shared_data):
    """Real papers and reviews from shared data as XTuner conversation JSON + a test JSONL."""
    from tests.real_papers import neurips, peerread
    from review_ext.template import resolve_system

    rows = peerread(shared_data) + neurips(shared_data)
    out = tmp_path_factory.mktemp("data")
    train = [{"conversation": [{"system": resolve_system("v2"), "input": paper, "output": review}]}
             for _, paper, reviews in rows[:-2] for review in reviews[:1]]
    (out / "train.json").write_text(json.dumps(train))
    with open(out / "test.jsonl", "w") as f:
        for pid, paper, _ in rows[-2:]:
            f.write(json.dumps({"id": pid, "system": resolve_system("v2"), "input": paper}) + "\n")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["v1", "v2", "v3"])
def test_recipe_trains_two_iterations(recipe, tiny_model, real_data, tmp_path):
    config = ROOT / "xtuner_configs" / f"{recipe}.py"
    options = train_options(config, tiny_model, real_data / "train.json", real_data / "test.jsonl")
    proc = xtuner_train(config, tmp_path, options)
    log = proc.stdout + proc.stderr
    assert "review dataset (1024 tokens)" in log
    records = [r for r in scalars(tmp_path) if "loss" in r]
    assert [r["step"] for r in records] == [1, 2]
    assert all(math.isfinite(r["loss"]) and r["loss"] > 0 for r in records)
    assert (tmp_path / "iter_2.pth").exists()
    evals = list(tmp_path.glob("*/vis_data/eval_outputs_iter_*.txt"))
    assert evals, "ReviewChatHook wrote no review"
