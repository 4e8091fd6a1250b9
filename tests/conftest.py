"""Shared fixtures: the real Mixtral tokenizer, a 2-layer random Mixtral, real papers."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"real sample papers expected at {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture(scope="session")
def tokenizer():
    from review_ext.tokenizer import load_mixtral_tokenizer

    return load_mixtral_tokenizer()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer, 64-wide random Mixtral with the real tokenizer (HF folder)."""
    from tools import make_tiny_model

    out = tmp_path_factory.mktemp("models") / "tiny"
    make_tiny_model.main([str(out)])
    return out
