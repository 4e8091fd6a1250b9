"""Each recipe trains through the real ``xtuner train`` CLI on a CPU (test model, real papers)."""
import math

import pytest

from tests.xtuner_cli import scalars, trained


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["v1", "v2", "v3", "v2_rated"])
def test_recipe_trains_two_iterations(recipe, tmp_path_factory, tiny_model, request):
    # v2_rated: the NeurIPS rows carry their scores; the PeerRead row has none (no block)
    data = request.getfixturevalue("rated_data" if recipe == "v2_rated" else "real_data")
    _, work_dir, _ = trained(tmp_path_factory, recipe, tiny_model, data)
    log = (work_dir / "cli.log").read_text()
    assert "review dataset (1024 tokens)" in log
    assert ("12 with a [Rating] block, 1 without a rating" in log) == (recipe == "v2_rated")
    assert (
        "ZeRO-3 leaf modules: 2 x ['MixtralSparseMoeBlock']" in log
    )  # wired by the config, no user step
    # packed attention (v2, v3): the bins' cumulative lengths reach the model each iteration
    assert ("VarlenAttnArgsToMessageHubHook" in log) == (recipe != "v1")
    records = [r for r in scalars(work_dir) if "loss" in r]
    assert [r["step"] for r in records] == [1, 2]
    assert all(math.isfinite(r["loss"]) and r["loss"] > 0 for r in records)
    assert (work_dir / "iter_2.pth").exists()
    evals = list(work_dir.glob("*/vis_data/eval_outputs_iter_*.txt"))
    assert evals, "ReviewChatHook wrote no review"
    assert "[INST]" in evals[0].read_text()  # the hook rendered the training template
    # a rated recipe's hook asks for the block on the paper's venue scale, as training did
    assert ("on the NeurIPS 2025 scale (1: Strong reject" in evals[0].read_text()) == (
        recipe == "v2_rated")
