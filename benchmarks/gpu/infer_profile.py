"""Where one decode step of ``StaticEngine`` goes: the per-step time split and its roofline.

``step_split(engine)`` times a step (graph replay, and eager) with every slot attending
over the whole cache and over one bucket, sums the GPU kernels of a few steps by kind
(matmuls: the weights; attention; cache writes and copies; the rest), and sets them
against the bytes a step must read (every weight once, the attended KV once) at the
device-to-device bandwidth measured here. Called by ``bench_infer.py`` after the
timed runs, on the engine's own cache.
"""
from __future__ import annotations

import re
import time

import torch

KINDS = (("attention", re.compile(r"fmha|flash|attention|efficient|softmax", re.I)),
         ("matmul", re.compile(r"gemm|gemv|cutlass|xmma|nvjet|splitk|cublas|sm90",
                               re.I)), ("cache_write_copy", re.compile(r"index|copy|cat", re.I)))


def bandwidth_gbs(gb: float = 1.0) -> float:
    """Device-to-device copy rate, bytes read plus written, GB/s."""
    src = torch.empty(int(gb * 1e9 / 2), dtype=torch.bfloat16, device="cuda")
    dst = torch.empty_like(src)
    dst.copy_(src)
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(5):
        dst.copy_(src)
    torch.cuda.synchronize()
    return 2 * gb * 5 / (time.perf_counter() - start)


def step_ms(fn, steps: int) -> float:
    fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    torch.cuda.synchronize()
    return 1000 * (time.perf_counter() - start) / steps


def kernel_split(fn, steps: int = 3) -> dict:
    """GPU kernel milliseconds per step by kind, from the profiler."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(steps):
            fn()
        torch.cuda.synchronize()
    split = {"attention": 0.0, "matmul": 0.0, "cache_write_copy": 0.0, "other": 0.0}
    for event in prof.key_averages():
        us = getattr(event, "device_time_total", None) or getattr(event, "cuda_time_total", 0)
        if not us or event.key.startswith(("ProfilerStep", "cudaGraph")):
            continue
        kind = next((name for name, rx in KINDS if rx.search(event.key)), "other")
        split[kind] += us / 1000 / steps
    split["kernels_total"] = sum(split.values())
    return {k: round(v, 3) for k, v in split.items()}


def step_split(engine) -> dict:
    decoder = engine.decoder
    runner, model = decoder.runner, decoder.model
    cache = model.cache
    full, one = cache.length, decoder.bucket
    runner.positions.fill_(full - 1)  # every slot attends over the whole cache
    weights = sum(p.numel() * p.element_size() for p in engine.model.parameters())
    kv = cache.nbytes()
    gbs = bandwidth_gbs()
    result = {
        "slots":
        cache.slots,
        "cache_tokens":
        full,
        "bandwidth_gbs":
        round(gbs),
        "weights_gb":
        round(weights / 1e9, 2),
        "kv_gb_full":
        round(kv / 1e9, 2),
        "roofline_ms_full":
        round(1000 * (weights + kv) / (gbs * 1e9), 2),
        "roofline_ms_weights":
        round(1000 * weights / (gbs * 1e9), 2),
        "graph_step_ms_full":
        round(step_ms(lambda: runner(full), 30), 2),
        "graph_step_ms_one_bucket":
        round(step_ms(lambda: runner(one), 30), 2),
        "eager_step_ms_full":
        round(step_ms(lambda: model.decode(runner.tokens, runner.positions, full), 5), 2),
        "kernels_ms_graph_full":
        kernel_split(lambda: runner(full)),
        "kernels_ms_eager_full":
        kernel_split(lambda: model.decode(runner.tokens, runner.positions, full)),
    }
    runner.positions.zero_()
    return result
