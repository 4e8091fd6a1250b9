"""Inference throughput on one GPU: HF ``generate``, the HF static-cache engine, and ours.

All three in one process on the same model and prompts (real papers trimmed to
``--prompt-tokens``, rendered with the training template, repeated to fill the batch):
  * ``hf_generate``: HF ``generate`` batched (left padding, dynamic cache, stock sparse MoE);
    prefill timed with 1 new token, decode per step from a ``--hf-new-tokens`` run,
    extrapolated to ``--new-tokens``;
  * ``hf_static``: ``HFStaticEngine``, the previous static engine kept as the HF static path
    (HF ``generate`` + ``StaticCache`` + dense MoE decode + ``torch.compile``);
  * ``ours``: ``StaticEngine`` (slot cache, GQA decode attention over the filled cache, CUDA
    graphs, continuous batching), per attention kernel.
Reviews are forced to ``--new-tokens`` (``min_new_tokens``). Papers/GPU-hour are also
scaled to 32 layers (time x 32 / layers: pessimistic, as embeddings and lm_head scale too).
``benchmarks/gpu/infer_profile.py`` adds the per-step time split.

Usage (GPU machine):
    python benchmarks/gpu/bench_infer.py --model build/m4 --test .gpu_data/test.jsonl
"""
from __future__ import annotations

import argparse
import json
import statistics
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--test", required=True, help="a test file, a paper per row (as tools/infer.py)")
    p.add_argument("--prompt-tokens", type=int, default=8192)
    p.add_argument("--new-tokens", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--repeats",
                   type=int,
                   default=3,
                   help="timed runs of ours (after a warm-up run)")
    p.add_argument("--stock-repeats", type=int, default=2, help="timed runs of hf_static")
    p.add_argument("--hf-new-tokens", type=int, default=48)
    p.add_argument("--attention", nargs="+", default=["sdpa", "matmul"])
    p.add_argument("--skip", nargs="*", default=[], choices=["hf_generate", "hf_static"])
    p.add_argument("--full-depth",
                   type=int,
                   default=0,
                   metavar="LAYERS",
                   help="before our runs, hold as much more GPU memory as LAYERS layers of weights "
                   "and KV cache would need (proves the batch fits at that depth)")
    p.add_argument("--out", help="write the results JSON here too")
    p.add_argument("--device", default="cuda", help="cpu only for a smoke test")
    return p.parse_args(argv)


def read_papers(path) -> list[str]:
    """The papers of a test file, read as ``tools/infer.py`` reads it; every row must have one
    (else exit naming the first row without, so that the prompts timed are the file's)."""
    from review_ext.common.jsonl import RowsFileError
    from review_ext.data.test_rows import read_test_rows

    try:
        rows = read_test_rows(path)
    except RowsFileError as error:
        raise SystemExit(str(error)) from None
    bad = [row for row in rows if row.paper is None]
    if bad:
        first = bad[0]
        where = f"row {first.index + 1}" + (
            "" if first.error.startswith("not JSON") else f" (id {first.id!r})"
        )
        raise SystemExit(f"{path}: {where}: {first.error}; "
                         f"{len(bad)} of {len(rows)} rows have no paper: fix or drop them")
    return [row.paper for row in rows]


def timed(fn):
    import torch

    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    sync()
    start = time.perf_counter()
    result = fn()
    sync()
    return time.perf_counter() - start, result


def rates(seconds: float, batch: int, layers: int, new_tokens: int) -> dict:
    return {
        "s_per_batch": round(seconds, 3),
        "new_tokens_per_s": round(batch * new_tokens / seconds, 1),
        "papers_per_gpu_hour": round(3600 * batch / seconds, 1),
        "papers_per_gpu_hour_32_layers": round(3600 * batch / (seconds * 32 / layers), 1)
    }


