"""The trained tensors of an ``xtuner train`` checkpoint, read without running its pickle.

A ``.pth`` is a pickle: unpickled in full (as mmengine and XTuner's ``zero_to_any_dtype``
read them), a crafted one runs whatever it names. Here every file is
read by ``torch.load(weights_only=True)``: tensors and plain containers, plus the few other
globals XTuner's and DeepSpeed's checkpoints hold beside the weights (:data:`INERT_GLOBALS`:
mmengine's log buffers and config dicts, numpy arrays and scalars, DeepSpeed's loss scaler
and fragment addresses), each read as an inert :class:`Placeholder` (only the tensors are
used); DeepSpeed's ZeRO stage reads as its number. A file naming any other global is
refused (:class:`UnsafeCheckpoint`) before anything in it runs.

Both forms: an ``iter_N.pth`` file (mmengine's ``state_dict``) and a DeepSpeed ``iter_N.pth/``
folder, whose fp32 master weights (``*_optim_states.pt``) are merged across ranks by
XTuner's ``zero_to_any_dtype`` from the states read here.
"""
from __future__ import annotations

import pickle
import re
import zipfile
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError, first_line

# Globals of XTuner (mmengine) and DeepSpeed checkpoints outside the model's tensors.
INERT_GLOBALS = (
    "builtins.getattr",  # numpy scalars' dtypes
    "mmengine.logging.history_buffer.HistoryBuffer",
    "mmengine.config.config.ConfigDict",
    "numpy._core.multiarray._reconstruct", "numpy._core.multiarray.scalar",
    "numpy.core.multiarray._reconstruct", "numpy.core.multiarray.scalar",  # numpy < 2
    "numpy.dtype", "numpy.ndarray",
    "deepspeed.runtime.fp16.loss_scaler.LossScaler",
    "deepspeed.runtime.fp16.loss_scaler.DynamicLossScaler",
    "deepspeed.utils.tensor_fragment.fragment_address",
)
ZERO_STAGE_GLOBAL = "deepspeed.runtime.zero.config.ZeroStageEnum"  # read as its int value


class CheckpointError(ReviewSuiteError, ValueError):
    """A checkpoint that cannot be read as one (missing, truncated, not a state dict)."""


class UnsafeCheckpoint(CheckpointError):
    """A checkpoint whose pickle names code no XTuner or DeepSpeed checkpoint holds."""


class Placeholder:
    """What a metadata object of :data:`INERT_GLOBALS` reads as: nothing is called on load."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        pass


def _allowed() -> list:
    return [(Placeholder, name) for name in INERT_GLOBALS] + [(int, ZERO_STAGE_GLOBAL)]


def _foreign_globals(path: Path) -> list[str]:
    """The globals a zip checkpoint's pickle names that are neither torch's safe ones nor
    :data:`INERT_GLOBALS` (read without unpickling)."""
    from torch.serialization import get_unsafe_globals_in_checkpoint

    if not zipfile.is_zipfile(path):
        return []
    known = set(INERT_GLOBALS) | {ZERO_STAGE_GLOBAL}
    return sorted(set(get_unsafe_globals_in_checkpoint(str(path))) - known)


def _refusal(path: Path, names) -> UnsafeCheckpoint:
    return UnsafeCheckpoint(
        f"{path}: refused: its pickle names {', '.join(names)}, which no XTuner or DeepSpeed "
        "checkpoint holds; loading it could run code. Convert only checkpoints your own "
        "training wrote")


def safe_load(path: str | Path):
    """A checkpoint file's content, read with ``weights_only=True`` (see the module)."""
    import torch

    path = Path(path)
    try:
        foreign = _foreign_globals(path)
    except (RuntimeError, OSError, ValueError, zipfile.BadZipFile, pickle.UnpicklingError) as e:
        raise CheckpointError(f"{path}: not a readable checkpoint ({first_line(e)}); "
                              "truncated copy?") from e
    if foreign:
        raise _refusal(path, foreign)
    try:
        with torch.serialization.safe_globals(_allowed()):
            return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except pickle.UnpicklingError as e:
        named = re.findall(r"GLOBAL (\S+)", str(e))
        if named:
            raise _refusal(path, named) from e
        raise CheckpointError(f"{path}: not a readable checkpoint ({first_line(e)})") from e
    except (RuntimeError, EOFError, OSError, ValueError) as e:
        raise CheckpointError(f"{path}: not a readable checkpoint ({first_line(e)}); "
                              "truncated copy?") from e


