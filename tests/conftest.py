"""Shared fixtures: the real Mixtral tokenizer, a 2-layer random Mixtral, the real
SmolLM2-135M-Instruct, real papers made by the real converters (``papers`` means them
everywhere), tools/judge.py's scripted inputs, a test run in its own folder."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NamedTuple

# Two shared cores: one math thread per process is fastest for the tiny model.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest

from tests.helpers import ROOT, read_jsonl, write_rows

SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def restore_patched_classes():
    """Class-level patches (``review_ext.train.patches`` keeps the original as
    ``forward.hf_forward``) last one test: the next test sees transformers' own classes."""
    yield
    mixtral = sys.modules.get("transformers.models.mixtral.modeling_mixtral")
    for cls in (mixtral.MixtralSparseMoeBlock, mixtral.MixtralAttention) if mixtral else ():
        while hasattr(cls.forward, "hf_forward"):
            cls.forward = cls.forward.hf_forward


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
    from review_ext.dev.random_model import RandomModelOptions, write_random_model

    out = tmp_path_factory.mktemp("models") / "tiny"
    write_random_model(RandomModelOptions(out))
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


class Paper(NamedTuple):
    """A real paper as the converters write it: its id, its text (the input of a row) and its
    official reviews in the four parts (the outputs of its rows, in file order)."""

    id: str
    text: str
    reviews: tuple[str, ...]


@pytest.fixture(scope="session")
def converted(shared_data, tmp_path_factory) -> dict[str, Path]:
    """The real papers through the real converters, one review a row: ``{"neurips": rows of
    from_openreview on neurips_2025, "peerread": rows of from_peerread on peerread/iclr_2017}``."""
    from data_conversion import from_openreview, from_peerread

    out = tmp_path_factory.mktemp("converted")
    runs = {"neurips": (from_openreview, shared_data / "neurips_2025"),
            "peerread": (from_peerread, shared_data / "peerread" / "iclr_2017")}
    paths = {}
    for name, (command, folder) in runs.items():
        paths[name] = out / f"{name}.jsonl"
        assert command.main([str(folder), str(paths[name])]).exit_code == 0
    return paths


@pytest.fixture(scope="session")
def papers(converted) -> list[Paper]:
    """The real papers, as :class:`Paper`: NeurIPS 2025 (12, by id), then PeerRead ICLR 2017
    (3: 598, 444, 315)."""
    texts, reviews = {}, {}
    for path in converted.values():
        for row in read_jsonl(path):
            texts.setdefault(row["paper_id"], row["input"])
            reviews.setdefault(row["paper_id"], []).append(row["output"])
    return [Paper(pid, text, tuple(reviews[pid])) for pid, text in texts.items()]


@pytest.fixture(scope="session")
def real_data(tmp_path_factory, converted, papers):
    """XTuner data made by the real converters: ``train.json`` (to_xtuner, system v2: the first
    review of every paper but the last two) and ``test.jsonl`` (to_xtuner --test: those two)."""
    from data_conversion import to_xtuner

    rows = [row for path in converted.values() for row in read_jsonl(path)]
    held_out = {paper.id for paper in papers[-2:]}
    first: dict[str, dict] = {}
    for row in rows:
        first.setdefault(row["paper_id"], row)
    work, out = tmp_path_factory.mktemp("rows"), tmp_path_factory.mktemp("data")
    train = write_rows(work / "train.jsonl", [r for pid, r in first.items() if pid not in held_out])
    test = write_rows(work / "test.jsonl", [r for r in rows if r["paper_id"] in held_out])
    assert to_xtuner.main([str(train), str(out / "train.json"), "--system", "v2"]).exit_code == 0
    assert to_xtuner.main([str(test), str(out / "test.jsonl"), "--test", "--system", "v2"]
                          ).exit_code == 0
    return out


@pytest.fixture(scope="session")
def rated_data(tmp_path_factory, real_data):
    """``real_data`` as a rated recipe reads it: ``train.json``'s NeurIPS 2025 rows keep the
    ``rating``, ``confidence`` and ``venue`` that to_xtuner carried from the converters; its
    PeerRead rows lose their scores (rows without a rating). ``test.jsonl``: one NeurIPS paper
    with its venue."""
    records = json.loads((real_data / "train.json").read_text())
    for record in records:
        if not str(record.get("venue") or "").startswith("NeurIPS"):
            record.update(rating=None, confidence=None)
    out = tmp_path_factory.mktemp("rated")
    (out / "train.json").write_text(json.dumps(records))
    first = next(r for r in records if r.get("rating") is not None)
    write_rows(out / "test.jsonl", [{"id": "rated-0", "input": first["conversation"][0]["input"],
                                     "venue": first["venue"]}])
    return out


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
    """One torch thread for a module: on a shared 2-core machine two threads spin against each
    other."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
