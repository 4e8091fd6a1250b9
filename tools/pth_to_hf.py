"""Convert an ``xtuner train`` checkpoint to HF format without a silent fp16 step.

``xtuner convert pth_to_hf`` casts to fp16 unless ``--fp32`` and reads DeepSpeed
folders as fp16 (``zero_to_any_dtype.DEFAULT_DTYPE``); Mixtral is bf16. Here the
checkpoint is read straight into the dtype asked for and saved as is:

* LoRA recipes (v1, v2): the peft adapter (``adapter_config.json``,
  ``adapter_model.safetensors``), fp32 by default (lossless). The base is built on
  the meta device without quantisation: only the adapter's structure is needed.
* Full fine-tunes (v3): bf16 safetensors shards with config and tokenizer.

Next to it: ``review_suite.json`` (config, template, base model and its fingerprint,
system prompt, max_length, checkpoint) and the resolved config, for merge and
inference. On success, ``work_dirs/last_model.json`` points at OUT.
``PTH`` is an ``iter_N.pth`` file, a DeepSpeed ``iter_N.pth/`` folder, or a work
dir (its last checkpoint).

Examples:
    python tools/pth_to_hf.py xtuner_configs/v1.py work_dirs/v1/iter_4000.pth hf/v1
    python tools/pth_to_hf.py xtuner_configs/v3.py work_dirs/v3 hf/v3 --max-shard-size 5GB
    python tools/pth_to_hf.py xtuner_configs/v2.py work_dirs/v2/iter_500.pth hf/v2 \\
        --dtype bf16 --cfg-options model.llm.pretrained_model_name_or_path=/models/mixtral
"""
from __future__ import annotations

import pickle
import sys
import warnings
from pathlib import Path

from review_ext.checkpoint import artifacts, base_identity
from review_ext.common.cli import doc_parser
from review_ext.common.files import LockedError, check_input, locked_staging

DTYPES = ("auto", "bf16", "fp32")


def parse_args(argv=None):
    from mmengine.config import DictAction

    p = doc_parser(__doc__)
    p.add_argument("config", type=Path, help="the XTuner config the checkpoint was trained with")
    p.add_argument("pth", type=Path, help="iter_N.pth file, DeepSpeed iter_N.pth/ folder, or work dir")
    p.add_argument("out", type=Path, help="output folder (must not exist unless --force)")
    p.add_argument("--dtype", choices=DTYPES, default="auto",
                   help="saved dtype; auto: fp32 for adapters, bf16 for full models")
    p.add_argument("--max-shard-size", default="5GB", help="shard size of full models")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.add_argument("--cfg-options", nargs="+", action=DictAction,
                   help="overrides of the config, as for xtuner train (key=value)")
    return p.parse_args(argv)


def resolve_checkpoint(pth: Path) -> Path:
    """``pth`` itself, or the last ``iter_N.pth`` of a work dir."""
    if pth.name.endswith(".pth") and pth.exists():
        return check_input(pth, "checkpoint", folder=pth.is_dir())
    if pth.is_dir() and (found := artifacts.checkpoints(pth)):
        return found[-1]
    raise FileNotFoundError(f"no checkpoint at {pth} (an iter_N.pth file or folder, or a work dir with one)")


def base_fingerprint(base: str) -> dict | None:
    """The base's fingerprint, or None (with a warning) when it cannot be read here."""
    try:
        found = base_identity.fingerprint(base)
    except ValueError as e:
        found, why = None, str(e)
    else:
        why = "not a local folder nor in the HF cache"
    if found is None:
        print(f"pth_to_hf: warning: no fingerprint of base {base} ({why}): the merge will not be able to "
              "check that it is given this base", file=sys.stderr)
    return found


