"""What produced an artefact: the metadata JSON of HF output folders, and work-dir lookups.

Every folder written by ``tools/pth_to_hf.py`` or ``tools/merge_bf16.sh`` holds
``review_suite.json``: the config (path and resolved dump), template name, base
model, system prompt and max_length it was trained with, and whether it trained the
``[Rating]`` block (``rating``), so merge, inference and the compliance check read them
instead of being told again.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from review_ext.common.files import atomic_write

METADATA_FILE = "review_suite.json"
# Files of a model folder that hold weights (or their index), as opposed to config and tokenizer.
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".safetensors.index.json",
                   ".bin.index.json")
RESOLVED_CONFIG_FILE = "xtuner_config_resolved.py"
# The last HF folder the pipeline wrote, relative to where the tools run (the repository root):
# ``tools/infer.py`` without ``--model`` reviews with it.
LAST_MODEL_FILE = Path("work_dirs") / "last_model.json"


def write_metadata(folder: Path, meta: dict) -> Path:
    path = Path(folder) / METADATA_FILE
    path.write_text(json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n")
    return path


def read_metadata(folder: Path, missing_ok: bool = False) -> dict | None:
    """The folder's metadata; None (``missing_ok``) or FileNotFoundError when it has none."""
    path = Path(folder) / METADATA_FILE
    if not path.is_file():
        if missing_ok:
            return None
        raise FileNotFoundError(f"{path} not found: was {folder} written by tools/pth_to_hf.py?")
    try:
        meta = json.loads(path.read_text())
    except ValueError as e:
        raise ValueError(f"{path}: not valid JSON ({e}); write the folder again") from e
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: not a JSON object; write the folder again")
    return meta


def record_last_model(folder: Path, written_by: str, pointer: Path = LAST_MODEL_FILE) -> None:
    """Point ``pointer`` at ``folder``, the HF folder ``written_by`` has just completed."""
    record = {"path": str(Path(folder).resolve()), "written_by": written_by}
    atomic_write(
        pointer, lambda f: f.write(json.dumps(record) + "\n")
    )  # a reader never sees half of it


def announce_last_model(folder: Path, written_by: str) -> None:
    """:func:`record_last_model`, from a tool that has just completed ``folder``.

    The folder is complete whatever happens here: a pointer that cannot be written
    (a read-only working directory) is a warning on stderr, not a failure.
    """
    try:
        record_last_model(folder, written_by)
    except OSError as e:
        print(
            f"{written_by}: warning: could not record {folder} in {LAST_MODEL_FILE} ({e})",
            file=sys.stderr,
        )


def read_last_model(pointer: Path = LAST_MODEL_FILE) -> dict | None:
    """``{"path", "written_by"}`` of the last HF folder written, or None when there is none."""
    try:
        return json.loads(Path(pointer).read_text())
    except (OSError, ValueError):
        return None


def template_name(cfg) -> str:
    """A name of ``review_ext.data.template.TEMPLATES`` (the dataset's ``template``), or
    ``xtuner.<name>`` for XTuner's template_map_fn."""
    from review_ext.data.template import get_template

    dataset = cfg.train_dataloader.dataset
    if not dataset.get("template_map_fn"):
        return get_template(dataset.get("template")).name
    template = dataset.template_map_fn.get("template")
    from xtuner.utils import PROMPT_TEMPLATE

    names = [name for name, value in PROMPT_TEMPLATE.items() if dict(value) == dict(template)]
    base = Path(str(cfg.model.llm.pretrained_model_name_or_path)).name.lower()
    names.sort(key=lambda name: name not in base)  # equal templates: the one named like the base
    return f"xtuner.{names[0]}" if names else "custom"


def config_metadata(cfg, config_path) -> dict:
    """What a resolved XTuner config says about the prompt and the base it trains."""
    from review_ext.data.template import resolve_system

    dataset = cfg.train_dataloader.dataset
    system = dataset.get("system", cfg.get("system"))
    base = str(cfg.model.llm.pretrained_model_name_or_path)
    return {
        "config": str(config_path),
        "config_resolved": RESOLVED_CONFIG_FILE,
        "template": template_name(cfg),
        "base_model": str(Path(base).resolve()) if Path(base).is_dir() else base,
        "system": system,
        "system_prompt": resolve_system(system),
        "max_length": dataset.get("max_length", cfg.get("max_length")),
        "finetune": "lora" if cfg.model.get("lora") is not None else "full",
        "rating": bool(dataset.get("rating", False)),  # trained the [Rating] block
    }


def run_dirs(work_dir: Path) -> list[Path]:
    """The timestamped run folders of an mmengine work dir, oldest first."""
    return sorted(
        p for p in Path(work_dir).iterdir() if p.is_dir() and re.fullmatch(r"\d{8}_\d{6}", p.name)
    )


def checkpoints(work_dir: Path) -> list[Path]:
    """``iter_N.pth`` checkpoints (files, or folders under DeepSpeed), by N."""
    found = [p for p in Path(work_dir).glob("iter_*.pth") if re.fullmatch(r"iter_\d+\.pth", p.name)]
    return sorted(found, key=lambda p: int(p.name[5:-4]))
