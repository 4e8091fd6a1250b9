"""Merge a LoRA adapter into its base, streaming: one tensor in memory at a time.

Each output tensor is ``bf16(fp32(W) + (B @ A) * scaling)`` (peft's merge done in
fp32, rounded once), written in the base's shard layout. Everything is checked
before the first byte is written (files, keys, shapes, free space); the output is
built in a temporary sibling folder and renamed into place at the end, so a
failed run leaves no half-written folder behind. A lock keeps two merges out of one
output, and staging folders of killed merges are removed at the next start. The base
must be the one the adapter was trained on (``base_identity``).
"""
from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch

from review_ext.checkpoint import artifacts, base_identity
from review_ext.checkpoint.artifacts import WEIGHT_SUFFIXES
from review_ext.checkpoint.base_identity import INDEX_FILE, SINGLE_FILE
from review_ext.checkpoint.lora_adapter import LoraAdapter
from review_ext.checkpoint.safetensors_stream import (
    SafetensorsFileError,
    TensorSpec,
    file_size,
    read_specs,
    read_tensor,
    write_streaming,
)
from review_ext.common.errors import ReviewSuiteError
from review_ext.common.files import LockedError, check_input, check_output, locked_staging

log = logging.getLogger(__name__)
SHARD_METADATA = {"format": "pt"}
SPACE_MARGIN = 64 << 20  # config, tokenizer and filesystem slack


class MergeError(ReviewSuiteError):
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
    paths = base_identity.shard_files(base)
    if paths is None:
        raise MergeError(f"{base}: no {INDEX_FILE} or {SINGLE_FILE} (base must be HF safetensors)")
    shards = []
    for path in paths:
        if not path.is_file():
            raise MergeError(f"{base}: shard {path.name} named in the index is missing")
        specs = [
            TensorSpec(s.name, torch.bfloat16 if s.dtype.is_floating_point else s.dtype, s.shape)
            for s in read_specs(path)
        ]
        shards.append(Shard(path.name, specs))
    return shards, (base / INDEX_FILE).is_file()


def resolve_base(adapter: Path) -> Path:
    """The base named by the adapter's metadata (or, failing that, its adapter_config.json)."""
    meta = artifacts.read_metadata(adapter, missing_ok=True) or {}
    candidates = [meta.get("base_model"), LoraAdapter(adapter).base_model]
    for c in candidates:
        if c and (folder := base_identity.local_folder(c)) is not None:
            return folder
    raise MergeError(f"{adapter}: names no local base model ({candidates}); pass BASE explicitly")


def check_paths(base: Path, adapter: Path, out: Path, force: bool) -> None:
    """Refuse inputs that are not folders and an output that is, holds or sits inside one."""
    inputs = (("base", base), ("adapter", adapter))
    for what, path in inputs:
        check_input(path, f"{what} folder", folder=True)
        if path.resolve() in out.resolve().parents:
            raise MergeError(f"refusing to write {out} inside the {what} folder {path}")
    check_output(out, inputs, force)
    if not (base / "config.json").is_file():
        raise MergeError(f"{base}: missing config.json (base must be an HF model folder)")


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
        weight = weight.to(spec.dtype)
        if weight.is_floating_point() and not torch.isfinite(weight).all():
            bad = int((~torch.isfinite(weight)).sum())
            where = "after the merge" if adapter.changes(spec.name) else "in the base"
            raise MergeError(f"{spec.name}: {bad} NaN or infinite values {where} "
                             f"({base / shard.name}); nothing was written")
        return weight

    write_streaming(dest / shard.name, shard.specs, produce, SHARD_METADATA)


