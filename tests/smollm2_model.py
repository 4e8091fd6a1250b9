"""The real SmolLM2-135M-Instruct as an HF folder (``tools/make_smollm2.py``, in the recipe's folder)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The folder ``make smollm2`` writes; built on first use (~40 s), reused after."""
    from tests.tool_scripts import load_tool

    tool = load_tool("make_smollm2")
    return tool.main([str(ROOT / tool.DEFAULT_OUT)])


@pytest.fixture(scope="session")
def smollm2_tokenizer(smollm2):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(smollm2)
