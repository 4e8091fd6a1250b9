"""On the GPU: which kernels the training patches pick, whether they equal transformers', and
their time.

1. torch's ``_grouped_mm`` and ``varlen_attn`` (signature, one-time self-checks);
2. one QLoRA MoE block of MODEL (nf4, LoRA r64 on w1/w2/w3), 8,192 tokens, bf16: the grouped
   block against transformers' loop (outputs, router logits, input and LoRA gradients), time of
   forward+backward and host syncs per call;
3. packed attention at 8,192 tokens (32/8 heads of 128): varlen vs per-sample SDPA, and its
   time against one causal SDPA over the whole bin (what attends across samples);
4. a bin of one sample (8K, 16K): varlen against the one causal SDPA call such bins take
   (forward+backward time, and which attention kernels ran);
   In 2, the grouped block runs twice where liger-kernel is there: plain, and with Liger's fused
   SiLU-and-multiply.
Prints one JSON line per check.
Usage: python benchmarks/gpu/check_kernels.py [MODEL]  (no MODEL: skip 2)
"""
import copy
import functools
import inspect
import json
import sys

import torch


def timed(fn, reps=5):
    times = []
    for _ in range(reps + 1):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times[1:])[len(times[1:]) // 2]


def syncs(fn):
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
        torch.cuda.synchronize()
    names = ("cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaMemcpyAsync")
    return {e.key: e.count for e in prof.key_averages() if e.key in names}


def rel(a, b):
    return float((a.float() - b.float()).norm() / b.float().norm().clamp_min(1e-12))


def attention_kernels(fn):
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    return sorted(
        {
            e.key[:60]
            for e in prof.key_averages()
            if any(s in e.key.lower() for s in ("flash", "cudnn", "fmha", "attn"))
        }
    )


def check_one_sample_bins():
    from review_ext.train import attention

    for tokens in (8192, 16384):
        q4 = torch.randn(
            1, 32, tokens, 128, device="cuda", dtype=torch.bfloat16, requires_grad=True
        )
        k4, v4 = (
            torch.randn(1, 8, tokens, 128, device="cuda", dtype=torch.bfloat16, requires_grad=True)
            for _ in range(2)
        )
        q, k, v = (
            t.detach()[0].transpose(0, 1).contiguous().requires_grad_() for t in (q4, k4, v4)
        )
        cu = torch.tensor([0, tokens], device="cuda", dtype=torch.int32)

        def run_varlen(q=q, k=k, v=v, cu=cu, tokens=tokens):
            attention.packed_attention(q, k, v, cu, tokens, 128 ** -0.5).sum().backward()

        def run_sdpa(q4=q4, k4=k4, v4=v4):
            attention.causal_sdpa(q4, k4, v4, 128 ** -0.5).sum().backward()

        ref = attention.packed_attention(q, k, v, cu, tokens, 128 ** -0.5)
        out = attention.causal_sdpa(q4, k4, v4, 128 ** -0.5)[0].transpose(0, 1)
        print(
            json.dumps(
                dict(
                    check=f"one_sample_bin_{tokens}",
                    rel_sdpa_vs_varlen=rel(out, ref),
                    ms_varlen_fwd_bwd=round(timed(run_varlen), 3),
                    ms_sdpa_fwd_bwd=round(timed(run_sdpa), 3),
                    sdpa_kernels=attention_kernels(run_sdpa),
                    syncs_sdpa=syncs(run_sdpa),
                )
            ),
            flush=True,
        )


def check_moe(model_dir):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig
    from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock

    from review_ext.train import moe

    hf_forward = getattr(MixtralSparseMoeBlock.forward, "hf_forward", MixtralSparseMoeBlock.forward)
    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16,
                               bnb_4bit_use_double_quant=True, bnb_4bit_quant_type="nf4")
    model = AutoModelForCausalLM.from_pretrained(
        model_dir, torch_dtype=torch.bfloat16, quantization_config=quant, device_map={"": 0}
    )
    model = get_peft_model(
        model, LoraConfig(r=64, lora_alpha=128, target_modules=["w1", "w2", "w3"])
    )
    block = model.base_model.model.model.layers[0].block_sparse_moe.to(torch.bfloat16)
    for name, p in block.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(p, std=0.02)
    x0 = torch.randn(1, 8192, 4096, device="cuda", dtype=torch.bfloat16)

    def step(forward, blk):
        x = x0.clone().requires_grad_()
        out, logits = forward(blk, x)
        out.float().pow(2).mean().backward()
        return out, logits, x.grad

    try:
        from liger_kernel.ops.swiglu import LigerSiLUMulFunction
        fused = {"grouped_fused_silu_mul": LigerSiLUMulFunction.apply}
    except ImportError:
        fused = {}
    variants = [("grouped", moe.moe_forward, None)] + [
        (n, moe.moe_forward, f) for n, f in fused.items()
    ]
    results = {}
    for name, forward, silu_mul in variants + [("hf", hf_forward, None)]:
        moe.fused_silu_mul = silu_mul
        blk = copy.deepcopy(block) if name == "hf" else block
        blk.zero_grad()
        out = step(forward, blk)
        grads = {n: p.grad.clone() for n, p in blk.named_parameters() if p.grad is not None}
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        ms = timed(functools.partial(step, forward, blk))
        results[name] = (
            out,
            grads,
            dict(
                ms_fwd_bwd=round(ms, 2),
                syncs=syncs(functools.partial(step, forward, blk)),
                peak_extra_mb=round((torch.cuda.max_memory_allocated() - base) / 2**20),
            ),
        )
    moe.fused_silu_mul = None
    ref, g_ref, hf_stats = results["hf"]
    for name, _, _ in variants:
        ours, g_ours, stats = results[name]
        print(
            json.dumps(
                dict(
                    check=f"moe_block_qlora_8k_{name}",
                    supports=moe.supports(block),
                    rel_out=rel(ours[0], ref[0]),
                    rel_logits=rel(ours[1], ref[1]),
                    rel_dx=rel(ours[2], ref[2]),
                    rel_lora_grad_max=max(
                        rel(g_ours[n], g_ref[n]) for n in g_ref if g_ref[n].norm() > 0
                    ),
                    ours=stats,
                    hf=hf_stats,
                )
            ),
            flush=True,
        )


