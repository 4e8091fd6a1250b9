"""One JSON line from a torch.profiler Chrome trace of training steps: GPU busy %, top kernels,
kernel time by kind, host syncs, the largest dtype copies (aten::copy_ by shape/dtype), and
what the host was doing while the GPU sat idle, and around which host ops it waited for the GPU.

GPU busy = union of GPU activity (kernels, copies, memsets) inside the profiled steps
(``ProfilerStep#N`` spans) over their wall time. Idle time is charged to the outermost host op
(or annotation) running at that moment on the threads that launch the kernels; "(python)" is
idle time with no op running there (interpreter and framework code between ops). It is charged
again to the innermost op or Python function there (``python_function`` events, present when
the profiler ran ``with_stack``), named "outermost > innermost". Across threads, idle time goes
to the first op that covers it; threads launching under 5% of the kernels are left out.
Usage: python benchmarks/gpu/trace_summary.py TRACE.json --name NAME [--top 8]
"""
import argparse
import bisect
import json
import re
from collections import Counter, defaultdict

KINDS = [  # first match wins
    ("dequant_nf4", r"kDequantize|dequantize"),
    ("attention", r"flash|fmha|attention|sdpa"),
    ("matmul", r"gemm|cutlass|xmma|nvjet|wgmma|Gemm|matmul"),
    ("copy_cast", r"copy|_to_copy|CatArrayBatched|Memcpy"),
    ("elementwise", r"elementwise|vectorized|reduce|softmax|index|scatter|gather|Loss|nll|norm"),
]


def kind_of(name: str) -> str:
    for kind, pattern in KINDS:
        if re.search(pattern, name):
            return kind
    return "other"


def union_length(spans):
    total, end = 0.0, float("-inf")
    for lo, hi in sorted(spans):
        if hi > end:
            total += hi - max(lo, end)
            end = hi
    return total


def gaps_of(spans):
    """The holes between the merged ``spans``."""
    holes, end = [], None
    for lo, hi in sorted(spans):
        if end is not None and lo > end:
            holes.append((end, lo))
        end = hi if end is None else max(end, hi)
    return holes


def _charge(ops, holes, name_of):
    """Idle time of ``holes`` charged to ``ops`` taken in turn, each only where none before it
    was."""
    charged, free = Counter(), [(g0, g1) for g0, g1 in sorted(holes)]
    for e in ops:
        a, b = e["ts"], e["ts"] + e["dur"]
        i = j = bisect.bisect_right(free, a, key=lambda g: g[1])  # first free hole ending after a
        pieces = []
        while j < len(free) and free[j][0] < b:
            g0, g1 = free[j]
            charged[name_of(e)] += min(b, g1) - max(a, g0)
            pieces += [(g0, a)] * (g0 < a) + [(b, g1)] * (b < g1)
            j += 1
        free[i:j] = pieces
    return charged, sum(g1 - g0 for g0, g1 in free)


def _as_ms(charged: Counter, top: int) -> dict:
    return {k: round(v / 1e3, 2) for k, v in charged.most_common(top)}


