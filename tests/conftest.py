"""Shared fixtures: the real Mixtral tokenizer, a 2-layer random Mixtral, the real
SmolLM2-135M-Instruct, real papers, tools/judge.py's scripted inputs, a test run in its own
folder."""
from __future__ import annotations

import json
import os
from pathlib import Path

# Two shared cores: one math thread per process is fastest for the tiny model.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest

from tests.helpers import ROOT

SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"real sample papers expected at {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture(scope="session")
def tokenizer():
    from review_ext.data.tokenizer import load_mixtral_tokenizer

    return load_mixtral_tokenizer()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer, 64-wide random Mixtral with the real tokenizer (HF folder)."""
    from tests.tool_scripts import load_tool
    make_tiny_model = load_tool("make_tiny_model")

    out = tmp_path_factory.mktemp("models") / "tiny"
    make_tiny_model.main([str(out)])
    return out


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The real SmolLM2-135M-Instruct as an HF folder, where ``make smollm2`` writes it (the folder
    the recipe names); built on first use by ``review_ext.checkpoint.smollm2`` (~40 s), reused
    after."""
    from review_ext.checkpoint.smollm2 import SmolLM2Options, recipe_folder, write_smollm2

    out = ROOT / recipe_folder()
    write_smollm2(SmolLM2Options(out))
    return out


@pytest.fixture(scope="session")
def smollm2_tokenizer(smollm2):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(smollm2)


@pytest.fixture(scope="session")
def real_data(tmp_path_factory, shared_data):
    """Real papers and reviews from shared data as XTuner conversation JSON + a test JSONL."""
    from review_ext.data.template import resolve_system
    from tests.real_papers import neurips, peerread

    rows = peerread(shared_data) + neurips(shared_data)
    out = tmp_path_factory.mktemp("data")
    train = [{"conversation": [{"system": resolve_system("v2"), "input": paper, "output": review}]}
             for _, paper, reviews in rows[:-2] for review in reviews[:1]]
    (out / "train.json").write_text(json.dumps(train))
    with open(out / "test.jsonl", "w") as f:
        for pid, paper, _ in rows[-2:]:
            f.write(json.dumps({"id": pid, "system": resolve_system("v2"), "input": paper}) + "\n")
    return out


@pytest.fixture(scope="module")
def papers(shared_data):
    """The first six real NeurIPS papers as (id, paper, reviews)."""
    from tests.real_papers import neurips

    return neurips(shared_data)[:6]


@pytest.fixture
def inputs(tmp_path):
    """tools/judge.py's input files in tmp_path, for the scripted papers of tests/judge_cases.py."""
    from tests.judge_cases import write_inputs

    return write_inputs(tmp_path)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run the test in its tmp_path: runs write work_dirs/last_model.json where they run, not in
    the checkout (``pytestmark = pytest.mark.usefixtures("in_tmp")``)."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread for a module: on a shared 2-core machine two threads spin against each other."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
