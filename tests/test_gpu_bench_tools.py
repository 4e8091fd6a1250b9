"""The GPU benchmark's readers: profile trace summary and per-run throughput (run on CPU)."""
import importlib.util
import json

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
        dict(ph="X", cat="gpu_user_annotation", name="ProfilerStep#15", ts=0, dur=100),  # not a step
        dict(ph="X", cat="kernel", name="nvjet_sm90_gemm", ts=10, dur=40),
        dict(ph="X", cat="kernel", name="kDequantizeBlockwise", ts=30, dur=40),  # overlaps: union 10..70
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
        dict(ph="X", cat="cpu_op", name="Optimizer.step", ts=450, dur=300, tid=host),  # idle 500..750
        dict(ph="X", cat="cpu_op", name="aten::item", ts=460, dur=40, tid=host),  # inside: not outermost
        dict(ph="X", cat="cuda_runtime", name="cudaStreamSynchronize", ts=470, dur=30, tid=host),
        dict(ph="X", cat="kernel", name="add", ts=800, dur=150, tid=gpu),  # idle 750..800 and 950..1000: no op
        dict(ph="X", cat="cpu_op", name="aten::add", ts=900, dur=10, tid=2),  # another thread: ignored
        dict(ph="X", cat="python_function", name="moe.py(42): route", ts=600, dur=100, tid=host),
        dict(ph="X", cat="cpu_op", name="MmBackward0", ts=960, dur=30, tid=3),  # the autograd thread
        dict(ph="X", cat="cuda_runtime", name="cudaLaunchKernel", ts=985, dur=5, tid=3),
    ]
    out = trace_summary.summarize({"traceEvents": events}, top=5)
    assert out["gpu_idle_ms_per_step_by_host_op"] == {
        "Optimizer.step": 0.25, "aten::mm": 0.1, "(python)": 0.07, "MmBackward0": 0.03}
    assert out["gpu_idle_ms_per_step_by_inner_op"] == {
        "Optimizer.step > Optimizer.step": 0.15, "aten::mm > aten::mm": 0.1,
        "Optimizer.step > moe.py(42): route": 0.1, "(python)": 0.07, "MmBackward0 > MmBackward0": 0.03}
    assert out["host_waits_per_step_by_op"] == {"Optimizer.step > aten::item": 1.0}
    assert out["gpu_busy_pct"] == 55.0


def test_summarize_counts_tokens_per_iteration(tmp_path, capsys):
    summarize = _load("summarize")
    run = tmp_path / "run" / "20261129_000000" / "vis_data"
    run.mkdir(parents=True)
    rows = [dict(step=i, loss=10 - i, time=t, tokens_per_sec=n / t, memory=100 + i)
            for i, (t, n) in enumerate([(1.0, 8192), (0.5, 8000), (0.25, 4000), (0.5, 8192)], 1)]
    (run / "scalars.json").write_text("\n".join(json.dumps(r) for r in rows))
    summarize.main([str(tmp_path / "run"), "--skip", "1", "--until", "3", "--name", "x"])
    out = json.loads(capsys.readouterr().out)
    assert out["steady_iters"] == 2 and out["tokens_per_s_per_gpu"] == round(12000 / 0.75)
    assert out["s_per_iter_min_max"] == [0.25, 0.5] and out["peak_mem_mb"] == 104
