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
dir (its last checkpoint). Checkpoints are read with ``weights_only=True``: one whose
pickle names anything but tensors and the metadata XTuner and DeepSpeed write is
refused before it can run. ``--force`` replaces only a folder an earlier conversion
wrote (its ``written_files.json``), never one holding the checkpoint or other files.

Examples:
    python tools/pth_to_hf.py xtuner_configs/v1.py work_dirs/v1/iter_4000.pth hf/v1
    python tools/pth_to_hf.py xtuner_configs/v3.py work_dirs/v3 hf/v3 --max-shard-size 5GB
    python tools/pth_to_hf.py xtuner_configs/v2.py work_dirs/v2/iter_500.pth hf/v2 \\
        --dtype bfloat16 --cfg-options model.llm.pretrained_model_name_or_path=/models/mixtral
"""
from __future__ import annotations

import sys
from pathlib import Path

from review_ext.common.cli import add_dtype_arg, doc_parser, log_to_stderr, one_line_errors

NAME = "pth_to_hf"


def build_parser():
    from mmengine.config import DictAction

    p = doc_parser(__doc__)
    p.add_argument("config", type=Path, help="the XTuner config the checkpoint was trained with")
    p.add_argument("pth", type=Path,
                   help="iter_N.pth file, DeepSpeed iter_N.pth/ folder, or work dir")
    p.add_argument("out", type=Path, help="output folder (must not exist unless --force)")
    add_dtype_arg(p, "auto", choices=("auto", "bfloat16", "float32"),
                  help="saved dtype; auto: float32 for adapters, bfloat16 for full models "
                       "(bf16, fp32 accepted)")
    p.add_argument("--max-shard-size", default="5GB", help="shard size of full models")
    p.add_argument("--force", action="store_true",
                   help="replace OUT when an earlier conversion wrote it")
    p.add_argument("--cfg-options", nargs="+", action=DictAction,
                   help="overrides of the config, as for xtuner train (key=value)")
    return p


def parse_args(argv=None):
    """(parser, ConvertOptions) of ``argv``."""
    from review_ext.checkpoint.convert import ConvertOptions

    parser = build_parser()
    args = parser.parse_args(argv)
    return parser, ConvertOptions(
        config=args.config, checkpoint=args.pth, out=args.out, dtype=args.dtype,
        cfg_options=args.cfg_options, max_shard_size=args.max_shard_size, force=args.force)


def main(argv=None) -> int:
    from review_ext.checkpoint.artifacts import announce_last_model
    from review_ext.checkpoint.convert import convert

    parser, options = parse_args(argv)
    log_to_stderr(NAME)
    with one_line_errors(parser, NAME):
        out = convert(options)
    announce_last_model(out, "tools/pth_to_hf.py")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
