"""The four-part recipes' token ids are pinned: the rating block changes nothing without it.

Every training row of the real papers (the converters' ``train.json``) is encoded with each
recipe's own dataset settings (system, template, max_length, rating); the digest of all
``input_ids`` and ``labels`` was taken before the rating block existed.
"""
from __future__ import annotations

import hashlib
import json

import pytest

from review_ext.data.encode import encode_fn
from review_ext.train.config_dump import load_config
from tests.helpers import ROOT

# sha256 of the ids and labels of every row, recorded before the rating block was added.
PINNED = {
    "v1": "15237b7efd338fbea4df821e2326ca76d84ea5b6f13eec92587f59e3d58057d2",
    "v2": "842a6d1232ab7b6eb2cf4d9d80688ef07126587d995a23a1d3632a7648aa3d5d",
    "v3": "842a6d1232ab7b6eb2cf4d9d80688ef07126587d995a23a1d3632a7648aa3d5d",
    "smollm2_135m": "a001571e8547db5be6120dd4c615652b04f376e0a13c2b9ef2f450dfdb5841cc",
}


def digest(samples) -> str:
    h = hashlib.sha256()
    for s in samples:
        h.update(json.dumps([s["input_ids"], s["labels"], s["drop_reason"]]).encode())
    return h.hexdigest()


def dataset_kwargs(recipe: str) -> dict:
    """The recipe's own dataset arguments that shape the ids."""
    ds = load_config(ROOT / "xtuner_configs" / f"{recipe}.py").train_dataset
    kwargs = dict(max_length=ds.max_length, system=ds.system, template=ds.template)
    if "rating" in ds:
        kwargs["rating"] = ds.rating
    return kwargs


@pytest.mark.parametrize("recipe", sorted(PINNED))
def test_four_part_recipes_encode_as_before(recipe, real_data, tokenizer, request):
    tok = request.getfixturevalue("smollm2_tokenizer") if recipe == "smollm2_135m" else tokenizer
    kwargs = dataset_kwargs(recipe)
    assert not kwargs.get("rating")
    records = json.loads((real_data / "train.json").read_text())
    assert len(records) == 13
    samples = [encode_fn(r, tok, **kwargs) for r in records]
    assert sum(s["drop_reason"] == "" for s in samples) == 13
    assert digest(samples) == PINNED[recipe]