def load_checkpoint(pth: Path, dtype):
    """The trained tensors in ``dtype``; DeepSpeed folders read from their fp32 master weights."""
    import torch

    if pth.is_dir():
        from xtuner.utils.zero_to_any_dtype import get_state_dict_from_zero_checkpoint

        return get_state_dict_from_zero_checkpoint(str(pth.parent), pth.name, exclude_frozen_parameters=True,
                                                   dtype=dtype)
    try:
        state = torch.load(pth, map_location="cpu", weights_only=False, mmap=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError) as e:
        raise ValueError(f"{pth}: not a readable checkpoint ({str(e).splitlines()[0]}); truncated copy?") from e
    if not isinstance(state, dict):
        raise ValueError(f"{pth}: not a checkpoint (holds a {type(state).__name__}, not a state dict)")
    return state.get("state_dict", state)


def build_empty_model(cfg):
    """The config's model on the meta device, without reading the base's weights.

    ``state_dict={}`` keeps ``from_pretrained`` from reading every shard (93 GB for
    Mixtral) into meta tensors; LoRA recipes lose their quantisation (only the
    adapter's structure is needed, and a quantised model cannot be built on meta).
    """
    from accelerate import init_empty_weights
    from xtuner.registry import BUILDER

    if cfg.model.get("lora") is not None:
        cfg.model.llm.pop("quantization_config", None)
    cfg.model.llm.state_dict = {}
    from transformers.utils import logging as hf_logging

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
        raise ValueError(f"checkpoint does not fit the config: {len(missing)} trained parameters missing "
                         f"{missing[:3]}, {len(unknown)} unknown keys {unknown[:3]}")
    for name, value in wanted.items():
        set_module_tensor_to_device(model, name, "cpu", value, dtype=dtype)
    if model.use_lora:
        return len(wanted)
    if meta := [n for n, p in model.llm.named_parameters() if p.is_meta]:
        raise ValueError(f"{len(meta)} parameters were not in the checkpoint, e.g. {meta[:3]}")
    return len(wanted)


def convert(config: Path, pth: Path, out: Path, dtype: str = "auto", cfg_options: dict | None = None,
            max_shard_size: str = "5GB", force: bool = False) -> Path:
    import torch

    from review_ext.train.config_dump import load_config, resolved_text

    out = Path(out)
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists; pass --force to replace it")
    pth = resolve_checkpoint(Path(pth))
    cfg = load_config(check_input(config, "config"), cfg_options)
    meta = artifacts.config_metadata(cfg, Path(config).resolve())  # before build_empty_model edits cfg
    meta["base_fingerprint"] = base_fingerprint(meta["base_model"])
    resolved = resolved_text(cfg)
    lora = meta["finetune"] == "lora"
    name = {"auto": "fp32" if lora else "bf16"}.get(dtype, dtype)
    torch_dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[name]

    model = build_empty_model(cfg)
    n = load_trained(model, load_checkpoint(pth, torch_dtype), torch_dtype)
    with locked_staging(out, force, log=lambda m: print(f"pth_to_hf: {m}", file=sys.stderr)) as tmp:
        # fp32=True: XTuner's "do not cast"; the tensors already hold the dtype asked for.
        model.to_hf(cfg=cfg, save_dir=str(tmp), fp32=True,
                    save_pretrained_kwargs=dict(safe_serialization=True, max_shard_size=max_shard_size))
        (tmp / artifacts.RESOLVED_CONFIG_FILE).write_text(resolved)
        artifacts.write_metadata(tmp, {
            **meta, "cfg_options": cfg_options or {}, "checkpoint": str(pth.resolve()),
            "dtype": str(torch_dtype).removeprefix("torch."), "tensors": n,
        })
    return out


def main(argv=None):
    args = parse_args(argv)
    try:
        out = convert(args.config, args.pth, args.out, args.dtype, args.cfg_options, args.max_shard_size,
                      args.force)
    except (OSError, ValueError, LockedError) as e:
        raise SystemExit(f"pth_to_hf: error: {e}")
    artifacts.announce_last_model(out, "tools/pth_to_hf.py")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