def copy_side_files(base: Path, dest: Path, meta: dict) -> None:
    """Config (saying bfloat16), tokenizer, generation config; ``meta`` as the metadata."""
    for path in sorted(base.iterdir()):
        if path.is_file() and not path.name.endswith(WEIGHT_SUFFIXES):
            shutil.copy2(path, dest / path.name)
    try:
        config = json.loads((base / "config.json").read_text())
    except ValueError as e:
        raise MergeError(f"{base / 'config.json'}: not valid JSON ({e})") from e
    if "quantization_config" in config:
        raise MergeError(
            f"{base} is quantized ({config['quantization_config'].get('quant_method')}); "
            "merge into the unquantized bf16 base"
        )
    config["torch_dtype"] = "bfloat16"
    (dest / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    artifacts.write_metadata(dest, meta)


def write_index(shards: list[Shard], dest: Path) -> None:
    weight_map = {s.name: shard.name for shard in shards for s in shard.specs}
    total = sum(s.nbytes for shard in shards for s in shard.specs)
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    (dest / INDEX_FILE).write_text(json.dumps(index, indent=2) + "\n")


def check_base(base: Path, adapter: Path, meta: dict, allow_mismatch: bool, log) -> dict | None:
    """Refuse a base other than the adapter's, or one with an adapter merged in already.

    Returns the base's fingerprint (recorded in the merge's metadata).
    """
    try:
        actual = base_identity.fingerprint(base)
    except (SafetensorsFileError, ValueError) as e:
        raise MergeError(str(e)) from e
    recorded = meta.get("base_fingerprint")
    merged_into = (artifacts.read_metadata(base, missing_ok=True) or {}).get("merge")
    problem = None
    already = (
        f" (it already has adapter {merged_into.get('adapter')} merged in)" if merged_into else ""
    )
    if recorded and (actual or {}).get("sha256") != recorded["sha256"]:
        problem = (
            f"base {base}{already}, fingerprint {base_identity.short(actual)}, "
            f"is not the model adapter {adapter} was trained on: {recorded.get('path')}, "
            f"fingerprint {base_identity.short(recorded)}"
        )
    elif merged_into and not recorded:
        problem = (
            f"base {base} already has adapter {merged_into.get('adapter')} merged in, and adapter "
            f"{adapter} records no base to compare: merging would add a second delta"
        )
    if problem and not allow_mismatch:
        raise MergeError(problem + "; pass the right base, or `allow_base_mismatch` to merge "
                                   "anyway")
    if problem:
        log(f"{problem}; merging anyway, as allowed")
    elif not recorded:
        log(f"adapter {adapter} records no base fingerprint (written before fingerprints, or its "
            f"base was not on this machine): cannot check that {base} is its base")
    return actual


def read_adapter(adapter: Path, base: Path) -> tuple[LoraAdapter, list[Shard], bool, dict]:
    """The adapter, the base's shards, whether the base is indexed, and the adapter's metadata."""
    try:
        meta = artifacts.read_metadata(adapter, missing_ok=True) or {}
        lora = LoraAdapter(adapter)
        shards, indexed = base_shards(base)
        lora.check_fits({s.name: s.shape for shard in shards for s in shard.specs})
        lora.check_finite()
    except ReviewSuiteError:
        raise
    except ValueError as e:
        raise MergeError(str(e)) from e
    return lora, shards, indexed, meta


@dataclass(frozen=True)
class MergeOptions:
    """What to merge and where."""

    adapter: Path
    out: Path
    base: Path | None = None  # None: the base the adapter's metadata names
    force: bool = False  # replace ``out`` when an earlier merge wrote it
    allow_base_mismatch: bool = False  # merge into another base (or a merged one), warned
    progress: bool = True  # a tqdm bar


def merge(options: MergeOptions, log=log.warning) -> Path:
    """Merge ``options.adapter`` into its base as bf16 at ``options.out``; returns ``out``.

    Refusals and failures are :class:`MergeError` (or another :class:`ReviewSuiteError`):
    nothing is left behind, and an existing ``out`` stays as it was.
    """
    from tqdm import tqdm

    adapter, out = Path(options.adapter), Path(options.out)
    check_input(adapter, "adapter folder", folder=True)
    base = Path(options.base) if options.base is not None else resolve_base(adapter)
    check_paths(base, adapter, out, options.force)
    lora, shards, indexed, meta = read_adapter(adapter, base)
    info = {"base": str(base.resolve()), "adapter": str(adapter.resolve()), "dtype": "bfloat16",
            "merged_modules": len(lora.modules), "replaced_tensors": len(lora.replaced),
            "base_fingerprint": check_base(base, adapter, meta, options.allow_base_mismatch, log)}
    inputs = (("base", base), ("adapter", adapter))
    try:
        with locked_staging(out, options.force, log, inputs) as tmp:
            check_space(shards, out.parent)  # after the staging folders of dead runs are gone
            copy_side_files(base, tmp, {**meta, "merge": info})
            for shard in tqdm(shards, desc="merge shards", unit="shard",
                              disable=not options.progress):
                write_shard(base, lora, shard, tmp)
            if indexed:
                write_index(shards, tmp)
    except LockedError as e:
        raise MergeError(f"{e} (another merge into {out.name})") from e
    except (OSError, SafetensorsFileError) as e:
        raise MergeError(f"writing {out} failed ({e}); nothing was left behind") from e
    return out