def idle_by_host_op(events, gpu, lo, hi, top):
    """GPU-idle ms per step charged to the outermost host op of the threads that launch kernels
    (the main thread, and the autograd engine's for the backward), and to the innermost op or
    Python function there ("outermost > innermost")."""
    launches = Counter(
        e.get("tid") for e in events if e.get("cat") == "cuda_runtime" and lo <= e["ts"] < hi
    )
    if not launches:
        return {}, {}
    tids = {tid for tid, n in launches.items() if n >= 0.05 * sum(launches.values())}
    ops = sorted(
        (
            e
            for e in events
            if e.get("tid") in tids
            and e.get("cat") in ("cpu_op", "user_annotation")
            and not str(e.get("name", "")).startswith("ProfilerStep#")
        ),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    outer, end = [], defaultdict(lambda: float("-inf"))
    for e in ops:  # outermost: not inside the previous outermost op of its thread
        if e["ts"] >= end[e["tid"]]:
            outer.append(e)
            end[e["tid"]] = e["ts"] + e["dur"]
    holes = gaps_of([(lo, lo)] + [(e["ts"], e["ts"] + e["dur"]) for e in gpu] + [(hi, hi)])
    holes = [(g0, g1) for g0, g1 in holes if g1 > g0]
    charged, rest = _charge(outer, holes, lambda e: e["name"][:60])
    charged["(python)"] = rest
    starts = defaultdict(list)
    for o in outer:
        starts[o["tid"]].append(o)

    def outermost(e):
        mine = starts[e["tid"]]
        k = bisect.bisect_right(mine, e["ts"], key=lambda o: o["ts"]) - 1
        return (
            mine[k]["name"][:40]
            if k >= 0 and e["ts"] <= mine[k]["ts"] + mine[k]["dur"]
            else "(python)"
        )

    frames = [e for e in events if e.get("tid") in tids and e.get("cat") == "python_function"
              and e["ts"] < hi and e["ts"] + e["dur"] > lo]
    shortest_first = sorted(ops + frames, key=lambda e: e["dur"])  # nested ones are shorter
    inner, rest = _charge(
        shortest_first, holes, lambda e: f"{outermost(e)} > {str(e['name'])[-60:]}"
    )
    inner["(python)"] = rest
    return _as_ms(charged, top), _as_ms(inner, top)


def syncs_by_host_op(events, lo, hi, top):
    """Host waits on the GPU per step, by the outermost > innermost host op around each (one
    sweep per thread over its ops and waits in time order, the open ops kept as a stack)."""
    names = ("cudaStreamSynchronize", "cudaDeviceSynchronize")
    marks = defaultdict(list)  # tid -> (ts, 0 for an op / 1 for a wait, -dur, event)
    for e in events:
        if e.get("cat") == "cuda_runtime" and e.get("name") in names and lo <= e["ts"] < hi:
            marks[e.get("tid")].append((e["ts"], 1, 0, e))
    for e in events:
        if (e.get("tid") in marks and e.get("cat") in ("cpu_op", "user_annotation")
                and not str(e.get("name", "")).startswith("ProfilerStep#")):
            marks[e.get("tid")].append((e["ts"], 0, -e["dur"], e))
    where = Counter()
    for items in marks.values():
        open_ops = []
        for ts, is_wait, _, e in sorted(items, key=lambda m: m[:3]):
            while open_ops and open_ops[-1]["ts"] + open_ops[-1]["dur"] < ts:
                open_ops.pop()
            if not is_wait:
                open_ops.append(e)
                continue
            around = [o for o in open_ops if o["ts"] + o["dur"] >= ts]
            where[" > ".join(o["name"][:50] for o in (around[:1] + around[-1:]))
                  if around else "(python)"] += 1
    return where.most_common(top)


def summarize(trace: dict, top: int) -> dict:
    events = [e for e in trace.get("traceEvents", []) if e.get("ph") == "X"]
    steps = [
        e
        for e in events
        if str(e.get("name", "")).startswith("ProfilerStep#") and e.get("cat") == "user_annotation"
    ]
    if not steps:
        return {"error": "no ProfilerStep spans in trace"}
    lo = min(e["ts"] for e in steps)
    hi = max(e["ts"] + e["dur"] for e in steps)
    gpu = [
        e
        for e in events
        if e.get("cat") in ("kernel", "gpu_memcpy", "gpu_memset") and lo <= e["ts"] < hi
    ]
    busy = union_length((e["ts"], min(e["ts"] + e["dur"], hi)) for e in gpu)
    by_name, by_kind = Counter(), Counter()
    for e in gpu:
        by_name[e["name"][:90]] += e["dur"]
        by_kind[kind_of(e["name"])] += e["dur"]
    kernel_total = sum(by_kind.values()) or 1.0
    runtime = Counter(
        e["name"] for e in events if e.get("cat") == "cuda_runtime" and lo <= e["ts"] < hi
    )
    copies = defaultdict(lambda: [0, 0.0])
    for e in events:
        if e.get("cat") == "cpu_op" and e.get("name") == "aten::copy_" and lo <= e["ts"] < hi:
            args = e.get("args", {})
            key = f"{args.get('Input Dims', '?')} {args.get('Input type', '?')}"
            copies[key][0] += 1
            copies[key][1] += e["dur"]
    n = len(steps)
    idle, idle_inner = idle_by_host_op(events, gpu, lo, hi, top)
    waits = syncs_by_host_op(events, lo, hi, top)
    return dict(
        steps=n,
        wall_ms_per_step=round((hi - lo) / n / 1e3, 1),
        gpu_busy_pct=round(100 * busy / (hi - lo), 1),
        gpu_ms_per_step=round(busy / n / 1e3, 1),
        kernel_ms_by_kind={k: round(v / n / 1e3, 1) for k, v in by_kind.most_common()},
        kernel_share_pct={k: round(100 * v / kernel_total, 1) for k, v in by_kind.most_common()},
        top_kernels=[
            dict(name=k, ms_per_step=round(v / n / 1e3, 2)) for k, v in by_name.most_common(top)
        ],
        syncs_per_step={
            k: round(runtime[k] / n, 1)
            for k in (
                "cudaStreamSynchronize",
                "cudaDeviceSynchronize",
                "cudaMemcpyAsync",
                "cudaLaunchKernel",
            )
            if runtime[k]
        },
        copy_ops_per_step=[
            dict(shape_dtype=k, count=round(c / n, 1), cpu_ms=round(t / n / 1e3, 2))
            for k, (c, t) in sorted(copies.items(), key=lambda kv: -kv[1][0])[:top]
        ],
        gpu_idle_ms_per_step_by_host_op={k: round(v / n, 2) for k, v in idle.items()},
        gpu_idle_ms_per_step_by_inner_op={k: round(v / n, 2) for k, v in idle_inner.items()},
        host_waits_per_step_by_op={k: round(c / n, 1) for k, c in waits},
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("trace")
    p.add_argument("--name", default="")
    p.add_argument("--top", type=int, default=8)
    args = p.parse_args(argv)
    with open(args.trace) as f:
        trace = json.load(f)
    print(json.dumps({"run": args.name, "profile": summarize(trace, args.top)}))


if __name__ == "__main__":
    main()
