"""Emulate a smaller card and record a process's GPU memory peaks (put this folder on PYTHONPATH).

``GPU_CAP_GIB``: once CUDA starts in a process, its allocator may hold at most that many GiB
(``torch.cuda.set_per_process_memory_fraction``), and raises out-of-memory past it, as a card of
that size would. ``GPU_PEAK_FILE``: at exit, a process that used CUDA appends one JSON line there
(its peak allocated and reserved bytes, the cap, its peak host memory). Without either variable
this does nothing and imports nothing.
"""
import os

if os.environ.get("GPU_CAP_GIB") or os.environ.get("GPU_PEAK_FILE"):
    import atexit
    import json
    import resource

    import torch

    _CAP = float(os.environ.get("GPU_CAP_GIB") or 0)

    def _cap():
        total = torch.cuda.get_device_properties(torch.cuda.current_device()).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, _CAP * 2**30 / total))

    def _record():
        path = os.environ.get("GPU_PEAK_FILE")
        if path and torch.cuda.is_initialized():
            row = {"pid": os.getpid(), "rank": os.environ.get("RANK"), "cap_gib": _CAP or None,
                   "max_allocated_gib": round(torch.cuda.max_memory_allocated() / 2**30, 3),
                   "max_reserved_gib": round(torch.cuda.max_memory_reserved() / 2**30, 3),
                   "max_rss_gib": round(  # ru_maxrss: KiB on Linux
                       resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3)}
            with open(path, "a") as f:
                f.write(json.dumps(row) + "\n")

    if _CAP:
        torch.cuda._lazy_call(_cap)
    atexit.register(_record)
