"""An ``xtuner train`` checkpoint -> an HF folder, in the dtype asked for (no silent fp16 step).

``xtuner convert pth_to_hf`` casts to fp16 unless ``--fp32`` and reads DeepSpeed folders as
fp16; Mixtral is bf16. :func:`convert` reads the trained tensors straight into the dtype
asked for (``review_ext.checkpoint.training_state``, which never runs a checkpoint's pickle)
and saves them as they are: the peft adapter of a LoRA recipe (fp32 by default: lossless)
or bf16 shards of a full fine-tune. Beside them: ``review_suite.json`` (config, template,
base model and its fingerprint, system prompt, max_length, checkpoint) and the resolved
config, for merge and inference.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from review_ext.checkpoint import artifacts, base_identity
from review_ext.checkpoint.training_state import CheckpointError, read_state_dict
from review_ext.common.dtypes import dtype_name
from review_ext.common.errors import ReviewSuiteError, first_line
from review_ext.common.files import check_input, check_output, locked_staging

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConvertOptions:
    """What to convert and where; ``dtype`` ``auto``: fp32 for adapters, bf16 for full models."""

    config: Path  # the XTuner config the checkpoint was trained with
    checkpoint: Path  # an iter_N.pth file, a DeepSpeed iter_N.pth/ folder, or a work dir
    out: Path  # the HF folder to write
    dtype: str = "auto"  # auto, bfloat16 or float32
    cfg_options: dict | None = None  # overrides of the config, as for xtuner train
    max_shard_size: str = "5GB"  # shard size of full models
    force: bool = False  # replace ``out`` when an earlier conversion wrote it


def resolve_checkpoint(pth: Path) -> Path:
    """``pth`` itself, or the last ``iter_N.pth`` of a work dir."""
    pth = Path(pth)
    if pth.name.endswith(".pth") and pth.exists():
        return check_input(pth, "checkpoint", folder=pth.is_dir())
    if pth.is_dir() and (found := artifacts.checkpoints(pth)):
        return found[-1]
    raise CheckpointError(f"no checkpoint at {pth} (an iter_N.pth file or folder, or a work dir "
                          "with one)")


def base_fingerprint(base: str) -> dict | None:
    """The base's fingerprint, or None (with a warning) when it cannot be read here."""
    try:
        found = base_identity.fingerprint(base)
    except ValueError as e:
        found, why = None, str(e)
    else:
        why = "not a local folder nor in the HF cache"
    if found is None:
        log.warning("no fingerprint of base %s (%s): the merge will not be able to check that "
                    "it is given this base", base, why)
    return found


def build_empty_model(cfg):
    """The config's model on the meta device, without reading the base's weights.

    ``state_dict={}`` keeps ``from_pretrained`` from reading every shard (93 GB for
    Mixtral) into meta tensors; LoRA recipes lose their quantisation (only the
    adapter's structure is needed, and a quantised model cannot be built on meta).
    """
    from accelerate import init_empty_weights
    from transformers.utils import logging as hf_logging
    from xtuner.registry import BUILDER

    if cfg.model.get("lora") is not None:
        cfg.model.llm.pop("quantization_config", None)
    cfg.model.llm.state_dict = {}
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "weights newly initialized": by design, they stay empty
    try:
        with init_empty_weights(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non-meta.*", category=UserWarning)
            return BUILDER.build(cfg.model)
    finally:
        hf_logging.set_verbosity(verbosity)


def load_trained(model, state, dtype) -> int:
    """Set the model's trainable parameters from ``state`` in ``dtype``; returns how many were set.

    Frozen tensors a checkpoint may hold (a quantised base) are skipped; a trainable
    parameter the checkpoint lacks, or a checkpoint key the model lacks, is an error.
    """
    from accelerate.utils import set_module_tensor_to_device

    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    wanted = {k: v for k, v in state.items() if k in trainable}
    unknown = [k for k in state if k not in trainable and ("lora_" in k or not model.use_lora)]
    missing = sorted(trainable - wanted.keys())
    if unknown or missing:
        raise CheckpointError(f"checkpoint does not fit the config: {len(missing)} trained "
                              f"parameters missing {missing[:3]}, {len(unknown)} unknown keys "
                              f"{unknown[:3]}")
    for name, value in wanted.items():
        set_module_tensor_to_device(model, name, "cpu", value, dtype=dtype)
    if not model.use_lora and (meta := [n for n, p in model.llm.named_parameters() if p.is_meta]):
        raise CheckpointError(f"{len(meta)} parameters were not in the checkpoint, e.g. {meta[:3]}")
    return len(wanted)


def convert(options: ConvertOptions) -> Path:
    """Write the HF folder of ``options.checkpoint`` at ``options.out``; returns it.

    Nothing is written when the checkpoint, the config or the output is refused
    (:class:`ReviewSuiteError`); the folder appears complete or not at all.
    """
    import torch

    from review_ext.train.config_dump import load_config, resolved_text

    out = Path(options.out)
    config = check_input(options.config, "config")
    pth = resolve_checkpoint(options.checkpoint)
    inputs = [("checkpoint", pth), ("config", config)]
    check_output(out, inputs, options.force)
    try:
        cfg = load_config(config, options.cfg_options)
    except (OSError, ValueError, SyntaxError, KeyError) as e:
        raise ReviewSuiteError(f"{config}: cannot load the config ({e})") from e
    meta = artifacts.config_metadata(cfg, config.resolve())  # before build_empty_model edits cfg
    meta["base_fingerprint"] = base_fingerprint(meta["base_model"])
    resolved = resolved_text(cfg)
    lora = meta["finetune"] == "lora"
    name = ("float32" if lora else "bfloat16") if options.dtype == "auto" \
        else dtype_name(options.dtype)
    torch_dtype = getattr(torch, name)

    state = read_state_dict(pth, torch_dtype)  # first: a refused checkpoint costs nothing
    try:
        model = build_empty_model(cfg)
    except (OSError, ValueError, KeyError) as e:
        raise ReviewSuiteError(f"{config}: cannot build its model ({first_line(e)}); check "
                               "pretrained_model_name_or_path (`cfg_options`)") from e
    n = load_trained(model, state, torch_dtype)
    with locked_staging(out, options.force, log=log.warning, inputs=inputs) as tmp:
        # fp32=True: XTuner's "do not cast"; the tensors already hold the dtype asked for.
        model.to_hf(cfg=cfg, save_dir=str(tmp), fp32=True, save_pretrained_kwargs=dict(
            safe_serialization=True, max_shard_size=options.max_shard_size))
        (tmp / artifacts.RESOLVED_CONFIG_FILE).write_text(resolved)
        artifacts.write_metadata(tmp, {
            **meta, "cfg_options": options.cfg_options or {}, "checkpoint": str(pth.resolve()),
            "dtype": name, "tensors": n,
        })
    return out
