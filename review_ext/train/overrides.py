"""Print the ``--cfg-options`` that repoint a recipe (model, data) or shrink it for a CPU.

A scalar changed with ``--cfg-options`` does not reach the dicts built from
it (mmengine resolves them when the config is read), so a model path has to be set at every key that holds it.
This module finds those keys in the resolved config.

Example:
    xtuner train xtuner_configs/v2.py --cfg-options $(python -m review_ext.train.overrides \\
        xtuner_configs/v2.py --model build/tiny --data data/train.json --cpu --iters 4)
"""
from __future__ import annotations

from review_ext.common.cli import doc_parser

PATH_KEYS = {
    "model": ("pretrained_model_name_or_path",),
    "data": ("data_path", "data_files"),
    "eval_file": ("evaluation_file", "paper_file"),
    "max_length": ("max_length",),
}


def keys_ending(cfg, names) -> list[str]:
    """Dotted keys of the resolved config whose last part is one of ``names``."""
    from review_ext.train.config_dump import flatten

    return sorted(k for k in flatten(cfg.to_dict()) if k.rsplit(".", 1)[-1] in names)


def path_options(cfg, **values) -> dict[str, object]:
    """Set each of model/data/eval_file/max_length at every key that carries it."""
    options = {}
    for what, value in values.items():
        if value is None:
            continue
        for key in keys_ending(cfg, PATH_KEYS[what]):
            options[key] = value
    return options


def cpu_options(cfg, iters: int, eval_new_tokens: int = 8) -> dict[str, object]:
    """A few iterations on a CPU: no quantisation, gloo, a checkpoint at the end."""
    options = {
        "train_cfg.max_epochs": None,
        "train_cfg.max_iters": iters,
        "default_hooks.checkpoint.interval": iters,
        "default_hooks.logger.interval": 1,
        "env_cfg.dist_cfg.backend": "gloo",
        "dataset_num_proc": 1,
        "train_dataset.num_proc": 1,
        "train_dataloader.dataset.num_proc": 1,
    }
    # Warm-up and decay by iteration: a ratio of a tiny epoch rounds to 0 iterations.
    # LinearLR needs end - begin >= 2 to reach the full rate.
    warmup = max(2, iters // 10) if iters > 2 else 1
    options.update({
        "param_scheduler.0.by_epoch": False, "param_scheduler.0.convert_to_iter_based": False,
        "param_scheduler.0.end": warmup,
        "param_scheduler.1.by_epoch": False, "param_scheduler.1.convert_to_iter_based": False,
        "param_scheduler.1.begin": warmup, "param_scheduler.1.end": max(iters, warmup + 1),
    })
    if "quantization_config" in cfg.model.llm:
        options["model.llm.quantization_config"] = None
    for i, hook in enumerate(cfg.get("custom_hooks", [])):
        if "max_new_tokens" in hook:
            options[f"custom_hooks.{i}.max_new_tokens"] = eval_new_tokens
            options[f"custom_hooks.{i}.every_n_iters"] = iters
    return options


def as_cli(options: dict[str, object]) -> list[str]:
    """``key=value`` strings for ``--cfg-options``."""
    return [f"{k}={v}" for k, v in options.items()]


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("config", help="the recipe (xtuner_configs/*.py)")
    p.add_argument("--model", help="model folder or hub id, at every key that holds the recipe's")
    p.add_argument("--data", help="training data (XTuner conversation JSON)")
    p.add_argument("--eval-file", help="papers the chat hook reviews during training (JSONL)")
    p.add_argument("--max-length", type=int, help="tokens per sample or packed bin")
    p.add_argument("--cpu", action="store_true", help="no quantisation, gloo, few iterations")
    p.add_argument("--iters", type=int, default=2, help="iterations with --cpu (default: 2)")
    return p.parse_args(argv)


def main(argv=None):
    from review_ext.train.config_dump import load_config

    args = parse_args(argv)
    cfg = load_config(args.config)
    options = path_options(
        cfg, model=args.model, data=args.data, eval_file=args.eval_file, max_length=args.max_length
    )
    if args.cpu:
        options.update(cpu_options(cfg, args.iters))
    print(" ".join(as_cli(options)))
    return options


if __name__ == "__main__":
    main()
