"""Run the real ``xtuner train`` CLI on a CPU with a recipe pointed at test paths."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT


def cli_env() -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYTHONUNBUFFERED", "1")
    env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def train_options(
    config, model, data, eval_file, max_length=1024, iters=2, extra=None
) -> list[str]:
    """``--cfg-options`` for a short CPU run of ``config`` on the given paths."""
    from review_ext.train.config_dump import load_config
    from review_ext.train.overrides import as_cli, cpu_options, path_options

    cfg = load_config(config)
    options = path_options(
        cfg, model=str(model), data=str(data), eval_file=str(eval_file), max_length=max_length
    )
    options.update(cpu_options(cfg, iters))
    options.update(extra or {})
    return as_cli(options)


def xtuner_train(config, work_dir, options, timeout=600) -> subprocess.CompletedProcess:
    cmd = ["xtuner", "train", str(config), "--work-dir", str(work_dir), "--cfg-options", *options]
    proc = subprocess.run(
        cmd, cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=timeout
    )
    # XTuner's `xtuner` entry point drops train.py's exit status: look for a traceback too.
    if proc.returncode != 0 or "Traceback (most recent call last)" in proc.stderr:
        raise AssertionError(
            f"xtuner train failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
            f"{proc.stderr[-5000:]}"
        )
    return proc


def trained(tmp_path_factory, recipe: str, model: Path, data: Path, deepspeed: str | None = None):
    """Work dir and ``--cfg-options`` of a 2-iteration CPU run of ``recipe``, once per session.

    The CLI's output is kept as ``cli.log`` in the work dir.
    """
    config = ROOT / "xtuner_configs" / f"{recipe}.py"
    options = train_options(config, model, data / "train.json", data / "test.jsonl")
    work_dir = tmp_path_factory.getbasetemp() / f"trained_{recipe}{'_ds' if deepspeed else ''}"
    if not (work_dir / "iter_2.pth").exists():
        extra = ["--deepspeed", deepspeed] if deepspeed else []
        proc = xtuner_train(config, work_dir, options + extra)
        (work_dir / "cli.log").write_text(proc.stdout + proc.stderr)
    return config, work_dir, options


def scalars(work_dir) -> list[dict]:
    """The per-iteration records of the run's ``vis_data/scalars.json``."""
    from review_ext.train.mmengine_log import latest_scalars

    return latest_scalars(work_dir)
