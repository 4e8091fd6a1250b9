"""The GPU benchmark's readers: profile trace summary and per-run throughput (run on CPU)."""
import importlib.util
import json

import pytest

from tests.helpers import ROOT

GPU_BENCH = ROOT / "benchmarks" / "gpu"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"gpu_bench_{name}", GPU_BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_trace_summary_busy_is_union_of_gpu_spans_inside_steps():
    trace_summary = _load("trace_summary")
    events = [
        dict(ph="X", cat="user_annotation", name="ProfilerStep#15", ts=0, dur=100),
        dict(ph="X", cat="user_annotation", name="ProfilerStep#16", ts=100, dur=100),
        dict(
            ph="X", cat="gpu_user_annotation", name="ProfilerStep#15", ts=0, dur=100
        ),  # not a step
        dict(ph="X", cat="kernel", name="nvjet_sm90_gemm", ts=10, dur=40),
        dict(
            ph="X", cat="kernel", name="kDequantizeBlockwise", ts=30, dur=40
        ),  # overlaps: union 10..70
        dict(ph="X", cat="gpu_memcpy", name="Memcpy DtoD", ts=150, dur=20),
        dict(ph="X", cat="kernel", name="late_kernel", ts=500, dur=50),  # outside the steps
        dict(ph="X", cat="cuda_runtime", name="cudaStreamSynchronize", ts=60, dur=1),
    ]
    out = trace_summary.summarize({"traceEvents": events}, top=3)
    assert out["steps"] == 2 and out["wall_ms_per_step"] == 0.1
    assert out["gpu_busy_pct"] == 40.0  # (60 + 20) / 200
    assert set(out["kernel_ms_by_kind"]) == {"matmul", "dequant_nf4", "copy_cast"}
    assert out["syncs_per_step"] == {"cudaStreamSynchronize": 0.5}


def test_trace_summary_charges_gpu_idle_and_waits_to_the_host_ops_around_them():
    trace_summary = _load("trace_summary")
    host, gpu = 1, 7
    events = [
        dict(ph="X", cat="user_annotation", name="ProfilerStep#16", ts=0, dur=1000, tid=host),
        dict(ph="X", cat="cpu_op", name="aten::mm", ts=0, dur=100, tid=host),  # GPU idle 0..100
        dict(ph="X", cat="cuda_runtime", name="cudaLaunchKernel", ts=90, dur=5, tid=host),
        dict(ph="X", cat="kernel", name="gemm", ts=100, dur=400, tid=gpu),
        dict(
            ph="X", cat="cpu_op", name="Optimizer.step", ts=450, dur=300, tid=host
        ),  # idle 500..750
        dict(
            ph="X", cat="cpu_op", name="aten::item", ts=460, dur=40, tid=host
        ),  # inside: not outermost
        dict(ph="X", cat="cuda_runtime", name="cudaStreamSynchronize", ts=470, dur=30, tid=host),
        dict(
            ph="X", cat="kernel", name="add", ts=800, dur=150, tid=gpu
        ),  # idle 750..800 and 950..1000: no op
        dict(
            ph="X", cat="cpu_op", name="aten::add", ts=900, dur=10, tid=2
        ),  # another thread: ignored
        dict(ph="X", cat="python_function", name="moe.py(42): route", ts=600, dur=100, tid=host),
        dict(
            ph="X", cat="cpu_op", name="MmBackward0", ts=960, dur=30, tid=3
        ),  # the autograd thread
        dict(ph="X", cat="cuda_runtime", name="cudaLaunchKernel", ts=985, dur=5, tid=3),
    ]
    out = trace_summary.summarize({"traceEvents": events}, top=5)
    assert out["gpu_idle_ms_per_step_by_host_op"] == {
        "Optimizer.step": 0.25, "aten::mm": 0.1, "(python)": 0.07, "MmBackward0": 0.03}
    assert out["gpu_idle_ms_per_step_by_inner_op"] == {
        "Optimizer.step > Optimizer.step": 0.15,
        "aten::mm > aten::mm": 0.1,
        "Optimizer.step > moe.py(42): route": 0.1,
        "(python)": 0.07,
        "MmBackward0 > MmBackward0": 0.03,
    }
    assert out["host_waits_per_step_by_op"] == {"Optimizer.step > aten::item": 1.0}
    assert out["gpu_busy_pct"] == 55.0


