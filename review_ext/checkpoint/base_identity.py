"""Which base model an adapter belongs to: a fingerprint of an HF safetensors folder.

``tools/pth_to_hf.py`` records the fingerprint of the base it converted against in
``review_suite.json`` (``base_fingerprint``); the merge recomputes it for the base it
is given and refuses another model (Mixtral-8x7B-v0.1 passed for the Instruct model,
a same-shape model with other weights) or a base that already has an adapter merged in.

The fingerprint is a sha256 of ``config.json`` (less the keys that name or version
the file rather than the model), every tensor's name, dtype and shape, and the first
``SAMPLE_BYTES`` of every tensor's data: a few MB read for Mixtral-8x7B, yet two
trainings of one architecture never collide.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from review_ext.checkpoint.safetensors_stream import read_header

METHOD = "sha256 of config.json, tensor headers and the first 4 KiB of each tensor (v1)"
SAMPLE_BYTES = 4096
VOLATILE_CONFIG_KEYS = ("_name_or_path", "transformers_version", "torch_dtype")
INDEX_FILE = "model.safetensors.index.json"
SINGLE_FILE = "model.safetensors"


def shard_files(folder: Path) -> list[Path] | None:
    """The folder's safetensors files (index order), or None when it has none."""
    folder = Path(folder)
    index = folder / INDEX_FILE
    if index.is_file():
        try:
            names = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ValueError(
                f"{index}: unreadable shard index ({e}); copy or download it again"
            ) from e
        return [folder / name for name in names]
    return [folder / SINGLE_FILE] if (folder / SINGLE_FILE).is_file() else None


def local_folder(base: str | Path) -> Path | None:
    """``base`` when it is a folder, else the hub id's snapshot in the local HF cache, else None."""
    if Path(base).is_dir():
        return Path(base)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(base), local_files_only=True))
    except Exception:  # not a hub id, or not downloaded: there is nothing local to fingerprint
        return None


def fingerprint(base: str | Path) -> dict | None:
    """``{"sha256", "method", "path"}`` of a local safetensors model, or None when there is none."""
    folder = local_folder(base)
    if folder is None or not (folder / "config.json").is_file():
        return None
    shards = shard_files(folder)
    if shards is None:
        return None
    h = hashlib.sha256()
    try:
        config = json.loads((folder / "config.json").read_text())
    except ValueError as e:
        raise ValueError(f"{folder / 'config.json'}: not valid JSON ({e})") from e
    for key in VOLATILE_CONFIG_KEYS:
        config.pop(key, None)
    h.update(json.dumps(config, sort_keys=True).encode())
    for path in shards:
        _hash_shard(h, path)
    return {"sha256": h.hexdigest(), "method": METHOD, "path": str(folder.resolve())}


def _hash_shard(h, path: Path) -> None:
    header, data_start = read_header(path)
    with open(path, "rb") as f:
        for name in sorted(header):
            tensor = header[name]
            begin, end = tensor["data_offsets"]
            h.update(json.dumps([name, tensor["dtype"], tensor["shape"]]).encode())
            f.seek(data_start + begin)
            h.update(f.read(min(SAMPLE_BYTES, end - begin)))


def short(fp: dict | None) -> str:
    return fp["sha256"][:12] if fp else "none"
