"""Tensor dtype names, spelled one way: torch's (``bfloat16``, ``float16``, ``float32``).

The short spellings (``bf16``, ``fp16``, ``fp32``) are read as the same dtypes.
"""
from __future__ import annotations

DTYPES = ("bfloat16", "float16", "float32")
ALIASES = {"bf16": "bfloat16", "fp16": "float16", "half": "float16", "fp32": "float32",
           "float": "float32"}


def dtype_name(text: str) -> str:
    """The torch name of a dtype spelling; ValueError for one that is none of :data:`DTYPES`."""
    name = ALIASES.get(text, text)
    if name not in DTYPES:
        raise ValueError(f"unknown dtype {text!r}: use one of {', '.join(DTYPES)}")
    return name


def torch_dtype(text: str):
    """The ``torch.dtype`` of a dtype spelling."""
    import torch

    return getattr(torch, dtype_name(text))
