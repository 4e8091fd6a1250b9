"""Loss and learning-rate curves of ``xtuner train`` runs, as one PNG.

Reads each run's ``<timestamp>/vis_data/scalars.json`` (mmengine's JSON lines of
``loss``, ``lr``, ``step``/``iter``), or parses the run's text log when that is
missing. Every run is its own line: a work dir trained, resumed and trained again
shows two; several work dirs compare recipes.

Examples:
    python tools/plot_loss.py work_dirs/v1                        # -> work_dirs/v1/loss.png
    python tools/plot_loss.py work_dirs/v1 work_dirs/v2 --out v1_vs_v2.png --smooth 20
"""
from __future__ import annotations

from pathlib import Path

from review_ext.checkpoint.artifacts import run_dirs
from review_ext.common.cli import doc_parser
from review_ext.train.mmengine_log import SCALARS, parse_text_log, read_scalars, train_records


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("work_dirs", type=Path, nargs="+", metavar="WORK_DIR",
                   help="xtuner work dir (or one <timestamp> run folder of it)")
    p.add_argument("--out", type=Path, help="PNG path (default: WORK_DIR/loss.png of the first)")
    p.add_argument("--smooth", type=int, default=1, help="moving-average window for the loss (steps)")
    return p.parse_args(argv)


def runs_of(path: Path) -> list[Path]:
    """The run folders of a work dir, or ``path`` itself when it is one."""
    if (path / "vis_data").is_dir() or list(path.glob("*.log")):
        return [path]
    found = run_dirs(path)
    if not found:
        raise FileNotFoundError(f"{path}: no <timestamp> run folders (is it an xtuner work dir?)")
    return found


def read_records(run: Path) -> list[dict]:
    """Training records (those with a loss) of one run, from scalars.json or the text log."""
    if (run / SCALARS).is_file():
        records = read_scalars(run)
    else:
        logs = sorted(run.glob("*.log"))
        if not logs:
            raise FileNotFoundError(f"{run}: neither vis_data/scalars.json nor a .log file")
        records = parse_text_log(logs[-1])
    return train_records(records)


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


def main(argv=None):
    args = parse_args(argv)
    runs = {}
    for work_dir in args.work_dirs:
        for run in runs_of(work_dir):
            records = read_records(run)
            if records:
                runs[f"{work_dir.name}/{run.name}" if run != work_dir else run.name] = records
    if not runs:
        raise SystemExit("plot_loss: error: no training records with a loss found")
    out = args.out or args.work_dirs[0] / "loss.png"
    fig = plot(runs, out, args.smooth)
    print(f"wrote {out}: {len(runs)} runs, " + ", ".join(f"{k} ({len(v)} steps)" for k, v in runs.items()))
    return fig, runs


if __name__ == "__main__":
    main()
