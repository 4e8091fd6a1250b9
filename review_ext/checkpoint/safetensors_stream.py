"""Read and write safetensors one tensor at a time, so memory stays at one tensor.

``safe_open`` maps the whole file and the pages it reads stay resident until the
file is closed; :func:`read_tensor` opens, reads one tensor and closes.
:func:`write_streaming` writes the header planned from :class:`TensorSpec` s,
then each tensor as it is produced (``safetensors.torch.save_file`` needs every
tensor in memory at once). The format: an 8-byte little-endian header length, a
JSON header padded with spaces to 8 bytes, then the tensors' bytes back to back.
"""
from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import torch
from safetensors import SafetensorError, safe_open

from review_ext.common.errors import ReviewSuiteError

DTYPE_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}
DTYPES = {name: dtype for dtype, name in DTYPE_NAMES.items()}


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: torch.dtype
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


class SafetensorsFileError(ReviewSuiteError, ValueError):
    """A file that is not a complete safetensors file; the message names it and says why."""


def read_header(path: Path) -> tuple[dict, int]:
    """The JSON header (tensors by name, ``__metadata__`` dropped) and where the data starts.

    Checks what a torn copy breaks: the header's length and JSON, and that the file
    holds every byte the header promises.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(8)
            length = struct.unpack("<Q", head)[0] if len(head) == 8 else None
            raw = f.read(length) if length is not None and length <= size - 8 else b""
    except OSError as e:
        raise SafetensorsFileError(f"{path}: cannot read ({e.strerror})") from e
    if length is None or len(raw) != length:
        raise SafetensorsFileError(
            f"{path}: truncated or not safetensors ({size} bytes, no complete header); "
            "copy or download it again"
        )
    try:
        header = json.loads(raw)
        end = max(
            (t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"), default=0
        )
    except (ValueError, TypeError, KeyError, IndexError) as e:
        raise SafetensorsFileError(f"{path}: unreadable safetensors header ({e})") from e
    if 8 + length + end > size:
        raise SafetensorsFileError(
            f"{path}: truncated: its header promises {8 + length + end} bytes, "
            f"the file has {size}; copy or download it again"
        )
    header.pop("__metadata__", None)
    return header, 8 + length


def read_specs(path: Path) -> list[TensorSpec]:
    """Names, dtypes and shapes of a file's tensors, by name, as ``safe_open`` lists them (header
    only)."""
    header, _ = read_header(path)
    tensors = sorted(header.items())
    try:
        return [TensorSpec(name, DTYPES[t["dtype"]], tuple(t["shape"])) for name, t in tensors]
    except KeyError as e:
        raise SafetensorsFileError(f"{path}: unsupported dtype {e}") from e


def read_tensor(path: Path, name: str) -> torch.Tensor:
    """One tensor, with nothing of the file left mapped afterwards."""
    try:
        with safe_open(str(path), framework="pt") as f:
            return f.get_tensor(name)
    except (OSError, SafetensorError) as e:
        raise SafetensorsFileError(f"{path}: cannot read tensor {name} ({e})") from e


def header_bytes(specs: Sequence[TensorSpec], metadata: dict[str, str] | None = None) -> bytes:
    header: dict = {"__metadata__": metadata} if metadata else {}
    offset = 0
    for spec in specs:
        header[spec.name] = {
            "dtype": DTYPE_NAMES[spec.dtype],
            "shape": list(spec.shape),
            "data_offsets": [offset, offset + spec.nbytes],
        }
        offset += spec.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw


def file_size(specs: Sequence[TensorSpec], metadata: dict[str, str] | None = None) -> int:
    return len(header_bytes(specs, metadata)) + sum(s.nbytes for s in specs)


def write_streaming(
    path: Path,
    specs: Sequence[TensorSpec],
    produce: Callable[[TensorSpec], torch.Tensor],
    metadata: dict[str, str] | None = None,
) -> None:
    """Write ``produce(spec)`` for each spec in order; each result must match its spec."""
    with open(path, "wb") as f:
        f.write(header_bytes(specs, metadata))
        for spec in specs:
            tensor = produce(spec)
            if tensor.dtype != spec.dtype or tuple(tensor.shape) != spec.shape:
                raise ValueError(
                    f"{spec.name}: produced {tensor.dtype} {tuple(tensor.shape)}, "
                    f"planned {spec.dtype} {spec.shape}"
                )
            f.write(tensor.contiguous().reshape(-1).view(torch.uint8).numpy())
