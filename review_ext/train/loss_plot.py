"""Loss and learning-rate curves of ``xtuner train`` runs, as one PNG.

Each run's ``<timestamp>/vis_data/scalars.json`` (mmengine's JSON lines of ``loss``, ``lr``,
``step``/``iter``) is read, or its text log when that is missing
(``review_ext.train.mmengine_log``). Every run is its own line: a work dir trained, resumed
and trained again shows two; several work dirs compare recipes.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from review_ext.checkpoint.artifacts import run_dirs
from review_ext.common.errors import ReviewSuiteError
from review_ext.common.jsonl import BadJson
from review_ext.train.mmengine_log import SCALARS, parse_text_log, read_scalars, train_records


@dataclass(frozen=True)
class LossPlotOptions:
    work_dirs: tuple[Path, ...]  # xtuner work dirs, or <timestamp> run folders of them
    out: Path | None = None  # default: loss.png in the first work dir
    smooth: int = 1  # moving-average window for the loss (steps)


@dataclass
class LossPlot:
    out: Path
    runs: dict[str, list[dict]]  # the training records of each run, by its label
    figure: object


def runs_of(path: Path) -> list[Path]:
    """The run folders of a work dir, or ``path`` itself when it is one."""
    path = Path(path)
    if (path / "vis_data").is_dir() or list(path.glob("*.log")):
        return [path]
    if not path.is_dir():
        raise ReviewSuiteError(f"{path}: not a folder (give an xtuner work dir)")
    found = run_dirs(path)
    if not found:
        raise ReviewSuiteError(f"{path}: no <timestamp> run folders (is it an xtuner work dir?)")
    return found


def read_records(run: Path) -> list[dict]:
    """Training records (those with a loss) of one run, from scalars.json or the text log."""
    if (run / SCALARS).is_file():
        try:
            records = read_scalars(run)
        except BadJson as error:
            raise ReviewSuiteError(str(error)) from None
    else:
        logs = sorted(run.glob("*.log"))
        if not logs:
            raise ReviewSuiteError(f"{run}: neither {SCALARS} nor a .log file")
        records = parse_text_log(logs[-1])
    return train_records([r for r in records if isinstance(r, dict)])


def curve(records: list[dict], key: str) -> tuple[list[int], list[float]]:
    points = [(r.get("step", r.get("iter")), r[key]) for r in records if key in r]
    return [s for s, _ in points], [v for _, v in points]


def moving_average(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v - (values[i - window] if i >= window else 0.0)
        out.append(total / min(i + 1, window))
    return out


def plot(runs: dict[str, list[dict]], out: Path, smooth: int = 1):
    """Loss (top) and lr (bottom) against step, one line per run; returns the figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker  # noqa: F401  (matplotlib.ticker below)

    fig, (loss_ax, lr_ax) = plt.subplots(2, 1, sharex=True, figsize=(9, 6.5))
    for label, records in runs.items():
        steps, loss = curve(records, "loss")
        loss_ax.plot(steps, moving_average(loss, smooth) if smooth > 1 else loss, label=label)
        lr_ax.plot(*curve(records, "lr"), label=label)
    loss_ax.set_ylabel("loss" + (f" (moving average, {smooth} steps)" if smooth > 1 else ""))
    lr_ax.set_ylabel("learning rate")
    lr_ax.set_xlabel("step")
    lr_ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    lr_ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    for ax in (loss_ax, lr_ax):
        ax.grid(alpha=0.3)
    loss_ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return fig


def plot_loss(options: LossPlotOptions) -> LossPlot:
    """The curves of every run of ``options.work_dirs`` in one PNG."""
    if options.smooth < 1:
        raise ReviewSuiteError(f"`smooth` {options.smooth}: give a window of at least 1 step")
    runs = {}
    for work_dir in map(Path, options.work_dirs):
        for run in runs_of(work_dir):
            records = read_records(run)
            if records:
                runs[f"{work_dir.name}/{run.name}" if run != work_dir else run.name] = records
    if not runs:
        raise ReviewSuiteError("no training records with a loss found in "
                               + ", ".join(map(str, options.work_dirs)))
    out = Path(options.out or Path(options.work_dirs[0]) / "loss.png")
    try:
        figure = plot(runs, out, options.smooth)
    except OSError as e:
        raise ReviewSuiteError(f"{out}: cannot write the plot ({e.strerror or e})") from e
    return LossPlot(out, runs, figure)
