"""The e4m3 slot cache of the fast engine (``--engine-option kv_dtype=fp8``) on the CPU.

The Triton kernel that reads it runs under ``TRITON_INTERPRET=1`` (set before Triton is
imported, so in a child process): against a float64 reference over the very bytes the cache
holds, and inside the engine, where it must decode the tokens the engine decodes with the
cache widened by torch instead.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from review_ext.generate.engine import EngineOptions, SamplingParams
from review_ext.generate.loading import load_hf_model

pytestmark = pytest.mark.usefixtures("one_thread")

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ("A short paper.", "A much longer paper " * 6, "Graph networks " * 20, "We study X.")


def interpreted(code: str, *args) -> dict:
    """Run ``code`` in a child Python with Triton's interpreter on; its last stdout line, JSON."""
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "TRITON_INTERPRET": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": path}
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


KERNEL_CHECK = """
import json, torch
from review_ext.generate.fp8_decode import fp8_decode_attention
from review_ext.generate.kv_attention import SlotKVCache
torch.manual_seed(1)
errors = []
for slots, heads, kv_heads, length, dim, dtype in [(4, 8, 2, 2304, 16, torch.float32),
                                                   (2, 32, 8, 200, 128, torch.bfloat16)]:
    cache = SlotKVCache(1, slots, kv_heads, length, dim, dtype, [torch.device("cpu")], "fp8")
    for s in range(slots):
        cache.write_prompt(0, s, 3 * torch.randn(kv_heads, length, dim),
                           torch.randn(kv_heads, length, dim))
    positions = torch.tensor([0, length - 1, 1500 % length, 64][:slots])
    q = torch.randn(slots, heads, dim).to(dtype)
    got = fp8_decode_attention(q, cache.keys[0], cache.values[0], positions, dim ** -0.5)
    for s, p in enumerate(positions.tolist()):
        group = heads // kv_heads
        k = cache.keys[0][s, :, :p + 1].double().repeat_interleave(group, 0)
        v = cache.values[0][s, :, :p + 1].double().repeat_interleave(group, 0)
        scores = q[s, :, None].double() @ k.transpose(-1, -2) * dim ** -0.5
        ref = (torch.softmax(scores, -1) @ v).reshape(-1)
        errors.append(float((got[s].double() - ref).norm() / ref.norm()))
    assert got.dtype == dtype and not got.isnan().any()
print(json.dumps({"errors": errors}))
"""


def test_fp8_kernel_equals_a_float64_reference_over_the_cached_bytes():
    errors = interpreted(KERNEL_CHECK)["errors"]
    assert len(errors) == 6
    assert max(errors[:4]) < 1e-5  # fp32 queries, two splits, a slot at position 0
    assert max(errors[4:]) < 1e-2  # bf16 queries and output (Mixtral's head size)


def test_fp8_cache_stores_clamped_e4m3_at_each_slot_position():
    from review_ext.generate.kv_attention import FP8_MAX, SlotKVCache

    cache = SlotKVCache(1, slots=3, kv_heads=2, length=6, head_dim=4, dtype=torch.bfloat16,
                        devices=[torch.device("cpu")], kv_dtype="fp8")
    assert cache.keys[0].dtype == torch.float8_e4m3fn and cache.nbytes() == 2 * 3 * 2 * 6 * 4
    k = torch.randn(3, 2, 4) * 100
    k[0, 0, 0] = 1e4  # past e4m3's range: stored as its largest value, not as NaN
    positions = torch.tensor([0, 5, 2])
    cache.write_step(0, k, -k, cache.step_index(positions))
    want = k.clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn).float()
    for s, p in enumerate(positions.tolist()):
        assert torch.equal(cache.keys[0][s, :, p].float(), want[s])
        assert torch.equal(cache.values[0][s, :, p].float(), -want[s])
    assert cache.keys[0].float()[0, 0, 0, 0] == FP8_MAX
    assert cache.keys[0].float().abs().sum() == want.abs().sum()  # nothing else written
    prompt = torch.randn(2, 5, 4)
    cache.write_prompt(0, 1, prompt, prompt)
    assert torch.equal(cache.values[0][1, :, :5].float(), prompt.to(torch.float8_e4m3fn).float())


def test_an_unknown_kv_dtype_is_refused_when_the_engine_is_built(tiny_model):
    from review_ext.generate.static_engine import StaticEngine

    model, tok = load_hf_model(EngineOptions(model=str(tiny_model), dtype="float32", device="cpu"))
    with pytest.raises(ValueError, match="kv_dtype must be one of model, fp8"):
        StaticEngine(model, tok, kv_dtype="int4")


ENGINE_RUN = """
import json, sys
from review_ext.data.template import encode_prompt
from review_ext.generate.engine import EngineOptions, SamplingParams
from review_ext.generate.loading import load_hf_model
from review_ext.generate.static_engine import StaticEngine
model, tok = load_hf_model(EngineOptions(model=sys.argv[1], dtype="float32", device="cpu"))
engine = StaticEngine(model, tok, bucket=64, sync_every=4, kv_dtype="fp8")
prompts = [encode_prompt(tok, text, "v1") for text in json.loads(sys.argv[2])]
out = engine.generate(prompts, SamplingParams(max_new_tokens=10, min_new_tokens=10))
print(json.dumps([c.token_ids for c in out]))
"""


def test_fp8_engine_decodes_with_the_kernel_what_it_decodes_widened(tiny_model, tokenizer):
    from review_ext.data.template import encode_prompt
    from review_ext.generate.static_engine import StaticEngine

    model, tok = load_hf_model(EngineOptions(model=str(tiny_model), dtype="float32", device="cpu"))
    engine = StaticEngine(model, tok, bucket=64, sync_every=4, kv_dtype="fp8")
    assert engine.decoder.model.kv_dtype == "fp8"
    prompts = [encode_prompt(tokenizer, text, "v1") for text in TEXTS]
    widened = engine.generate(prompts, SamplingParams(max_new_tokens=10, min_new_tokens=10))
    assert engine.decoder.model.cache.dtype == torch.float8_e4m3fn
    assert all(len(c.token_ids) == 10 for c in widened)
    kernel = interpreted(ENGINE_RUN, tiny_model, json.dumps(TEXTS))
    assert kernel == [c.token_ids for c in widened]
