"""The real SmolLM2-135M-Instruct as an HF folder (``tools/make_smollm2.py``, cached under build/)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The folder ``make smollm2`` writes; built on first use (~40 s), reused after."""
    from tests.tool_scripts import load_tool

    return load_tool("make_smollm2").main([str(ROOT / "build" / "smollm2-135m-instruct")])


@pytest.fixture(scope="session")
def smollm2_tokenizer(smollm2):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(smollm2)