def _file_state_dict(path: Path) -> dict:
    state = safe_load(path)
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: not a checkpoint (holds a {type(state).__name__}, "
                              "not a state dict)")
    state = state.get("state_dict", state)
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: its state_dict is a {type(state).__name__}, not a dict")
    return state


def _zero_model_states(files, dtype) -> list:
    """XTuner's ``zero_model_state`` of each ``*_model_states.pt``, read safely."""
    from deepspeed.checkpoint.constants import (
        BUFFER_NAMES,
        DS_VERSION,
        FROZEN_PARAM_FRAGMENTS,
        FROZEN_PARAM_SHAPES,
        PARAM_SHAPES,
    )
    from xtuner.utils.zero_to_any_dtype import zero_model_state

    states = []
    for file in files:
        state = safe_load(file)
        if not isinstance(state, dict) or BUFFER_NAMES not in state:
            raise CheckpointError(f"{file} is not a DeepSpeed model state checkpoint")
        buffers = {k: v.to(dtype) for k, v in state["module"].items()
                   if k in state[BUFFER_NAMES]}
        states.append(zero_model_state(
            buffers=buffers, param_shapes=state[PARAM_SHAPES],
            shared_params=[[k, v] for k, v in state["shared_params"].items()],
            ds_version=state.get(DS_VERSION), frozen_param_shapes=state.get(FROZEN_PARAM_SHAPES),
            frozen_param_fragments=state.get(FROZEN_PARAM_FRAGMENTS)))
    return states


def _zero_flat_groups(files, folder: Path, dtype) -> tuple[int, int, list]:
    """(ZeRO stage, data-parallel world size, fp32 master weights per rank), read safely."""
    from deepspeed.checkpoint.constants import (
        FP32_FLAT_GROUPS,
        OPTIMIZER_STATE_DICT,
        PARTITION_COUNT,
        SINGLE_PARTITION_OF_FP32_GROUPS,
        ZERO_STAGE,
    )

    stage = world = None
    groups = []
    for file in files:
        state = safe_load(file)
        optim = state.get(OPTIMIZER_STATE_DICT) if isinstance(state, dict) else None
        if not isinstance(optim, dict) or ZERO_STAGE not in optim:
            raise CheckpointError(f"{file} is not a DeepSpeed ZeRO optimizer checkpoint")
        stage, world = int(optim[ZERO_STAGE]), optim[PARTITION_COUNT]
        if stage <= 2:
            groups.append([t.to(dtype) for t in optim[SINGLE_PARTITION_OF_FP32_GROUPS]])
        elif stage == 3:
            import torch

            groups.append(torch.cat(optim[FP32_FLAT_GROUPS], 0).to(dtype))
        else:
            raise CheckpointError(f"{file}: unknown ZeRO stage {stage}")
    world = max(world) if isinstance(world, list) else world
    if world != len(files):
        raise CheckpointError(f"{folder}: {len(files)} optimizer state files for a world of "
                              f"{world} ranks; a rank's file is missing or from another run")
    return stage, world, groups


def _folder_state_dict(folder: Path, dtype) -> dict:
    """The trainable parameters of a DeepSpeed checkpoint folder, from its fp32 master weights."""
    from xtuner.utils import zero_to_any_dtype as zero

    try:
        optim_files = zero.get_optim_files(str(folder))
        model_files = zero.get_model_state_files(str(folder))
    except FileNotFoundError as e:
        raise CheckpointError(f"{folder}: not a DeepSpeed checkpoint folder ({e})") from e
    stage, world, groups = _zero_flat_groups(optim_files, folder, dtype)
    states = _zero_model_states(model_files, dtype)
    merge = zero._get_state_dict_from_zero2_checkpoint if stage <= 2 \
        else zero._get_state_dict_from_zero3_checkpoint
    return merge(world, groups, states, True)  # frozen parameters (the base) left out


def read_state_dict(pth: str | Path, dtype) -> dict:
    """``{name: tensor}`` of an ``iter_N.pth`` file, or the trainable parameters (fp32 master
    weights in ``dtype``) of a DeepSpeed ``iter_N.pth/`` folder."""
    pth = Path(pth)
    return _folder_state_dict(pth, dtype) if pth.is_dir() else _file_state_dict(pth)
