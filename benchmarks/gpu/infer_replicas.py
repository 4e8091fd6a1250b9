"""One model copy spread over two GPUs decodes what the one-GPU copy decodes.

Loads the model twice: on GPU 0 alone, and with ``review_ext.generate.replicas``'
``spread_device_map`` over GPUs 0 and 1 (decoder layers split evenly). Both run
``StaticEngine`` on the same prompts (the spread copy steps eagerly: CUDA graphs need one
device); prints the tokens' agreement, the times and each GPU's memory.

Usage (2-GPU machine):
    python benchmarks/gpu/infer_replicas.py --model build/m4 --test .gpu_data/test.jsonl
"""
from __future__ import annotations

import argparse
import json
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--test", required=True, help="a test file, a paper per row (as tools/infer.py)")
    p.add_argument("--papers", type=int, default=8)
    p.add_argument("--prompt-tokens", type=int, default=8192)
    p.add_argument("--new-tokens", type=int, default=64)
    return p.parse_args(argv)


def run(engine, ids, params):
    import torch

    engine.generate(ids[:1], params)  # warm-up (and graph capture)
    torch.cuda.synchronize()
    start = time.perf_counter()
    out = engine.generate(ids, params)
    torch.cuda.synchronize()
    return time.perf_counter() - start, [c.token_ids for c in out]


def main(argv=None):
    args = parse_args(argv)
    import torch
    from bench_infer import read_papers  # beside this script
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from review_ext.data.template import resolve_system
    from review_ext.generate.engine import SamplingParams
    from review_ext.generate.replicas import spread_device_map
    from review_ext.generate.static_engine import StaticEngine
    from review_ext.infer.prompting import build_prompt

    papers = read_papers(args.test)[:args.papers]  # before loading anything
    tok = AutoTokenizer.from_pretrained(args.model)
    ids = [
        build_prompt(tok, paper, resolve_system("v2"), budget=args.prompt_tokens).ids
        for paper in papers
    ]
    params = SamplingParams(max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens)
    load = dict(torch_dtype=torch.bfloat16)
    one = AutoModelForCausalLM.from_pretrained(args.model, device_map={"": 0}, **load).eval()
    t_one, want = run(StaticEngine(one, tok), ids, params)
    del one
    torch.cuda.empty_cache()
    layers = AutoConfig.from_pretrained(args.model).num_hidden_layers
    spread = AutoModelForCausalLM.from_pretrained(args.model,
                                                  device_map=spread_device_map(layers, [0, 1]),
                                                  **load).eval()
    engine = StaticEngine(spread, tok)
    t_two, got = run(engine, ids, params)
    equal = sum(a == b for a, b in zip(want, got))
    prefix = [
        next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
        for a, b in zip(want, got)
    ]
    result = {
        "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())],
        "layers_per_gpu":
        [sum(1 for d in engine.decoder.model.devices if d.index == i) for i in (0, 1)],
        "papers": len(ids),
        "new_tokens": args.new_tokens,
        "one_gpu_s": round(t_one, 2),
        "two_gpus_s": round(t_two, 2),
        "graphs_on_two_gpus": engine.decoder.runner.graphs_on,
        "papers_equal": equal,
        "equal_prefix_tokens": prefix,
        "mem_gb_per_gpu": [round(torch.cuda.max_memory_allocated(i) / 2**30, 1) for i in (0, 1)],
    }
    print("replicas", json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
