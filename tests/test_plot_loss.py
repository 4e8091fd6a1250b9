"""tools/plot_loss.py on a real run's log, hand-written scalars.json and a text-only log."""
from __future__ import annotations

import json

import pytest

from review_ext.common.errors import ReviewSuiteError
from review_ext.train import loss_plot
from tests.tool_scripts import load_tool
from tests.xtuner_cli import trained

plot_loss = load_tool("plot_loss")


def plotted(argv):
    """tools/plot_loss.py in-process (it must succeed); the figure and the runs it drew."""
    _, options = plot_loss.parse_args(argv)
    assert plot_loss.main(argv) == 0
    result = loss_plot.plot_loss(options)
    return result.figure, result.runs

TEXT_LOG = (
    "2026/11/28 00:54:39 - mmengine - INFO - Iter(train) [ 1/30]  lr: 1.0000e-05  eta: 0:00:01  "
    "time: 1.3970  data_time: 0.0016  loss: 10.3923  tflops: 0.0103\n"
    "2026/11/28 00:54:40 - mmengine - INFO - Exp name: v1\n"
    "2026/11/28 00:54:41 - mmengine - INFO - Iter(train) [ 2/30]  lr: 2.0000e-04  eta: 0:00:00  "
    "time: 1.6742  data_time: 0.0050  loss: 9.5  grad_norm: 0.5234\n"
)


def write_run(work_dir, stamp, records):
    vis = work_dir / stamp / "vis_data"
    vis.mkdir(parents=True)
    (vis / "scalars.json").write_text("".join(json.dumps(r) + "\n" for r in records))


def test_scalars_json_of_two_runs_gives_two_lines(tmp_path):
    work_dir = tmp_path / "v1"
    write_run(
        work_dir,
        "20260101_000000",
        [
            {"lr": 1e-5, "loss": 2.0, "iter": 1, "step": 1},
            {"lr": 2e-4, "loss": 1.5, "iter": 2, "step": 2},
            {"mode": "val", "accuracy": 0.5, "step": 2},  # no loss: not a training record
        ],
    )
    write_run(
        work_dir,
        "20260102_000000",
        [{"lr": 1e-4, "loss": 1.2, "iter": 3}, {"lr": 5e-5, "loss": 1.1, "iter": 4}],
    )
    fig, runs = plotted([str(work_dir)])
    loss_ax, lr_ax = fig.axes
    assert [list(line.get_xdata()) for line in loss_ax.lines] == [[1, 2], [3, 4]]
    assert [list(line.get_ydata()) for line in loss_ax.lines] == [[2.0, 1.5], [1.2, 1.1]]
    assert [list(line.get_ydata()) for line in lr_ax.lines] == [[1e-5, 2e-4], [1e-4, 5e-5]]
    assert (work_dir / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_text_log_fallback_and_smoothing(tmp_path):
    run = tmp_path / "v1" / "20260101_000000"
    run.mkdir(parents=True)
    (run / "20260101_000000.log").write_text(TEXT_LOG)
    fig, runs = plotted([str(tmp_path / "v1"), "--out", str(tmp_path / "c.png"), "--smooth", "2"])
    assert [(r["step"], r["loss"], r["lr"]) for r in runs["v1/20260101_000000"]] == [
        (1, 10.3923, 1e-5),
        (2, 9.5, 2e-4),
    ]
    assert list(fig.axes[0].lines[0].get_ydata()) == [10.3923, (10.3923 + 9.5) / 2]
    assert (tmp_path / "c.png").is_file()


def test_no_records_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit, match="plot_loss: error: .*no <timestamp> run folders"):
        plot_loss.main([str(tmp_path / "empty")])
    with pytest.raises(ReviewSuiteError, match="no <timestamp> run folders"):
        loss_plot.plot_loss(loss_plot.LossPlotOptions((tmp_path / "empty",)))
    with pytest.raises(SystemExit) as e:
        plot_loss.main([str(tmp_path / "empty"), "--smooth", "0"])
    assert e.value.code == 2


@pytest.mark.slow
def test_real_run_log(tmp_path_factory, tiny_model, real_data, tmp_path):
    _, work_dir, _ = trained(tmp_path_factory, "v2", tiny_model, real_data)
    fig, runs = plotted([str(work_dir), "--out", str(tmp_path / "loss.png")])
    (records,) = runs.values()
    assert [r["step"] for r in records] == [1, 2] and all(r["loss"] > 0 for r in records)
    assert len(fig.axes[0].lines) == 1 and len(fig.axes[1].lines[0].get_xdata()) == 2
    # the text log of the same run gives the same losses (to its 4 printed decimals)
    (run,) = loss_plot.runs_of(work_dir)
    (log,) = run.glob("*.log")
    parsed = loss_plot.parse_text_log(log)
    assert [round(r["loss"], 4) for r in records] == [r["loss"] for r in parsed]


def test_help(capsys):
    with pytest.raises(SystemExit) as e:
        plot_loss.main(["--help"])
    assert e.value.code == 0 and "WORK_DIR" in capsys.readouterr().out
