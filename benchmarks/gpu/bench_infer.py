"""Inference throughput on one GPU: the published loop against tools/infer.py's engine.

Published loop: HF ``generate``, batch 1, the tokenizer's chat template, bf16.
Ours: ``review_ext.generate.static_engine.StaticEngine`` (static KV cache, dense MoE decode
steps, the decode step compiled into a CUDA graph), a batch of real papers of
unequal length with left padding, the training template.
Papers are trimmed to ``--prompt-tokens``; reviews are forced to ``--new-tokens``
(``min_new_tokens``). Prints papers per GPU-hour at the model's depth and scaled
to 32 layers (time x 32 / layers: pessimistic, as embeddings and lm_head scale too).

Usage (GPU machine): python benchmarks/gpu/bench_infer.py --model build/m4 --test .gpu_data/test.jsonl
"""
from __future__ import annotations

import argparse
import json
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--test", required=True, help="JSONL with an `input` paper per row")
    p.add_argument("--prompt-tokens", type=int, default=8192)
    p.add_argument("--new-tokens", type=int, default=1000)
    p.add_argument("--batch-size", type=int, nargs="+", default=[32])
    p.add_argument("--baseline-papers", type=int, default=2)
    p.add_argument("--baseline-new-tokens", type=int, default=64)
    p.add_argument("--out", help="write the results JSON here too")
    p.add_argument("--device", default="cuda", help="cpu only for a smoke test")
    return p.parse_args(argv)


def timed(fn):
    import torch

    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    sync()
    start = time.perf_counter()
    result = fn()
    sync()
    return time.perf_counter() - start, result


def baseline(model, tok, papers, system, new_tokens):
    """Seconds per paper of the published loop, from a 1-token and an n-token run."""
    import torch

    per_paper = []
    for paper in papers:
        ids = tok.apply_chat_template([{"role": "user", "content": f"{system}\n\n{paper}"}], return_tensors="pt").to(model.device)

        def run(n):
            with torch.inference_mode():
                return model.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False, pad_token_id=tok.eos_token_id)

        run(2)  # warm-up
        t1, _ = timed(lambda: run(1))
        tn, _ = timed(lambda: run(new_tokens))
        per_paper.append({"prompt_tokens": ids.shape[1], "prefill_s": t1, "decode_s_per_token": (tn - t1) / (new_tokens - 1)})
    return per_paper


def main(argv=None):
    args = parse_args(argv)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from review_ext.generate.static_engine import StaticEngine
    from review_ext.generate.engine import SamplingParams
    from review_ext.generate.prompting import build_prompt
    from review_ext.data.template import resolve_system

    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.bfloat16, device_map=args.device).eval()
    layers = model.config.num_hidden_layers
    rows = [json.loads(line) for line in open(args.test) if line.strip()]
    system = resolve_system("v2")
    prompts = [build_prompt(tok, r["input"], system, budget=args.prompt_tokens) for r in rows]
    need = max(args.batch_size)
    prompts = (prompts * (need // len(prompts) + 1))[:need]
    result = {"gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu", "layers": layers, "prompt_tokens": [len(p.ids) for p in prompts[:len(rows)]],
              "new_tokens": args.new_tokens}

    base = baseline(model, tok, [p.paper for p in prompts[: args.baseline_papers]], system, args.baseline_new_tokens)
    secs = sum(b["prefill_s"] + (args.new_tokens - 1) * b["decode_s_per_token"] for b in base) / len(base)
    result["baseline"] = {"runs": base, "s_per_paper": secs, "papers_per_gpu_hour": 3600 / secs,
                          "papers_per_gpu_hour_32_layers": 3600 / (secs * 32 / layers)}
    print(json.dumps(result["baseline"]), flush=True)

    engine = StaticEngine(model, tok, cache_len=args.prompt_tokens + args.new_tokens)
    result["ours"] = []
    for batch in args.batch_size:
        ids = [p.ids for p in prompts[:batch]]
        t_warm, _ = timed(lambda: engine.generate(ids, SamplingParams(max_new_tokens=8, min_new_tokens=8)))
        t_prefill, _ = timed(lambda: engine.generate(ids, SamplingParams(max_new_tokens=1)))
        params = SamplingParams(max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens)
        t_all, out = timed(lambda: engine.generate(ids, params))
        assert all(len(c.token_ids) == args.new_tokens for c in out)
        row = {"batch": batch, "warmup_s": t_warm, "prefill_s": t_prefill, "total_s": t_all,
               "new_tokens_per_s": batch * args.new_tokens / t_all,
               "papers_per_gpu_hour": 3600 * batch / t_all,
               "papers_per_gpu_hour_32_layers": 3600 * batch / (t_all * 32 / layers),
               "peak_mem_gb": torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else None}
        result["ours"].append(row)
        print(json.dumps(row), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
    best = max(result["ours"], key=lambda r: r["papers_per_gpu_hour"])
    print(f"published loop: {result['baseline']['papers_per_gpu_hour_32_layers']:.0f} papers/GPU-hour (32 layers, scaled); "
          f"ours: {best['papers_per_gpu_hour_32_layers']:.0f} at batch {best['batch']}; ratio "
          f"{best['papers_per_gpu_hour'] / result['baseline']['papers_per_gpu_hour']:.1f}x")


if __name__ == "__main__":
    main()