def check_attention():
    import torch.nn.functional as F

    from review_ext.train import attention

    q = torch.randn(8192, 32, 128, device="cuda", dtype=torch.bfloat16, requires_grad=True)
    k, v = (
        torch.randn(8192, 8, 128, device="cuda", dtype=torch.bfloat16, requires_grad=True)
        for _ in range(2)
    )
    cu = torch.tensor([0, 1500, 5000, 8192], device="cuda", dtype=torch.int32)
    ok = attention.varlen_ok(q)
    packed = attention.packed_attention(q, k, v, cu, 3500, 128 ** -0.5)
    ref = attention.per_sample_attention(q, k, v, cu, 128 ** -0.5)
    whole = torch.nn.functional.scaled_dot_product_attention(
        q.transpose(0, 1)[None],
        k.transpose(0, 1)[None],
        v.transpose(0, 1)[None],
        is_causal=True,
        enable_gqa=True,
    )

    def run_packed():
        attention.packed_attention(q, k, v, cu, 3500, 128 ** -0.5).sum().backward()

    def run_whole():  # one causal SDPA over the bin, as without varlen
        qs, ks, vs = q.transpose(0, 1)[None], k.transpose(0, 1)[None], v.transpose(0, 1)[None]
        F.scaled_dot_product_attention(qs, ks, vs, is_causal=True, enable_gqa=True).sum().backward()

    print(
        json.dumps(
            dict(
                check="packed_attention_8k",
                varlen_used=ok,
                rel_vs_per_sample=rel(packed, ref),
                rel_whole_bin_vs_per_sample=rel(whole[0].transpose(0, 1), ref),
                ms_packed=round(timed(run_packed), 3),
                ms_whole_bin_sdpa=round(timed(run_whole), 3),
                syncs_packed=syncs(run_packed),
            )
        ),
        flush=True,
    )


def main():
    from review_ext.train import grouped_mm

    x = torch.zeros(1, device="cuda", dtype=torch.bfloat16)
    info = dict(
        check="torch",
        version=torch.__version__,
        device=torch.cuda.get_device_name(),
        has_grouped_mm=hasattr(torch, "_grouped_mm"),
        grouped_mm_ok=grouped_mm.device_mm_ok(x),
    )
    try:
        from torch.nn.attention.varlen import varlen_attn
        info["varlen_attn_signature"] = str(inspect.signature(varlen_attn))
    except ImportError as err:
        info["varlen_attn_signature"] = f"missing: {err}"
    print(json.dumps(info), flush=True)
    check_attention()
    check_one_sample_bins()
    if len(sys.argv) > 1:
        check_moe(sys.argv[1])


if __name__ == "__main__":
    main()