def test_summarize_counts_tokens_per_iteration(tmp_path, capsys):
    summarize = _load("summarize")
    run = tmp_path / "run" / "20261129_000000" / "vis_data"
    run.mkdir(parents=True)
    series = [(1.0, 8192), (0.5, 8000), (0.25, 4000), (0.5, 8192), (0.1234567, 7777)]
    rows = [dict(step=i, loss=10 - i, time=t, tokens_per_sec=n / t, memory=100 + i)
            for i, (t, n) in enumerate(series, 1)]
    (run / "scalars.json").write_text("\n".join(json.dumps(r) for r in rows))
    summarize.main([str(tmp_path / "run"), "--skip", "1", "--until", "3", "--name", "x"])
    out = json.loads(capsys.readouterr().out)
    assert out["steady_iters"] == 2 and out["tokens_per_s_per_gpu"] == round(12000 / 0.75)
    assert out["s_per_iter_min_max"] == [0.25, 0.5] and out["peak_mem_mb"] == 105
    assert out["tokens_per_iter_mean"] == 6000 and out["iters"] == 5
    # every iteration, warm-up and tail included, in order: seconds to 4 decimals, whole tokens
    assert out["s_per_iter"] == [1.0, 0.5, 0.25, 0.5, 0.1235]
    assert out["tokens_per_iter"] == [8192, 8000, 4000, 8192, 7777]
    assert all(isinstance(n, int) for n in out["tokens_per_iter"])


ITER_LINE = (
    "11/30 03:45:{:02d} - mmengine - INFO - Iter(train) [{:>2}/{}]  lr: 1.0000e-08  eta: 0:00:57  "
    "time: {}  data_time: 0.0066  memory: 12286  loss: 11.1498  tflops: 29.4435  tokens_per_sec: {}"
)


def _tarball(path, logs: dict):
    """``logs.tar.gz`` as pack_logs.sh writes it: ``l/<name>.log`` members."""
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        for name, text in logs.items():
            data = text.encode()
            info = tarfile.TarInfo(f"l/{name}.log")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _log(*iterations):
    lines = ["11/30 03:45:00 - mmengine - INFO - Exp name: ours_v2_20261130_034500"]
    lines += [
        ITER_LINE.format(i, i, len(iterations), t, tps) for i, (t, tps) in enumerate(iterations, 1)
    ]
    return "\n".join(
        lines + ["11/30 03:45:09 - mmengine - INFO - Saving checkpoint at 3 iterations"]
    )


def test_iterations_from_logs_reads_every_run_of_the_tarball(tmp_path, capsys):
    tool = _load("iterations_from_logs")
    tarball = _tarball(tmp_path / "logs.tar.gz", {
        "stock_8192_r1": _log(("0.5061", "13000.0"), ("2.4102", "3050.5"), ("0.2338", "60000.1")),
        "make_m2": "wrote build/m2: 2 layers\n",  # no training: left out, and said so
        "ours_8192_r1": _log(("0.1312", "62433.5"), ("0.1237", "66218.2")),
    })
    tool.main([str(tarball), "--call", "7", "--code", "tried"])
    captured = capsys.readouterr()
    ours, stock = [json.loads(line) for line in captured.out.splitlines()]
    assert stock == {
        "call": 7,
        "run": "stock_8192_r1",
        "s_per_iter": [0.5061, 2.4102, 0.2338],
        "tokens_per_iter": [6579, 7352, 14028],
        "code": "tried",
    }  # tokens/s x s, rounded
    assert ours["run"] == "ours_8192_r1" and ours["tokens_per_iter"] == [8191, 8191]
    assert "2 runs written; 1 logs without Iter(train) lines: make_m2" in captured.err


