"""Inference at full depth on one GPU: ``tools/infer.py``'s engine (``StaticEngine``) on a
Mixtral-8x7B-geometry bf16 model built in GPU memory (random weights, no disk copy), with as
many cache slots as fit beside it.

Workloads, for each cache dtype of ``--kv-dtypes`` (``model``: bf16; ``fp8``: the e4m3 slot
cache, half the bytes per slot), each written to ``--out-dir`` as one JSON file when it ends:
  * ``fixed`` (today's): the papers of ``--fixed-test`` trimmed to 8,192 prompt tokens,
    repeated to fill the slots, every review forced to 1,000 tokens; one wave (every slot
    starts together), timed ``--repeats`` times after a short warm-up, then the step split
    of ``infer_profile.step_split``;
  * ``real``: the papers of ``--real-test`` (held-out) trimmed to 16,384 prompt tokens, queued
    ``--real-copies`` times, each review forced to a length drawn (seeded) from ``--lengths``
    (human reviews' token lengths; random weights never stop by themselves), all of them
    through the slots by continuous batching (longest prompt first, a slot refilled as its
    review ends), timed once after a warm-up on the same cache.

A review is stopped at its length the way a client stops one: its ``on_token`` callback raises
``Cancelled``. Slots: (free GPU memory after the model, less ``--reserve-gib``) over one slot's
KV bytes (prompt + new tokens, rounded up to the engine's 1,024-token bucket); a workload that
runs out of memory is tried again with ``--slot-step`` fewer.

Usage (GPU machine):
    python benchmarks/gpu/infer_full_depth.py --tokenizer .gpu_data/tokenizer \\
        --fixed-test .gpu_data/test.jsonl --real-test .gpu_data/heldout_test.jsonl \\
        --lengths .gpu_data/review_lengths.json --out-dir $OUT
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
import traceback
from pathlib import Path

BUCKET = 1024  # StaticEngine's default attended-length granularity


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tokenizer", required=True, help="a saved Mixtral tokenizer folder")
    p.add_argument("--layers", type=int, default=32)
    p.add_argument("--fixed-test", help="test file of the fixed workload (skipped without)")
    p.add_argument("--real-test", help="test file of the real workload (skipped without)")
    p.add_argument("--lengths", help="JSON list of review token lengths (real workload)")
    p.add_argument("--fixed-prompt-tokens", type=int, default=8192)
    p.add_argument("--fixed-new-tokens", type=int, default=1000)
    p.add_argument("--real-prompt-tokens", type=int, default=16384)
    p.add_argument("--real-copies", type=int, default=1,
                   help="queue each held-out paper this many times (each with its own drawn "
                        "length), so the slots stay full longer than one pass over few papers")
    p.add_argument("--repeats", type=int, default=1, help="timed waves of the fixed workload")
    p.add_argument("--slots", type=int, default=0, help="cache slots (0: as many as fit)")
    p.add_argument("--reserve-gib", type=float, default=3.0,
                   help="GPU memory left beside the model and cache (activations, graphs)")
    p.add_argument("--slot-step", type=int, default=2)
    p.add_argument("--kv-dtypes", nargs="+", default=["model"], choices=["model", "fp8"])
    p.add_argument("--workloads", nargs="+", default=["fixed", "real"], choices=["fixed", "real"],
                   help="the workloads in the order they run (each needs its test file)")
    p.add_argument("--kv-first", action="store_true",
                   help="run every workload under the first cache dtype before the next dtype")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out-dir", type=Path, required=True)
    return p.parse_args(argv)


def cancel_after(n: int):
    """An ``on_token`` callback that stops its review after ``n`` tokens."""
    from review_ext.generate.engine import Cancelled

    count = 0

    def on_token(_token):
        nonlocal count
        count += 1
        if count > n:
            raise Cancelled

    return on_token


def slot_bytes(model, tokens: int, kv_dtype: str) -> int:
    """KV cache bytes of one slot holding ``tokens`` (rounded up to the bucket)."""
    c = model.config
    length = -(-tokens // BUCKET) * BUCKET
    head_dim = c.hidden_size // c.num_attention_heads
    size = 1 if kv_dtype == "fp8" else 2
    return c.num_hidden_layers * 2 * c.num_key_value_heads * length * head_dim * size  # K and V


def fitting_slots(model, tokens: int, reserve_gib: float, kv_dtype: str) -> int:
    import torch

    free, _ = torch.cuda.mem_get_info()
    return max(1, int((free - reserve_gib * 2**30) // slot_bytes(model, tokens, kv_dtype)))


def prompts_of(tok, path: str, budget: int) -> list[list[int]]:
    from bench_infer import read_papers  # beside this script

    from review_ext.data.template import resolve_system
    from review_ext.infer.prompting import build_prompt

    system = resolve_system("v2")
    return [build_prompt(tok, paper, system, budget=budget).ids for paper in read_papers(path)]


def run_jobs(engine, jobs, lengths, slots, max_new: int):
    """Every job through ``slots`` slots, each review stopped at its length (``max_new`` sizes
    the cache: prompt + max_new per slot); (seconds, ends)."""
    import torch

    from review_ext.generate.engine import SamplingParams

    params = SamplingParams(max_new_tokens=max_new, min_new_tokens=max_new)
    torch.cuda.synchronize()
    start = time.perf_counter()
    ends = list(engine.decoder.run(jobs, params, slots=slots,
                                   on_token=[cancel_after(n) for n in lengths]))
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    errors = [r for _, r in ends if isinstance(r, Exception)]
    if errors:
        raise errors[0]
    return seconds, ends


def with_slots(make_engine, model, tokens: int, args, work):
    """``work(engine, slots)`` at the most slots that fit, fewer after an out-of-memory."""
    import torch

    from review_ext.generate.batching import is_oom

    slots = args.slots or fitting_slots(model, tokens, args.reserve_gib, make_engine.kv_dtype)
    while True:
        engine = make_engine()
        try:
            return work(engine, slots)
        except Exception as exc:  # noqa: BLE001 - out-of-memory is retried with fewer slots
            if not is_oom(exc) or slots <= args.slot_step:
                raise
            print(f"out of memory at {slots} slots: {str(exc)[:200]}", flush=True)
            slots -= args.slot_step
        finally:
            del engine
            gc.collect()
            torch.cuda.empty_cache()


def fixed(model, tok, make_engine, args) -> dict:
    ids = prompts_of(tok, args.fixed_test, args.fixed_prompt_tokens)
    new = args.fixed_new_tokens
    tokens = max(len(i) for i in ids) + new

    def work(engine, slots):
        import torch
        from infer_profile import step_split  # beside this script

        batch = [(k, ids[k % len(ids)]) for k in range(slots)]
        warm, _ = run_jobs(engine, batch, [16] * slots, slots, new)  # the timed runs' cache
        runs = []
        for _ in range(args.repeats):
            seconds, ends = run_jobs(engine, batch, [new] * slots, slots, new)
            assert all(len(r.token_ids) == new for _, r in ends), "a review missed its length"
            runs.append({"s_per_wave": round(seconds, 2),
                         "new_tokens_per_s": round(slots * new / seconds, 1),
                         "papers_per_gpu_hour": round(3600 * slots / seconds, 1)})
            print("fixed", slots, json.dumps(runs[-1]), flush=True)
        start = time.perf_counter()
        for p in ids[:4]:
            engine.decoder.model.prefill(p, 0)
        torch.cuda.synchronize()
        prefill = (time.perf_counter() - start) / 4
        cache = engine.decoder.model.cache
        return {"slots": cache.slots, "cache_tokens": cache.length,
                "kv_cache_gib": round(cache.nbytes() / 2**30, 1), "warmup_s": round(warm, 1),
                "runs": runs,
                "prefill_s_per_paper": round(prefill, 3),
                "prompt_tokens": sorted({len(i) for i in ids}), "new_tokens": new,
                "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 1),
                "step_split": step_split(engine)}

    return with_slots(make_engine, model, tokens, args, work)


def real(model, tok, make_engine, args) -> dict:
    ids = prompts_of(tok, args.real_test, args.real_prompt_tokens) * args.real_copies
    pool = json.loads(Path(args.lengths).read_text())
    rng = random.Random(args.seed)
    lengths = [rng.choice(pool) for _ in ids]
    tokens = max(len(i) for i in ids) + max(lengths)
    jobs = list(enumerate(ids))

    def work(engine, slots):
        import torch

        longest = sorted(jobs, key=lambda j: len(j[1]), reverse=True)[:slots]
        warm, _ = run_jobs(engine, longest, [8] * len(longest), slots, max(lengths))
        seconds, ends = run_jobs(engine, jobs, lengths, slots, max(lengths))
        got = {k: len(r.token_ids) for k, r in ends}
        assert all(got[k] == n for k, n in enumerate(lengths)), "a review missed its length"
        row = {"slots": engine.decoder.model.cache.slots,
               "cache_tokens": engine.decoder.model.cache.length,
               "kv_cache_gib": round(engine.decoder.model.cache.nbytes() / 2**30, 1),
               "warmup_s": round(warm, 1), "papers": len(ids), "s": round(seconds, 1),
               "new_tokens": sum(lengths), "new_tokens_per_s": round(sum(lengths) / seconds, 1),
               "papers_per_gpu_hour": round(3600 * len(ids) / seconds, 1),
               "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 1)}
        print("real", json.dumps(row), flush=True)
        return row

    prompt = [len(i) for i in ids]
    return {"prompt_tokens": {"min": min(prompt), "median": statistics.median(prompt),
                              "max": max(prompt), "mean": round(statistics.mean(prompt))},
            "review_tokens": {"min": min(lengths), "median": statistics.median(lengths),
                              "max": max(lengths), "mean": round(statistics.mean(lengths)),
                              "drawn_from": len(pool), "seed": args.seed},
            "copies": args.real_copies,
            **with_slots(make_engine, model, tokens, args, work)}


def main(argv=None):
    args = parse_args(argv)
    import torch
    from transformers import AutoTokenizer

    from review_ext.dev.random_model import mixtral_8x7b, random_model
    from review_ext.generate.static_engine import StaticEngine

    args.out_dir.mkdir(parents=True, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(args.tokenizer)
    start = time.perf_counter()
    model = random_model(mixtral_8x7b(args.layers), device="cuda", seed=args.seed).eval()
    torch.cuda.synchronize()
    head = {"gpu": torch.cuda.get_device_name(), "layers": args.layers,
            "params": sum(p.numel() for p in model.parameters()),
            "model_gib": round(torch.cuda.memory_allocated() / 2**30, 1),
            "build_s": round(time.perf_counter() - start, 1),
            "gpu_gib": round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1),
            "torch": torch.__version__}
    print("model", json.dumps(head), flush=True)

    workloads = {"fixed": (fixed, args.fixed_test), "real": (real, args.real_test)}
    runs = [(w, kv) for w in args.workloads for kv in args.kv_dtypes if workloads[w][1]]
    if args.kv_first:
        runs.sort(key=lambda run: args.kv_dtypes.index(run[1]))
    failed = 0
    for name, kv_dtype in runs:
        def make_engine(kv_dtype=kv_dtype):
            return StaticEngine(model, tok, kv_dtype=kv_dtype)

        make_engine.kv_dtype = kv_dtype
        torch.cuda.reset_peak_memory_stats()
        out = args.out_dir / f"infer_full_depth_{name}_{kv_dtype}.json"
        try:
            result = {**head, "workload": name, "kv_dtype": kv_dtype,
                      **workloads[name][0](model, tok, make_engine, args)}
        except Exception as exc:  # noqa: BLE001 - one failed run must not cost the others
            failed += 1
            result = {**head, "workload": name, "kv_dtype": kv_dtype,
                      "error": f"{type(exc).__name__}: {str(exc)[:500]}"}
            traceback.print_exc()
        out.write_text(json.dumps(result, indent=1))
        print(name, kv_dtype, json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