def spread(values: list[float]) -> dict:
    return {
        "mean": round(statistics.mean(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
        "runs": [round(v, 1) for v in values]
    }


def forced(new_tokens: int):
    from review_ext.generate.engine import SamplingParams

    return SamplingParams(max_new_tokens=new_tokens, min_new_tokens=new_tokens)


def hf_generate(model, tok, ids, args, layers):
    """Batched HF generate: prefill (1 token) and per-step decode, extrapolated."""
    from review_ext.generate.engine import HFEngine

    engine = HFEngine(model, tok)
    engine.generate(ids[:2], forced(2))  # warm-up
    t_prefill, _ = timed(lambda: engine.generate(ids, forced(1)))
    t_n, out = timed(lambda: engine.generate(ids, forced(args.hf_new_tokens)))
    step = (t_n - t_prefill) / (args.hf_new_tokens - 1)
    total = t_prefill + (args.new_tokens - 1) * step
    return {
        "prefill_s": round(t_prefill, 3),
        "decode_step_ms": round(1000 * step, 2),
        **rates(total, len(ids), layers, args.new_tokens)
    }, [c.token_ids for c in out]


def hf_static(model, tok, ids, args, layers):
    from review_ext.generate.static_engine import HFStaticEngine

    engine, source = (
        HFStaticEngine(model, tok, cache_len=args.prompt_tokens + args.new_tokens),
        "HFStaticEngine",
    )
    t_warm, _ = timed(lambda: engine.generate(ids, forced(8)))
    runs = []
    for _ in range(args.stock_repeats):
        t, out = timed(lambda: engine.generate(ids, forced(args.new_tokens)))
        assert all(len(c.token_ids) == args.new_tokens for c in out)
        runs.append(rates(t, len(ids), layers, args.new_tokens))
        print("hf_static", json.dumps(runs[-1]), flush=True)
    return {
        "source": source,
        "warmup_s": round(t_warm, 1),
        "runs": runs,
        "papers_per_gpu_hour_32_layers": spread([r["papers_per_gpu_hour_32_layers"] for r in runs])
    }


def ours(model, tok, ids, args, layers, attention):
    from review_ext.generate.static_engine import StaticEngine

    engine = StaticEngine(model, tok, attention=attention)
    params = forced(args.new_tokens)
    t_warm, _ = timed(lambda: engine.generate(ids, params))  # captures every bucket's graph
    runs, out = [], None
    for _ in range(args.repeats):
        t, out = timed(lambda: engine.generate(ids, params))
        assert all(len(c.token_ids) == args.new_tokens for c in out)
        runs.append(rates(t, len(ids), layers, args.new_tokens))
        print("ours", attention, json.dumps(runs[-1]), flush=True)
    t_prefill, _ = timed(lambda: [engine.decoder.model.prefill(p, 0) for p in ids[:8]])
    row = {"attention": attention, "warmup_s": round(t_warm, 1), "runs": runs,
           "prefill_s_per_paper": round(t_prefill / 8, 4),
           "papers_per_gpu_hour_32_layers": spread([r["papers_per_gpu_hour_32_layers"]
                                                    for r in runs])}
    return engine, row, [c.token_ids for c in out]


def ballast(model, args, prompt_tokens: int):
    """GPU memory standing in for the layers (weights and cache) a ``--full-depth`` model adds."""
    import torch

    layers = model.config.num_hidden_layers
    per_layer = sum(p.numel() * p.element_size() for p in model.model.layers[0].parameters())
    attn = model.model.layers[0].self_attn
    length = -(-(prompt_tokens + args.new_tokens) // 1024) * 1024
    kv_heads = model.config.num_key_value_heads
    kv_per_layer = args.batch_size * length * 2 * kv_heads * attn.head_dim * 2  # K and V, bf16
    extra = (args.full_depth - layers) * (per_layer + kv_per_layer)
    return torch.empty(extra, dtype=torch.uint8, device="cuda"), {
        "full_depth_layers": args.full_depth,
        "ballast_gb": round(extra / 1e9, 1),
        "kv_cache_gb_at_full_depth": round(args.full_depth * kv_per_layer / 1e9, 1)
    }


def agreement(reference, got) -> dict:
    """How long the greedy outputs agree with the reference (bf16 kernels differ)."""
    prefix = []
    for a, b in zip(reference, got):
        n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        prefix.append(n)
    return {
        "compared_tokens": len(reference[0]),
        "all_equal": sum(p == len(reference[0]) for p in prefix),
        "papers": len(prefix),
        "mean_equal_prefix": round(statistics.mean(prefix), 1)
    }


def main(argv=None):
    args = parse_args(argv)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from review_ext.data.template import resolve_system
    from review_ext.infer.prompting import build_prompt

    papers = read_papers(args.test)  # before loading anything
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model,
                                                 torch_dtype=torch.bfloat16,
                                                 device_map=args.device).eval()
    layers = model.config.num_hidden_layers
    prompts = [
        build_prompt(tok, paper, resolve_system("v2"), budget=args.prompt_tokens)
        for paper in papers
    ]
    ids = [p.ids for p in (prompts * (args.batch_size // len(prompts) + 1))[:args.batch_size]]
    result = {
        "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
        "layers": layers,
        "batch": args.batch_size,
        "prompt_tokens": sorted({len(i)
                                 for i in ids}),
        "new_tokens": args.new_tokens
    }
    reference = None
    if "hf_generate" not in args.skip:  # first: the other engines patch the MoE blocks
        result["hf_generate"], reference = hf_generate(model, tok, ids, args, layers)
        print("hf_generate", json.dumps(result["hf_generate"]), flush=True)
    if "hf_static" not in args.skip:
        result["hf_static"] = hf_static(model, tok, ids, args, layers)
    result["ours"] = []
    held = None
    if args.full_depth:
        held, result["full_depth"] = ballast(model, args, max(len(i) for i in ids))
        print("full depth", json.dumps(result["full_depth"]), flush=True)
    for attention in args.attention:
        try:
            engine, row, tokens = ours(model, tok, ids, args, layers, attention)
        except Exception as exc:  # noqa: BLE001 - one kernel's failure must not lose the others
            result["ours"].append({"attention": attention, "error": f"{type(exc).__name__}: {exc}"})
            print("ours", attention, "failed:", exc, flush=True)
            continue
        if torch.cuda.is_available() and len(result["ours"]) == 0:
            from infer_profile import step_split  # beside this script

            row["step_split"] = step_split(engine)
            print("step split", json.dumps(row["step_split"]), flush=True)
        if reference:
            row["agreement_with_hf_generate"] = agreement(reference,
                                                          [t[:len(reference[0])] for t in tokens])
        result["ours"].append(row)
        del engine
    result["peak_mem_gb"] = round(torch.cuda.max_memory_allocated() /
                                  2**30, 1) if torch.cuda.is_available() else None
    result["gpu_mem_gb"] = round(torch.cuda.get_device_properties(0).total_memory /
                                 2**30, 1) if torch.cuda.is_available() else None
    del held
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