def test_iterations_from_logs_rejects_bad_logs(tmp_path):
    tool = _load("iterations_from_logs")
    no_tokens = _log(("0.5", "100.0")).replace("tokens_per_sec", "tokens_per_second")
    with pytest.raises(
        SystemExit, match=r"x\.tar\.gz: ours_8192_r1, line 2: .*without tokens_per_sec"
    ):
        tool.main(
            [str(_tarball(tmp_path / "x.tar.gz", {"ours_8192_r1": no_tokens})), "--call", "1"]
        )
    twice = _log(("0.5", "100.0"), ("0.5", "100.0")) + "\n" + _log(("0.5", "100.0"))
    with pytest.raises(SystemExit, match=r"line 6: iteration 1 where 3 was due"):
        tool.main([str(_tarball(tmp_path / "y.tar.gz", {"ours_8192_r1": twice})), "--call", "1"])
    with pytest.raises(SystemExit, match=r"no training run among 1 \.log files"):
        tool.main([str(_tarball(tmp_path / "z.tar.gz", {"make_m2": "nothing\n"})), "--call", "1"])


def test_plot_speed_draws_a_pair_into_a_png(tmp_path, capsys):
    plot_speed = _load("plot_speed")
    lines = [
        {
            "call": 4,
            "run": "ours_8192_r1",
            "s_per_iter": [0.5, 0.25, 2.0, 0.25, 0.25],
            "tokens_per_iter": [8000, 8000, 8000, 8000, 6000],
        },
        {
            "call": 4,
            "run": "stock_8192_r1",
            "s_per_iter": [1.0, 0.5, 0.5, 2.5, 0.5],
            "tokens_per_iter": [7000, 7000, 7000, 7000, 7000],
        },
        {
            "call": 4,
            "run": "ours_8192_no_liger_kernels",
            "s_per_iter": [1.0],
            "tokens_per_iter": [1],
        },
        {
            "call": 7,
            "run": "ours_16384_r1",
            "s_per_iter": [1.0],
            "tokens_per_iter": [1],
            "code": "x",
        },
        {
            "call": 7,
            "run": "stock_16384_r1",
            "s_per_iter": [1.0],
            "tokens_per_iter": [1],
            "code": "x",
        },
    ]
    (tmp_path / "it.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "speed.png"
    fig, by_length = plot_speed.main(
        [str(tmp_path / "it.jsonl"), "--out", str(out), "--window", "5:2-3"]
    )
    assert list(by_length) == [8192] and [(o["run"], s["run"]) for o, s in by_length[8192]] == [
        ("ours_8192_r1", "stock_8192_r1")]  # ablation and other-code lines left out
    (ax,) = fig.axes
    ours, stock = [line for line in ax.lines if line.get_label().startswith("call")]
    assert list(ours.get_ydata()) == [16000, 32000, 4000, 32000, 24000]
    assert (
        list(stock.get_ydata()) == [7000, 14000, 14000, 2800, 14000]
        and stock.get_linestyle() == "--"
    )
    assert ours.get_color() == stock.get_color()
    assert [t.get_text() for t in ax.texts if t.get_text().endswith(" s")] == [
        "2.5 s"
    ]  # iteration 3: before 4
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and 1000 < len(data) < 200_000
    assert "1 pairs at 8192" in capsys.readouterr().out


def test_plot_speed_without_a_pair_is_an_error(tmp_path):
    plot_speed = _load("plot_speed")
    (tmp_path / "it.jsonl").write_text(json.dumps(
        {"call": 4, "run": "ours_8192_r1", "s_per_iter": [0.5], "tokens_per_iter": [1]}) + "\n")
    with pytest.raises(SystemExit, match="no ours/stock pair among 1 runs"):
        plot_speed.main([str(tmp_path / "it.jsonl"), "--out", str(tmp_path / "x.png")])
    (tmp_path / "bad.jsonl").write_text(
        json.dumps({"run": "ours_8192_r1", "s_per_iter": [0.5]}) + "\n"
    )
    with pytest.raises(SystemExit, match=r"bad\.jsonl, line 1: no tokens_per_iter"):
        plot_speed.main([str(tmp_path / "bad.jsonl"), "--out", str(tmp_path / "x.png")])


@pytest.mark.parametrize("name", ["iterations_from_logs", "plot_speed"])
def test_help(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        _load(name).main(["--help"])
    assert exit_.value.code == 0 and "Usage:" in capsys.readouterr().out
