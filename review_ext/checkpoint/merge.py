"""Merge a LoRA adapter into its base, streaming: one tensor in memory at a time.

Each output tensor is ``bf16(fp32(W) + (B @ A) * scaling)`` (peft's merge done in
fp32, rounded once), written in the base's shard layout. Everything is checked
before the first byte is written (files, keys, shapes, free space); the output is
built in a temporary sibling folder and renamed into place at the end, so a
failed run leaves no half-written folder behind.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch

from review_ext.checkpoint import artifacts
from review_ext.common.files import staged_folder
from review_ext.checkpoint.lora_adapter import AdapterError, LoraAdapter
from review_ext.checkpoint.safetensors_stream import TensorSpec, file_size, read_specs, read_tensor, write_streaming

INDEX_FILE = "model.safetensors.index.json"
SINGLE_FILE = "model.safetensors"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".safetensors.index.json",
                   ".bin.index.json")
SHARD_METADATA = {"format": "pt"}
SPACE_MARGIN = 64 << 20  # config, tokenizer and filesystem slack


class MergeError(RuntimeError):
    """A merge that cannot (or must not) run; the message says why."""


@dataclass
class Shard:
    name: str
    specs: list[TensorSpec]  # output specs: floating tensors become bf16

    @property
    def nbytes(self) -> int:
        return file_size(self.specs, SHARD_METADATA)


def base_shards(base: Path) -> tuple[list[Shard], bool]:
    """The base's shards (in index order) and whether it has an index file."""
    index = base / INDEX_FILE
    if index.is_file():
        names = sorted(set(json.loads(index.read_text())["weight_map"].values()))
    elif (base / SINGLE_FILE).is_file():
        names = [SINGLE_FILE]
    else:
        raise MergeError(f"{base}: no {INDEX_FILE} or {SINGLE_FILE} (base must be HF safetensors)")
    shards = []
    for name in names:
        if not (base / name).is_file():
            raise MergeError(f"{base}: shard {name} named in the index is missing")
        specs = [TensorSpec(s.name, torch.bfloat16 if s.dtype.is_floating_point else s.dtype, s.shape)
                 for s in read_specs(base / name)]
        shards.append(Shard(name, specs))
    return shards, index.is_file()


def resolve_base(adapter: Path) -> Path:
    """The base named by the adapter's metadata (or, failing that, its adapter_config.json)."""
    meta = artifacts.read_metadata(adapter, missing_ok=True) or {}
    candidates = [meta.get("base_model"), LoraAdapter(adapter).base_model]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    raise MergeError(f"{adapter}: names no local base model ({candidates}); pass BASE explicitly")


def check_paths(base: Path, adapter: Path, out: Path, force: bool) -> None:
    for what, path in (("base", base), ("adapter", adapter)):
        if not path.is_dir():
            raise MergeError(f"{what} folder {path} does not exist")
        if out.resolve() == path.resolve() or path.resolve() in out.resolve().parents:
            raise MergeError(f"refusing to write {out} over or inside the {what} folder")
    if out.exists() and not force:
        raise MergeError(f"{out} exists; pass --force to replace it")


def check_space(shards: list[Shard], parent: Path) -> None:
    need = sum(s.nbytes for s in shards) + SPACE_MARGIN
    free = shutil.disk_usage(parent).free
    if free < need:
        raise MergeError(f"not enough disk space in {parent}: need {need / 1e9:.2f} GB, "
                         f"{free / 1e9:.2f} GB free")


def write_shard(base: Path, adapter: LoraAdapter, shard: Shard, dest: Path) -> None:
    def produce(spec: TensorSpec) -> torch.Tensor:
        weight = read_tensor(base / shard.name, spec.name)
        if adapter.changes(spec.name):
            weight = adapter.apply(spec.name, weight)
        return weight.to(spec.dtype)

    write_streaming(dest / shard.name, shard.specs, produce, SHARD_METADATA)


def copy_side_files(base: Path, adapter: Path, dest: Path, merge_info: dict) -> None:
    """Config (saying bfloat16), tokenizer, generation config; metadata from the adapter."""
    for path in sorted(base.iterdir()):
        if path.is_file() and not path.name.endswith(WEIGHT_SUFFIXES):
            shutil.copy2(path, dest / path.name)
    config = json.loads((base / "config.json").read_text())
    if "quantization_config" in config:
        raise MergeError(f"{base} is quantized ({config['quantization_config'].get('quant_method')}); "
                         "merge into the unquantized bf16 base")
    config["torch_dtype"] = "bfloat16"
    (dest / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    meta = artifacts.read_metadata(adapter, missing_ok=True) or {}
    artifacts.write_metadata(dest, {**meta, "merge": merge_info})


def write_index(shards: list[Shard], dest: Path) -> None:
    weight_map = {s.name: shard.name for shard in shards for s in shard.specs}
    total = sum(s.nbytes for shard in shards for s in shard.specs)
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    (dest / INDEX_FILE).write_text(json.dumps(index, indent=2) + "\n")


def merge(base: Path | None, adapter: Path, out: Path, force: bool = False, progress: bool = True) -> Path:
    """Merge ``adapter`` into ``base`` (None: the base its metadata names) as bf16 at ``out``."""
    from tqdm import tqdm

    adapter, out = Path(adapter), Path(out)
    if not adapter.is_dir():
        raise MergeError(f"adapter folder {adapter} does not exist")
    base = Path(base) if base is not None else resolve_base(adapter)
    check_paths(base, adapter, out, force)
    if not (base / "config.json").is_file():
        raise MergeError(f"{base}: missing config.json")
    try:
        lora = LoraAdapter(adapter)
        shards, indexed = base_shards(base)
        lora.check_fits({s.name: s.shape for shard in shards for s in shard.specs})
    except AdapterError as e:
        raise MergeError(str(e)) from e
    out.parent.mkdir(parents=True, exist_ok=True)
    check_space(shards, out.parent)

    info = {"base": str(base.resolve()), "adapter": str(adapter.resolve()), "dtype": "bfloat16",
            "merged_modules": len(lora.modules), "replaced_tensors": len(lora.replaced)}
    try:
        with staged_folder(out) as tmp:
            copy_side_files(base, adapter, tmp, info)
            for shard in tqdm(shards, desc="merge shards", unit="shard", disable=not progress):
                write_shard(base, lora, shard, tmp)
            if indexed:
                write_index(shards, tmp)
    except OSError as e:
        raise MergeError(f"writing {out} failed ({e}); nothing was left behind") from e
    return out
