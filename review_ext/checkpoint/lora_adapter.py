"""A saved peft LoRA adapter, read lazily: which base weights it changes and by how much.

peft saves ``base_model.model.<module>.lora_A.weight`` / ``lora_B.weight`` (linear)
or ``lora_embedding_A`` / ``lora_embedding_B`` (embedding), and ``modules_to_save``
copies as ``base_model.model.<module>.<param>``. The delta of a module is
``(B @ A) * scaling`` in fp32 (transposed for embeddings), ``scaling = alpha / r``
(``alpha / sqrt(r)`` with rsLoRA), ``r`` and ``alpha`` from ``rank_pattern`` /
``alpha_pattern`` matched the way peft matches them — what peft's ``merge`` adds.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import torch

from review_ext.checkpoint.safetensors_stream import read_specs, read_tensor
from review_ext.common.errors import ReviewSuiteError

PREFIX = "base_model.model."
CONFIG_FILE = "adapter_config.json"
WEIGHTS_FILE = "adapter_model.safetensors"
LORA_PARTS = {  # suffix -> (role, is_embedding)
    ".lora_A.weight": ("A", False),
    ".lora_B.weight": ("B", False),
    ".lora_embedding_A": ("A", True),
    ".lora_embedding_B": ("B", True),
}
UNSUPPORTED = {  # adapter_config key -> why a plain W + BA merge would be wrong
    "use_dora": "DoRA rescales the merged weight",
    "fan_in_fan_out": "Conv1D-style (transposed) weights",
    "lora_bias": "LoRA biases",
}


def pattern_value(patterns: dict, module: str, default):
    """The value of the first pattern that matches ``module`` (peft's ``get_pattern_key`` rule:
    the pattern matches the whole name or a suffix after a dot), else ``default``.

    Not imported from peft: importing peft pulls in transformers (~0.25 GB of RSS).
    """
    for pattern, value in patterns.items():
        if re.match(rf"(.*\.)?({pattern})$", module):
            return value
    return default


class AdapterError(ReviewSuiteError, ValueError):
    """The adapter is unreadable, unsupported or does not fit the base."""


@dataclass(frozen=True)
class LoraModule:
    module: str  # e.g. model.layers.0.self_attn.q_proj
    a_key: str
    b_key: str
    embedding: bool
    scaling: float

    @property
    def weight_key(self) -> str:
        return self.module + ".weight"


class LoraAdapter:
    """Index of an adapter folder; tensors are read only when a delta is asked for."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.config = self._read_config()
        self.weights = self.folder / WEIGHTS_FILE
        if not self.weights.is_file():
            hint = " (adapter_model.bin: re-export with tools/pth_to_hf.py)" if (
                self.folder / "adapter_model.bin").exists() else ""
            raise AdapterError(f"missing adapter weights {self.weights}{hint}")
        self.shapes = {s.name: s.shape for s in read_specs(self.weights)}
        self.modules, self.replaced = self._index()

    def _read_config(self) -> dict:
        path = self.folder / CONFIG_FILE
        if not path.is_file():
            raise AdapterError(f"missing {path}: not a peft adapter folder")
        try:
            config = json.loads(path.read_text())
        except UnicodeDecodeError as e:
            raise AdapterError(
                f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); export it again"
            ) from e
        except json.JSONDecodeError as e:
            raise AdapterError(
                f"{path}: line {e.lineno}, column {e.colno}: invalid JSON ({e.msg}); "
                "export the adapter again"
            ) from e
        if not isinstance(config, dict):
            raise AdapterError(f"{path}: not a JSON object; export the adapter again")
        if config.get("peft_type") != "LORA":
            raise AdapterError(f"{path}: peft_type {config.get('peft_type')!r}, only LORA merges")
        for key, kind in (("r", int), ("lora_alpha", (int, float))):
            if (
                not isinstance(config.get(key), kind)
                or isinstance(config.get(key), bool)
                or config[key] <= 0
            ):
                raise AdapterError(
                    f"{path}: field {key!r} is {config.get(key)!r}, expected a positive number"
                )
        for key, why in UNSUPPORTED.items():
            if config.get(key):
                raise AdapterError(f"{path}: {key} is set ({why}); not supported")
        return config

    def _index(self) -> tuple[dict[str, LoraModule], dict[str, str]]:
        parts: dict[str, dict] = {}
        replaced = {}  # base key -> adapter key (modules_to_save)
        for key in self.shapes:
            if not key.startswith(PREFIX):
                raise AdapterError(f"{self.weights}: key {key!r} lacks the {PREFIX!r} prefix")
            suffix = next((s for s in LORA_PARTS if key.endswith(s)), None)
            if suffix is None:
                if not self.config.get("modules_to_save"):
                    raise AdapterError(f"{self.weights}: unexpected key {key!r}")
                replaced[key[len(PREFIX):]] = key
                continue
            role, embedding = LORA_PARTS[suffix]
            module = key[len(PREFIX):-len(suffix)]
            parts.setdefault(module, {"embedding": embedding})[role] = key
        modules = {}
        for module, p in parts.items():
            if "A" not in p or "B" not in p:
                raise AdapterError(
                    f"{self.weights}: {module} has only lora_{''.join(k for k in 'AB' if k in p)}"
                )
            lora = LoraModule(module, p["A"], p["B"], p["embedding"], self._scaling(module, p))
            modules[lora.weight_key] = lora
        return modules, replaced

    def _scaling(self, module: str, parts: dict) -> float:
        c = self.config
        r = pattern_value(c.get("rank_pattern") or {}, module, c["r"])
        alpha = pattern_value(c.get("alpha_pattern") or {}, module, c["lora_alpha"])
        ranks = (self.shapes[parts["A"]][0], self.shapes[parts["B"]][-1])
        if ranks != (r, r):
            raise AdapterError(
                f"{module}: lora_A/lora_B ranks {ranks}, adapter_config.json says {r}"
            )
        return alpha / math.sqrt(r) if c.get("use_rslora") else alpha / r

    @property
    def base_model(self) -> str | None:
        return self.config.get("base_model_name_or_path")

    def check_fits(self, base_shapes: dict[str, tuple[int, ...]]) -> None:
        """Raise AdapterError unless every changed base weight exists with a matching shape."""
        problems = []
        for key, lora in self.modules.items():
            (_, in_a), (out_b, _) = self.shapes[lora.a_key], self.shapes[lora.b_key]
            shape = (in_a, out_b) if lora.embedding else (out_b, in_a)
            problems += self._mismatch(key, shape, base_shapes)
        for key, adapter_key in self.replaced.items():
            problems += self._mismatch(key, self.shapes[adapter_key], base_shapes)
        if problems:
            raise AdapterError(
                f"adapter {self.folder} does not fit this base ({len(problems)} problems), "
                f"e.g.:\n  " + "\n  ".join(problems[:5])
            )

    @staticmethod
    def _mismatch(key, shape, base_shapes) -> list[str]:
        if key not in base_shapes:
            return [f"{key}: not in the base"]
        if tuple(base_shapes[key]) != tuple(shape):
            return [f"{key}: base {tuple(base_shapes[key])}, adapter implies {tuple(shape)}"]
        return []

    def check_finite(self) -> None:
        """Raise AdapterError when a tensor of the adapter holds NaN or infinite values."""
        for key in sorted(self.shapes):
            tensor = read_tensor(self.weights, key)
            if tensor.is_floating_point() and not torch.isfinite(tensor).all():
                bad = int((~torch.isfinite(tensor)).sum())
                raise AdapterError(f"{self.weights}: {key} holds {bad} NaN or infinite values; "
                                   "the training diverged or the file is damaged: export a "
                                   "good checkpoint again")

    def changes(self, key: str) -> bool:
        return key in self.modules or key in self.replaced

    def apply(self, key: str, weight: torch.Tensor) -> torch.Tensor:
        """The base weight with this adapter applied, in fp32 (may reuse ``weight``'s memory)."""
        if key in self.replaced:
            return read_tensor(self.weights, self.replaced[key]).float()
        lora = self.modules.get(key)
        if lora is None:
            return weight
        a = read_tensor(self.weights, lora.a_key).float()
        b = read_tensor(self.weights, lora.b_key).float()
        delta = b @ a
        if lora.embedding:
            delta = delta.T
        return weight.float().add_(delta * lora.scaling)
