"""The real SmolLM2-135M-Instruct learns the review format through ``xtuner train`` on a CPU (a
few minutes)."""

import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT
from tests.xtuner_cli import cli_env, scalars, train_options, xtuner_train

ITERS = 16
HELD_OUT = 2


@pytest.mark.slow
def test_smollm2_learns_to_start_a_review(smollm2, tmp_path):
    """16 samples of 512 tokens, a step each: the loss falls and unseen papers get reviews opening
    with the first heading (before training the model opens with a summary of the paper)."""
    def tool(*args):
        subprocess.run(
            [sys.executable, *map(str, args)],
            cwd=ROOT,
            env=cli_env(),
            check=True,
            capture_output=True,
        )

    data = tmp_path / "data"
    tool(
        "-m",
        "data_conversion.split",
        ROOT / "sample_data" / "papers.jsonl",
        data,
        "--test-papers",
        HELD_OUT,
        "--seed",
        0,
    )
    tool(
        "-m",
        "data_conversion.to_xtuner",
        data / "train.jsonl",
        data / "train.json",
        "--system",
        "v2",
    )
    tool(
        "-m",
        "data_conversion.to_xtuner",
        data / "test.jsonl",
        data / "test_prompts.jsonl",
        "--system",
        "v2",
        "--test",
    )
    config = ROOT / "xtuner_configs" / "smollm2_135m.py"
    options = train_options(
        config, smollm2, data / "train.json", data / "test_prompts.jsonl", max_length=512,
        iters=ITERS
    )
    work = tmp_path / "work"
    xtuner_train(config, work, options, timeout=900)
    losses = [r["loss"] for r in scalars(work) if "loss" in r]
    assert len(losses) == ITERS and sum(losses[-4:]) < sum(losses[:4]), losses

    tool("tools/pth_to_hf.py", work / config.name, work / f"iter_{ITERS}.pth", tmp_path / "adapter")
    assert (
        json.loads((tmp_path / "adapter" / "review_suite.json").read_text())["template"] == "chatml"
    )
    tool(
        "tools/infer.py",
        "--test",
        data / "test_prompts.jsonl",
        "--adapter",
        tmp_path / "adapter",
        "--dtype",
        "float32",
        "--max-new-tokens",
        12,
        "--batch-size",
        HELD_OUT,
        "--output-dir",
        tmp_path / "infer",
        "--no-progress",
    )
    with (tmp_path / "infer" / "predictions.jsonl").open(encoding="utf-8") as f:
        replies = [json.loads(line)["reply"] for line in f]  # line by line as written
    assert len(replies) == HELD_OUT
    assert all(r.startswith("[Significance and novelty]") for r in replies), replies
