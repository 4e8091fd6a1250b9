"""Print the ``--cfg-options`` that change recipe settings everywhere, or shrink a recipe for a CPU.

``--cfg-options max_length=4096`` sets one key: the dicts a recipe built from
``max_length`` keep the old value. This module reads the recipe again as if its PART 1
set the new values (``review_ext.train.recipe.load_recipe``) and prints every key that
changed.

Example:
    xtuner train xtuner_configs/v2.py --cfg-options $(python -m review_ext.train.overrides \\
        xtuner_configs/v2.py --model build/tiny --data data/train.json --cpu --iters 4)
    python -m review_ext.train.overrides xtuner_configs/v1.py --set lr=1e-3 max_epochs=1
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from review_ext.common.cli import doc_parser
from review_ext.train.config_dump import flatten, leaves, load_config
from review_ext.train.recipe import RecipeError, load_recipe

# the PART 1 setting each option of ``path_options`` (and each flag) changes
SETTINGS = {
    "model": "pretrained_model_name_or_path",
    "data": "data_path",
    "eval_file": "evaluation_file",
    "max_length": "max_length",
}


def setting_options(cfg, settings: dict) -> dict[str, object]:
    """Every key of ``cfg`` that changes when its PART 1 sets ``settings``, with its new value."""
    if not settings:
        return {}
    changed = load_recipe(cfg.filename, settings).to_dict()
    before, after = flatten(cfg.to_dict()), flatten(changed)
    if before.keys() != after.keys():
        moved = sorted(before.keys() ^ after.keys())
        raise RecipeError(f"{cfg.filename}: setting {sorted(settings)} adds or removes {moved}, "
                         "which --cfg-options cannot; set it in the recipe's PART 1")
    return {key: value for key, value in leaves(changed) if after[key] != before[key]}


def path_options(cfg, **values) -> dict[str, object]:
    """Options that set model/data/eval_file/max_length wherever the recipe uses them."""
    return setting_options(cfg, {SETTINGS[k]: v for k, v in values.items() if v is not None})


def cpu_options(cfg, iters: int, eval_new_tokens: int = 8) -> dict[str, object]:
    """A few iterations on a CPU: no quantisation, gloo, a checkpoint at the end."""
    options = setting_options(cfg, {
        "dataset_num_proc": 1,
        "save_steps": iters,
        "evaluation_freq": iters,
        "evaluation_max_new_tokens": eval_new_tokens,
    })
    options.update({
        "train_cfg.max_epochs": None,
        "train_cfg.max_iters": iters,
        "default_hooks.logger.interval": 1,
        "env_cfg.dist_cfg.backend": "gloo",
    })
    # Warm-up and decay by iteration: a ratio of a tiny epoch rounds to 0 iterations.
    # LinearLR needs end - begin >= 2 to reach the full rate.
    warmup = max(2, iters // 10) if iters > 2 else 1
    for i, scheduler in enumerate(cfg.param_scheduler):
        begin, end = (0, warmup) if scheduler.begin == 0 else (warmup, max(iters, warmup + 1))
        options.update({f"param_scheduler.{i}.by_epoch": False,
                        f"param_scheduler.{i}.convert_to_iter_based": False,
                        f"param_scheduler.{i}.begin": begin, f"param_scheduler.{i}.end": end})
    if "quantization_config" in cfg.model.llm:
        options["model.llm.quantization_config"] = None
    return options


@dataclass
class Overrides:
    """What to change in ``config``: PART 1 ``settings``, and a CPU run of ``iters`` if ``cpu``."""

    config: Path
    settings: dict = field(default_factory=dict)
    cpu: bool = False
    iters: int = 2


def overrides(opts: Overrides) -> dict[str, object]:
    """The ``--cfg-options`` that apply ``opts`` to its recipe."""
    cfg = load_config(opts.config)
    options = setting_options(cfg, opts.settings)
    if opts.cpu:
        options.update(cpu_options(cfg, opts.iters))
    return options


def as_cli(options: dict[str, object]) -> list[str]:
    """``key=value`` strings for ``--cfg-options``."""
    return [f"{k}={v}" for k, v in options.items()]


def parse_args(argv=None):
    from mmengine.config import DictAction

    p = doc_parser(__doc__)
    p.add_argument("config", type=Path, help="the recipe (xtuner_configs/*.py)")
    p.add_argument("--model", help="model folder or hub id (pretrained_model_name_or_path)")
    p.add_argument("--data", help="training data, XTuner conversation JSON (data_path)")
    p.add_argument("--eval-file", help="papers the chat hook reviews during training, JSONL "
                                       "(evaluation_file)")
    p.add_argument("--max-length", type=int, help="tokens per sample or packed bin (max_length)")
    p.add_argument("--set", nargs="+", action=DictAction, default={}, metavar="NAME=VALUE",
                   help="any other PART 1 setting of v1.py, e.g. lr=1e-3")
    p.add_argument("--cpu", action="store_true", help="no quantisation, gloo, few iterations")
    p.add_argument("--iters", type=int, default=2, help="iterations with --cpu (default: 2)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    flags = {"model": args.model, "data": args.data, "eval_file": args.eval_file,
             "max_length": args.max_length}
    settings = {SETTINGS[k]: v for k, v in flags.items() if v is not None}
    opts = Overrides(args.config, {**settings, **args.set}, args.cpu, args.iters)
    try:
        options = overrides(opts)
    except (RecipeError, OSError) as e:
        raise SystemExit(f"overrides: error: {e}") from None
    print(" ".join(as_cli(options)))
    return options


if __name__ == "__main__":
    main()
